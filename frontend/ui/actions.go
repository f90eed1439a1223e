package ui

import (
	"net/http"
	"net/url"
	"sync"

	"github.com/authbridge/authbridge/frontend/api"
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/session"
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

// runtime is the app's one set of live parts.
type runtime struct {
	cfg Config
	api api.Doer
	mgr *session.Manager
	m   model

	mu      sync.Mutex
	channel app.Value // BroadcastChannel to the other tabs (nil until mounted)
	ctx     app.Context
	hasCtx  bool
}

var rt *runtime

// Register installs the routes and the actions. Both builds call it: the
// generator prerenders the route, the browser runs it.
func Register(cfg Config) {
	doer := api.Client{Base: cfg.APIBase}
	rt = newRuntime(cfg, doer)
	app.Route("/", func() app.Composer { return &Dashboard{} })
	app.Handle(actInit, handleInit)
	app.Handle(actCredential, handleCredential)
	app.Handle(actExchange, handleExchange)
	app.Handle(actConnected, handleConnected)
	app.Handle(actLoad, func(ctx app.Context, _ app.Action) { loadAll(ctx) })
	app.Handle(actDisconnect, handleDisconnect)
	app.Handle(actRevoke, handleRevoke)
	app.Handle(actSignOut, handleSignOut)
	app.Handle(actRemoteSignedOut, handleRemoteSignedOut)
	app.Handle(actRemoteSignedIn, handleRemoteSignedIn)
}

func newRuntime(cfg Config, doer api.Doer) *runtime {
	r := &runtime{cfg: cfg, api: doer}
	r.m.v.Phase = PhaseLoading
	r.mgr = &session.Manager{API: doer, Lock: webLock}
	r.mgr.OnRefreshed = func(res shared.RefreshResponse) {
		if ctx, ok := r.context(); ok {
			r.m.update(ctx, func(v *View) { v.User = res.User })
		}
	}
	r.mgr.OnSignedOut = func(code shared.ErrorCode) {
		if ctx, ok := r.context(); ok {
			signedOut(ctx, Alert{Kind: KindError, Code: string(code)})
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

func handleInit(ctx app.Context, a app.Action) {
	p, _ := a.Value.(initParams)
	var prov shared.ProvidersResponse
	if err := rt.api.Do(ctx, http.MethodGet, "/api/auth/providers", "", nil, &prov); err != nil {
		rt.m.alert(ctx, errorAlert(err))
	}
	rt.m.update(ctx, func(v *View) {
		v.Providers, v.GoogleClientID = prov.Providers, prov.GoogleClientID
	})
	if p.Handoff != nil {
		finishRedirect(ctx, p)
		return
	}
	restore(ctx, true)
}

// restore signs the tab in with the refresh cookie, if there is one.
func restore(ctx app.Context, quiet bool) {
	res, err := rt.mgr.Refresh(ctx)
	if err != nil {
		e := api.AsError(err)
		var a Alert
		if e.Code == api.CodeNetwork || e.Status >= 500 || !quiet {
			a = errorAlert(err)
		}
		rt.m.update(ctx, func(v *View) {
			v.Phase = PhaseSignedOut
			if a.Kind != "" {
				v.Alert = a
			}
		})
		return
	}
	signedIn(ctx, res.User, false)
}

// finishRedirect completes a flow that came back as a full-page redirect.
func finishRedirect(ctx app.Context, p initParams) {
	h := *p.Handoff
	switch {
	case !h.OK:
		rt.m.update(ctx, func(v *View) { v.Phase = PhaseSignedOut })
		restore(ctx, true) // a failed connect leaves the user signed in
		rt.m.alert(ctx, handoffErrorAlert(h))
	case h.Process == "connect":
		restore(ctx, true)
		connected(ctx, p.Provider)
	default:
		exchange(ctx, exchangeParams{Code: h.Code, Verifier: p.Verifier})
	}
}

func handoffErrorAlert(h shared.HandoffMessage) Alert {
	if h.Error == nil {
		return Alert{Kind: KindError, Code: string(shared.CodeInternal)}
	}
	return Alert{Kind: KindError, Code: string(h.Error.Code), Message: h.Error.Message}
}

func handleCredential(ctx app.Context, a app.Action) {
	p, _ := a.Value.(credentialParams)
	rt.m.update(ctx, func(v *View) { v.Busy = "google" })
	var res shared.SignInResponse
	err := rt.api.Do(ctx, http.MethodPost, "/api/auth/google/credential", "",
		shared.GoogleCredentialRequest{Credential: p.Credential, Nonce: p.Nonce}, &res)
	rt.m.update(ctx, func(v *View) { v.Busy = "" })
	if err != nil {
		rt.m.alert(ctx, errorAlert(err))
		return
	}
	startSession(ctx, res)
}

func handleExchange(ctx app.Context, a app.Action) {
	p, _ := a.Value.(exchangeParams)
	exchange(ctx, p)
}

func exchange(ctx app.Context, p exchangeParams) {
	var res shared.SignInResponse
	err := rt.api.Do(ctx, http.MethodPost, "/api/auth/exchange", "", shared.ExchangeRequest{Code: p.Code, Verifier: p.Verifier}, &res)
	if err != nil {
		rt.m.update(ctx, func(v *View) {
			if v.Phase == PhaseLoading {
				v.Phase = PhaseSignedOut
			}
		})
		rt.m.alert(ctx, errorAlert(err))
		return
	}
	startSession(ctx, res)
}

// startSession holds a fresh sign-in's tokens and tells the other tabs.
func startSession(ctx app.Context, res shared.SignInResponse) {
	rt.mgr.Start(res.TokenPair)
	rt.m.update(ctx, func(v *View) { v.Alert = Alert{} })
	signedIn(ctx, res.User, res.IsNew)
	rt.tell(eventSignedIn)
}

func signedIn(ctx app.Context, u shared.User, isNew bool) {
	rt.m.update(ctx, func(v *View) {
		v.Phase, v.User, v.IsNew = PhaseSignedIn, u, isNew
	})
	loadAll(ctx)
}

// signedOut forgets the session's data and shows why.
func signedOut(ctx app.Context, a Alert) {
	rt.mgr.Clear()
	rt.m.update(ctx, func(v *View) {
		v.Phase, v.User, v.IsNew = PhaseSignedOut, shared.User{}, false
		v.Accounts, v.Sessions, v.Logins, v.Busy = nil, nil, nil, ""
	})
	if a.Kind != "" {
		rt.m.alert(ctx, a)
	}
}

// failed shows a failed call; a session that is gone signs the tab out.
func failed(ctx app.Context, err error) {
	if e := api.AsError(err); e.Status == http.StatusUnauthorized && session.SignedOut(e.Code) {
		signedOut(ctx, errorAlert(err))
		return
	}
	rt.m.alert(ctx, errorAlert(err))
}

// loadAll fetches the signed-in lists side by side.
func loadAll(ctx app.Context) {
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); loadAccounts(ctx) }()
	go func() { defer wg.Done(); loadSessions(ctx) }()
	go func() { defer wg.Done(); loadLogins(ctx) }()
	wg.Wait()
}

func loadAccounts(ctx app.Context) {
	var out shared.ListResponse[shared.LinkedAccount]
	if err := rt.mgr.Call(ctx, http.MethodGet, "/api/me/accounts", nil, &out); err != nil {
		failed(ctx, err)
		return
	}
	rt.m.update(ctx, func(v *View) { v.Accounts = out.Items })
}

func loadSessions(ctx app.Context) {
	var out shared.ListResponse[shared.Session]
	if err := rt.mgr.Call(ctx, http.MethodGet, "/api/me/sessions", nil, &out); err != nil {
		failed(ctx, err)
		return
	}
	rt.m.update(ctx, func(v *View) { v.Sessions = out.Items })
}

func loadLogins(ctx app.Context) {
	var out shared.ListResponse[shared.LoginEvent]
	if err := rt.mgr.Call(ctx, http.MethodGet, "/api/me/logins", nil, &out); err != nil {
		failed(ctx, err)
		return
	}
	rt.m.update(ctx, func(v *View) { v.Logins = out.Items })
}

func handleConnected(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	connected(ctx, id)
}

func connected(ctx app.Context, provider string) {
	name := rt.m.get().ProviderName(provider)
	rt.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.Connected, Arg: name})
	loadAccounts(ctx)
	loadLogins(ctx)
}

func handleDisconnect(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	var provider string
	for _, acc := range rt.m.get().Accounts {
		if acc.ID == id {
			provider = acc.Provider
		}
	}
	rt.m.update(ctx, func(v *View) { v.Busy = "disconnect-" + id })
	err := rt.mgr.Call(ctx, http.MethodDelete, "/api/me/accounts/"+url.PathEscape(id), nil, nil)
	rt.m.update(ctx, func(v *View) { v.Busy = "" })
	if err != nil {
		failed(ctx, err)
		return
	}
	rt.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.Disconnected, Arg: rt.m.get().ProviderName(provider)})
	loadAccounts(ctx)
}

func handleRevoke(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	current := false
	for _, s := range rt.m.get().Sessions {
		if s.ID == id {
			current = s.Current
		}
	}
	err := rt.mgr.Call(ctx, http.MethodDelete, "/api/me/sessions/"+url.PathEscape(id), nil, nil)
	if err != nil {
		failed(ctx, err)
		return
	}
	if current {
		signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: i18n.SignedOutMsg})
		rt.tell(eventSignedOut)
		return
	}
	rt.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.SessionRevoked})
	loadSessions(ctx)
}

func handleSignOut(ctx app.Context, a app.Action) {
	all, _ := a.Value.(bool)
	rt.m.update(ctx, func(v *View) { v.Busy = "sign-out" })
	err := rt.mgr.SignOut(ctx, all)
	key := i18n.SignedOutMsg
	if all {
		key = i18n.SignedOutAllMsg
	}
	signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: key})
	rt.tell(eventSignedOut)
	if err != nil {
		rt.m.alert(ctx, errorAlert(err))
	}
}

func handleRemoteSignedOut(ctx app.Context, _ app.Action) {
	if rt.m.get().Phase != PhaseSignedIn {
		return
	}
	signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: i18n.SignedOutElsewhere})
}

func handleRemoteSignedIn(ctx app.Context, _ app.Action) {
	if rt.m.get().Phase != PhaseSignedOut {
		return
	}
	restore(ctx, true)
}
