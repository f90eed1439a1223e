package browser

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authbridge/authbridge/shared"
)

// The devidp's ready users the suite signs in as (see its Users()):
//   - alice: alice@example.com, verified;
//   - bob: bob@example.com, never verified (no email conflicts: a free user);
//   - carol: carol@allowed.test, verified;
//   - dave: dave@other.test, verified (refused where only allowed.test is);
//   - erin: erin@corp.test, verified;
//   - mallory: claims alice@example.com, unverified.
var userNames = map[string]string{
	"alice": "Alice Example", "bob": "Bob Unverified", "carol": "Carol Allowed",
	"dave": "Dave Elsewhere", "erin": "Erin Workspace", "mallory": "Mallory Lookalike",
}

// TestDashboard drives the dashboard through every flow of issue #5, in
// order, on one harness (one database: later steps meet the users earlier
// ones made, which the error paths rely on), then checks what must hold over
// the whole run: no token in any URL or storage, no CSP violation, no
// console error.
func TestDashboard(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	steps := []struct {
		name string
		run  func(*testing.T, *harness)
	}{
		{"google button signs in", testGoogleButton},
		{"popup sign-in with the OIDC provider", testPopupOIDC},
		{"popup sign-in with the Discord and GitHub styles", testPopupOAuth},
		{"connect and disconnect", testConnectDisconnect},
		{"error paths", testErrorPaths},
		{"foreign postMessage is ignored", testForeignMessage},
		{"login on replica a, callback on replica b", testCrossReplica},
		{"silent refresh, reload, sign out everywhere", testRefreshAndSignOutEverywhere},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { s.run(t, h) })
	}
	// Over the whole run (these read what every step recorded).
	t.Run("no token in any URL or storage", func(t *testing.T) { testNoTokenLeaks(t, h) })
	t.Run("no CSP violation and no console error", func(t *testing.T) { testNoProblems(t, h) })
	h.reportReadyTimes(t)
}

// signInGoogle clicks the GIS stand-in's button as user.
func (tb *tab) signInGoogle(t *testing.T, user string) {
	t.Helper()
	tb.run(t, waitLong, "wait for the Google button", chromedp.WaitVisible("#gis-button #gis-stub-button", chromedp.ByQuery))
	tb.eval(t, fmt.Sprintf(`window.__devidpUser = %q, true`, user), nil)
	tb.click(t, "#gis-stub-button")
}

// popupFlow clicks sel, waits for the devidp's consent page in the popup
// and answers it with choice (a user id, or "deny"); the popup must then
// close itself.
func (tb *tab) popupFlow(t *testing.T, sel, choice string) {
	t.Helper()
	p := tb.openConsent(t, sel)
	p.answer(t, choice)
	p.waitClosed(t)
}

// flowButton matches the dashboard's login and connect buttons.
var flowButton = regexp.MustCompile(`#(login|connect)-([a-z0-9_-]+)$`)

// openConsent clicks sel, waits for the popup showing the devidp's consent
// page and checks the flow the button started is its provider's.
func (tb *tab) openConsent(t *testing.T, sel string) *tab {
	t.Helper()
	_, from := tb.h.router.Hits(0)
	p := tb.clickForPopup(t, sel, tb.label+"-popup")
	p.run(t, waitLong, "wait for the devidp's consent page", chromedp.WaitVisible("#deny", chromedp.ByQuery))
	if m := flowButton.FindStringSubmatch(sel); m != nil {
		hits, _ := tb.h.router.Hits(from)
		for _, x := range hits {
			u, err := url.Parse(x.URI)
			if err != nil || !strings.HasPrefix(u.Path, "/api/auth/") || !strings.HasSuffix(u.Path, "/login") {
				continue
			}
			if started := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/api/auth/"), "/login"); started != m[2] {
				tb.fail(t, "clicking %s started a %s flow at %s (process=%s), not a %s one",
					sel, m[1], started, u.Query().Get("process"), m[2])
			}
		}
	}
	return p
}

// answer picks a user (or denies) on the consent page.
func (tb *tab) answer(t *testing.T, choice string) {
	t.Helper()
	sel := "#user-" + choice
	if choice == "deny" {
		sel = "#deny"
	}
	tb.click(t, sel)
}

// expectUser waits until the dashboard shows user signed in.
func (tb *tab) expectUser(t *testing.T, user string) {
	t.Helper()
	tb.waitState(t, "signed-in")
	tb.run(t, waitShort, "wait for #user-name", chromedp.WaitVisible("#user-name", chromedp.ByQuery))
	if got, want := tb.text(t, "#user-name"), userNames[user]; got != want {
		tb.fail(t, "#user-name = %q, want %q", got, want)
	}
}

// waitAccount waits until #accounts lists provider. Clicking a connect
// button before the list has loaded can hit a button that moves away.
func (tb *tab) waitAccount(t *testing.T, provider string) {
	t.Helper()
	sel := fmt.Sprintf(`#accounts li[data-provider=%q]`, provider)
	tb.run(t, waitShort, "wait for "+sel, chromedp.WaitReady(sel, chromedp.ByQuery))
}

// signOut signs this tab out and waits for the signed-out dashboard.
func (tb *tab) signOut(t *testing.T) {
	t.Helper()
	tb.click(t, "button#sign-out")
	tb.waitState(t, "signed-out")
}

// setMarker puts a value on window that a reload would lose.
func (tb *tab) setMarker(t *testing.T) string {
	t.Helper()
	m := randomHex(8)
	tb.eval(t, fmt.Sprintf(`window.__e2eMarker = %q, true`, m), nil)
	return m
}

// checkMarker fails t when the page was reloaded since setMarker.
func (tb *tab) checkMarker(t *testing.T, want string) {
	t.Helper()
	var got string
	tb.eval(t, `String(window.__e2eMarker)`, &got)
	if got != want {
		tb.fail(t, "the page was reloaded: window marker %q, want %q", got, want)
	}
}

// docLoads counts this tab's document requests since index from.
func (h *harness) docLoads(label string, from int) []string {
	reqs, _ := h.rec.Requests(from)
	var out []string
	for _, r := range reqs {
		if r.Target == label && r.Type == "Document" {
			out = append(out, r.URL)
		}
	}
	return out
}

func testGoogleButton(t *testing.T, h *harness) {
	tb := h.newBrowserContext(t, "google")
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")
	for _, id := range []string{oidcID, "github", "discord"} {
		if tb.count(t, "button#login-"+id) != 1 {
			tb.fail(t, "no button#login-%s on the signed-out dashboard", id)
		}
	}
	tb.shot(t, "signed-out")

	tb.signInGoogle(t, "alice")
	tb.expectUser(t, "alice")
	if got := tb.text(t, "#user-email"); got != "alice@example.com" {
		tb.fail(t, "#user-email = %q, want alice@example.com", got)
	}
	// The first sign-in made the user.
	tb.run(t, waitShort, "wait for #greeting (is_new)", chromedp.WaitVisible("#greeting", chromedp.ByQuery))
	for _, sel := range []string{
		`#accounts li[data-provider="google"]`,
		`#sessions li[data-current="true"]`,
		`#logins tr[data-provider="google"][data-outcome="success"]`,
	} {
		tb.run(t, waitShort, "wait for "+sel, chromedp.WaitReady(sel, chromedp.ByQuery))
	}
	for _, id := range []string{oidcID, "github", "discord"} {
		if tb.count(t, "button#connect-"+id) != 1 {
			tb.fail(t, "no button#connect-%s for an unlinked provider", id)
		}
	}
	// The devidp's avatars are plain http: the dashboard shows initials
	// rather than load one (and the CSP's img-src has no http: source).
	if n := tb.count(t, "img#user-avatar"); n > 0 {
		var src string
		tb.eval(t, `document.querySelector("img#user-avatar").src`, &src)
		if !strings.HasPrefix(src, "https://") && !strings.HasPrefix(src, h.origin+"/") {
			tb.fail(t, "img#user-avatar loads %s: only https or same-origin avatars may be shown", src)
		}
	}
	tb.shot(t, "google-signed-in")

	t.Run("language", func(t *testing.T) {
		var langs []string
		tb.eval(t, `Array.from(document.querySelectorAll("select#lang option")).map(function(o){ return o.value; })`, &langs)
		for _, want := range []string{"en", "zh-TW", "ko"} {
			if !slices.Contains(langs, want) {
				t.Fatalf("select#lang offers %v, want en, zh-TW and ko", langs)
			}
		}
		english := tb.text(t, "button#sign-out")
		for _, lang := range []string{"ko", "zh-TW", "en"} {
			tb.eval(t, fmt.Sprintf(`(function(){ var s = document.querySelector("select#lang"); s.value = %q;
				s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, lang), nil)
			var got string
			deadline := time.Now().Add(waitShort)
			for {
				got = tb.text(t, "button#sign-out")
				if (lang == "en") == (got == english) {
					break
				}
				if time.Now().After(deadline) {
					tb.fail(t, "after choosing %s, button#sign-out reads %q (English: %q)", lang, got, english)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if lang == "ko" {
				tb.shot(t, "google-signed-in-ko")
			}
		}
	})
	tb.checkNoTokensAtRest(t)
}

func testPopupOIDC(t *testing.T, h *harness) {
	tb := h.newBrowserContext(t, "oidc")
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")
	marker := tb.setMarker(t)
	_, from := h.rec.Requests(0)

	p := tb.openConsent(t, "button#login-"+oidcID)
	p.shot(t, "oidc-consent-in-popup")
	p.answer(t, "erin")
	p.waitClosed(t)
	tb.expectUser(t, "erin")
	tb.checkMarker(t, marker)
	if docs := h.docLoads(tb.label, from); len(docs) > 0 {
		tb.fail(t, "the dashboard loaded a document during the popup sign-in: %v", docs)
	}
	tb.waitAccount(t, oidcID)
	tb.shot(t, "oidc-signed-in")
	tb.checkNoTokensAtRest(t)
}

func testPopupOAuth(t *testing.T, h *harness) {
	tests := []struct{ provider, user string }{
		{"discord", "carol"},
		{"github", "dave"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			tb := h.newBrowserContext(t, tt.provider)
			tb.navigate(t, "/")
			tb.waitState(t, "signed-out")
			marker := tb.setMarker(t)
			tb.popupFlow(t, "button#login-"+tt.provider, tt.user)
			tb.expectUser(t, tt.user)
			tb.checkMarker(t, marker)
			tb.waitAccount(t, tt.provider)
			tb.shot(t, tt.provider+"-signed-in")
			tb.checkNoTokensAtRest(t)
		})
	}
}

func testConnectDisconnect(t *testing.T, h *harness) {
	tb := h.newBrowserContext(t, "connect")
	tb.navigate(t, "/")
	tb.popupFlow(t, "button#login-github", "bob")
	tb.expectUser(t, "bob")
	github := `#accounts li[data-provider="github"]`
	discord := `#accounts li[data-provider="discord"]`
	tb.run(t, waitShort, "wait for the GitHub account", chromedp.WaitReady(github, chromedp.ByQuery))

	tb.popupFlow(t, "button#connect-discord", "bob")
	tb.run(t, waitShort, "wait for the connected Discord account", chromedp.WaitReady(discord, chromedp.ByQuery))
	tb.waitState(t, "signed-in")
	tb.shot(t, "connected-discord")

	tb.click(t, "button#disconnect-discord")
	tb.run(t, waitShort, "wait until Discord is disconnected", chromedp.WaitNotPresent(discord, chromedp.ByQuery))
	tb.run(t, waitShort, "wait for button#connect-discord again", chromedp.WaitVisible("button#connect-discord", chromedp.ByQuery))

	tb.click(t, "button#disconnect-github")
	tb.waitAlert(t, "error", string(shared.CodeLastLoginMethod), waitShort)
	if tb.count(t, github) != 1 {
		tb.fail(t, "the last login method disappeared from #accounts after the refusal")
	}
	tb.shot(t, "last-login-method-refused")
}

func testErrorPaths(t *testing.T, h *harness) {
	t.Run("provider denies", func(t *testing.T) {
		tb := h.newBrowserContext(t, "deny")
		tb.navigate(t, "/")
		tb.popupFlow(t, "button#login-"+oidcID, "deny")
		tb.waitAlert(t, "error", string(shared.CodeAccessDenied), waitShort)
		tb.waitState(t, "signed-out")
		tb.shot(t, "access-denied")
	})

	t.Run("duplicate email", func(t *testing.T) {
		tb := h.newBrowserContext(t, "duplicate")
		tb.navigate(t, "/")
		// alice@example.com belongs to alice's Google user.
		tb.signInGoogle(t, "alice")
		tb.expectUser(t, "alice")
		tb.signOut(t)
		tb.popupFlow(t, "button#login-"+oidcID, "alice")
		tb.waitAlert(t, "error", string(shared.CodeDuplicateEmail), waitShort)
		tb.waitState(t, "signed-out")
		tb.shot(t, "duplicate-email")
	})

	t.Run("domain not allowed", func(t *testing.T) {
		// Replica c accepts only allowed.test: send everything there.
		h.router.RouteAll("c")
		t.Cleanup(func() { h.router.RouteAll("") })
		_, from := h.router.Hits(0)
		tb := h.newBrowserContext(t, "domain")
		tb.navigate(t, "/")
		tb.signInGoogle(t, "dave")
		tb.waitAlert(t, "error", string(shared.CodeEmailDomainNotAllowed), waitShort)
		tb.waitState(t, "signed-out")
		tb.shot(t, "email-domain-not-allowed")
		hits, _ := h.router.Hits(from)
		for _, x := range hits {
			if x.Replica != "c" {
				t.Errorf("%s %s went to replica %s while everything was routed to c", x.Method, x.URI, x.Replica)
			}
		}
	})

	t.Run("already connected by another user", func(t *testing.T) {
		tb := h.newBrowserContext(t, "connected-other")
		tb.navigate(t, "/")
		// mallory's Discord account belongs to mallory's user...
		tb.popupFlow(t, "button#login-discord", "mallory")
		tb.expectUser(t, "mallory")
		tb.signOut(t)
		// ...so bob (signed in with Google) cannot connect it.
		tb.signInGoogle(t, "bob")
		tb.expectUser(t, "bob")
		tb.waitAccount(t, "google")
		tb.popupFlow(t, "button#connect-discord", "mallory")
		tb.waitAlert(t, "error", string(shared.CodeAlreadyConnectedOther), waitShort)
		if n := tb.count(t, `#accounts li[data-provider="discord"]`); n != 0 {
			tb.fail(t, "the refused Discord account is listed")
		}
		tb.shot(t, "already-connected-other")
	})

	t.Run("popup closed by the user", func(t *testing.T) {
		tb := h.newBrowserContext(t, "closed")
		tb.navigate(t, "/")
		p := tb.openConsent(t, "button#login-github")
		p.closeByUser(t)
		closed := time.Now()
		// The contract: cancelled within 2 s of the close.
		tb.waitAlert(t, "info", "cancelled", 2*time.Second)
		t.Logf("cancelled shown %s after the popup closed", time.Since(closed).Round(time.Millisecond))
		tb.waitState(t, "signed-out")
		tb.shot(t, "popup-closed")
	})

	t.Run("popup blocked falls back to a redirect", func(t *testing.T) {
		tb := h.newBrowserContext(t, "blocked")
		tb.navigate(t, "/")
		// A click from script carries no user activation: window.open
		// answers null and the dashboard goes to the provider in this tab.
		tb.scriptClick(t, "button#login-discord")
		tb.run(t, waitLong, "wait for the consent page in the tab itself", chromedp.WaitVisible("#user-carol", chromedp.ByQuery))
		tb.shot(t, "popup-blocked-consent-in-tab")
		tb.answer(t, "carol")
		tb.waitReady(t)
		tb.expectUser(t, "carol")
		var hash string
		tb.eval(t, `location.hash`, &hash)
		if hash != "" {
			tb.fail(t, "the handoff stays in the address bar after the redirect sign-in: %q", hash)
		}
		tb.shot(t, "popup-blocked-signed-in")
		tb.checkNoTokensAtRest(t)
	})
}

func testForeignMessage(t *testing.T, h *harness) {
	tb := h.newBrowserContext(t, "postmessage")
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")
	_, hitsFrom := h.router.Hits(0)
	_, reqFrom := h.rec.Requests(0)
	p := tb.openConsent(t, "button#login-"+oidcID)

	// The flow's challenge (the handoff's flow field) from the login URL
	// the popup opened: a forgery as good as it gets without our origin.
	hits, _ := h.router.Hits(hitsFrom)
	flow := ""
	for _, x := range hits {
		if u, err := url.Parse(x.URI); err == nil && u.Path == "/api/auth/"+oidcID+"/login" {
			flow = u.Query().Get("challenge")
		}
	}
	if flow == "" {
		t.Fatalf("no /api/auth/%s/login request reached a replica", oidcID)
	}
	forged := fmt.Sprintf(`{type: %q, ok: true, code: "forged-e2e-%s", flow: %q, process: "login"}`, shared.HandoffType, randomHex(16), flow)
	// From the popup itself, now on the devidp's origin (the right
	// source, a foreign origin)...
	p.eval(t, `window.opener.postMessage(`+forged+`, "*"), true`, nil)
	// ...and from the dashboard's own window (the right origin, not the
	// popup).
	tb.eval(t, `window.postMessage(`+forged+`, location.origin), true`, nil)
	// The real handoff comes after both, so it shows whether they were
	// taken: one exchange, with the real code.
	p.answer(t, "erin")
	p.waitClosed(t)
	tb.expectUser(t, "erin")
	reqs, _ := h.rec.Requests(reqFrom)
	var exchanges []request
	for _, r := range reqs {
		if r.Target == tb.label && strings.HasSuffix(strings.SplitN(r.URL, "?", 2)[0], "/api/auth/exchange") {
			exchanges = append(exchanges, r)
		}
	}
	if len(exchanges) != 1 {
		t.Fatalf("%d POST /api/auth/exchange, want 1 (the forged messages must not be redeemed)", len(exchanges))
	}
	if strings.Contains(exchanges[0].PostData, "forged-e2e") {
		t.Fatal("the dashboard redeemed a forged handoff code")
	}
}

func testCrossReplica(t *testing.T, h *harness) {
	t.Cleanup(func() { h.router.RouteAll("") })
	tb := h.newBrowserContext(t, "cross-replica")
	// The state, the flow cookie's binding and the PKCE verifier that
	// /login stores on replica a must be found by replica b at /callback.
	h.router.RouteAll("a")
	tb.navigate(t, "/")
	_, from := h.router.Hits(0)
	p := tb.openConsent(t, "button#login-"+oidcID)
	h.router.RouteAll("b")
	p.answer(t, "erin")
	p.waitClosed(t)
	tb.expectUser(t, "erin")
	h.router.RouteAll("")

	hits, _ := h.router.Hits(from)
	served := map[string][]string{}
	for _, x := range hits {
		u, _ := url.Parse(x.URI)
		served[x.Method+" "+u.Path] = append(served[x.Method+" "+u.Path], x.Replica)
	}
	want := map[string]string{
		"GET /api/auth/" + oidcID + "/login":    "a",
		"GET /api/auth/" + oidcID + "/callback": "b",
		"POST /api/auth/exchange":               "b",
	}
	for route, replica := range want {
		if got := served[route]; len(got) != 1 || got[0] != replica {
			t.Errorf("%s served by replicas %v, want once by %s", route, got, replica)
		}
	}
	tb.shot(t, "cross-replica-signed-in")
}

func testRefreshAndSignOutEverywhere(t *testing.T, h *harness) {
	// Another browser signed in as alice: a session tab 1 will revoke.
	other := h.newBrowserContext(t, "other-browser")
	other.navigate(t, "/")
	other.signInGoogle(t, "alice")
	other.expectUser(t, "alice")
	otherSession := other.attr(t, `#sessions li[data-current="true"]`, "data-session")
	if otherSession == "" {
		other.fail(t, "no data-session on the current session")
	}

	one := h.newBrowserContext(t, "tab-1")
	one.navigate(t, "/")
	_, from := h.rec.Requests(0)
	one.signInGoogle(t, "alice")
	one.expectUser(t, "alice")
	signedIn := time.Now()
	two := one.newTab(t, "tab-2")
	two.navigate(t, "/")
	two.expectUser(t, "alice") // the refresh cookie restores the session
	otherRow := fmt.Sprintf(`#sessions li[data-session=%q][data-current="false"]`, otherSession)
	one.run(t, waitShort, "wait for the other browser's session", chromedp.WaitReady(otherRow, chromedp.ByQuery))

	// A silent refresh in tab 1, then Bearer calls after the first access
	// token has expired: they must carry the refreshed one.
	refreshed := false
	deadline := signedIn.Add(accessTTL + waitShort)
	for !refreshed {
		reqs, _ := h.rec.Requests(from)
		for _, r := range reqs {
			if r.Target == one.label && r.Method == "POST" && strings.HasSuffix(r.URL, "/api/auth/token/refresh") && r.Status == 200 {
				refreshed = true
			}
		}
		if time.Now().After(deadline) {
			one.fail(t, "no successful POST /api/auth/token/refresh from the signed-in tab within %s of the sign-in (access tokens live %s)", accessTTL+waitShort, accessTTL)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if wait := time.Until(signedIn.Add(accessTTL + time.Second)); wait > 0 {
		time.Sleep(wait) // until the first access token has expired
	}
	one.waitState(t, "signed-in")
	_, afterExpiry := h.rec.Requests(0)
	one.click(t, otherRow+" button.revoke-session")
	one.run(t, waitShort, "wait until the other browser's session is gone", chromedp.WaitNotPresent(otherRow, chromedp.ByQuery))
	bearerCalls := 0
	reqs, _ := h.rec.Requests(afterExpiry)
	for _, r := range reqs {
		if r.Target == one.label && r.Bearer {
			bearerCalls++
			if r.Status < 200 || r.Status > 299 {
				t.Errorf("%s %s after the first access token expired: status %d", r.Method, r.URL, r.Status)
			}
		}
	}
	if bearerCalls == 0 {
		t.Error("revoking a session made no Bearer call")
	}
	all, _ := h.rec.Requests(from)
	for _, r := range all {
		if (r.Target == one.label || r.Target == two.label) && r.Bearer && r.Status == 401 {
			t.Errorf("%s: %s %s answered 401: the dashboard used an expired token", r.Target, r.Method, r.URL)
		}
	}
	one.shot(t, "after-silent-refresh-and-revoke")
	// The revoked browser is signed out at its next load.
	other.navigate(t, "/")
	other.waitState(t, "signed-out")

	// A reload keeps the session (the cookie, not storage).
	marker := one.setMarker(t)
	one.navigate(t, "/")
	var gone string
	one.eval(t, `String(window.__e2eMarker)`, &gone)
	if gone == marker {
		t.Fatal("the reload did not reload")
	}
	one.expectUser(t, "alice")
	one.checkNoTokensAtRest(t)
	two.checkNoTokensAtRest(t)

	// Sign out everywhere in tab 1 ends tab 2's session too.
	one.click(t, "button#sign-out-all")
	one.waitState(t, "signed-out")
	two.waitState(t, "signed-out")
	two.shot(t, "other-tab-signed-out")
	// And it stays ended: the refresh cookie was revoked.
	two.navigate(t, "/")
	two.waitState(t, "signed-out")
}

func testNoTokenLeaks(t *testing.T, h *harness) {
	done := make(chan struct{})
	go func() { h.rec.bodies.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitShort):
		t.Log("some response bodies were still being read")
	}
	tokens := h.rec.Tokens()
	kinds := map[string]int{}
	for _, what := range tokens {
		k, _, _ := strings.Cut(what, " (")
		kinds[k]++
	}
	t.Logf("tokens learned during the run: %v", kinds)
	if kinds["access token"]+kinds["access_token"] == 0 || kinds["refresh token"] == 0 {
		t.Fatalf("the run learned too few tokens to check anything: %v", kinds)
	}
	// A browser gets its refresh token as the HttpOnly cookie only.
	for tok, what := range tokens {
		if strings.HasPrefix(what, "refresh_token") {
			t.Errorf("a response body gave the page a refresh token (%s, %d characters)", what, len(tok))
		}
	}
	urls := h.rec.URLs()
	for _, u := range urls {
		if where := leaks(u, tokens); len(where) > 0 {
			t.Errorf("a URL carries %s: %.120s…", strings.Join(where, ", "), u)
		}
		if q, err := url.Parse(u); err == nil {
			for _, part := range []string{q.RawQuery, q.Fragment} {
				v, _ := url.ParseQuery(part)
				for _, name := range []string{"access_token", "refresh_token", "id_token", "token"} {
					if v.Has(name) {
						t.Errorf("a URL has a %s parameter: %.120s…", name, u)
					}
				}
			}
		}
	}
	t.Logf("checked %d URLs against %d tokens", len(urls), len(tokens))
}

func testNoProblems(t *testing.T, h *harness) {
	for _, p := range h.rec.Problems() {
		t.Errorf("%s in %s: %s %s", p.Kind, p.Target, p.Text, p.URL)
	}
}

// reportReadyTimes prints the navigation → ready times of the run.
func (h *harness) reportReadyTimes(t *testing.T) {
	h.readyMu.Lock()
	times := append([]time.Duration(nil), h.readyTimes...)
	h.readyMu.Unlock()
	if len(times) == 0 {
		return
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	line := fmt.Sprintf("navigation → main#app[data-ready=\"1\"]: %d loads, min %s, median %s, max %s",
		len(times), times[0].Round(time.Millisecond), times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
	t.Log(line)
	fmt.Println("e2e " + line)
	summary := filepath.Join(h.artifacts, "summary.txt")
	if err := os.WriteFile(summary, []byte(line+"\n"), 0o644); err != nil {
		t.Logf("write %s: %v", summary, err)
	}
}
