package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

const testIndex = "<!doctype html><title>AuthBridge dashboard</title>"

// newDist writes a minimal dashboard build and answers its directory.
func newDist(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	// In this order: the server ignores a compressed copy older than its
	// original, so the .br is written last and given the original's time.
	files := []struct{ name, body string }{
		{"index.html", testIndex},
		{"dashboard.html", "<!doctype html><title>dashboard page</title>"},
		{"web/app.wasm", "\x00asm\x01\x00\x00\x00"},
		{"web/app.wasm.br", "br"},
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	orig, err := os.Stat(filepath.Join(dir, "web", "app.wasm"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "web", "app.wasm.br"), orig.ModTime(), orig.ModTime()); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestBackendPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/api": true, "/api/": true, "/api/nope": true, "/api/auth/providers": true,
		"/.well-known/jwks.json": true, "/.well-known/nope": true,
		"/healthz": true, "/readyz": true, "/metrics": true,
		"/devidp": true, "/devidp/gsi/client": true,
		"/": false, "/dashboard": false, "/web/app.wasm": false, "/app.js": false,
		"/apix": false, "/api.html": false, "/healthz/x": false, "/metrics.html": false,
	} {
		if got := backendPath(p); got != want {
			t.Errorf("backendPath(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestRunServesDashboard: with AUTHBRIDGE_WEB_DIR the dashboard answers
// every path outside the backend's, and the backend's paths, unknown ones
// included, are answered as before.
func TestRunServesDashboard(t *testing.T) {
	type check struct {
		method, path, encoding string
		status                 int
		body                   string           // part of the body
		code                   shared.ErrorCode // the API's JSON error, when set
		header                 map[string]string
	}
	dashboard := map[string]string{"Cache-Control": "no-cache", "Cross-Origin-Opener-Policy": "same-origin-allow-popups"}
	api := map[string]string{"Cache-Control": "no-store", "Content-Security-Policy": "", "Referrer-Policy": "no-referrer"}
	common := []check{
		{path: "/", status: 200, body: testIndex, header: dashboard},
		{path: "/dashboard", status: 200, body: "dashboard page", header: dashboard},
		{path: "/settings/sessions", status: 200, body: testIndex, header: dashboard},
		{path: "/web/app.wasm", encoding: "br", status: 200, body: "br",
			header: map[string]string{"Content-Encoding": "br", "Content-Type": "application/wasm", "Content-Length": "2"}},
		{path: "/web/nope.js", status: 404, header: dashboard},
		{method: http.MethodPost, path: "/", status: 405, header: map[string]string{"Allow": "GET, HEAD"}},

		{path: "/api/nope", status: 404, code: shared.CodeNotFound, header: api},
		{path: "/api", status: 404, code: shared.CodeNotFound},
		{path: "/api/auth/providers", status: 200, body: `"providers"`, header: api},
		{method: http.MethodPost, path: "/api/auth/providers", status: 405, code: shared.CodeMethodNotAllowed},
		{path: "/.well-known/jwks.json", status: 200, body: `"keys"`},
		{path: "/.well-known/nope", status: 404, code: shared.CodeNotFound},
		{path: "/healthz", status: 200},
		{path: "/readyz", status: 200},
		{path: "/metrics", status: 200, body: "authbridge_store_retries_total 0"},
	}
	tests := []struct {
		name   string
		env    map[string]string
		checks []check
	}{
		{"dev", map[string]string{"AUTHBRIDGE_DEV": "1"}, append(common,
			check{path: "/devidp/gsi/client", status: 200, body: "google.accounts"},
		)},
		{"production", map[string]string{"AUTHBRIDGE_DEV": "0", "AUTHBRIDGE_GITHUB_CLIENT_ID": "c", "AUTHBRIDGE_GITHUB_CLIENT_SECRET": "s"}, append(common,
			check{path: "/devidp/gsi/client", status: 404, code: shared.CodeNotFound},
		)},
	}
	dist := newDist(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"AUTHBRIDGE_ADDR": "127.0.0.1:0", "AUTHBRIDGE_DATA_DIR": t.TempDir(), "AUTHBRIDGE_WEB_DIR": dist}
			for k, v := range tt.env {
				env[k] = v
			}
			base, cancel, done := startRun(t, env)
			defer func() { cancel(); <-done }()
			for _, c := range tt.checks {
				method := c.method
				if method == "" {
					method = http.MethodGet
				}
				req, _ := http.NewRequest(method, base+c.path, nil)
				if c.encoding != "" {
					req.Header.Set("Accept-Encoding", c.encoding)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != c.status {
					t.Errorf("%s %s = %d, want %d; body %.200q", method, c.path, res.StatusCode, c.status, body)
					continue
				}
				if c.body != "" && !strings.Contains(string(body), c.body) {
					t.Errorf("%s %s body %.200q, want it to contain %q", method, c.path, body, c.body)
				}
				if c.code != "" {
					var e shared.ErrorEnvelope
					if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != c.code {
						t.Errorf("%s %s body %.200q, want the JSON error %s", method, c.path, body, c.code)
					}
				}
				if !backendPath(c.path) && !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
					t.Errorf("%s %s: the dashboard's CSP is missing", method, c.path)
				}
				for k, v := range c.header {
					if got := res.Header.Get(k); got != v {
						t.Errorf("%s %s: %s = %q, want %q", method, c.path, k, got, v)
					}
				}
			}
		})
	}
}

// TestRunWithoutDashboard: AUTHBRIDGE_WEB_DIR unset keeps the API-only
// server: / is the API's JSON 404.
func TestRunWithoutDashboard(t *testing.T) {
	base, cancel, done := startRun(t, map[string]string{"AUTHBRIDGE_ADDR": "127.0.0.1:0", "AUTHBRIDGE_DATA_DIR": t.TempDir()})
	defer func() { cancel(); <-done }()
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e shared.ErrorEnvelope
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil || res.StatusCode != 404 || e.Error.Code != shared.CodeNotFound {
		t.Fatalf("GET / = %d %+v (%v), want the API's JSON 404", res.StatusCode, e, err)
	}
}

func TestRunRejectsBadWebDir(t *testing.T) {
	env := map[string]string{"AUTHBRIDGE_DATA_DIR": t.TempDir(), "AUTHBRIDGE_WEB_DIR": t.TempDir()} // no index.html
	err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "AUTHBRIDGE_WEB_DIR") || !strings.Contains(err.Error(), "index.html") {
		t.Fatalf("run error = %v; want AUTHBRIDGE_WEB_DIR and the missing index.html named", err)
	}
}
