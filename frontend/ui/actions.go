package ui

import (
	"net/http"
	"sync"

	"github.com/authbridge/authbridge/frontend/api"
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Config is what the static site was generated with (go-app's Env, which
// is public: no secrets here).
type Config struct {
	GISSrc  string // the Google Identity Services script
	APIBase string // "" (same origin, behind nginx) or the API's origin
}

// Env names in the generated app.js.
const (
	EnvGISSrc  = "AB_GIS_SRC"
	EnvAPIBase = "AB_API_BASE"
	// DefaultGISSrc is Google's script.
	DefaultGISSrc = "https://accounts.google.com/gsi/client"
)

// ConfigFromEnv reads the Config baked into app.js.
func ConfigFromEnv() Config {
	c := Config{GISSrc: app.Getenv(EnvGISSrc), APIBase: app.Getenv(EnvAPIBase)}
	if c.GISSrc == "" {
		c.GISSrc = DefaultGISSrc
	}
	return c
}

// The global actions. Their handlers run on their own goroutine, make the
// HTTP calls, and end by publishing the view.
const (
	actInit            = "authbridge/init"
	actCredential      = "authbridge/credential"
	actExchange        = "authbridge/exchange"
	actConnected       = "authbridge/connected"
	actLoad            = "authbridge/load"
	actDisconnect      = "authbridge/disconnect"
	actRevoke          = "authbridge/revoke-session"
	actSignOut         = "authbridge/sign-out"
	actRemoteSignedOut = "authbridge/remote-signed-out"
	actRemoteSignedIn  = "authbridge/remote-signed-in"
)

// initParams starts the app: with a redirect-fallback result when the
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

// runtime is the app's one set of live parts. It is made once by
// Register and handed explicitly to the action handlers (as method
// values) and to the components that need it (by the route's factory):
// it holds the session manager with the access token and JS handles, so
// it is no go-app state, which may be copied, persisted or broadcast.
type runtime struct {
	cfg    Config
	public kit.Public // calls without a session
	signed api.Signed // calls with the session's token, through mgr
	mgr    *kit.Manager
	m      model

	mu      sync.Mutex
	channel app.Value // BroadcastChannel to the other tabs (nil until mounted)
	ctx     app.Context
	hasCtx  bool
}

// Register installs the routes and the actions. Both builds call it: the
// generator prerenders the route, the browser runs it.
func Register(cfg Config) {
	r := newRuntime(cfg, kit.Transport{Base: cfg.APIBase})
	app.Route("/", func() app.Composer { return &Dashboard{rt: r} })
	app.Handle(actInit, r.handleInit)
	app.Handle(actCredential, r.handleCredential)
	app.Handle(actExchange, r.handleExchange)
	app.Handle(actConnected, r.handleConnected)
	app.Handle(actLoad, func(ctx app.Context, _ app.Action) { r.loadAll(ctx) })
	app.Handle(actDisconnect, r.handleDisconnect)
	app.Handle(actRevoke, r.handleRevoke)
	app.Handle(actSignOut, r.handleSignOut)
	app.Handle(actRemoteSignedOut, r.handleRemoteSignedOut)
	app.Handle(actRemoteSignedIn, r.handleRemoteSignedIn)
}

func newRuntime(cfg Config, doer kit.Doer) *runtime {
	r := &runtime{cfg: cfg, public: kit.Public{D: doer}}
	r.m.v.Phase = PhaseLoading
	r.mgr = &kit.Manager{API: doer, Lock: webLock}
	r.signed = api.Signed{C: r.mgr}
	r.mgr.OnRefreshed = func(res shared.RefreshResponse) {
		if ctx, ok := r.context(); ok {
			r.m.update(ctx, func(v *View) { v.User = res.User })
		}
	}
	r.mgr.OnSignedOut = func(code shared.ErrorCode) {
		if ctx, ok := r.context(); ok {
			r.signedOut(ctx, Alert{Kind: KindError, Code: string(code)})
		}
	}
	return r
}

// setContext keeps the dashboard's context for work that starts outside
// any action (the refresh timer).
func (r *runtime) setContext(ctx app.Context) {
	r.mu.Lock()
	r.ctx, r.hasCtx = ctx, true
	r.mu.Unlock()
}

func (r *runtime) context() (app.Context, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ctx, r.hasCtx
}

func (r *runtime) setChannel(ch app.Value) {
	r.mu.Lock()
	r.channel = ch
	r.mu.Unlock()
}

// tell the other tabs (never a token: only what happened).
func (r *runtime) tell(event string) {
	r.mu.Lock()
	ch := r.channel
	r.mu.Unlock()
	if ch != nil && ch.Truthy() {
		ch.Call("postMessage", map[string]any{"type": event})
	}
}

// Events on the BroadcastChannel.
const (
	channelName    = "authbridge-session"
	eventSignedIn  = "signed-in"
	eventSignedOut = "signed-out"
)

func (r *runtime) handleInit(ctx app.Context, a app.Action) {
	p, _ := a.Value.(initParams)
	prov, err := r.public.Providers(ctx)
	if err != nil {
		r.m.alert(ctx, errorAlert(err))
	}
	r.m.update(ctx, func(v *View) {
		v.Providers, v.GoogleClientID = prov.Providers, prov.GoogleClientID
	})
	if p.Handoff != nil {
		r.finishRedirect(ctx, p)
		return
	}
	r.restore(ctx, true)
}

// restore signs the tab in with the refresh cookie, if there is one.
func (r *runtime) restore(ctx app.Context, quiet bool) {
	res, err := r.mgr.Refresh(ctx)
	if err != nil {
		e := kit.AsError(err)
		var a Alert
		if e.Code == kit.CodeNetwork || e.Status >= 500 || !quiet {
			a = errorAlert(err)
		}
		r.m.update(ctx, func(v *View) {
			v.Phase = PhaseSignedOut
			if a.Kind != "" {
				v.Alert = a
			}
		})
		return
	}
	r.signedIn(ctx, res.User, false)
}

// finishRedirect completes a flow that came back as a full-page redirect.
func (r *runtime) finishRedirect(ctx app.Context, p initParams) {
	h := *p.Handoff
	switch {
	case !h.OK:
		r.m.update(ctx, func(v *View) { v.Phase = PhaseSignedOut })
		r.restore(ctx, true) // a failed connect leaves the user signed in
		r.m.alert(ctx, handoffErrorAlert(h))
	case h.Process == "connect":
		r.restore(ctx, true)
		r.connected(ctx, p.Provider)
	default:
		r.exchange(ctx, exchangeParams{Code: h.Code, Verifier: p.Verifier})
	}
}

func handoffErrorAlert(h shared.HandoffMessage) Alert {
	if h.Error == nil {
		return Alert{Kind: KindError, Code: string(shared.CodeInternal)}
	}
	return Alert{Kind: KindError, Code: string(h.Error.Code), Message: h.Error.Message}
}

func (r *runtime) handleCredential(ctx app.Context, a app.Action) {
	p, _ := a.Value.(credentialParams)
	r.m.update(ctx, func(v *View) { v.Busy = "google" })
	res, err := r.public.GoogleCredential(ctx, p.Credential, p.Nonce)
	r.m.update(ctx, func(v *View) { v.Busy = "" })
	if err != nil {
		r.m.alert(ctx, errorAlert(err))
		return
	}
	r.startSession(ctx, res)
}

func (r *runtime) handleExchange(ctx app.Context, a app.Action) {
	p, _ := a.Value.(exchangeParams)
	r.exchange(ctx, p)
}

func (r *runtime) exchange(ctx app.Context, p exchangeParams) {
	res, err := r.public.Exchange(ctx, p.Code, p.Verifier)
	if err != nil {
		r.m.update(ctx, func(v *View) {
			if v.Phase == PhaseLoading {
				v.Phase = PhaseSignedOut
			}
		})
		r.m.alert(ctx, errorAlert(err))
		return
	}
	r.startSession(ctx, res)
}

// startSession holds a fresh sign-in's tokens and tells the other tabs.
func (r *runtime) startSession(ctx app.Context, res shared.SignInResponse) {
	r.mgr.Start(res.TokenPair)
	r.m.update(ctx, func(v *View) { v.Alert = Alert{} })
	r.signedIn(ctx, res.User, res.IsNew)
	r.tell(eventSignedIn)
}

func (r *runtime) signedIn(ctx app.Context, u shared.User, isNew bool) {
	r.m.update(ctx, func(v *View) {
		v.Phase, v.User, v.IsNew = PhaseSignedIn, u, isNew
	})
	r.loadAll(ctx)
}

// signedOut forgets the session's data and shows why.
func (r *runtime) signedOut(ctx app.Context, a Alert) {
	r.mgr.Clear()
	r.m.update(ctx, func(v *View) {
		v.Phase, v.User, v.IsNew = PhaseSignedOut, shared.User{}, false
		v.Accounts, v.Sessions, v.Logins, v.Busy = nil, nil, nil, ""
		v.AccountsLoad, v.SessionsLoad, v.LoginsLoad = Load{}, Load{}, Load{}
	})
	if a.Kind != "" {
		r.m.alert(ctx, a)
	}
}

// failed shows a failed call; a session that is gone signs the tab out.
func (r *runtime) failed(ctx app.Context, err error) {
	if e := kit.AsError(err); e.Status == http.StatusUnauthorized && kit.SignedOut(e.Code) {
		r.signedOut(ctx, errorAlert(err))
		return
	}
	r.m.alert(ctx, errorAlert(err))
}

// loadAll fetches the signed-in lists side by side.
func (r *runtime) loadAll(ctx app.Context) {
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); r.loadAccounts(ctx) }()
	go func() { defer wg.Done(); r.loadSessions(ctx) }()
	go func() { defer wg.Done(); r.loadLogins(ctx) }()
	wg.Wait()
}

func (r *runtime) loadAccounts(ctx app.Context) {
	r.m.update(ctx, func(v *View) { v.AccountsLoad.Status = LoadLoading })
	items, err := r.signed.Accounts(ctx)
	r.m.update(ctx, func(v *View) {
		if v.AccountsLoad = loaded(err); err == nil {
			v.Accounts = items
		}
	})
	if err != nil {
		r.failed(ctx, err)
	}
}

func (r *runtime) loadSessions(ctx app.Context) {
	r.m.update(ctx, func(v *View) { v.SessionsLoad.Status = LoadLoading })
	items, err := r.signed.Sessions(ctx)
	r.m.update(ctx, func(v *View) {
		if v.SessionsLoad = loaded(err); err == nil {
			v.Sessions = items
		}
	})
	if err != nil {
		r.failed(ctx, err)
	}
}

func (r *runtime) loadLogins(ctx app.Context) {
	r.m.update(ctx, func(v *View) { v.LoginsLoad.Status = LoadLoading })
	items, err := r.signed.Logins(ctx)
	r.m.update(ctx, func(v *View) {
		if v.LoginsLoad = loaded(err); err == nil {
			v.Logins = items
		}
	})
	if err != nil {
		r.failed(ctx, err)
	}
}

func (r *runtime) handleConnected(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	r.connected(ctx, id)
}

func (r *runtime) connected(ctx app.Context, provider string) {
	name := r.m.get().ProviderName(provider)
	r.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.Connected, Arg: name})
	r.loadAccounts(ctx)
	r.loadLogins(ctx)
}

func (r *runtime) handleDisconnect(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	var provider string
	for _, acc := range r.m.get().Accounts {
		if acc.ID == id {
			provider = acc.Provider
		}
	}
	r.m.update(ctx, func(v *View) { v.Busy = "disconnect-" + id })
	err := r.signed.Disconnect(ctx, id)
	r.m.update(ctx, func(v *View) { v.Busy = "" })
	if err != nil {
		r.failed(ctx, err)
		return
	}
	r.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.Disconnected, Arg: r.m.get().ProviderName(provider)})
	r.loadAccounts(ctx)
}

func (r *runtime) handleRevoke(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	current := false
	for _, s := range r.m.get().Sessions {
		if s.ID == id {
			current = s.Current
		}
	}
	err := r.signed.RevokeSession(ctx, id)
	if err != nil {
		r.failed(ctx, err)
		return
	}
	if current {
		r.signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: i18n.SignedOutMsg})
		r.tell(eventSignedOut)
		return
	}
	r.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.SessionRevoked})
	r.loadSessions(ctx)
}

func (r *runtime) handleSignOut(ctx app.Context, a app.Action) {
	all, _ := a.Value.(bool)
	r.m.update(ctx, func(v *View) { v.Busy = "sign-out" })
	err := r.mgr.SignOut(ctx, all)
	key := i18n.SignedOutMsg
	if all {
		key = i18n.SignedOutAllMsg
	}
	r.signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: key})
	r.tell(eventSignedOut)
	if err != nil {
		r.m.alert(ctx, errorAlert(err))
	}
}

func (r *runtime) handleRemoteSignedOut(ctx app.Context, _ app.Action) {
	if r.m.get().Phase != PhaseSignedIn {
		return
	}
	r.signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: i18n.SignedOutElsewhere})
}

func (r *runtime) handleRemoteSignedIn(ctx app.Context, _ app.Action) {
	if r.m.get().Phase != PhaseSignedOut {
		return
	}
	r.restore(ctx, true)
}
