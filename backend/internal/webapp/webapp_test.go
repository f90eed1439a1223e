package webapp

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// Bodies of the fake dist/; every one is distinct so a test sees which file
// answered.
const (
	indexBody = "<!doctype html><title>index</title>"
	dashBody  = "<!doctype html><title>dashboard</title>"
	wasmBody  = "\x00asm\x01\x00\x00\x00 the uncompressed module"
	wasmBr    = "brotli bytes"
	wasmGz    = "gzip bytes!!" // same size and time as wasmBr: only the ETag suffix tells them apart
	secret    = "SECRET=do-not-serve"
)

// newSite writes a fake dist/ like the frontend build's and answers its
// directory; outside holds a file the site must never serve.
func newSite(tb testing.TB) (dir, outside string) {
	tb.Helper()
	dir = tb.TempDir()
	files := map[string]string{
		"index.html":                       indexBody,
		"dashboard.html":                   dashBody,
		"app.js":                           "console.log('app')",
		"app-worker.js":                    "self.addEventListener('fetch', () => {})",
		"wasm_exec.js":                     "// wasm_exec",
		"manifest.webmanifest":             `{"name":"AuthBridge"}`,
		"app.css":                          "body{}",
		"app.css.gz":                       "stale gzip of an older app.css",
		"web/app.wasm":                     wasmBody,
		"web/app.wasm.br":                  wasmBr,
		"web/app.wasm.gz":                  wasmGz,
		"web/logo.svg":                     "<svg/>",
		"web/app.0123456789abcdef.wasm":    wasmBody,
		"web/app.0123456789abcdef.wasm.br": wasmBr,
		"app.0123456789abcdef.js":          "a hashed name outside web/",
		"web/.hidden":                      secret,
		".env":                             secret,
		"sub/listed.txt":                   "a file that a listing would name",
		"api/nope.html":                    "the dashboard must not answer under /api/",
		"devidp/gsi/client":                "the dashboard must not answer under /devidp/",
	}
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
		if err := os.Chtimes(p, base, base); err != nil {
			tb.Fatal(err)
		}
	}
	// app.css was rebuilt after its .gz: the sibling is stale.
	if err := os.Chtimes(filepath.Join(dir, "app.css"), base.Add(time.Minute), base.Add(time.Minute)); err != nil {
		tb.Fatal(err)
	}
	outside = filepath.Join(tb.TempDir(), "passwd")
	if err := os.WriteFile(outside, []byte(secret), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
		tb.Fatal(err)
	}
	return dir, outside
}

func newHandler(tb testing.TB, opts Options) http.Handler {
	tb.Helper()
	dir, _ := newSite(tb)
	h, err := Handler(dir, opts)
	if err != nil {
		tb.Fatalf("Handler: %v", err)
	}
	return h
}

func TestServe(t *testing.T) {
	h := newHandler(t, Options{})
	const html, js, wasm = "text/html; charset=utf-8", "text/javascript; charset=utf-8", "application/wasm"
	tests := []struct {
		name     string
		method   string
		target   string // request target as sent on the wire
		encoding string // Accept-Encoding
		status   int
		body     string            // exact body, when set
		code     shared.ErrorCode  // error code of a JSON answer, when set
		header   map[string]string // expected values; "" means absent
	}{
		// Lookup order: $path, $path.html, /index.html.
		{name: "root", target: "/", status: 200, body: indexBody, header: map[string]string{"Content-Type": html}},
		{name: "index by name", target: "/index.html", status: 200, body: indexBody},
		{name: "route page", target: "/dashboard", status: 200, body: dashBody, header: map[string]string{"Content-Type": html}},
		{name: "route page by name", target: "/dashboard.html", status: 200, body: dashBody},
		{name: "route page, trailing slash", target: "/dashboard/", status: 200, body: dashBody},
		{name: "double slashes cleaned", target: "//dashboard", status: 200, body: dashBody},
		{name: "unknown route falls back", target: "/settings/profile?tab=1", status: 200, body: indexBody, header: map[string]string{"Content-Type": html}},
		{name: "directory falls back, no listing", target: "/sub/", status: 200, body: indexBody},

		// Content types of the original files.
		{name: "script", target: "/app.js", status: 200, header: map[string]string{"Content-Type": js}},
		{name: "worker", target: "/app-worker.js", status: 200, header: map[string]string{"Content-Type": js}},
		{name: "wasm_exec", target: "/wasm_exec.js", status: 200, header: map[string]string{"Content-Type": js}},
		{name: "manifest", target: "/manifest.webmanifest", status: 200, header: map[string]string{"Content-Type": "application/manifest+json"}},
		{name: "icon", target: "/web/logo.svg", status: 200, header: map[string]string{"Content-Type": "image/svg+xml"}},

		// Precompressed siblings.
		{name: "wasm, no Accept-Encoding", target: "/web/app.wasm", status: 200, body: wasmBody,
			header: map[string]string{"Content-Type": wasm, "Content-Encoding": "", "Content-Length": strconv.Itoa(len(wasmBody)), "Vary": "Accept-Encoding"}},
		{name: "wasm, br and gzip", target: "/web/app.wasm", encoding: "gzip, deflate, br, zstd", status: 200, body: wasmBr,
			header: map[string]string{"Content-Type": wasm, "Content-Encoding": "br", "Content-Length": strconv.Itoa(len(wasmBr)), "Vary": "Accept-Encoding"}},
		{name: "wasm, gzip only", target: "/web/app.wasm", encoding: "gzip", status: 200, body: wasmGz,
			header: map[string]string{"Content-Type": wasm, "Content-Encoding": "gzip", "Content-Length": strconv.Itoa(len(wasmGz))}},
		{name: "wasm, br refused with q=0", target: "/web/app.wasm", encoding: "br;q=0, gzip", status: 200, body: wasmGz,
			header: map[string]string{"Content-Encoding": "gzip"}},
		{name: "wasm, both refused", target: "/web/app.wasm", encoding: "gzip;q=0, br;q=0.000", status: 200, body: wasmBody,
			header: map[string]string{"Content-Encoding": ""}},
		{name: "wasm, gzip preferred by weight", target: "/web/app.wasm", encoding: "br;q=0.5, gzip;q=0.9", status: 200, body: wasmGz,
			header: map[string]string{"Content-Encoding": "gzip"}},
		{name: "wasm, wildcard", target: "/web/app.wasm", encoding: "*", status: 200, body: wasmBr,
			header: map[string]string{"Content-Encoding": "br"}},
		{name: "wasm, wildcard minus br", target: "/web/app.wasm", encoding: "*, br;q=0", status: 200, body: wasmGz,
			header: map[string]string{"Content-Encoding": "gzip"}},
		{name: "wasm, identity only", target: "/web/app.wasm", encoding: "identity", status: 200, body: wasmBody,
			header: map[string]string{"Content-Encoding": ""}},
		{name: "stale sibling ignored", target: "/app.css", encoding: "gzip", status: 200, body: "body{}",
			header: map[string]string{"Content-Encoding": "", "Content-Type": "text/css; charset=utf-8"}},
		{name: "HEAD wasm br", method: http.MethodHead, target: "/web/app.wasm", encoding: "br", status: 200, body: "",
			header: map[string]string{"Content-Type": wasm, "Content-Encoding": "br", "Content-Length": strconv.Itoa(len(wasmBr))}},
		{name: "HEAD page", method: http.MethodHead, target: "/dashboard", status: 200, body: "",
			header: map[string]string{"Content-Length": strconv.Itoa(len(dashBody))}},

		// Caching: content-hashed files under web/ are immutable, in every
		// encoding; everything else (the pages, app.js, other assets, a
		// missing hashed name, a page served for a hashed-looking route)
		// is revalidated.
		{name: "hashed wasm immutable", target: "/web/app.0123456789abcdef.wasm", status: 200, body: wasmBody,
			header: map[string]string{"Content-Type": wasm, "Cache-Control": cacheImmutable}},
		{name: "hashed wasm br immutable", target: "/web/app.0123456789abcdef.wasm", encoding: "br", status: 200, body: wasmBr,
			header: map[string]string{"Content-Encoding": "br", "Cache-Control": cacheImmutable}},
		{name: "fixed wasm name revalidated", target: "/web/app.wasm", status: 200, body: wasmBody,
			header: map[string]string{"Cache-Control": "no-cache"}},
		{name: "page revalidated", target: "/", status: 200, body: indexBody, header: map[string]string{"Cache-Control": "no-cache"}},
		{name: "app.js revalidated", target: "/app.js", status: 200, header: map[string]string{"Cache-Control": "no-cache"}},
		{name: "hashed name outside web/ revalidated", target: "/app.0123456789abcdef.js", status: 200,
			header: map[string]string{"Cache-Control": "no-cache"}},
		{name: "missing hashed wasm not cached", target: "/web/app.fedcba9876543210.wasm", status: 404, code: shared.CodeNotFound,
			header: map[string]string{"Cache-Control": "no-cache"}},

		// No fallback under /web/, as nginx's location /web/.
		{name: "missing asset", target: "/web/missing.js", status: 404, code: shared.CodeNotFound},
		{name: "web directory", target: "/web/", status: 404, code: shared.CodeNotFound},

		// Escapes and hidden files.
		{name: "dot-dot", target: "/../etc/passwd", status: 404, code: shared.CodeNotFound},
		{name: "dot-dot deeper", target: "/web/../../etc/passwd", status: 404, code: shared.CodeNotFound},
		{name: "encoded dot-dot", target: "/%2e%2e/%2e%2e/etc/passwd", status: 404, code: shared.CodeNotFound},
		{name: "encoded slash dot-dot", target: "/web/..%2f..%2fetc%2fpasswd", status: 404, code: shared.CodeNotFound},
		{name: "backslash dot-dot", target: "/..%5c..%5cetc%5cpasswd", status: 404, code: shared.CodeNotFound},
		{name: "NUL", target: "/index.html%00.js", status: 404, code: shared.CodeNotFound},
		{name: "dotfile", target: "/.env", status: 404, code: shared.CodeNotFound},
		{name: "encoded dotfile", target: "/%2eenv", status: 404, code: shared.CodeNotFound},
		{name: "nested dotfile", target: "/web/.hidden", status: 404, code: shared.CodeNotFound},
		{name: "symlink out of the root", target: "/escape", status: 200, body: indexBody},

		// The backend's paths are never answered, even when dist/ has them.
		{name: "api", target: "/api/nope", status: 404, code: shared.CodeNotFound},
		{name: "api file in dist", target: "/api/nope.html", status: 404, code: shared.CodeNotFound},
		{name: "api bare", target: "/api", status: 404, code: shared.CodeNotFound},
		{name: "well-known", target: "/.well-known/jwks.json", status: 404, code: shared.CodeNotFound},
		{name: "devidp", target: "/devidp/gsi/client", status: 404, code: shared.CodeNotFound},

		// Methods.
		{name: "POST", method: http.MethodPost, target: "/", status: 405, code: shared.CodeMethodNotAllowed,
			header: map[string]string{"Allow": "GET, HEAD"}},
		{name: "DELETE", method: http.MethodDelete, target: "/app.js", status: 405, code: shared.CodeMethodNotAllowed,
			header: map[string]string{"Allow": "GET, HEAD"}},
		{name: "OPTIONS", method: http.MethodOptions, target: "/web/app.wasm", status: 405, code: shared.CodeMethodNotAllowed},
	}
	want, err := securityHeaders(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tt.target, nil)
			if tt.encoding != "" {
				req.Header.Set("Accept-Encoding", tt.encoding)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)

			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %q", res.StatusCode, tt.status, body)
			}
			if strings.Contains(string(body), "SECRET") || strings.Contains(string(body), "listed.txt") {
				t.Fatalf("answered something it must not: %q", body)
			}
			if tt.status < 300 && tt.body != "" || method == http.MethodHead {
				if string(body) != tt.body {
					t.Errorf("body = %q, want %q", body, tt.body)
				}
			}
			if tt.code != "" {
				var env shared.ErrorEnvelope
				if err := json.Unmarshal(body, &env); err != nil {
					t.Fatalf("error body %q is not the envelope: %v", body, err)
				}
				if env.Error.Code != tt.code || env.Error.Message == "" {
					t.Errorf("error = %+v, want code %s and a message", env.Error, tt.code)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("error Content-Type = %q", ct)
				}
			}
			for k, v := range tt.header {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			// Every answer, errors included, carries the dashboard's
			// headers (nginx's "always").
			for k, v := range want {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.status == 200 && res.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
		})
	}
}

// TestConditional: the ETag gives 304 for the same representation, and
// differs between encodings so one is never revalidated as another.
func TestConditional(t *testing.T) {
	h := newHandler(t, Options{})
	get := func(encoding, ifNoneMatch string, hdr ...string) *http.Response {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/web/app.wasm", nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	tags := map[string]string{}
	for _, enc := range []string{"", "br", "gzip"} {
		res := get(enc, "")
		tags[enc] = res.Header.Get("ETag")
		if res.StatusCode != 200 || tags[enc] == "" {
			t.Fatalf("%q: status %d, ETag %q", enc, res.StatusCode, tags[enc])
		}
	}
	if tags[""] == tags["br"] || tags["br"] == tags["gzip"] || tags[""] == tags["gzip"] {
		t.Fatalf("ETags must differ between encodings: %v", tags)
	}

	for _, enc := range []string{"", "br", "gzip"} {
		res := get(enc, tags[enc])
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%q revalidated: status %d body %q, want 304", enc, res.StatusCode, body)
		}
		if res.Header.Get("Content-Encoding") != "" || res.Header.Get("Content-Length") != "" {
			t.Errorf("%q 304 carries Content-Encoding %q / Content-Length %q", enc, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Length"))
		}
		if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%q 304 lost the dashboard's headers", enc)
		}
	}
	// The brotli tag does not validate the gzip body.
	if res := get("gzip", tags["br"]); res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip with the br ETag: status %d, encoding %q; want a full gzip answer", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	// A failed If-Match has no body, so no Content-Encoding either.
	if res := get("br", "", "If-Match", `"other"`); res.StatusCode != http.StatusPreconditionFailed || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("If-Match mismatch: status %d, encoding %q; want 412 without encoding", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	// A range of the brotli representation counts compressed bytes.
	res := get("br", "", "Range", "bytes=0-3")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusPartialContent || string(body) != wasmBr[:4] ||
		res.Header.Get("Content-Encoding") != "br" || res.Header.Get("Content-Length") != "4" {
		t.Errorf("range: status %d body %q encoding %q length %q", res.StatusCode, body, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Length"))
	}
}

// TestRealServer runs the handler behind net/http's server: Content-Length
// of the compressed bytes reaches the wire (not chunked), and the client's
// raw paths are not cleaned away before the handler sees them.
func TestRealServer(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, Options{}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/web/app.wasm", nil)
	req.Header.Set("Accept-Encoding", "br") // set by hand: the transport won't decode br
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.ContentLength != int64(len(wasmBr)) || len(res.TransferEncoding) != 0 || string(body) != wasmBr {
		t.Errorf("br over the wire: length %d, transfer encoding %v, body %q", res.ContentLength, res.TransferEncoding, body)
	}

	for _, raw := range []string{"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/escape"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.URL.Opaque = raw // sent as is, not cleaned by the client
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(body), "SECRET") {
			t.Errorf("%s served a file outside the root: %d %q", raw, res.StatusCode, body)
		}
	}
}

// TestRebuild: dist/ replaced while the server runs is served without a
// restart.
func TestRebuild(t *testing.T) {
	dir, _ := newSite(t)
	h, err := Handler(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := dir + ".old"
	if err := os.Rename(dir, old); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(old) })
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("rebuilt"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 200 || rec.Body.String() != "rebuilt" {
		t.Fatalf("after a rebuild: %d %q", rec.Code, rec.Body)
	}
}

func TestHandlerRefuses(t *testing.T) {
	site, _ := newSite(t)
	noIndex := t.TempDir()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	indexDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(indexDir, "index.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		opts Options
		want string
	}{
		{"missing", filepath.Join(t.TempDir(), "nope"), Options{}, "no such file"},
		{"a file", file, Options{}, "not a directory"},
		{"no index.html", noIndex, Options{}, "no index.html"},
		{"index.html is a directory", indexDir, Options{}, "no index.html"},
		{"source ends the directive", site, Options{ExtraScriptSrc: []string{"https://x.test; script-src *"}}, "printable token"},
		{"two sources in one", site, Options{ExtraConnectSrc: []string{"https://a.test https://b.test"}}, "printable token"},
		{"empty source", site, Options{ExtraConnectSrc: []string{""}}, "printable token"},
		{"unsafe-eval", site, Options{ExtraScriptSrc: []string{"'unsafe-eval'"}}, "weaken"},
		{"wildcard", site, Options{ExtraConnectSrc: []string{"*"}}, "weaken"},
		{"any https", site, Options{ExtraScriptSrc: []string{"https:"}}, "weaken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Handler(tt.dir, tt.opts)
			if err == nil || h != nil {
				t.Fatalf("Handler accepted it: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "webapp: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want the webapp prefix and %q", err, tt.want)
			}
		})
	}
	if _, err := Handler(filepath.Join(t.TempDir(), "nope"), Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing directory: %v, want it to wrap fs.ErrNotExist", err)
	}
}
