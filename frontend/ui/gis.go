package ui

import (
	"net/http"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// gisButton is the Google Identity Services button. The script is loaded
// at runtime from Config.GISSrc (Google's, or the development stand-in),
// initialised with a single-use nonce from the API, and renders into
// #gis-button, a div only GIS touches.
type gisButton struct {
	app.Compo
	ClientID string
	Lang     i18n.Lang

	cb     app.Func
	nonce  string
	failed bool
	tries  int
}

const gisScriptID = "gis-script"

func (g *gisButton) OnMount(ctx app.Context) {
	g.cb = app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) == 0 || args[0].Get("credential").Type() != app.TypeString {
			return nil
		}
		cred := args[0].Get("credential").String()
		ctx.Dispatch(func(ctx app.Context) {
			ctx.NewActionWithValue(actCredential, credentialParams{Credential: cred, Nonce: g.nonce})
			g.prepare(ctx) // the nonce is spent: get the next one
		})
		return nil
	})
	g.prepare(ctx)
}

func (g *gisButton) OnDismount() {
	if g.cb != nil {
		g.cb.Release()
	}
}

// prepare fetches a fresh nonce, then loads the script and renders.
func (g *gisButton) prepare(ctx app.Context) {
	ctx.Async(func() {
		var n shared.NonceResponse
		err := rt.api.Do(ctx, http.MethodGet, "/api/auth/google/nonce", "", nil, &n)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				rt.m.alert(ctx, errorAlert(err))
				return
			}
			g.nonce = n.Nonce
			g.load(ctx)
		})
	})
}

// load adds the script once per page; later mounts reuse it.
func (g *gisButton) load(ctx app.Context) {
	doc := app.Window().Get("document")
	if gisAPI().Truthy() {
		g.render(ctx)
		return
	}
	if doc.Call("getElementById", gisScriptID).Truthy() {
		g.waitAndRender(ctx)
		return
	}
	s := doc.Call("createElement", "script")
	s.Set("id", gisScriptID)
	s.Set("src", rt.cfg.GISSrc)
	s.Set("async", true)
	var onLoad, onErr app.Func
	onLoad = app.FuncOf(func(_ app.Value, _ []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) { g.render(ctx) })
		onLoad.Release()
		return nil
	})
	onErr = app.FuncOf(func(_ app.Value, _ []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) {
			g.failed = true
			s.Call("remove") // a later mount tries again
		})
		onErr.Release()
		return nil
	})
	s.Call("addEventListener", "load", onLoad)
	s.Call("addEventListener", "error", onErr)
	doc.Get("head").Call("appendChild", s)
}

func (g *gisButton) waitAndRender(ctx app.Context) {
	if gisAPI().Truthy() {
		g.render(ctx)
		return
	}
	if g.tries++; g.tries > 100 { // 10 s
		g.failed = true
		return
	}
	ctx.After(100*time.Millisecond, g.waitAndRender)
}

// gisAPI is google.accounts.id, or undefined.
func gisAPI() app.Value {
	v := app.Window().Get("google")
	for _, k := range []string{"accounts", "id"} {
		if !v.Truthy() {
			return v
		}
		v = v.Get(k)
	}
	return v
}

func (g *gisButton) render(ctx app.Context) {
	id := gisAPI()
	el := app.Window().GetElementByID("gis-button")
	if !id.Truthy() || !el.Truthy() {
		g.failed = true
		return
	}
	g.failed = false
	id.Call("initialize", map[string]any{
		"client_id":             g.ClientID,
		"callback":              g.cb,
		"nonce":                 g.nonce,
		"auto_select":           false,
		"cancel_on_tap_outside": true,
		"use_fedcm_for_prompt":  true,
	})
	id.Call("renderButton", el, map[string]any{
		"type": "standard", "theme": "outline", "size": "large", "text": "signin_with",
		"shape": "rectangular", "logo_alignment": "left", "width": "280", "locale": string(g.Lang),
	})
}

func (g *gisButton) Render() app.UI {
	return app.Div().Class("gis").Body(
		app.Div().ID("gis-button").Class("gis-slot"),
		app.If(g.failed, func() app.UI {
			return app.Div().Class("hint").ID("gis-error").Text(i18n.T(g.Lang, i18n.GoogleUnavailable))
		}),
	)
}
