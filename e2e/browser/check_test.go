package browser

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestHarness proves the topology without the dashboard: nginx (the
// repository's configuration and CSP) in front of two replicas, the devidp on
// its own origin, and Chromium signing in on a fixture page of the site
// with the GIS stand-in, the refresh cookie and a Bearer call.
func TestHarness(t *testing.T) {
	h := start(t)
	from := len(mustHits(h))

	tb := h.newBrowserContext(t, "harness")
	tb.run(t, waitLong, "load the fixture page", chromedp.Navigate(h.origin+fixturePath))
	tb.waitReady(t)
	for _, id := range []string{"google", oidcID, "github", "discord"} {
		if n := tb.count(t, fmt.Sprintf(`#providers li[data-id=%q]`, id)); n != 1 {
			t.Errorf("GET /api/auth/providers lists %q %d times, want once", id, n)
		}
	}
	tb.eval(t, `window.__devidpUser = "mallory", true`, nil)
	tb.click(t, "#gis-stub-button")
	tb.waitState(t, "signed-in")
	if got := tb.text(t, "#user-name"); got != "Mallory Lookalike" {
		tb.fail(t, "#user-name = %q, want Mallory Lookalike", got)
	}
	tb.shot(t, "harness-signed-in")

	// Chromium kept the __Host- Secure refresh cookie on plain http
	// 127.0.0.1 (a potentially trustworthy origin) and sent it back.
	found := false
	for _, c := range tb.cookies(t) {
		found = found || c.Name == refreshCookie
	}
	if !found {
		t.Errorf("the cookie jar has no %s after a sign-in on %s", refreshCookie, h.origin)
	}
	tb.checkNoTokensAtRest(t)

	hits, _ := h.router.Hits(from)
	served := map[string]bool{}
	for _, x := range hits {
		served[x.Replica] = true
	}
	if !served["a"] || !served["b"] || served["c"] {
		t.Errorf("replicas that served the fixture page's API calls: %v; want a and b (c only when routed)", served)
	}
	for _, p := range h.rec.Problems() {
		if p.Target == "harness" {
			t.Errorf("%s on the fixture page: %s %s", p.Kind, p.Text, p.URL)
		}
	}
}

// TestRecorderSeesProblems checks that the channels the suite relies on
// for "zero CSP violations, zero console errors" do report them: a page
// of the site fetches the devidp outside /gsi/ (connect-src), logs an error
// and throws.
func TestRecorderSeesProblems(t *testing.T) {
	h := start(t)
	rec := newRecorder()
	tb := h.newBrowserContextWith(t, rec, "probe")
	tb.run(t, waitLong, "load the fixture page", chromedp.Navigate(h.origin+fixturePath))
	tb.waitReady(t)
	tb.eval(t, fmt.Sprintf(`fetch(%q).catch(function(){}), console.error("e2e probe error"),
		setTimeout(function(){ throw new Error("e2e probe exception"); }, 0), true`, h.idpURL+"/healthz"), nil)
	want := []string{kindCSP, kindConsole, kindException}
	deadline := time.Now().Add(waitShort)
	for {
		var kinds []string
		for _, p := range rec.Problems() {
			kinds = append(kinds, p.Kind)
		}
		if hasAll(kinds, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the recorder saw %v, want at least %v", kinds, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The violation names the directive.
	for _, p := range rec.Problems() {
		if p.Kind == kindCSP && strings.Contains(p.Text, "connect-src") {
			return
		}
	}
	t.Errorf("no CSP report names connect-src: %+v", rec.Problems())
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func mustHits(h *harness) []hit {
	hits, _ := h.router.Hits(0)
	return hits
}
