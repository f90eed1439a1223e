//go:build !wasm

package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/frontend/site"
)

// generate writes the static site, with the dashboard's generator flags
// so scripts/web.sh builds either.
func generate() {
	fs := flag.NewFlagSet("notes-web", flag.ExitOnError)
	out := fs.String("out", "", "the site folder to write (must be empty or absent)")
	wasm := fs.String("wasm", "", "the app.wasm built with GOOS=js GOARCH=wasm")
	wasmExec := fs.String("wasm-exec", "", "the toolchain's lib/wasm/wasm_exec.js (matches the wasm's Go version)")
	assets := fs.String("assets", "", "folder copied into web/ (style.css, icon.svg)")
	gisSrc := fs.String("gis-src", kit.DefaultGISSrc, "URL of the Google Identity Services script")
	apiBase := fs.String("api-base", "", "AuthBridge's origin when it is not the site's own (needs CORS on AuthBridge)")
	_ = fs.Parse(os.Args[1:])
	if *out == "" || *wasm == "" {
		fmt.Fprintln(os.Stderr, "usage: notes-web -out DIR -wasm app.wasm [-wasm-exec FILE] [-assets DIR] [-gis-src URL] [-api-base ORIGIN]")
		os.Exit(2)
	}
	version, err := site.Build(site.Options{
		Out: *out, Wasm: *wasm, WasmExec: *wasmExec, Assets: *assets,
		Env:         map[string]string{envGISSrc: *gisSrc, envAPIBase: *apiBase},
		Name:        "Notes",
		Description: "An example app that signs in with AuthBridge and keeps notes through its own API.",
		Prefix:      Prefix,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("notes-web %s written to %s (served under %s/)\n", version, *out, Prefix)
}
