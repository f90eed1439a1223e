package webapp

import (
	"fmt"
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
	// Cache-Control depends on the file: nginx takes it from the map
	// TestCacheControlMatchesNginx compares with ours.
	if !regexp.MustCompile(`(?m)^\s*add_header\s+Cache-Control\s+\$dashboard_cache\s+always;`).MatchString(rendered) {
		t.Error("spa-headers.conf does not send Cache-Control from $dashboard_cache")
	}
	if v, ok := nginx["Cache-Control"]; ok {
		t.Errorf("spa-headers.conf sends a fixed Cache-Control %q", v)
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

func TestCacheControl(t *testing.T) {
	for _, tt := range []struct {
		name string // as served, relative to the site's root
		want string
	}{
		{"web/app.0123456789abcdef.wasm", cacheImmutable},
		{"web/app.ffffffffffffffff.wasm", cacheImmutable},
		{"web/style.0123456789abcdef.css", cacheImmutable},
		{"web/app.wasm", cacheRevalidate},                  // the fixed name of older builds
		{"web/app.0123456789ABCDEF.wasm", cacheRevalidate}, // hashes are lowercase
		{"web/app.0123456789abcde.wasm", cacheRevalidate},  // 15 digits
		{"web/app.0123456789abcdef0.wasm", cacheRevalidate},
		{"web/app.0123456789abcdeg.wasm", cacheRevalidate},
		{"web/app.0123456789abcdef.wasm.br", cacheRevalidate}, // siblings are never requested by name
		{"web/app.0123456789abcdef", cacheRevalidate},
		{"web/.0123456789abcdef.wasm", cacheRevalidate},
		{"web/marks/app.0123456789abcdef.svg", cacheRevalidate}, // directly in web/ only
		{"app.0123456789abcdef.js", cacheRevalidate},
		{"xweb/app.0123456789abcdef.wasm", cacheRevalidate},
		{"index.html", cacheRevalidate},
		{"app.js", cacheRevalidate},
		{"app-worker.js", cacheRevalidate},
		{"web/loader.js", cacheRevalidate},
		{"web/style.css", cacheRevalidate},
		{"", cacheRevalidate},
	} {
		if got := cacheControl(tt.name); got != tt.want {
			t.Errorf("cacheControl(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestCacheControlMatchesNginx keeps nginx's rule (the map $dashboard_cache
// of nginx.conf.template, on "$status:$uri") the one cacheControl applies:
// the same values, and the same decision for every name of
// TestCacheControl's kind, found (200, 304, 206) or not (404).
func TestCacheControlMatchesNginx(t *testing.T) {
	conf, err := os.ReadFile("../../../nginx/nginx.conf.template")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)map\s+"\$status:\$uri"\s+\$dashboard_cache\s*\{(.*?)\n\s*\}`).FindSubmatch(conf)
	if block == nil {
		t.Fatal(`no map "$status:$uri" $dashboard_cache in nginx.conf.template`)
	}
	entries := regexp.MustCompile(`(?m)^\s*(\S+|"[^"]*")\s+"([^"]*)";`).FindAllSubmatch(block[1], -1)
	var pattern *regexp.Regexp
	values := map[string]string{}
	for _, e := range entries {
		key, value := strings.Trim(string(e[1]), `"`), string(e[2])
		if re, ok := strings.CutPrefix(key, "~"); ok {
			if pattern != nil {
				t.Fatal("the map has more than one pattern")
			}
			pattern = regexp.MustCompile(re)
		}
		values[key] = value
	}
	if pattern == nil || len(values) != 2 || values["default"] != cacheRevalidate {
		t.Fatalf("the map is not one pattern and a no-cache default: %q", block[1])
	}
	nginx := func(status int, uri string) string {
		if pattern.MatchString(fmt.Sprintf("%d:%s", status, uri)) {
			return values["~"+pattern.String()]
		}
		return values["default"]
	}
	for _, name := range []string{
		"web/app.0123456789abcdef.wasm", "web/style.0123456789abcdef.css", "web/app.wasm",
		"web/app.0123456789ABCDEF.wasm", "web/app.0123456789abcde.wasm", "web/app.0123456789abcdef0.wasm",
		"web/app.0123456789abcdef.wasm.br", "web/marks/app.0123456789abcdef.svg", "app.0123456789abcdef.js",
		"xweb/app.0123456789abcdef.wasm", "index.html", "app.js", "web/loader.js", "",
	} {
		for _, status := range []int{200, 206, 304} {
			if got, want := nginx(status, "/"+name), cacheControl(name); got != want {
				t.Errorf("nginx %d /%s: %q, ours %q", status, name, got, want)
			}
		}
		if got := nginx(404, "/"+name); got != cacheRevalidate {
			t.Errorf("nginx 404 /%s: %q; a missing file must not be cached", name, got)
		}
	}
	// examples/notes, served under /notes/ with the same headers, gets the
	// same rule for its own web/.
	if got := nginx(200, "/notes/web/app.0123456789abcdef.wasm"); got != cacheImmutable {
		t.Errorf("nginx /notes/web/app.<hash>.wasm: %q", got)
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
