package kit

import (
	"net/url"
	"time"

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
	// unavailable: the popup said AuthBridge could not be reached (and
	// OnError was told); closed now, the flow ends without "cancelled".
	unavailable bool
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
	return LoginURL(base, p.ID, p.LoginURL, q)
}

// FlowState is where a provider flow is.
type FlowState string

// The flow states OnFlow is told about.
const (
	FlowWaiting     FlowState = "waiting"     // the popup is open
	FlowRedirecting FlowState = "redirecting" // the popup was blocked: the page goes to the provider instead
	FlowCancelled   FlowState = "cancelled"   // the user closed the popup or cancelled
	FlowEnded       FlowState = "ended"       // a result came back (OnSignedIn, OnConnected or OnError follows)
)

// FlowEvent is a provider flow's news.
type FlowEvent struct {
	Provider string
	Process  string // "login" or "connect"
	State    FlowState
}

// emit tells OnFlow, off the UI goroutine (the observers may block).
func (k *Kit) emit(ctx app.Context, f *flow, st FlowState) {
	waiting := ""
	if st == FlowWaiting {
		waiting = f.provider
	}
	ev := FlowEvent{Provider: f.provider, Process: f.process, State: st}
	ctx.Async(func() {
		k.publish(ctx, func(s *State) {
			s.Waiting = waiting
			if st == FlowWaiting {
				s.Unreachable = false // a new attempt: its own failure says what to retry
			}
		})
		if k.cfg.OnFlow != nil {
			k.cfg.OnFlow(ctx, ev)
		}
	})
}

// SignIn starts provider p's sign-in. Call it from the click's handler
// itself (browsers block popups opened later); ProviderButton does.
func (k *Kit) SignIn(ctx app.Context, p shared.ProviderInfo) { k.startFlow(ctx, p, "login") }

// Connect starts a flow that links provider p to the signed-in user,
// from a click's handler like SignIn.
func (k *Kit) Connect(ctx app.Context, p shared.ProviderInfo) { k.startFlow(ctx, p, "connect") }

// Waiting is the provider id whose popup is open ("": none). UI
// goroutine only.
func (k *Kit) Waiting() string {
	if k.flow == nil {
		return ""
	}
	return k.flow.provider
}

// startFlow opens the popup on the click itself (browsers block popups
// opened later). A connect needs a ticket first: the popup opens blank
// and is sent on once the ticket is there.
func (k *Kit) startFlow(ctx app.Context, p shared.ProviderInfo, process string) {
	if k.flow != nil && k.flow.popup != nil && k.flow.popup.Truthy() {
		k.flow.popup.Call("close")
	}
	verifier, challenge := newPKCE()
	f := &flow{provider: p.ID, process: process, verifier: verifier, challenge: challenge}
	target := "about:blank"
	if process == "login" {
		target = loginURL(k.cfg.APIBase, p, process, "popup", challenge, "")
	}
	w := app.Window().Call("open", target, popupName, popupOptions)
	if !w.Truthy() {
		k.redirectFlow(ctx, p, f)
		return
	}
	f.popup = w
	k.flow = f
	k.emit(ctx, f, FlowWaiting)
	if process == "connect" {
		ctx.Async(func() {
			ticket, err := Signed{C: k.session}.ConnectTicket(ctx, p.ID, challenge)
			ctx.Dispatch(func(ctx app.Context) {
				if k.flow != f {
					return
				}
				if err != nil {
					k.endFlow()
					k.emit(ctx, f, FlowEnded)
					ctx.Async(func() { k.failed(ctx, err) })
					return
				}
				f.popup.Get("location").Set("href", loginURL(k.cfg.APIBase, p, process, "popup", challenge, ticket))
			})
		})
	}
	k.watch(ctx, f)
}

// redirectFlow is the fallback when the popup was blocked: the same flow
// as a full-page redirect, coming back with the result in the fragment.
func (k *Kit) redirectFlow(ctx app.Context, p shared.ProviderInfo, f *flow) {
	k.emit(ctx, f, FlowRedirecting)
	ctx.SessionStorage().Set(flowStorePrefix+f.challenge, storedFlow{Verifier: f.verifier, Provider: p.ID, Process: f.process})
	go_ := func(ticket string) {
		app.Window().Get("location").Set("href", loginURL(k.cfg.APIBase, p, f.process, "redirect", f.challenge, ticket))
	}
	if f.process != "connect" {
		go_("")
		return
	}
	ctx.Async(func() {
		ticket, err := Signed{C: k.session}.ConnectTicket(ctx, p.ID, f.challenge)
		if err != nil {
			k.failed(ctx, err)
			return
		}
		ctx.Dispatch(func(ctx app.Context) { go_(ticket) })
	})
}

// watch notices a popup the user closed: after the grace for a message
// already on its way, the flow ends as cancelled.
func (k *Kit) watch(ctx app.Context, f *flow) {
	ctx.After(watchEvery, func(ctx app.Context) {
		if k.flow != f {
			return
		}
		if !f.popup.Get("closed").Bool() {
			k.watch(ctx, f)
			return
		}
		if f.closedAt.IsZero() {
			f.closedAt = time.Now()
		}
		if time.Since(f.closedAt) < closeGrace {
			k.watch(ctx, f)
			return
		}
		k.flow = nil
		if f.unavailable {
			k.emit(ctx, f, FlowEnded) // the outage was said; closing it cancels nothing
			return
		}
		k.emit(ctx, f, FlowCancelled)
	})
}

// CancelFlow closes the open popup, if any (a Cancel button's handler).
func (k *Kit) CancelFlow(ctx app.Context) {
	f := k.flow
	k.endFlow()
	if f != nil {
		k.emit(ctx, f, FlowCancelled)
	}
}

func (k *Kit) endFlow() {
	if k.flow != nil && k.flow.popup != nil && k.flow.popup.Truthy() {
		k.flow.popup.Call("close")
	}
	k.flow = nil
}

// onMessage is the window's message listener. It copies what it needs
// and moves to the UI goroutine; the checks happen there.
func (k *Kit) onMessage(ctx app.Context) app.Func {
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
		msg, ok := ParseMessage(plainData(data, 2))
		if !ok {
			app.Logf("authbridge: ignored a malformed handoff message from %q", origin)
			return nil
		}
		ctx.Dispatch(func(ctx app.Context) { k.handoff(ctx, origin, source, msg) })
		return nil
	})
}

// plainData copies the handoff fields of a message event's data into the
// plain values ParseMessage reads (as encoding/json would decode
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
			for _, k := range MessageFields {
				if f := v.Get(k); f.Type() != app.TypeUndefined {
					m[k] = plainData(f, depth-1)
				}
			}
		}
		return m
	}
	return struct{}{} // undefined, a function, a symbol
}

// handoff takes a popup's result: only from the API's exact origin, only
// from the popup this tab opened, only for the flow it started.
func (k *Kit) handoff(ctx app.Context, origin string, source app.Value, msg shared.HandoffMessage) {
	f := k.flow
	if f == nil || f.popup == nil {
		return
	}
	h := Handoff{Origin: origin, FromOurPopup: source.Truthy() && source.Equal(f.popup), Message: msg}
	if !Accept(h, k.apiOrigin(), f.challenge) {
		app.Logf("authbridge: ignored a handoff message from %q", origin)
		return
	}
	if FrontUnavailable(msg) {
		// Said, and the flow stays: the popup may try again and still
		// bring this flow's result.
		f.unavailable = true
		ctx.Async(func() { k.failed(ctx, HandoffError(msg)) })
		return
	}
	k.flow = nil
	k.emit(ctx, f, FlowEnded)
	switch {
	case !msg.OK:
		ctx.Async(func() { k.failed(ctx, HandoffError(msg)) })
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
	msg, ok := ParseFragment(hash[1:])
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
