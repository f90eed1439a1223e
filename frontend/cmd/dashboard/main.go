// Command dashboard is the AuthBridge dashboard: one go-app main built
// twice. For js/wasm it is the app (app.wasm); on the host it is the
// generator that writes the static site nginx (or the backend) serves:
//
//	GOOS=js GOARCH=wasm go build -o app.wasm ./frontend/cmd/dashboard
//	go run ./frontend/cmd/dashboard -out dist -wasm app.wasm -assets frontend/web
//
// scripts/web.sh (make web) does both and precompresses the result.
package main

import (
	"github.com/authbridge/authbridge/frontend/ui"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func main() {
	ui.Register(ui.ConfigFromEnv())
	app.RunWhenOnBrowser() // never returns in the browser
	generate()
}
