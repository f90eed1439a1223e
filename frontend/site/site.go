//go:build !wasm

// Package site writes the dashboard's static website: go-app's generated
// pages and loader, app.wasm and the assets, the icons, and brotli and
// gzip copies of everything compressible, so nginx (brotli_static,
// gzip_static) and the backend serve them without compressing on the fly.
package site

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Options says what to build.
type Options struct {
	Out      string            // the site folder (created; must be empty or absent)
	Wasm     string            // the built app.wasm
	WasmExec string            // the toolchain's lib/wasm/wasm_exec.js ("" keeps go-app's copy)
	Assets   string            // folder copied into web/ (style.css, icon.svg)
	Env      map[string]string // public settings baked into app.js

	// Another app built the same way (examples/notes) names itself and
	// the path it is served under; "" keeps the dashboard's.
	Name        string // "": AuthBridge
	Description string // "": the dashboard's
	Prefix      string // e.g. "/notes": every URL the pages emit starts with it ("": served at the root)
}

// ServiceWorker replaces go-app's caching worker: no offline cache, so a
// deploy is seen on the next load (the pages and app.js are revalidated
// by ETag; the wasm they name is content-hashed, see WasmName, and kept by
// the browser's HTTP cache), and it removes caches an older worker left.
const ServiceWorker = `// AuthBridge app worker {{.Version}}: no offline cache.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) { await caches.delete(key); }
    await self.clients.claim();
  })());
});
`

// Build writes the site. The returned Version is the one baked in.
func Build(o Options) (version string, err error) {
	wasm, err := os.ReadFile(o.Wasm)
	if err != nil {
		return "", fmt.Errorf("site: read wasm: %w", err)
	}
	if entries, err := os.ReadDir(o.Out); err == nil && len(entries) > 0 {
		return "", fmt.Errorf("site: %s is not empty", o.Out)
	}
	if err := os.MkdirAll(filepath.Join(o.Out, "web"), 0o755); err != nil {
		return "", fmt.Errorf("site: %w", err)
	}
	version = Version(wasm, o.Env)
	wasmName := WasmName(wasm)
	name := cmp.Or(o.Name, "AuthBridge")
	h := &app.Handler{
		Name:        name,
		ShortName:   name,
		Title:       name,
		Description: cmp.Or(o.Description, "Sign in with Google and other providers, and manage your linked accounts and sessions."),
		Lang:        "en",
		Author:      "AuthBridge",
		Icon: app.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			SVG:      "/web/icon.svg",
			Maskable: "/web/icon-maskable.png",
		},
		BackgroundColor:       "#f6f7fb",
		ThemeColor:            "#3553d6",
		LoadingLabel:          "Loading " + name + "… {progress}%",
		Styles:                []string{"/web/style.css"},
		Scripts:               []string{LoaderScript + " defer"},
		Env:                   maps.Clone(o.Env), // go-app adds its own keys to it
		Version:               version,
		WasmContentLength:     strconv.Itoa(len(wasm)),
		ServiceWorkerTemplate: ServiceWorker,
	}
	resources := app.LocalDir("")
	if o.Prefix != "" {
		// The files are still written at the root of Out: the server
		// maps Prefix onto it.
		resources = app.PrefixedLocation(o.Prefix)
	}
	h.Resources = hashedWasm{ResourceResolver: resources, name: wasmName}
	if err := app.GenerateStaticWebsite(o.Out, h); err != nil {
		return "", fmt.Errorf("site: generate: %w", err)
	}
	if err := os.WriteFile(filepath.Join(o.Out, "web", wasmName), wasm, 0o644); err != nil {
		return "", fmt.Errorf("site: %w", err)
	}
	if o.WasmExec != "" {
		if err := copyFile(o.WasmExec, filepath.Join(o.Out, "wasm_exec.js")); err != nil {
			return "", err
		}
	}
	if o.Assets != "" {
		if err := copyDir(o.Assets, filepath.Join(o.Out, "web")); err != nil {
			return "", err
		}
	}
	if err := writeIcons(filepath.Join(o.Out, "web")); err != nil {
		return "", err
	}
	if err := writeLoader(filepath.Join(o.Out, "web")); err != nil {
		return "", err
	}
	if err := writeUnavailable(filepath.Join(o.Out, "web")); err != nil {
		return "", err
	}
	if err := Precompress(o.Out); err != nil {
		return "", err
	}
	return version, nil
}

// Version names a build: it changes when the app or its settings do, and
// only then (go-app's default, the start time, churns every replica).
func Version(wasm []byte, env map[string]string) string {
	h := sha256.New()
	h.Write(wasm)
	for _, k := range sortedKeys(env) {
		fmt.Fprintf(h, "\x00%s=%s", k, env[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// WasmName is the wasm's file name in web/: app.<the first 16 hex digits
// of its SHA-256>.wasm. A new build is a new URL, so the servers mark
// such names immutable (backend/internal/webapp, nginx) and a repeat visit
// takes the wasm from the browser's cache without asking; the pages and
// app.js, which name it, stay no-cache, so a deploy is seen at once.
func WasmName(wasm []byte) string {
	sum := sha256.Sum256(wasm)
	return "app." + hex.EncodeToString(sum[:])[:16] + ".wasm"
}

// hashedWasm resolves go-app's fixed "/web/app.wasm" (app.js's download,
// the Handler's resource list) to the content-hashed name; every other
// location as the wrapped resolver does. go-app has no other setting for
// the wasm's URL.
type hashedWasm struct {
	app.ResourceResolver
	name string
}

func (r hashedWasm) Resolve(location string) string {
	if location == "/web/app.wasm" {
		location = "/web/" + r.name
	}
	return r.ResourceResolver.Resolve(location)
}

// compressible are the extensions that get .br and .gz siblings.
var compressible = map[string]bool{".wasm": true, ".js": true, ".css": true, ".html": true, ".svg": true, ".webmanifest": true}

// Precompress writes name.br and name.gz beside every compressible file
// of dir that gains from it.
func Precompress(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compressible[filepath.Ext(path)] {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("site: %w", err)
		}
		var br, gz bytes.Buffer
		bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
		gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		for _, w := range []io.WriteCloser{bw, gw} {
			if _, err := w.Write(raw); err != nil {
				return fmt.Errorf("site: compress %s: %w", path, err)
			}
			if err := w.Close(); err != nil {
				return fmt.Errorf("site: compress %s: %w", path, err)
			}
		}
		for ext, b := range map[string][]byte{".br": br.Bytes(), ".gz": gz.Bytes()} {
			if len(b) >= len(raw) {
				continue
			}
			if err := os.WriteFile(path+ext, b, 0o644); err != nil {
				return fmt.Errorf("site: %w", err)
			}
		}
		return nil
	})
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	return nil
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("site: assets: %w", err)
		}
		rel, _ := filepath.Rel(src, path)
		if strings.HasPrefix(d.Name(), ".") && rel != "." {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if _, err := os.Stat(target); err == nil {
			return fmt.Errorf("site: asset %s would overwrite a generated file", rel)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("site: %w", err)
		}
		return copyFile(path, target)
	})
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
