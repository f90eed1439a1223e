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
	DefaultGISSrc = kit.DefaultGISSrc
)

// ConfigFromEnv reads the Config baked into app.js.
func ConfigFromEnv() Config {
	c := Config{GISSrc: app.Getenv(EnvGISSrc), APIBase: app.Getenv(EnvAPIBase)}
	if c.GISSrc == "" {
		c.GISSrc = DefaultGISSrc
	}
	return c
}

// The dashboard's global actions (the sign-in's are the kit's). Their
// handlers run on their own goroutine, make the HTTP calls, and end by
// publishing the view.
const (
	actLoad       = "authbridge/load"
	actDisconnect = "authbridge/disconnect"
	actRevoke     = "authbridge/revoke-session"
	actSignOut    = "authbridge/sign-out"
)

// runtime is the app's one set of live parts. It is made once by
// Register and handed explicitly to the action handlers (as method
// values) and to the components that need it (by the route's factory):
// it holds the kit, with the session's access token and JS handles, so
// it is no go-app state, which may be copied, persisted or broadcast.
type runtime struct {
	kit    *kit.Kit
	signed api.Signed // calls with the session's token, through the kit's session
	m      model
	link   linkFlow // "proof, then link" after duplicate_email (pending_link.go)
}

// Register installs the routes and the actions. Both builds call it: the
// generator prerenders the route, the browser runs it.
func Register(cfg Config) {
	r := newRuntime(cfg, nil)
	app.Route("/", func() app.Composer { return &Dashboard{rt: r} })
	r.kit.Register()
	app.Handle(actLoad, func(ctx app.Context, _ app.Action) { r.loadAll(ctx) })
	app.Handle(actDisconnect, r.handleDisconnect)
	app.Handle(actRevoke, r.handleRevoke)
	app.Handle(actSignOut, r.handleSignOut)
	r.registerPasskeys()
}

// newRuntime wires the dashboard to the kit like any app: through the
// kit's Config and its public methods. doer replaces the transport to
// AuthBridge (nil: window.fetch to cfg.APIBase).
func newRuntime(cfg Config, doer kit.Doer) *runtime {
	r := &runtime{}
	r.m.v.Phase = PhaseLoading
	r.kit = kit.New(kit.Config{
		APIBase:   cfg.APIBase,
		GISSrc:    cfg.GISSrc,
		Transport: doer,
		OnProviders: func(ctx app.Context, p shared.ProvidersResponse) {
			passkeys := r.kit.State().Passkeys // the server's word and the browser's
			r.m.update(ctx, func(v *View) { v.Providers, v.GoogleClientID, v.Passkeys = p.Providers, p.GoogleClientID, passkeys })
		},
		OnSignedIn: func(ctx app.Context, s kit.SignIn) {
			r.m.update(ctx, func(v *View) {
				if !s.Restored || v.Unreachable {
					v.Alert = Alert{}
				}
				v.Unreachable = false
			})
			r.signedIn(ctx, s.User, s.IsNew)
			noteSignIn(ctx, s) // a card waiting for a fresh sign-in goes on
		},
		OnSignedOut: r.onSignedOut,
		OnRefreshed: func(ctx app.Context, u shared.User) {
			r.m.update(ctx, func(v *View) { v.User = u })
		},
		OnError:     r.kitFailed,
		OnFlow:      r.onFlow,
		OnConnected: r.connected,
	})
	r.signed = api.Signed{C: r.kit.Session()}
	return r
}

// onSignedOut shows why the tab has no session.
func (r *runtime) onSignedOut(ctx app.Context, s kit.SignOut) {
	switch s.Reason {
	case kit.ReasonNone:
		r.m.update(ctx, func(v *View) { v.Phase = PhaseSignedOut })
	case kit.ReasonUser:
		key := i18n.SignedOutMsg
		if s.All {
			key = i18n.SignedOutAllMsg
		}
		r.clearView(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: key})
	case kit.ReasonElsewhere:
		r.clearView(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: i18n.SignedOutElsewhere})
	default:
		r.clearView(ctx, Alert{Kind: KindError, Code: string(s.Code)})
	}
}

// onFlow follows a provider popup: the waiting line, and why it ended.
func (r *runtime) onFlow(ctx app.Context, f kit.FlowEvent) {
	r.m.update(ctx, func(v *View) {
		v.Waiting = ""
		if f.State == kit.FlowWaiting {
			v.Waiting, v.Alert, v.FlowProvider = f.Provider, Alert{}, f.Provider
		}
	})
	switch f.State {
	case kit.FlowRedirecting:
		r.m.alert(ctx, Alert{Kind: KindInfo, Code: CodePopupBlocked, Key: i18n.PopupBlocked})
	case kit.FlowCancelled:
		r.m.alert(ctx, Alert{Kind: KindInfo, Code: CodeCancelled, Key: i18n.Cancelled})
	}
}

func (r *runtime) signedIn(ctx app.Context, u shared.User, isNew bool) {
	r.m.update(ctx, func(v *View) {
		v.Phase, v.User, v.IsNew = PhaseSignedIn, u, isNew
	})
	r.loadAll(ctx)
	r.link.ask(ctx, r)
}

// signedOut forgets the session (the server said it is gone; tell: the
// other tabs too) and shows why.
func (r *runtime) signedOut(ctx app.Context, a Alert, tell bool) {
	r.kit.Forget(ctx, tell)
	r.clearView(ctx, a)
}

// clearView forgets the session's data and shows why.
func (r *runtime) clearView(ctx app.Context, a Alert) {
	r.m.update(ctx, func(v *View) {
		v.Phase, v.User, v.IsNew = PhaseSignedOut, shared.User{}, false
		v.Accounts, v.Sessions, v.Logins, v.Busy = nil, nil, nil, ""
		v.AccountsLoad, v.SessionsLoad, v.LoginsLoad = Load{}, Load{}, Load{}
	})
	if a.Kind != "" {
		r.m.alert(ctx, a)
	}
}

// kitFailed shows a failed sign-in step; AuthBridge or the provider out
// of reach is said with a Try again of what failed: the start, or the
// last popup's flow.
func (r *runtime) kitFailed(ctx app.Context, err error) {
	if kit.Unreachable(err) {
		start := r.kit.State().Unreachable
		v := r.m.get()
		r.m.update(ctx, func(v *View) { v.Unreachable = start })
		r.m.alert(ctx, unreachableAlert(err, "", start, v.FlowProvider))
		return
	}
	r.failed(ctx, err)
}

// listFailed shows a list's failed load; out of reach, Try again loads
// the lists again.
func (r *runtime) listFailed(ctx app.Context, err error) {
	if kit.Unreachable(err) {
		r.m.alert(ctx, unreachableAlert(err, AgainLists, false, ""))
		return
	}
	r.failed(ctx, err)
}

// failed shows a failed call; a session that is gone signs the tab out.
func (r *runtime) failed(ctx app.Context, err error) {
	e := kit.AsError(err)
	if e.Status == http.StatusUnauthorized && kit.SignedOut(e.Code) {
		r.signedOut(ctx, errorAlert(err), false)
		return
	}
	if a, ok := passkeyAlert(e); ok {
		r.m.alert(ctx, a)
		return
	}
	if r.link.offer(ctx, r, e) {
		return
	}
	if v := r.m.get(); e.Code == shared.CodeAccessDenied && v.FlowProvider != "" {
		r.m.alert(ctx, deniedAlert(v.FlowProvider, v.ProviderName(v.FlowProvider)))
		return
	}
	r.m.alert(ctx, errorAlert(err))
}

// deniedAlert is a denial at the provider: the user's choice there (or
// the provider's), so no error; it offers to try again.
func deniedAlert(provider, name string) Alert {
	return Alert{Kind: KindInfo, Code: string(shared.CodeAccessDenied), Key: i18n.DeniedAtProvider, Arg: name, Retry: provider}
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
		r.listFailed(ctx, err)
	}
}

func (r *runtime) loadSessions(ctx app.Context) {
	r.m.update(ctx, func(v *View) { v.SessionsLoad.Status = LoadLoading })
	items, err := r.signed.Sessions(ctx)
	last := ""
	for _, s := range items {
		if s.Current {
			last = s.Provider
		}
	}
	r.m.update(ctx, func(v *View) {
		if v.SessionsLoad = loaded(err); err == nil {
			v.Sessions = items
		}
		if last != "" {
			v.LastProvider = last
		}
	})
	if last != "" {
		ctx.LocalStorage().Set(lastProviderKey, last)
	}
	if err != nil {
		r.listFailed(ctx, err)
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
		r.listFailed(ctx, err)
	}
}

func (r *runtime) connected(ctx app.Context, provider string) {
	name := r.m.get().ProviderName(provider)
	r.m.alert(ctx, doneAlert(i18n.Connected, name, accountsHeading)) // its Connect button goes
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
	r.m.alert(ctx, doneAlert(i18n.Disconnected, r.m.get().ProviderName(provider), accountsHeading)) // its row goes
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
		r.signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: i18n.SignedOutMsg}, true)
		return
	}
	r.m.alert(ctx, doneAlert(i18n.SessionRevoked, "", sessionsHeading)) // its row goes
	r.loadSessions(ctx)
}

func (r *runtime) handleSignOut(ctx app.Context, a app.Action) {
	all, _ := a.Value.(bool)
	r.m.update(ctx, func(v *View) { v.Busy = "sign-out" })
	if err := r.kit.SignOut(ctx, all); err != nil { // OnSignedOut has shown the outcome
		r.m.alert(ctx, errorAlert(err))
	}
}
