package kit

import (
	"strconv"
	"time"

	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// GoogleButton is the Google Identity Services button. The script is loaded
// at runtime from Config.GISSrc (Google's, or the development stand-in),
// initialised with a single-use nonce from the API, and renders into
// #gis-button, a div only GIS touches. The nonce is replaced after every
// credential, before it expires, and when the tab comes back after its
// lifetime (background tabs' timers are throttled), so the button is
// never offered with a nonce the server would refuse.
//
// A credential goes to AuthBridge (POST /api/auth/google/credential) and
// ends in Config.OnSignedIn or OnError. Only one may be mounted at a time
// (#gis-button is an id).
type GoogleButton struct {
	app.Compo
	Kit      *Kit
	ClientID string // State.GoogleClientID
	// Locale is the button's language (a BCP 47 tag; "": the browser's).
	Locale string
	// Unavailable is said when the script cannot load ("": English).
	Unavailable string

	cb        app.Func
	onVisible app.Func
	onResize  app.Func
	width     int // the width the button was last drawn at (0: not drawn)
	lease     nonceLease
	fetching  bool
	failed    bool
	tries     int
	prompt    bool // RetryGoogle: ask Google to prompt once drawn
}

// The nonce's lifetime as the dashboard plans it.
const (
	nonceTTL    = 10 * time.Minute // the server's (signin.NonceTTL), when its expires_at is missing or implausible
	nonceMargin = time.Minute      // renew this long before expiry, so a click just before still reaches the server in time
	nonceRetry  = 30 * time.Second // after a failed fetch
)

// nonceLease is the nonce the button was initialised with.
type nonceLease struct {
	nonce   string
	renewAt time.Time // wall clock
	spent   bool      // a credential carried it
}

// newLease plans n's renewal; sent is when its request left, at or before
// the server started the nonce's life. The server's expires_at is read
// relative to this tab's clock: an answer outside (nonceMargin, nonceTTL]
// means the clocks disagree, and the planned TTL is used instead. Times
// are wall clock (Round(0)): a suspended laptop's monotonic clock can
// stand still while the server's nonce keeps aging.
func newLease(n shared.NonceResponse, sent time.Time) nonceLease {
	sent = sent.Round(0)
	life := n.ExpiresAt.Sub(sent)
	if n.ExpiresAt.IsZero() || life <= nonceMargin || life > nonceTTL {
		life = nonceTTL
	}
	return nonceLease{nonce: n.Nonce, renewAt: sent.Add(life - nonceMargin)}
}

// needsRenewal says whether the button must get a new nonce at now.
func (l nonceLease) needsRenewal(now time.Time) bool {
	return l.nonce == "" || l.spent || !now.Round(0).Before(l.renewAt)
}

// live says whether the button may be offered: GIS holds a nonce that is
// neither spent nor missing (it may be in its renewal margin).
func (l nonceLease) live() bool { return l.nonce != "" && !l.spent }

const gisScriptID = "gis-script"

func (g *GoogleButton) OnMount(ctx app.Context) {
	g.cb = app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) == 0 || args[0].Get("credential").Type() != app.TypeString {
			return nil
		}
		cred := args[0].Get("credential").String()
		ctx.Dispatch(func(ctx app.Context) {
			ctx.NewActionWithValue(actCredential, credentialParams{Credential: cred, Nonce: g.lease.nonce})
			g.lease.spent = true // whatever the answer, the nonce is used up
			g.renew(ctx)
		})
		return nil
	})
	g.onVisible = app.FuncOf(func(_ app.Value, _ []app.Value) any {
		if app.Window().Get("document").Get("visibilityState").String() == "visible" {
			ctx.Dispatch(g.renewIfDue)
		}
		return nil
	})
	app.Window().Get("document").Call("addEventListener", "visibilitychange", g.onVisible)
	// The button is as wide as the other providers' buttons: GIS takes a
	// width only when it draws, so it is drawn again when that changes.
	g.onResize = app.FuncOf(func(_ app.Value, _ []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) {
			if g.width != 0 && gisWidth(g.slotWidth()) != g.width {
				g.draw()
			}
		})
		return nil
	})
	app.Window().Call("addEventListener", "resize", g.onResize)
	ctx.Handle(actGoogleRetry, func(ctx app.Context, _ app.Action) { g.retry(ctx) })
	g.renew(ctx)
}

// retry is RetryGoogle: a fresh nonce if this one is spent or due (then
// the script, the button), else the button drawn again; either way Google
// is asked to prompt once it is drawn.
func (g *GoogleButton) retry(ctx app.Context) {
	g.prompt, g.tries = true, 0
	if g.lease.needsRenewal(time.Now()) {
		g.renew(ctx)
		return
	}
	g.load(ctx)
}

func (g *GoogleButton) OnDismount() {
	if g.onVisible != nil {
		app.Window().Get("document").Call("removeEventListener", "visibilitychange", g.onVisible)
		g.onVisible.Release()
	}
	if g.onResize != nil {
		app.Window().Call("removeEventListener", "resize", g.onResize)
		g.onResize.Release()
	}
	if g.cb != nil {
		g.cb.Release()
	}
}

// renewIfDue is what the timers and a returning tab run.
func (g *GoogleButton) renewIfDue(ctx app.Context) {
	if g.lease.needsRenewal(time.Now()) {
		g.renew(ctx)
	}
}

// renew fetches a fresh nonce, schedules its renewal, then loads the
// script and (re)initialises the button with it. A timer left from an
// earlier nonce finds nothing due and does nothing.
func (g *GoogleButton) renew(ctx app.Context) {
	if g.fetching {
		return // the nonce on its way is fresh too
	}
	g.fetching = true
	ctx.Async(func() {
		sent := time.Now()
		n, err := g.Kit.public.GoogleNonce(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			g.fetching = false
			if err != nil {
				// No usable nonce: the button hides (gis-stale). OnError
				// says why, with its Try again (RetryGoogle); the script's
				// "could not be loaded" would be wrong, and a dead end.
				g.lease, g.prompt = nonceLease{}, false
				ctx.Async(func() { g.Kit.failed(ctx, fromGoogleButton(err)) })
				ctx.After(nonceRetry, g.renewIfDue)
				return
			}
			g.lease = newLease(n, sent)
			ctx.After(time.Until(g.lease.renewAt), g.renewIfDue)
			g.load(ctx)
		})
	})
}

// load adds the script once per page; later mounts reuse it.
func (g *GoogleButton) load(ctx app.Context) {
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
	s.Set("src", g.Kit.cfg.GISSrc)
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

func (g *GoogleButton) waitAndRender(ctx app.Context) {
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

func (g *GoogleButton) render(ctx app.Context) {
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
		"nonce":                 g.lease.nonce,
		"auto_select":           false,
		"cancel_on_tap_outside": true,
		"use_fedcm_for_prompt":  true,
	})
	g.draw()
	if g.prompt {
		g.prompt = false
		id.Call("prompt")
	}
}

// draw renders the button into #gis-button at the width its container
// gives the other providers' buttons.
func (g *GoogleButton) draw() {
	id := gisAPI()
	el := app.Window().GetElementByID("gis-button")
	if !id.Truthy() || !el.Truthy() {
		return
	}
	g.width = gisWidth(g.slotWidth())
	id.Call("renderButton", el, map[string]any{
		"type": "standard", "theme": "outline", "size": "large", "text": "signin_with",
		"shape": "rectangular", "logo_alignment": "left", "width": strconv.Itoa(g.width), "locale": g.Locale,
	})
}

// slotWidth is the width of the component's own box (.gis), which spans
// the card as the provider buttons do (0: not laid out).
func (g *GoogleButton) slotWidth() float64 {
	el := app.Window().GetElementByID("gis-button")
	if !el.Truthy() || !el.Get("parentElement").Truthy() {
		return 0
	}
	return el.Get("parentElement").Call("getBoundingClientRect").Get("width").Float()
}

// GIS draws buttons between these widths (px); gisFallbackWidth is for a
// box not laid out yet.
const (
	gisMinWidth      = 200
	gisMaxWidth      = 400
	gisFallbackWidth = 280
)

// gisWidth is the width option for a container px wide: whole pixels
// (rounded down, so the button never overflows), within what GIS draws.
func gisWidth(px float64) int {
	if px < 1 {
		return gisFallbackWidth
	}
	return max(gisMinWidth, min(gisMaxWidth, int(px)))
}

func (g *GoogleButton) Render() app.UI {
	return app.Div().Class("gis").Body(
		// Hidden (still laid out, so GIS sizes the button) while it has no live nonce.
		app.Div().ID("gis-button").Class("gis-slot").Class(gisStale(!g.lease.live())),
		app.If(g.failed, func() app.UI {
			msg := g.Unavailable
			if msg == "" {
				msg = "The Google sign-in button could not be loaded. Use another provider or reload."
			}
			return app.Div().Class("hint").ID("gis-error").Text(msg)
		}),
	)
}

func gisStale(stale bool) string {
	if stale {
		return "gis-stale"
	}
	return ""
}
