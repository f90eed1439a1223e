package topology

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// unavailablePage stands in for the site's web/unavailable.html.
const unavailablePage = "<!doctype html><title>AuthBridge</title><p>UNAVAILABLE-PAGE</p>"

// TestPopupUnavailablePage: when no replica answers a sign-in's start or
// the provider's return (the popup's own navigations), nginx answers the
// site's unavailable page (503, Retry-After, a strict CSP without inline
// script, and no Cross-Origin-Opener-Policy, which would cut the popup
// from its opener); a replica's own 503 handoff page passes as it is,
// and the JSON API keeps nginx's plain 502.
func TestPopupUnavailablePage(t *testing.T) {
	bin := nginxOrFail(t)
	replica := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "REPLICA-HANDOFF")
	}))
	defer replica.Close()
	conf, listen := setup(t, []string{strings.TrimPrefix(replica.URL, "http://")})
	base := runNginx(t, bin, conf, listen)
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	if resp, body := get("/api/auth/dev/callback?state=s&code=c"); resp.StatusCode != 503 || body != "REPLICA-HANDOFF" {
		t.Fatalf("a replica's own 503: %d %q, want it passed as it is", resp.StatusCode, body)
	}

	replica.Close() // no replica answers from here on
	for _, path := range []string{"/api/auth/dev/login?challenge=abc", "/api/auth/github/callback?state=s&code=c"} {
		resp, body := get(path)
		if resp.StatusCode != 503 || !strings.Contains(body, "UNAVAILABLE-PAGE") {
			t.Fatalf("%s: %d %q, want the unavailable page", path, resp.StatusCode, body)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if coop := resp.Header.Get("Cross-Origin-Opener-Policy"); coop != "" {
			t.Errorf("%s: Cross-Origin-Opener-Policy %q would cut the popup from its opener", path, coop)
		}
		if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Retry-After %q, Cache-Control %q", path, resp.Header.Get("Retry-After"), resp.Header.Get("Cache-Control"))
		}
	}
	if resp, body := get("/api/me"); resp.StatusCode != 502 || strings.Contains(body, "UNAVAILABLE-PAGE") {
		t.Fatalf("/api/me: %d, want nginx's own 502 (the kit reads it as unavailable)", resp.StatusCode)
	}
}
