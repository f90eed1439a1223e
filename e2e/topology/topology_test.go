package topology

import (
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func nginxOrFail(t *testing.T) string {
	t.Helper()
	path, err := Nginx()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skipf("%v (CI requires it)", err)
	}
	return path
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// setup writes a small static site and a config in front of backends.
func setup(t *testing.T, backends []string) (conf, listen string) {
	dist := t.TempDir()
	// nginx workers run as an unprivileged user: the site must be readable.
	os.Chmod(dist, 0o755)
	os.Chmod(filepath.Dir(dist), 0o755)
	os.MkdirAll(filepath.Join(dist, "web"), 0o755)
	os.WriteFile(filepath.Join(dist, "index.html"), []byte("<!doctype html><title>AuthBridge</title>"), 0o644)
	os.WriteFile(filepath.Join(dist, "web", "unavailable.html"), []byte(unavailablePage), 0o644)
	os.WriteFile(filepath.Join(dist, "web", "app.wasm"), []byte("\x00asm-raw"), 0o644)
	os.WriteFile(filepath.Join(dist, "web", "app.wasm.br"), []byte("BROTLI-BYTES"), 0o644)
	os.WriteFile(filepath.Join(dist, "web", "app.0123456789abcdef.wasm"), []byte("\x00asm-raw"), 0o644)
	os.WriteFile(filepath.Join(dist, "web", "app.0123456789abcdef.wasm.br"), []byte("BROTLI-BYTES"), 0o644)
	f, _ := os.Create(filepath.Join(dist, "web", "app.wasm.gz"))
	zw := gzip.NewWriter(f)
	zw.Write([]byte("\x00asm-raw"))
	zw.Close()
	f.Close()
	listen = freePort(t)
	conf, err := Write("../../nginx", Vars{ConfDir: mustAbs(t, "../../nginx"), RunDir: t.TempDir(), Dist: dist, Listen: listen, Backends: backends})
	if err != nil {
		t.Fatal(err)
	}
	return conf, listen
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNginxConfigIsValid(t *testing.T) {
	bin := nginxOrFail(t)
	conf, _ := setup(t, []string{"127.0.0.1:1", "127.0.0.1:2"})
	out, err := exec.Command(bin, "-t", "-c", conf).CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

func TestRenderRefusesUnfilled(t *testing.T) {
	if _, err := Render("a ${NOPE} b", Vars{Backends: []string{"x:1"}}); err == nil {
		t.Fatal("an unknown placeholder was left in the output")
	}
	if _, err := Render("x", Vars{}); err == nil {
		t.Fatal("no backends accepted")
	}
}

// TestNginxInFrontOfReplicas runs nginx with the rendered config before two
// stand-in replicas and checks what the configuration promises.
func TestNginxInFrontOfReplicas(t *testing.T) {
	bin := nginxOrFail(t)
	hits := make(chan string, 64)
	replica := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits <- name
			w.Header().Set("Content-Security-Policy", "default-src 'none'")
			w.Header().Set("X-Seen-XFF", r.Header.Get("X-Forwarded-For"))
			io.WriteString(w, `{"status":"ok"}`)
		}))
		t.Cleanup(s.Close)
		return s
	}
	a, b := replica("a"), replica("b")
	conf, listen := setup(t, []string{strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://")})
	base := runNginx(t, bin, conf, listen)
	get := func(path string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest("GET", base+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	// The SPA: any route falls back to index.html, with the security headers.
	resp := get("/dashboard/anything", nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "AuthBridge") {
		t.Fatalf("SPA fallback: %d %s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"'wasm-unsafe-eval'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %s: %q", want, csp)
		}
	}
	if strings.Contains(csp, "'unsafe-eval'") {
		t.Error("CSP allows 'unsafe-eval'")
	}
	for h, want := range map[string]string{"Cross-Origin-Opener-Policy": "same-origin-allow-popups", "X-Content-Type-Options": "nosniff"} {
		if resp.Header.Get(h) != want {
			t.Errorf("%s = %q, want %q", h, resp.Header.Get(h), want)
		}
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS")
	}

	// app.wasm: the right type, and the precompressed files are served.
	for enc, want := range map[string]string{"br": "BROTLI-BYTES", "gzip": ""} {
		resp = get("/web/app.wasm", map[string]string{"Accept-Encoding": enc})
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != enc {
			t.Fatalf("app.wasm with %s: type %q, encoding %q", enc, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"))
		}
		if want != "" && string(body) != want {
			t.Fatalf("app.wasm.br body = %q", body)
		}
	}

	// Caching (the map of nginx.conf.template): the content-hashed wasm
	// is immutable, compressed or not and when revalidated; the pages,
	// the fixed app.wasm and a missing hashed name are revalidated.
	const immutable = "public, max-age=31536000, immutable"
	hashed := "/web/app.0123456789abcdef.wasm"
	resp = get(hashed, map[string]string{"Accept-Encoding": "br"})
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Cache-Control") != immutable || etag == "" {
		t.Errorf("%s br: %d, encoding %q, Cache-Control %q, ETag %q", hashed, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"), etag)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("%s lost the security headers", hashed)
	}
	for _, c := range []struct {
		path   string
		hdr    map[string]string
		status int
		cache  string
	}{
		{hashed, nil, 200, immutable},
		{hashed, map[string]string{"Accept-Encoding": "br", "If-None-Match": etag}, 304, immutable},
		{"/web/app.wasm", nil, 200, "no-cache"},
		{"/", nil, 200, "no-cache"},
		{"/index.html", nil, 200, "no-cache"},
		{"/web/app.fedcba9876543210.wasm", nil, 404, "no-cache"},
	} {
		resp = get(c.path, c.hdr)
		resp.Body.Close()
		if resp.StatusCode != c.status || resp.Header.Get("Cache-Control") != c.cache {
			t.Errorf("%s %v: %d, Cache-Control %q; want %d, %q", c.path, c.hdr, resp.StatusCode, resp.Header.Get("Cache-Control"), c.status, c.cache)
		}
	}

	// The API goes to both replicas, keeps the backend's CSP, and the
	// client's own X-Forwarded-For is replaced by the peer address.
	seen := map[string]bool{}
	for i := 0; i < 10; i++ {
		resp = get("/api/me", map[string]string{"X-Forwarded-For": "6.6.6.6"})
		resp.Body.Close()
		if resp.Header.Get("X-Seen-XFF") != "127.0.0.1" {
			t.Fatalf("backend saw X-Forwarded-For %q, want the peer only", resp.Header.Get("X-Seen-XFF"))
		}
		if resp.Header.Get("Content-Security-Policy") != "default-src 'none'" {
			t.Fatalf("proxied CSP = %q; nginx must not add the SPA policy to API answers", resp.Header.Get("Content-Security-Policy"))
		}
		seen[<-hits] = true
	}
	if !seen["a"] || !seen["b"] {
		t.Fatalf("replicas used: %v, want both", seen)
	}
	for _, p := range []string{"/.well-known/jwks.json", "/healthz"} {
		resp = get(p, nil)
		resp.Body.Close()
		<-hits
		if resp.StatusCode != 200 {
			t.Fatalf("%s not proxied: %d", p, resp.StatusCode)
		}
	}
	if resp = get("/metrics", nil); resp.StatusCode != 404 {
		t.Fatalf("/metrics is exposed: %d", resp.StatusCode)
	}
	resp.Body.Close()
}

// productionCSP is the dashboard's policy as production serves it. The
// placeholders must render to exactly this by default.
const productionCSP = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' https://accounts.google.com/gsi/client; ` +
	`connect-src 'self' https://accounts.google.com/gsi/; frame-src https://accounts.google.com/gsi/; ` +
	`style-src 'self' 'unsafe-inline' https://accounts.google.com/gsi/style; img-src 'self' data: https:; ` +
	`object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`

func cspOf(t *testing.T, headers string) string {
	t.Helper()
	for _, line := range strings.Split(headers, "\n") {
		if rest, ok := strings.CutPrefix(line, `add_header Content-Security-Policy "`); ok {
			csp, _, found := strings.Cut(rest, `" always;`)
			if !found {
				t.Fatalf("CSP line not closed: %q", line)
			}
			return csp
		}
	}
	t.Fatal("no Content-Security-Policy in spa-headers.conf")
	return ""
}

func TestHeadersRender(t *testing.T) {
	raw, err := os.ReadFile("../../nginx/spa-headers.conf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		vars    Vars
		want    string
		wantErr bool
	}{
		{name: "defaults are production's policy", want: productionCSP},
		{name: "explicit production value", vars: Vars{GISOrigin: DefaultGISOrigin}, want: productionCSP},
		{
			// Only the GIS paths move; nothing else is loosened.
			name: "development identity provider",
			vars: Vars{GISOrigin: "http://localhost:9090"},
			want: strings.ReplaceAll(productionCSP, "https://accounts.google.com/", "http://localhost:9090/"),
		},
		{name: "origin with a path", vars: Vars{GISOrigin: "https://idp.test/x"}, wantErr: true},
		{name: "origin adding a directive", vars: Vars{GISOrigin: "https://idp.test; script-src *"}, wantErr: true},
		{name: "origin with a quote", vars: Vars{GISOrigin: `https://idp.test"`}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.vars.Backends = []string{"127.0.0.1:1"}
			out, err := Render(string(raw), tt.vars)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("accepted %+v", tt.vars)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cspOf(t, out); got != tt.want {
				t.Errorf("CSP\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// runNginx starts nginx (bin) on conf, stops it when t ends, waits until it
// answers on listen and answers its base URL.
func runNginx(t *testing.T, bin, conf, listen string) string {
	t.Helper()
	cmd := exec.Command(bin, "-c", conf, "-g", "daemon off;")
	cmd.Stderr = os.Stderr
	// Its own process group: killing only the master left its workers
	// running after every test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	base := "http://" + listen
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/index.html"); err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not come up")
		}
	}
}
