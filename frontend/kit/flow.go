package ui

import (
	"net/url"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// flow is one provider sign-in or connect this tab started.
type flow struct {
	provider  string
	process   string // "login" or "connect"
	verifier  string
	challenge string
	popup     app.Value
	closedAt  time.Time // when the popup was first seen closed
}

// How long a closed popup may still deliver its message (it posts, then
// closes itself), and how often the popup is looked at.
const (
	closeGrace   = 600 * time.Millisecond
	watchEvery   = 250 * time.Millisecond
	popupName    = "authbridge-signin"
	popupOptions = "popup,width=520,height=700"
	// flowStorePrefix keys a redirect-fallback flow's verifier in
	// sessionStorage (the verifier is no token: it only redeems a code
	// this tab's flow produces, once).
	flowStorePrefix = "authbridge.flow."
)

// storedFlow is what a redirect fallback keeps across the page load.
type storedFlow struct {
	Verifier string `json:"verifier"`
	Provider string `json:"provider"`
	Process  string `json:"process"`
}

// loginURL is a provider's start URL for this flow.
func loginURL(base string, p shared.ProviderInfo, process, handoff, challenge, ticket string) string {
	q := url.Values{}
	q.Set("process", process)
	q.Set("handoff", handoff)
	q.Set("challenge", challenge)
	if ticket != "" {
		q.Set("ticket", ticket)
	}
	return kit.LoginURL(base, p.ID, p.LoginURL, q)
}

// startFlow opens the popup on the click itself (browsers block popups
// opened later). A connect needs a ticket first: the popup opens blank
// and is sent on once the ticket is there.
func (d *Dashboard) startFlow(ctx app.Context, p shared.ProviderInfo, process string) {
	if d.flow != nil && d.flow.popup != nil && d.flow.popup.Truthy() {
		d.flow.popup.Call("close")
	}
	verifier, challenge := newPKCE()
	f := &flow{provider: p.ID, process: process, verifier: verifier, challenge: challenge}
	target := "about:blank"
	if process == "login" {
		target = loginURL(d.rt.cfg.APIBase, p, process, "popup", challenge, "")
	}
	w := app.Window().Call("open", target, popupName, popupOptions)
	if !w.Truthy() {
		d.redirectFlow(ctx, p, f)
		return
	}
	f.popup = w
	d.flow = f
	d.rt.m.alert(ctx, Alert{})
	if process == "connect" {
		ctx.Async(func() {
			ticket, err := kit.Signed{C: d.rt.mgr}.ConnectTicket(ctx, p.ID, challenge)
			ctx.Dispatch(func(ctx app.Context) {
				if d.flow != f {
					return
				}
				if err != nil {
					d.endFlow()
					d.rt.failed(ctx, err)
					return
				}
				f.popup.Get("location").Set("href", loginURL(d.rt.cfg.APIBase, p, process, "popup", challenge, ticket))
			})
		})
	}
	d.watch(ctx, f)
}

// redirectFlow is the fallback when the popup was blocked: the same flow
// as a full-page redirect, coming back with the result in the fragment.
func (d *Dashboard) redirectFlow(ctx app.Context, p shared.ProviderInfo, f *flow) {
	d.rt.m.alert(ctx, Alert{Kind: KindInfo, Code: CodePopupBlocked, Key: i18n.PopupBlocked})
	ctx.SessionStorage().Set(flowStorePrefix+f.challenge, storedFlow{Verifier: f.verifier, Provider: p.ID, Process: f.process})
	go_ := func(ticket string) {
		app.Window().Get("location").Set("href", loginURL(d.rt.cfg.APIBase, p, f.process, "redirect", f.challenge, ticket))
	}
	if f.process != "connect" {
		go_("")
		return
	}
	ctx.Async(func() {
		ticket, err := kit.Signed{C: d.rt.mgr}.ConnectTicket(ctx, p.ID, f.challenge)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				d.rt.failed(ctx, err)
				return
			}
			go_(ticket)
		})
	})
}

// watch notices a popup the user closed: after the grace for a message
// already on its way, the flow ends as cancelled.
func (d *Dashboard) watch(ctx app.Context, f *flow) {
	ctx.After(watchEvery, func(ctx app.Context) {
		if d.flow != f {
			return
		}
		if !f.popup.Get("closed").Bool() {
			d.watch(ctx, f)
			return
		}
		if f.closedAt.IsZero() {
			f.closedAt = time.Now()
		}
		if time.Since(f.closedAt) < closeGrace {
			d.watch(ctx, f)
			return
		}
		d.flow = nil
		d.rt.m.alert(ctx, Alert{Kind: KindInfo, Code: CodeCancelled, Key: i18n.Cancelled})
	})
}

// cancelFlow is the Cancel button while a popup is open.
func (d *Dashboard) cancelFlow(ctx app.Context, _ app.Event) {
	d.endFlow()
	d.rt.m.alert(ctx, Alert{Kind: KindInfo, Code: CodeCancelled, Key: i18n.Cancelled})
}

func (d *Dashboard) endFlow() {
	if d.flow != nil && d.flow.popup != nil && d.flow.popup.Truthy() {
		d.flow.popup.Call("close")
	}
	d.flow = nil
}

// onMessage is the window's message listener. It copies what it needs
// and moves to the UI goroutine; the checks happen there.
func (d *Dashboard) onMessage(ctx app.Context) app.Func {
	return app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		ev := args[0]
		origin := ev.Get("origin").String()
		source := ev.Get("source")
		data := ev.Get("data")
		if data.Type() != app.TypeObject || data.Get("type").String() != shared.HandoffType {
			return nil
		}
		msg, ok := kit.ParseMessage(plainData(data, 2))
		if !ok {
			app.Logf("authbridge: ignored a malformed handoff message from %q", origin)
			return nil
		}
		ctx.Dispatch(func(ctx app.Context) { d.handoff(ctx, origin, source, msg) })
		return nil
	})
}

// plainData copies the handoff fields of a message event's data into the
// plain values kit.ParseMessage reads (as encoding/json would decode
// them), depth objects deep; what JSON has no value for becomes a value
// ParseMessage refuses.
func plainData(v app.Value, depth int) any {
	switch v.Type() {
	case app.TypeString:
		return v.String()
	case app.TypeBoolean:
		return v.Bool()
	case app.TypeNumber:
		return v.Float()
	case app.TypeNull:
		return nil
	case app.TypeObject:
		m := map[string]any{}
		if depth > 0 {
			for _, k := range kit.MessageFields {
				if f := v.Get(k); f.Type() != app.TypeUndefined {
					m[k] = plainData(f, depth-1)
				}
			}
		}
		return m
	}
	return struct{}{} // undefined, a function, a symbol
}

// apiOrigin is where handoff messages must come from: the API's origin.
func (r *runtime) apiOrigin() string {
	if r.cfg.APIBase != "" {
		u, err := url.Parse(r.cfg.APIBase)
		if err == nil {
			return u.Scheme + "://" + u.Host
		}
	}
	return windowOrigin()
}

// handoff takes a popup's result: only from the API's exact origin, only
// from the popup this tab opened, only for the flow it started.
func (d *Dashboard) handoff(ctx app.Context, origin string, source app.Value, msg shared.HandoffMessage) {
	f := d.flow
	if f == nil || f.popup == nil {
		return
	}
	h := kit.Handoff{Origin: origin, FromOurPopup: source.Truthy() && source.Equal(f.popup), Message: msg}
	if !kit.Accept(h, d.rt.apiOrigin(), f.challenge) {
		app.Logf("authbridge: ignored a handoff message from %q", origin)
		return
	}
	d.flow = nil
	switch {
	case !msg.OK:
		d.rt.m.alert(ctx, handoffErrorAlert(msg))
	case f.process == "connect":
		ctx.NewActionWithValue(actConnected, f.provider)
	default:
		ctx.NewActionWithValue(actExchange, exchangeParams{Code: msg.Code, Verifier: f.verifier})
	}
}

// redirectResult reads a redirect-fallback result from the URL fragment,
// removes it from the address bar and history, and finds the flow's
// verifier. ok is false when there is none, or it is not this tab's.
func redirectResult(ctx app.Context) (initParams, bool) {
	loc := app.Window().Get("location")
	hash := loc.Get("hash").String()
	if hash == "" {
		return initParams{}, false
	}
	msg, ok := kit.ParseFragment(hash[1:])
	if !ok {
		return initParams{}, false
	}
	u, err := url.Parse(loc.Get("href").String())
	if err == nil {
		u.Fragment, u.RawFragment = "", ""
		app.Window().Get("history").Call("replaceState", app.Null(), "", u.String())
	}
	var sf storedFlow
	key := flowStorePrefix + msg.Flow
	if msg.Flow == "" || ctx.SessionStorage().Get(key, &sf) != nil || sf.Verifier == "" {
		return initParams{}, false
	}
	ctx.SessionStorage().Del(key)
	return initParams{Handoff: &msg, Verifier: sf.Verifier, Provider: sf.Provider}, true
}
