package kit

import (
	"net/url"
	"sync"

	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// DefaultGISSrc is Google's Identity Services script.
const DefaultGISSrc = "https://accounts.google.com/gsi/client"

// Config is what an app tells the kit. The observers run on an action's
// goroutine (never the UI goroutine): they may block, and they change
// what the app shows through ctx.SetState or ctx.Dispatch. Every one is
// optional; the state under StateKey says the same for components that
// would rather observe it.
type Config struct {
	// APIBase is AuthBridge's origin, "" when it is the app's own (one
	// nginx in front of both). Another origin needs CORS on AuthBridge.
	APIBase string
	// GISSrc is the Google Identity Services script ("": Google's).
	GISSrc string
	// Providers are the provider ids to offer, in this order (nil: every
	// provider AuthBridge lists). "google" stands for the Google button
	// too.
	Providers []string
	// Transport sends the calls to AuthBridge (nil: Transport{Base:
	// APIBase}); tests put a fake here.
	Transport Doer

	// OnSignedIn: a sign-in finished, or the refresh cookie restored a
	// session (Restored), in this tab or (restored) after another's.
	OnSignedIn func(ctx app.Context, s SignIn)
	// OnSignedOut: the tab has no session (any more); Reason says why.
	OnSignedOut func(ctx app.Context, s SignOut)
	// OnRefreshed: a scheduled refresh renewed the token; u is current.
	OnRefreshed func(ctx app.Context, u shared.User)
	// OnError: a sign-in step failed (network, the server's refusal, the
	// provider's error carried back by the popup). AsError reads it.
	OnError func(ctx app.Context, err error)
	// OnProviders: AuthBridge's providers list arrived (filtered).
	OnProviders func(ctx app.Context, p shared.ProvidersResponse)
	// OnFlow: a provider popup opened, was cancelled, or ended.
	OnFlow func(ctx app.Context, f FlowEvent)
	// OnConnected: a connect flow linked provider to the signed-in user.
	OnConnected func(ctx app.Context, provider string)
}

// SignIn is a started session.
type SignIn struct {
	User     shared.User
	IsNew    bool // the sign-in created the user
	Restored bool // from the refresh cookie, not a sign-in in this tab
}

// Reason is why a tab has no session.
type Reason string

// The reasons.
const (
	ReasonNone      Reason = "none"      // none found (no refresh cookie), or a sign-in failed
	ReasonUser      Reason = "user"      // SignOut was called in this tab
	ReasonElsewhere Reason = "elsewhere" // another tab signed out
	ReasonExpired   Reason = "expired"   // a scheduled refresh found the session gone (Code says why)
)

// SignOut is an ended (or absent) session.
type SignOut struct {
	Reason Reason
	All    bool             // ReasonUser: every session of the user ended
	Code   shared.ErrorCode // ReasonExpired: the server's code
}

// StateKey is the go-app state the kit publishes (a State): components
// may ObserveState it instead of using Config's observers. It never
// holds a token and is never persisted.
const StateKey = "/authbridge/kit"

// State is what the kit knows, for rendering.
type State struct {
	Ready          bool // the start (providers, restore) is done
	SignedIn       bool
	User           shared.User
	Providers      []shared.ProviderInfo // offered, in Config.Providers' order
	GoogleClientID string                // "" when the Google button is not offered
	Waiting        string                // the provider id whose popup is open ("": none)
	// Passkeys: AuthBridge takes passkeys and this browser has WebAuthn
	// (offer SignInWithPasskey; PasskeyButton does).
	Passkeys bool
	// PasskeyBusy: a passkey sign-in started by a click is under way.
	PasskeyBusy bool
	// Unreachable: the start (providers, restore) could not reach
	// AuthBridge (down, or only its proxy answered). OnError has said
	// so; offer Restart. A sign-in or Restart clears it.
	Unreachable bool
}

// RedirectProviders are the providers signed in through a popup: all but
// Google's when its button is offered.
func (s State) RedirectProviders() []shared.ProviderInfo {
	var out []shared.ProviderInfo
	for _, p := range s.Providers {
		if p.ID == "google" && s.GoogleClientID != "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Kit is one app's AuthBridge sign-in: made once by New, its actions
// registered by Register (in both builds, like the routes), started by
// Mount from the app's root component.
type Kit struct {
	cfg     Config
	public  Public
	session *Manager

	mu      sync.Mutex
	state   State
	known   bool // signed in or out is known (a tab still starting is neither)
	ctx     app.Context
	hasCtx  bool
	channel app.Value
	// passkeyAbort aborts the pending navigator.credentials request.
	passkeyAbort app.Value

	// UI goroutine only.
	flow   *flow
	msgFn  app.Func
	chanFn app.Func
}

// New makes the kit for cfg.
func New(cfg Config) *Kit {
	if cfg.GISSrc == "" {
		cfg.GISSrc = DefaultGISSrc
	}
	d := cfg.Transport
	if d == nil {
		d = Transport{Base: cfg.APIBase}
	}
	k := &Kit{cfg: cfg, public: Public{D: d}}
	k.session = &Manager{API: d, Lock: webLock}
	k.session.OnRefreshed = func(res shared.RefreshResponse) {
		if ctx, ok := k.context(); ok {
			k.publish(ctx, func(s *State) { s.User = res.User })
			if k.cfg.OnRefreshed != nil {
				k.cfg.OnRefreshed(ctx, res.User)
			}
		}
	}
	k.session.OnSignedOut = func(code shared.ErrorCode) {
		if ctx, ok := k.context(); ok {
			k.signedOut(ctx, SignOut{Reason: ReasonExpired, Code: code})
		}
	}
	return k
}

// Session is the tab's session: its token, refresh and calls to
// AuthBridge (Caller). Use Client for the app's own API.
func (k *Kit) Session() *Manager { return k.session }

// Public makes AuthBridge's calls that need no session.
func (k *Kit) Public() Public { return k.public }

// Client calls the app's own API at base (an origin, or "" for the app's
// own) with the session's token. Cookies are not sent to it: the bearer
// token is the credential.
func (k *Kit) Client(base string) Client {
	return Client{API: Transport{Base: base, Credentials: "omit"}, Session: k.session}
}

// State is what the kit knows now.
func (k *Kit) State() State {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.state
}

// The kit's global actions.
const (
	actInit            = "authbridge/kit/init"
	actCredential      = "authbridge/kit/credential"
	actExchange        = "authbridge/kit/exchange"
	actConnected       = "authbridge/kit/connected"
	actRemoteSignedOut = "authbridge/kit/remote-signed-out"
	actRemoteSignedIn  = "authbridge/kit/remote-signed-in"
	actGoogleRetry     = "authbridge/kit/google-retry" // handled by the mounted GoogleButton
)

// initParams starts the kit: with a redirect-fallback result when the
// page was opened by one.
type initParams struct {
	Handoff  *shared.HandoffMessage
	Verifier string // the flow's verifier, found in sessionStorage
	Provider string
}

type credentialParams struct {
	Credential string
	Nonce      string
}

type exchangeParams struct {
	Code     string
	Verifier string
}

// Register installs the kit's actions. Call it where the app registers
// its routes, in both builds.
func (k *Kit) Register() {
	app.Handle(actInit, k.handleInit)
	app.Handle(actCredential, k.handleCredential)
	app.Handle(actExchange, func(ctx app.Context, a app.Action) {
		p, _ := a.Value.(exchangeParams)
		k.exchange(ctx, p)
	})
	app.Handle(actConnected, func(ctx app.Context, a app.Action) {
		id, _ := a.Value.(string)
		k.connected(ctx, id)
	})
	app.Handle(actRemoteSignedOut, k.handleRemoteSignedOut)
	app.Handle(actRemoteSignedIn, k.handleRemoteSignedIn)
}

// handleRemoteSignedOut follows another tab's sign-out.
func (k *Kit) handleRemoteSignedOut(ctx app.Context, _ app.Action) {
	if k.State().SignedIn {
		k.session.Clear()
		k.signedOut(ctx, SignOut{Reason: ReasonElsewhere})
	}
}

// handleRemoteSignedIn follows another tab's sign-in: the refresh cookie
// is shared, so this tab restores the session too.
func (k *Kit) handleRemoteSignedIn(ctx app.Context, _ app.Action) {
	k.mu.Lock()
	out := k.known && !k.state.SignedIn
	k.mu.Unlock()
	if out {
		k.restore(ctx)
	}
}

// Events on the BroadcastChannel (never a token: only what happened).
const (
	channelName    = "authbridge-session"
	eventSignedIn  = "signed-in"
	eventSignedOut = "signed-out"
)

// Mount starts the kit from the app's root component's OnMount: it
// listens for popup results and the other tabs, reads a redirect
// result, loads the providers and restores the session from the refresh
// cookie. Call Dismount from its OnDismount.
func (k *Kit) Mount(ctx app.Context) {
	k.mu.Lock()
	k.ctx, k.hasCtx = ctx, true
	k.mu.Unlock()
	k.msgFn = k.onMessage(ctx)
	app.Window().Call("addEventListener", "message", k.msgFn)
	if bc := app.Window().Get("BroadcastChannel"); bc.Truthy() {
		ch := bc.New(channelName)
		k.chanFn = app.FuncOf(func(_ app.Value, args []app.Value) any {
			data := args[0].Get("data")
			if data.Type() != app.TypeObject {
				return nil
			}
			switch data.Get("type").String() {
			case eventSignedOut:
				ctx.Dispatch(func(ctx app.Context) { ctx.NewAction(actRemoteSignedOut) })
			case eventSignedIn:
				ctx.Dispatch(func(ctx app.Context) { ctx.NewAction(actRemoteSignedIn) })
			}
			return nil
		})
		ch.Call("addEventListener", "message", k.chanFn)
		k.mu.Lock()
		k.channel = ch
		k.mu.Unlock()
	}
	p, _ := redirectResult(ctx)
	ctx.NewActionWithValue(actInit, p)
}

// Dismount undoes Mount.
func (k *Kit) Dismount() {
	if k.msgFn != nil {
		app.Window().Call("removeEventListener", "message", k.msgFn)
		k.msgFn.Release()
		k.msgFn = nil
	}
	k.mu.Lock()
	ch := k.channel
	k.channel = nil
	k.mu.Unlock()
	if k.chanFn != nil {
		ch.Call("close")
		k.chanFn.Release()
		k.chanFn = nil
	}
}

func (k *Kit) context() (app.Context, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ctx, k.hasCtx
}

// tell the other tabs.
func (k *Kit) tell(event string) {
	k.mu.Lock()
	ch := k.channel
	k.mu.Unlock()
	if ch != nil && ch.Truthy() {
		ch.Call("postMessage", map[string]any{"type": event})
	}
}

// publish changes the state and sends it to its observers.
func (k *Kit) publish(ctx app.Context, f func(s *State)) {
	k.mu.Lock()
	f(&k.state)
	s := k.state
	k.mu.Unlock()
	ctx.SetState(StateKey, s)
}

// offered keeps the providers Config.Providers names, in its order.
func (k *Kit) offered(p shared.ProvidersResponse) shared.ProvidersResponse {
	if k.cfg.Providers == nil {
		return p
	}
	out := shared.ProvidersResponse{}
	for _, id := range k.cfg.Providers {
		for _, info := range p.Providers {
			if info.ID == id {
				out.Providers = append(out.Providers, info)
			}
		}
		if id == "google" {
			out.GoogleClientID = p.GoogleClientID
		}
	}
	out.Passkeys = p.Passkeys
	return out
}

func (k *Kit) handleInit(ctx app.Context, a app.Action) {
	p, _ := a.Value.(initParams)
	k.publish(ctx, func(s *State) { s.Unreachable = false })
	prov, err := k.public.Providers(ctx)
	if err != nil {
		if Unreachable(err) {
			// Said once: the restore below fails the same way.
			k.publish(ctx, func(s *State) { s.Unreachable = true })
		}
		k.failed(ctx, err)
	}
	prov = k.offered(prov)
	passkeys := prov.Passkeys && passkeysSupported()
	k.publish(ctx, func(s *State) {
		s.Providers, s.GoogleClientID, s.Passkeys = prov.Providers, prov.GoogleClientID, passkeys
	})
	if k.cfg.OnProviders != nil {
		k.cfg.OnProviders(ctx, prov)
	}
	if p.Handoff != nil {
		k.finishRedirect(ctx, p)
		return
	}
	k.restore(ctx)
}

// restore signs the tab in with the refresh cookie, if there is one. Only
// a failure that is no plain "no session" is reported as an error: the
// network, the server, or a disabled user (who should learn why). An
// unreachable AuthBridge the providers' call already reported is not
// said twice.
func (k *Kit) restore(ctx app.Context) {
	said := k.State().Unreachable
	res, err := k.session.Refresh(ctx)
	if err != nil {
		unreachable := Unreachable(err)
		if unreachable {
			k.publish(ctx, func(s *State) { s.Unreachable = true })
		}
		k.signedOut(ctx, SignOut{Reason: ReasonNone})
		if e := AsError(err); (e.Code == CodeNetwork || e.Status >= 500 || unreachable || e.Code == shared.CodeAccountDisabled) && !(unreachable && said) {
			k.failed(ctx, err)
		}
		return
	}
	k.signedIn(ctx, SignIn{User: res.User, Restored: true})
}

// Unreachable reports whether err says AuthBridge (or the provider
// behind it) could not be reached: unavailable or provider_unavailable,
// a proxy's 502/503/504, no answer at all. Trying again later may work;
// offer a Retry.
func Unreachable(err error) bool {
	switch AsError(err).Code {
	case shared.CodeUnavailable, shared.CodeProviderUnavailable:
		return true
	}
	return false
}

// Restart runs the start again (the providers, then the session from the
// refresh cookie): the Retry after State.Unreachable.
func (k *Kit) Restart(ctx app.Context) { ctx.NewActionWithValue(actInit, initParams{}) }

// RetryGoogle redoes a failed Google button sign-in (an Error From
// FromGoogleButton): the mounted GoogleButton takes a fresh nonce, draws
// itself again and asks Google to prompt, so the user can choose the
// account once more. Its credential was single use: it cannot be resent.
func (k *Kit) RetryGoogle(ctx app.Context) { ctx.NewAction(actGoogleRetry) }

// finishRedirect completes a flow that came back as a full-page redirect.
func (k *Kit) finishRedirect(ctx app.Context, p initParams) {
	h := *p.Handoff
	switch {
	case !h.OK:
		k.restore(ctx) // a failed connect leaves the user signed in
		k.failed(ctx, HandoffError(h))
	case h.Process == "connect":
		k.restore(ctx)
		k.connected(ctx, p.Provider)
	default:
		k.exchange(ctx, exchangeParams{Code: h.Code, Verifier: p.Verifier})
	}
}

// HandoffError is the error a failed handoff carries back (the
// provider's, or AuthBridge's).
func HandoffError(h shared.HandoffMessage) *Error {
	if h.Error == nil {
		return &Error{Code: shared.CodeInternal}
	}
	return &Error{Code: h.Error.Code, Message: h.Error.Message, Link: h.Link}
}

func (k *Kit) handleCredential(ctx app.Context, a app.Action) {
	p, _ := a.Value.(credentialParams)
	res, err := k.public.GoogleCredential(ctx, p.Credential, p.Nonce)
	if err != nil {
		k.failed(ctx, fromGoogleButton(err))
		return
	}
	k.startSession(ctx, res)
}

func (k *Kit) exchange(ctx app.Context, p exchangeParams) {
	res, err := k.public.Exchange(ctx, p.Code, p.Verifier)
	if err != nil {
		k.mu.Lock()
		starting := !k.known
		k.mu.Unlock()
		if starting {
			k.signedOut(ctx, SignOut{Reason: ReasonNone})
		}
		k.failed(ctx, err)
		return
	}
	k.startSession(ctx, res)
}

// startSession holds a fresh sign-in's tokens and tells the other tabs.
func (k *Kit) startSession(ctx app.Context, res shared.SignInResponse) {
	k.session.Start(res.TokenPair)
	k.signedIn(ctx, SignIn{User: res.User, IsNew: res.IsNew})
	k.tell(eventSignedIn)
}

func (k *Kit) signedIn(ctx app.Context, s SignIn) {
	k.mu.Lock()
	k.known = true
	k.mu.Unlock()
	k.publish(ctx, func(st *State) { st.Ready, st.SignedIn, st.User, st.Unreachable = true, true, s.User, false })
	if k.cfg.OnSignedIn != nil {
		k.cfg.OnSignedIn(ctx, s)
	}
}

func (k *Kit) signedOut(ctx app.Context, s SignOut) {
	k.mu.Lock()
	k.known = true
	k.mu.Unlock()
	k.publish(ctx, func(st *State) { st.Ready, st.SignedIn, st.User = true, false, shared.User{} })
	if k.cfg.OnSignedOut != nil {
		k.cfg.OnSignedOut(ctx, s)
	}
}

func (k *Kit) failed(ctx app.Context, err error) {
	if k.cfg.OnError != nil {
		k.cfg.OnError(ctx, err)
	}
}

func (k *Kit) connected(ctx app.Context, provider string) {
	if k.cfg.OnConnected != nil {
		k.cfg.OnConnected(ctx, provider)
	}
}

// SignOut ends the session on AuthBridge (all: every session of the
// user), forgets it in this tab and tells the other tabs. It blocks:
// call it from ctx.Async or an action handler.
func (k *Kit) SignOut(ctx app.Context, all bool) error {
	err := k.session.SignOut(ctx, all)
	k.signedOut(ctx, SignOut{Reason: ReasonUser, All: all})
	k.tell(eventSignedOut)
	return err
}

// Forget drops the session in this tab without asking AuthBridge (it
// said the session is gone, e.g. the app revoked it through its own
// calls) and, with tell, signs the other tabs out too. No observer is
// called: the app knows.
func (k *Kit) Forget(ctx app.Context, tell bool) {
	k.session.Clear()
	k.mu.Lock()
	k.known = true
	k.mu.Unlock()
	k.publish(ctx, func(st *State) { st.Ready, st.SignedIn, st.User = true, false, shared.User{} })
	if tell {
		k.tell(eventSignedOut)
	}
}

// apiOrigin is where handoff messages must come from: AuthBridge's.
func (k *Kit) apiOrigin() string {
	if k.cfg.APIBase != "" {
		u, err := url.Parse(k.cfg.APIBase)
		if err == nil {
			return u.Scheme + "://" + u.Host
		}
	}
	return windowOrigin()
}
