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
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
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
		{"tabs refresh one at a time (single flight across tabs)", testCrossTabSingleFlight},
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

// signOutEverywhere clicks "Sign out everywhere" and confirms it in the
// dialog it opens.
func (tb *tab) signOutEverywhere(t *testing.T) {
	t.Helper()
	tb.click(t, "button#sign-out-all")
	tb.run(t, waitShort, "wait for the confirmation", chromedp.WaitVisible("dialog#confirm-dialog[open] #confirm-ok", chromedp.ByQuery))
	tb.click(t, "dialog#confirm-dialog[open] #confirm-ok")
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
	// The session is named by its device and place (the harness's GeoIP
	// file), and its Sign out button says so.
	if got := tb.text(t, `#sessions li[data-current="true"] strong`); !strings.Contains(got, " · "+testPlace) {
		tb.fail(t, "the current session is named %q, want its place %q in it", got, testPlace)
	}
	if got := tb.attr(t, `#sessions li[data-current="true"] button.revoke-session`, "aria-label"); !strings.Contains(got, testPlace) {
		tb.fail(t, "the session's Sign out is named %q, without its place %q", got, testPlace)
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

	// Disconnect asks first; Cancel keeps the account.
	tb.click(t, "button#disconnect-discord")
	tb.run(t, waitShort, "wait for the confirmation", chromedp.WaitVisible("dialog#confirm-dialog[open] #confirm-ok", chromedp.ByQuery))
	tb.shot(t, "confirm-disconnect")
	tb.click(t, "#confirm-cancel")
	tb.run(t, waitShort, "wait for the dialog to close", chromedp.WaitNotPresent("dialog#confirm-dialog[open]", chromedp.ByQuery))
	if tb.count(t, discord) != 1 {
		tb.fail(t, "Cancel in the confirmation disconnected Discord")
	}
	tb.click(t, "button#disconnect-discord")
	tb.click(t, "dialog#confirm-dialog[open] #confirm-ok")
	tb.run(t, waitShort, "wait until Discord is disconnected", chromedp.WaitNotPresent(discord, chromedp.ByQuery))
	tb.run(t, waitShort, "wait for button#connect-discord again", chromedp.WaitVisible("button#connect-discord", chromedp.ByQuery))

	// The last way to sign in cannot be disconnected, and the row says
	// why (the server's refusal, last_login_method, is tested in httpapi).
	tb.run(t, waitShort, "wait for the last method's reason", chromedp.WaitVisible(github+" #last-method", chromedp.ByQuery))
	var disabled bool
	tb.eval(t, `document.querySelector("button#disconnect-github").disabled`, &disabled)
	if !disabled {
		tb.fail(t, "button#disconnect-github is enabled on the last login method")
	}
	tb.shot(t, "last-login-method")
}

func testErrorPaths(t *testing.T, h *harness) {
	t.Run("provider denies", func(t *testing.T) {
		tb := h.newBrowserContext(t, "deny")
		tb.navigate(t, "/")
		tb.popupFlow(t, "button#login-"+oidcID, "deny")
		// A denial is the user's choice: neutral, with Try again.
		tb.waitAlert(t, "info", string(shared.CodeAccessDenied), waitShort)
		tb.run(t, waitShort, "wait for Try again", chromedp.WaitVisible("#alert #alert-retry", chromedp.ByQuery))
		tb.waitState(t, "signed-out")
		tb.shot(t, "access-denied")
		// Try again opens the same provider's popup.
		p := tb.openConsent(t, "#alert-retry")
		p.answer(t, "erin")
		p.waitClosed(t)
		tb.expectUser(t, "erin")
	})

	t.Run("duplicate email", func(t *testing.T) {
		tb := h.newBrowserContext(t, "duplicate")
		tb.navigate(t, "/")
		// alice@example.com belongs to alice's Google user.
		tb.signInGoogle(t, "alice")
		tb.expectUser(t, "alice")
		tb.signOut(t)
		tb.popupFlow(t, "button#login-"+oidcID, "alice")
		// A popup refusal offers proof, then link (TestLink follows it
		// through): the offer takes the message's place.
		tb.run(t, waitShort, "wait for the duplicate_email offer",
			chromedp.WaitVisible(`#link-offer[data-code="`+string(shared.CodeDuplicateEmail)+`"]`, chromedp.ByQuery))
		tb.waitState(t, "signed-out")
		tb.shot(t, "duplicate-email")
		// Every language names the providers (the server's words are
		// English); Korean here.
		tb.eval(t, `(function(){ var s = document.querySelector("select#lang"); s.value = "ko";
			s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, nil)
		tb.run(t, waitShort, "wait for the Korean offer naming Google and Dev OIDC",
			chromedp.Poll(`document.documentElement.lang === "ko" && /Google/.test(document.getElementById("link-offer-text").textContent) && /Dev OIDC/.test(document.getElementById("link-offer-text").textContent)`, nil))
		tb.shot(t, "duplicate-email-ko")
		tb.eval(t, `(function(){ var s = document.querySelector("select#lang"); s.value = "en";
			s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, nil)
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
	one.signOutEverywhere(t)
	one.waitState(t, "signed-out")
	two.waitState(t, "signed-out")
	two.shot(t, "other-tab-signed-out")
	// And it stays ended: the refresh cookie was revoked.
	two.navigate(t, "/")
	two.waitState(t, "signed-out")
}

// isRefresh reports whether a network log entry is a refresh.
func isRefresh(r request) bool {
	u, err := url.Parse(r.URL)
	return err == nil && r.Method == "POST" && u.Path == "/api/auth/token/refresh"
}

// testCrossTabSingleFlight checks that the tabs of one browser take turns
// spending the shared refresh cookie (the Web Lock "authbridge-refresh"):
// three tabs of one browser context load the dashboard (each restores its
// session with the cookie), are frozen, and are woken together once every
// tab's refresh timer (~accessTTL*4/5 after its token) is overdue, so all
// three refresh at once; every refresh must wait for the one before.
//
// How overlap is measured: on the server side, by the recording taps
// between nginx and the replicas. For each refresh the tap notes Start
// (it received the request from nginx) and At (it had the replica's status
// and headers, so the replica had rotated the cookie already). [Start, At]
// contains all the replica's work on the request, and the page cannot see
// any of the answer, let alone release the lock, before At. With the lock,
// the next refresh leaves its tab only after the previous answer arrived,
// so its Start is after the previous At (a causal chain, one monotonic
// clock: no tolerance needed). Two refreshes overlapped iff one's Start
// falls before the latest At of those that started earlier.
//
// Why the tabs are frozen and woken together: left alone, tabs refresh
// on timers set when each got its token, hundreds of milliseconds apart
// even when they load at the same moment, while a refresh takes a few
// milliseconds on the server. Then they never refresh together, lock or
// not, and the test could not fail (checked: with webLock reduced to
// fn(), six refreshes of three tabs loaded at once did not overlap).
// Freezing them (Page.setWebLifecycleState) until every timer is overdue
// and waking them together makes all three fire at once, as after a
// laptop's sleep. With webLock reduced to fn() this test then failed in
// each of two runs (two and three overlapping refreshes). Those
// overlapping refreshes still answered 200: the backend lets a
// just-spent cookie be presented again for a short grace window, so the
// status check alone would not catch a missing lock; the overlap check
// does.
func testCrossTabSingleFlight(t *testing.T, h *harness) {
	one := h.newBrowserContext(t, "xtab-1")
	one.navigate(t, "/")
	one.signInGoogle(t, "bob")
	one.expectUser(t, "bob")
	signedIn := time.Now() // the first access token was issued before this
	tabs := []*tab{one, one.newTab(t, "xtab-2"), one.newTab(t, "xtab-3")}

	_, reqFrom := h.rec.Requests(0)
	_, hitsFrom := h.router.Hits(0)
	loaded := time.Now()
	errs := make([]error, len(tabs))
	var wg sync.WaitGroup
	for i, tb := range tabs {
		wg.Add(1)
		go func() { // no t in here: errors are reported below
			defer wg.Done()
			errs[i] = tb.try(waitLong, chromedp.Navigate(h.origin+"/"))
		}()
	}
	wg.Wait()
	for i, tb := range tabs {
		if errs[i] != nil {
			tb.fail(t, "load /: %v", errs[i])
		}
		tb.waitReady(t)
		tb.expectUser(t, "bob") // restored with the refresh cookie
	}
	refreshes := func(from int) map[string][]request {
		reqs, _ := h.rec.Requests(from)
		out := map[string][]request{}
		for _, r := range reqs {
			if isRefresh(r) && (r.Status != 0 || r.Failed != "") {
				out[r.Target] = append(out[r.Target], r)
			}
		}
		return out
	}

	// Freeze every tab (timers stop) until each one's refresh timer is
	// overdue, then wake them all at the same moment: every timer fires
	// at once, as after a laptop's sleep, and the tabs contend for the
	// cookie.
	var lastRestore time.Time
	for _, tb := range tabs {
		rs := refreshes(reqFrom)[tb.label]
		if len(rs) != 1 {
			t.Fatalf("%s: %d refreshes while loading, want 1 (its restore)", tb.label, len(rs))
		}
		lastRestore = maxTime(lastRestore, rs[0].At)
		if err := tb.try(waitShort, page.SetWebLifecycleState(page.SetWebLifecycleStateStateFrozen)); err != nil {
			tb.fail(t, "freeze the tab: %v", err)
		}
	}
	_, frozenFrom := h.rec.Requests(0)
	// The dashboard refreshes a fifth of the token's life early
	// (session.RefreshIn): overdue a second after four fifths.
	time.Sleep(time.Until(lastRestore.Add(accessTTL*4/5 + time.Second)))
	if n := len(refreshes(frozenFrom)); n > 0 {
		t.Fatalf("%d tabs refreshed while frozen: the tabs were not frozen, and the test cannot make them contend", n)
	}
	wake := make(chan struct{})
	for i, tb := range tabs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-wake
			errs[i] = tb.try(waitShort, page.SetWebLifecycleState(page.SetWebLifecycleStateStateActive))
		}()
	}
	close(wake)
	wg.Wait()
	for i, tb := range tabs {
		if errs[i] != nil {
			tb.fail(t, "wake the tab: %v", errs[i])
		}
	}

	// Until every tab has refreshed twice: its restore and its timer.
	deadline := loaded.Add(accessTTL + waitLong)
	for {
		byTab := refreshes(reqFrom)
		done := true
		for _, tb := range tabs {
			done = done && len(byTab[tb.label]) >= 2
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			counts := map[string]int{}
			for _, tb := range tabs {
				counts[tb.label] = len(byTab[tb.label])
			}
			t.Fatalf("refreshes per tab %v within %s of loading the tabs, want 2 each (access tokens live %s)", counts, accessTTL+waitLong, accessTTL)
		}
		time.Sleep(250 * time.Millisecond)
	}
	byTab := refreshes(reqFrom)
	hits, _ := h.router.Hits(hitsFrom)

	// (2) Every refresh answered 200: no token_reused, no other refusal.
	inBrowser := 0
	for _, tb := range tabs {
		for _, r := range byTab[tb.label] {
			inBrowser++
			t.Logf("%s: POST /api/auth/token/refresh sent %s, status %d %s", tb.label, r.At.Format("15:04:05.000"), r.Status, r.Failed)
			if r.Status != 200 || r.Failed != "" {
				t.Errorf("%s: a refresh answered %d %s, want 200", tb.label, r.Status, r.Failed)
			}
		}
	}
	// (1) No two refreshes overlapped on the server side.
	var served []hit
	for _, x := range hits {
		if u, err := url.Parse(x.URI); err == nil && x.Method == "POST" && u.Path == "/api/auth/token/refresh" {
			served = append(served, x)
		}
	}
	sort.Slice(served, func(i, j int) bool { return served[i].Start.Before(served[j].Start) })
	if len(served) != inBrowser {
		t.Errorf("the taps passed %d refreshes, the tabs sent %d (does another page refresh?)", len(served), inBrowser)
	}
	var lastEnd time.Time
	for i, x := range served {
		t.Logf("refresh %d: replica %s, %s → %s (+%s .. +%s, %s), status %d", i+1, x.Replica,
			x.Start.Format("15:04:05.000"), x.At.Format("15:04:05.000"),
			x.Start.Sub(served[0].Start).Round(time.Millisecond), x.At.Sub(served[0].Start).Round(time.Millisecond),
			x.At.Sub(x.Start).Round(100*time.Microsecond), x.Status)
		if x.Status != 200 {
			t.Errorf("refresh %d: replica %s answered %d", i+1, x.Replica, x.Status)
		}
		if i > 0 && !x.Start.After(lastEnd) {
			t.Errorf("refresh %d started at %s, before an earlier refresh was answered (%s): two tabs refreshed at once",
				i+1, x.Start.Format("15:04:05.000000"), lastEnd.Format("15:04:05.000000"))
		}
		if x.At.After(lastEnd) {
			lastEnd = x.At
		}
	}

	// (3) Every tab is still signed in, and its Bearer calls work after
	// the first access token expired.
	if wait := time.Until(signedIn.Add(accessTTL + time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	_, afterExpiry := h.rec.Requests(0)
	for _, tb := range tabs {
		tb.waitState(t, "signed-in")
		// The connect button asks for a connect ticket (a Bearer POST)
		// before the popup goes to the provider; closing the popup
		// then cancels the flow and changes nothing.
		p := tb.openConsent(t, "button#connect-discord")
		p.closeByUser(t)
		tb.waitAlert(t, "info", "cancelled", waitShort)
		tb.waitState(t, "signed-in")
	}
	reqs, _ := h.rec.Requests(afterExpiry)
	for _, tb := range tabs {
		calls := 0
		for _, r := range reqs {
			if r.Target == tb.label && r.Bearer {
				calls++
				if r.Status < 200 || r.Status > 299 {
					t.Errorf("%s: %s %s after the first access token expired: status %d", tb.label, r.Method, r.URL, r.Status)
				}
			}
		}
		if calls == 0 {
			t.Errorf("%s made no Bearer call after the first access token expired", tb.label)
		}
	}
	all, _ := h.rec.Requests(reqFrom)
	for _, r := range all {
		if strings.HasPrefix(r.Target, "xtab-") && r.Status == 401 {
			t.Errorf("%s: %s %s answered 401", r.Target, r.Method, r.URL)
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
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
