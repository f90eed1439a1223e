//go:build !wasm

package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/authbridge/authbridge/frontend/i18n"
)

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "app.wasm")
	payload := bytes.Repeat([]byte("\x00asm pretend module "), 500)
	if err := os.WriteFile(wasm, payload, 0o644); err != nil {
		t.Fatal(err)
	}
	assets := filepath.Join(dir, "assets")
	os.MkdirAll(assets, 0o755)
	os.WriteFile(filepath.Join(assets, "style.css"), []byte(strings.Repeat("body { color: red; }\n", 50)), 0o644)
	os.WriteFile(filepath.Join(assets, "icon.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 0o644)
	out := filepath.Join(dir, "dist")
	env := map[string]string{"AB_GIS_SRC": "http://127.0.0.1:1/gsi/client"}
	version, err := Build(Options{Out: out, Wasm: wasm, Assets: assets, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if version != Version(payload, env) || version == Version(payload, nil) {
		t.Fatalf("version %q does not follow the wasm and its settings", version)
	}

	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// The wasm is written and fetched under its content hash only: no
	// file of the site names (or is) the fixed app.wasm, which could be
	// cached past a deploy.
	sum := sha256.Sum256(payload)
	wasmName := "app." + hex.EncodeToString(sum[:8]) + ".wasm"
	if WasmName(payload) != wasmName || !regexp.MustCompile(`^app\.[0-9a-f]{16}\.wasm$`).MatchString(wasmName) {
		t.Fatalf("WasmName = %q, want %q", WasmName(payload), wasmName)
	}
	if WasmName(append(payload, 0)) == wasmName {
		t.Error("another wasm has the same name")
	}
	if read("web/"+wasmName) != string(payload) {
		t.Error("the hashed wasm is not the build's")
	}
	if _, err := os.Stat(filepath.Join(out, "web", "app.wasm")); err == nil {
		t.Error("web/app.wasm is written too")
	}
	for _, name := range []string{"index.html", "app.js", "app-worker.js", "manifest.webmanifest", "web/loader.js"} {
		if strings.Contains(read(name), "/web/app.wasm") {
			t.Errorf("%s names /web/app.wasm", name)
		}
	}
	appJS := read("app.js")
	for _, want := range []string{version, "http://127.0.0.1:1/gsi/client", strconv.Itoa(len(payload)), `"/web/` + wasmName + `"`} {
		if !strings.Contains(appJS, want) {
			t.Errorf("app.js lacks %q", want)
		}
	}
	worker := read("app-worker.js")
	if !strings.Contains(worker, "no offline cache") || strings.Contains(worker, "addAll") || !strings.Contains(worker, version) {
		t.Errorf("service worker is not ours:\n%s", worker)
	}
	manifest := read("manifest.webmanifest")
	if strings.Contains(manifest, "githubusercontent") || strings.Contains(manifest, `"src":"/"`) || !strings.Contains(manifest, "/web/icon-512.png") {
		t.Errorf("manifest icons: %s", manifest)
	}
	if strings.Contains(read("index.html"), "githubusercontent") {
		t.Error("index.html loads an icon from GitHub")
	}
	// The loading screen is the app's own: loader.js (which the pages
	// load: e2e TestLoader) carries every language's words.
	loader := read("web/loader.js")
	for _, l := range i18n.Langs {
		for _, k := range []i18n.Key{i18n.Loading, i18n.LoadFailed, i18n.TryAgain} {
			if w, _ := json.Marshal(i18n.T(l, k)); !strings.Contains(loader, string(w)) {
				t.Errorf("loader.js lacks %s's %s: %s", l, k, w)
			}
		}
	}
	if ico := read("favicon.ico"); len(ico) < 100 || ico[:4] != "\x00\x00\x01\x00" || !strings.Contains(ico, "PNG") {
		t.Errorf("favicon.ico is not an icon with a PNG image (%d bytes)", len(ico))
	}
	for _, f := range []string{"web/icon-192.png", "web/icon-512.png", "web/icon-maskable.png", "web/icon.svg", "web/style.css"} {
		read(f)
	}

	// Every precompressed copy decodes to its original.
	for _, name := range []string{"web/" + wasmName, "app.js", "web/style.css"} {
		raw := read(name)
		br, err := io.ReadAll(brotli.NewReader(strings.NewReader(read(name + ".br"))))
		if err != nil || string(br) != raw {
			t.Errorf("%s.br does not decode to the original (%v)", name, err)
		}
		zr, err := gzip.NewReader(strings.NewReader(read(name + ".gz")))
		if err != nil {
			t.Fatal(err)
		}
		gz, err := io.ReadAll(zr)
		if err != nil || string(gz) != raw {
			t.Errorf("%s.gz does not decode to the original (%v)", name, err)
		}
	}

	if _, err := Build(Options{Out: out, Wasm: wasm}); err == nil {
		t.Error("Build wrote into a folder that is not empty")
	}
	if _, err := Build(Options{Out: filepath.Join(dir, "x"), Wasm: filepath.Join(dir, "missing.wasm")}); err == nil {
		t.Error("Build without a wasm succeeded")
	}
}

func TestIcons(t *testing.T) {
	img := drawIcon(64, false)
	if c := img.RGBAAt(0, 0); c.A != 0 {
		t.Errorf("rounded icon's corner is painted: %v", c)
	}
	if c := drawIcon(64, true).RGBAAt(0, 0); c != brand {
		t.Errorf("maskable icon's corner = %v, want the brand colour", c)
	}
	if c := img.RGBAAt(32, 5); c != brand {
		t.Errorf("icon body = %v", c)
	}
}

// TestBuildPrefixed is another app's site (examples/notes): its name, and
// the URLs its loader and manifest emit under its path, with the files
// still at the root of Out. (The pages need the app's routes; the e2e
// suite loads examples/notes' own.)
func TestBuildPrefixed(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "app.wasm")
	if err := os.WriteFile(wasm, []byte("\x00asm"), 0o644); err != nil {
		t.Fatal(err)
	}
	wasmName := WasmName([]byte("\x00asm"))
	out := filepath.Join(dir, "dist")
	if _, err := Build(Options{Out: out, Wasm: wasm, Name: "Notes", Description: "An example.", Prefix: "/notes"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"app.js":               {"/notes/web/" + wasmName, "/notes/app-worker.js"},
		"manifest.webmanifest": {`"name":"Notes"`, `"description":"An example."`, "/notes/web/icon-512.png"},
	} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %s", name, w)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, "web", wasmName)); err != nil {
		t.Errorf("web/%s is not at the root of Out: %v", wasmName, err)
	}
}
