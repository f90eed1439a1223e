package webapp

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestHeadersMatchNginx keeps the backend's dashboard headers equal to
// those nginx sends in production: nginx/spa-headers.conf rendered with the
// production values of its placeholders (the defaults of
// nginx/entrypoint.sh).
func TestHeadersMatchNginx(t *testing.T) {
	conf, err := os.ReadFile("../../../nginx/spa-headers.conf")
	if err != nil {
		t.Fatal(err)
	}
	rendered := strings.NewReplacer(
		"${GIS_ORIGIN}", "https://accounts.google.com",
		"${AVATAR_SRC}", "https:",
	).Replace(string(conf))
	nginx := map[string]string{}
	re := regexp.MustCompile(`(?m)^\s*add_header\s+(\S+)\s+"([^"]*)"\s+always;`)
	for _, m := range re.FindAllStringSubmatch(rendered, -1) {
		if strings.Contains(m[2], "${") {
			t.Fatalf("spa-headers.conf has a placeholder this test does not know: %s", m[2])
		}
		nginx[m[1]] = m[2]
	}
	if len(nginx) == 0 {
		t.Fatal("no add_header lines found in spa-headers.conf")
	}
	ours, err := securityHeaders(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range nginx {
		if ours[k] != v {
			t.Errorf("%s:\n ours  %q\n nginx %q", k, ours[k], v)
		}
	}
	for k := range ours {
		if _, ok := nginx[k]; !ok {
			t.Errorf("%s is sent by the backend but not by nginx", k)
		}
	}
}

func TestExtraSources(t *testing.T) {
	h, err := securityHeaders([]string{"http://127.0.0.1:9999/gsi/client"}, []string{"http://127.0.0.1:9999", "'self'"})
	if err != nil {
		t.Fatal(err)
	}
	directives := map[string]string{}
	for d := range strings.SplitSeq(h["Content-Security-Policy"], "; ") {
		name, value, _ := strings.Cut(d, " ")
		directives[name] = value
	}
	wants := map[string]string{
		"script-src":  "'self' 'wasm-unsafe-eval' https://accounts.google.com/gsi/client http://127.0.0.1:9999/gsi/client",
		"connect-src": "'self' https://accounts.google.com/gsi/ http://127.0.0.1:9999 'self'",
		"frame-src":   "https://accounts.google.com/gsi/",
		"default-src": "'self'",
	}
	for name, want := range wants {
		if directives[name] != want {
			t.Errorf("%s = %q, want %q", name, directives[name], want)
		}
	}
	if strings.Contains(h["Content-Security-Policy"], "'unsafe-eval'") {
		t.Error("the policy allows eval")
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"index.html":           "text/html; charset=utf-8",
		"app.js":               "text/javascript; charset=utf-8",
		"web/app.wasm":         "application/wasm",
		"manifest.webmanifest": "application/manifest+json",
		"app.css":              "text/css; charset=utf-8",
		"web/icon.PNG":         "image/png",
		"web/icon.svg":         "image/svg+xml",
		"LICENSE":              "application/octet-stream",
	} {
		if got := contentType(name); got != want {
			t.Errorf("contentType(%q) = %q, want %q", name, got, want)
		}
	}
}
