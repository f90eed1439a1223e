// Command notes-web is the example's single-page app: a go-app v10 main
// that signs in with AuthBridge through the kit (frontend/kit) and keeps
// notes through the example's own API (notes-api) with kit.Client. Like
// the dashboard it is built twice, by scripts/web.sh:
//
//	APP=./examples/notes/cmd/notes-web ASSETS=examples/notes/web bash scripts/web.sh examples/notes/dist
//
// app.wasm for the browser, and on the host the generator of its static
// site, served under /notes/ (the API under /notes-api/) by the nginx
// include examples/notes/nginx/notes.conf.
package main

import (
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The settings the generator bakes into app.js (the dashboard's names).
const (
	envGISSrc  = "AB_GIS_SRC"
	envAPIBase = "AB_API_BASE"
)

// errorKey is the app state the kit's sign-in failures are put in; the
// page shows it in #error.
const errorKey = "notes.error"

// Prefix is the path the app is served under; APIPath its API's.
const (
	Prefix  = "/notes"
	APIPath = "/notes-api"
)

func main() {
	auth := kit.New(kit.Config{
		APIBase: app.Getenv(envAPIBase), // "": AuthBridge is behind the same nginx
		GISSrc:  app.Getenv(envGISSrc),
		// A sign-in that fails (the user closed nothing: the server or
		// the provider refused) is shown, with the contract's code.
		OnError: func(ctx app.Context, err error) { ctx.SetState(errorKey, message(err)) },
	})
	register(auth, auth.Client(APIPath))
	app.RunWhenOnBrowser() // never returns in the browser
	generate()
}

// register installs the route and the kit's actions, in both builds.
func register(auth *kit.Kit, api kit.Client) {
	app.Route("/", func() app.Composer { return &page{auth: auth, api: api} })
	auth.Register()
}
