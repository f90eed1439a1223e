//go:build !wasm

package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/authbridge/authbridge/frontend/site"
	"github.com/authbridge/authbridge/frontend/ui"
)

// generate writes the static site (the host build's job).
func generate() {
	fs := flag.NewFlagSet("dashboard", flag.ExitOnError)
	out := fs.String("out", "", "the site folder to write (must be empty or absent)")
	wasm := fs.String("wasm", "", "the app.wasm built with GOOS=js GOARCH=wasm")
	wasmExec := fs.String("wasm-exec", "", "the toolchain's lib/wasm/wasm_exec.js (matches the wasm's Go version)")
	assets := fs.String("assets", "", "folder copied into web/ (style.css, icon.svg)")
	gisSrc := fs.String("gis-src", ui.DefaultGISSrc, "URL of the Google Identity Services script (the development stand-in for tests)")
	apiBase := fs.String("api-base", "", "the API's origin when it is not the site's own (needs CORS on the API)")
	_ = fs.Parse(os.Args[1:])
	if *out == "" || *wasm == "" {
		fmt.Fprintln(os.Stderr, "usage: dashboard -out DIR -wasm app.wasm [-wasm-exec FILE] [-assets DIR] [-gis-src URL] [-api-base ORIGIN]")
		os.Exit(2)
	}
	version, err := site.Build(site.Options{
		Out: *out, Wasm: *wasm, WasmExec: *wasmExec, Assets: *assets,
		Env: map[string]string{ui.EnvGISSrc: *gisSrc, ui.EnvAPIBase: *apiBase},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("dashboard %s written to %s\n", version, *out)
}
