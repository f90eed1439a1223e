package kit_test

import (
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The code of README.md's "go-app SPAs: the kit", kept here so it
// compiles (for js/wasm and on the host) and cannot drift.

var auth = kit.New(kit.Config{
	APIBase:   "https://auth.example.com", // AuthBridge, when it is not this app's origin
	Providers: []string{"google", "github", "discord"},
})

var notesAPI = auth.Client("https://api.example.com") // the app's own API

type home struct {
	app.Compo
	s     kit.State
	notes []string
	err   error
}

func (h *home) OnMount(ctx app.Context) {
	auth.Mount(ctx) // providers, popup results, other tabs, the session's restore
	ctx.ObserveState(kit.StateKey, &h.s).OnChange(func() {
		if !h.s.SignedIn {
			return
		}
		ctx.Async(func() {
			var notes []string
			err := notesAPI.Do(ctx, "GET", "/notes", nil, &notes) // bearer token, one refresh on a 401
			ctx.Dispatch(func(app.Context) { h.notes, h.err = notes, err })
		})
	})
}

func (h *home) OnDismount() { auth.Dismount() }

func (h *home) Render() app.UI {
	if !h.s.SignedIn {
		return &kit.SignInButtons{Kit: auth} // Google's button, one per provider, popup or redirect
	}
	if h.err != nil {
		return app.P().Text(h.err.Error())
	}
	return app.Ul().Body(app.Range(h.notes).Slice(func(i int) app.UI { return app.Li().Text(h.notes[i]) }))
}

// Example is the app's main: the routes and the kit's actions, in both
// builds; the host build then serves or generates the site (app.Handler,
// behind a build tag so it stays out of app.wasm).
func Example() {
	app.Route("/", func() app.Composer { return &home{} })
	auth.Register()
	app.RunWhenOnBrowser()
}
