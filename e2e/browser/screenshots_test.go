package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The devidp load users of TestScreenshots only (no other test signs in
// as them): one signed in, one refused as duplicate_email.
const (
	shotUser      = "load-812"
	shotLinkUser  = "load-813"
	screenshotEnv = "SCREENSHOTS_DIR"
)

// TestGoogleButtonWidth: the Google button (the devidp's stand-in here,
// drawn with the width option as Google's is) is as wide as the other
// providers' buttons on a phone and a desktop, and again after the window
// changes width.
func TestGoogleButtonWidth(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	tb := h.newBrowserContext(t, "gis-width")
	tb.run(t, waitShort, "set the viewport", chromedp.EmulateViewport(375, 800))
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")
	for _, width := range []int64{375, 1280, 320, 375} {
		tb.run(t, waitShort, fmt.Sprintf("set the viewport to %d px", width), chromedp.EmulateViewport(width, 800))
		tb.expectGoogleWidth(t, width)
	}
}

// expectGoogleWidth waits until the Google button is drawn as wide as the
// other providers' buttons (±1 px) and fails with both widths if it never
// is.
func (tb *tab) expectGoogleWidth(t *testing.T, viewport int64) {
	t.Helper()
	const js = `(function () {
		var g = document.querySelector("#gis-button > *"), others = document.querySelectorAll(".providers .btn-provider");
		return {Google: g ? g.getBoundingClientRect().width : 0,
			Others: Array.prototype.map.call(others, function (b) { return b.getBoundingClientRect().width; })};
	})()`
	same := fmt.Sprintf(`(function (w) { return w.Google > 0 && w.Others.length > 0 &&
		w.Others.every(function (o) { return Math.abs(o - w.Google) <= 1; }); })(%s)`, js)
	if err := tb.try(waitShort, chromedp.Poll(same, nil)); err != nil {
		var w struct {
			Google float64
			Others []float64
		}
		tb.eval(t, js, &w)
		tb.fail(t, "at %d px the Google button is %.1f px wide, the other providers' buttons %v: %v", viewport, w.Google, w.Others, err)
	}
}

// screenshotLangs are the dashboard's languages, in the README's order.
var screenshotLangs = []string{"en", "zh-TW", "ko"}

// TestScreenshots photographs the dashboard's main states at 375 px in
// each language: signed out, signed in, the duplicate_email offer (proof,
// then link) and the Administration section; each passes axe-core and
// fits the viewport (shot), and the Administration tables stack rather
// than scroll sideways. With SCREENSHOTS_DIR set (relative to the
// repository's root) the PNGs are also written there as
// <state>-<lang>.png, which is how the README's are made:
//
//	SCREENSHOTS_DIR=docs/screenshots go test ./e2e/browser -run 'TestScreenshots$' -count=1
func TestScreenshots(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	dir := os.Getenv(screenshotEnv)
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(h.repo, dir)
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("%s: %v", screenshotEnv, err)
		}
	}
	const width, height = 375, 760
	open := func(label string) *tab {
		tb := h.newBrowserContext(t, label)
		tb.run(t, waitShort, "set the viewport", chromedp.EmulateViewport(width, height))
		tb.navigate(t, "/")
		tb.waitState(t, "signed-out")
		return tb
	}
	// each photographs the tab in every language, scrolled to sel first
	// ("": the top), and ends in English.
	each := func(tb *tab, state, sel string) {
		t.Helper()
		// The pointer away from the buttons: no hover look in the pictures.
		tb.run(t, waitShort, "move the pointer away", chromedp.MouseEvent(input.MouseMoved, 0, 0))
		for _, lang := range screenshotLangs {
			tb.setLang(t, lang)
			scroll := `window.scrollTo(0, 0), true`
			if sel != "" {
				scroll = fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "start"}), true`, sel)
			}
			tb.eval(t, scroll, nil)
			tb.shot(t, fmt.Sprintf("screenshot-%s-%s", state, lang))
			if dir != "" {
				tb.saveScreenshot(t, filepath.Join(dir, fmt.Sprintf("%s-%s.png", state, lang)))
			}
		}
		tb.setLang(t, "en")
	}

	out := open("screenshots-signed-out")
	each(out, "signed-out", "")

	in := open("screenshots-signed-in")
	in.signInGoogle(t, shotUser)
	in.waitState(t, "signed-in")
	for _, sel := range []string{`#accounts li[data-provider="google"]`, `#sessions li[data-current="true"]`, `#logins tr[data-provider="google"]`} {
		in.run(t, waitShort, "wait for "+sel, chromedp.WaitReady(sel, chromedp.ByQuery))
	}
	each(in, "signed-in", "")

	// duplicate_email: GitHub first, then Discord with the same verified
	// email is refused with the offer to prove and link.
	dup := open("screenshots-link")
	dup.popupAs(t, "button#login-github", shotLinkUser)
	dup.waitState(t, "signed-in")
	dup.signOut(t)
	dup.popupAs(t, "button#login-discord", shotLinkUser)
	dup.run(t, waitLong, "wait for the link offer", chromedp.WaitVisible("#link-offer", chromedp.ByQuery))
	each(dup, "duplicate-email", "")

	admin := open("screenshots-admin")
	admin.signInGoogle(t, adminUser)
	admin.waitState(t, "signed-in")
	admin.run(t, waitLong, "wait for the Administration section", chromedp.WaitVisible("#admin #admin-users", chromedp.ByQuery))
	admin.tablesStack(t) // the users table's Details buttons in view, not off to the right
	each(admin, "admin", "#admin")
}

// setLang picks lang in the language select as a deliberate choice does
// and waits for the document to follow.
func (tb *tab) setLang(t *testing.T, lang string) {
	t.Helper()
	tb.eval(t, fmt.Sprintf(`(function () { var s = document.querySelector("select#lang"); s.value = %q;
		s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, lang), nil)
	tb.run(t, waitShort, "wait for the interface in "+lang,
		chromedp.Poll(fmt.Sprintf(`document.documentElement.lang === %q`, lang), nil))
}

// saveScreenshot writes the viewport as a PNG to path.
func (tb *tab) saveScreenshot(t *testing.T, path string) {
	t.Helper()
	var buf []byte
	tb.run(t, waitShort, "capture "+filepath.Base(path), chromedp.CaptureScreenshot(&buf))
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

// popupAs clicks sel and signs in at the devidp's consent page as user, a
// load user the page does not list.
func (tb *tab) popupAs(t *testing.T, sel, user string) {
	t.Helper()
	p := tb.openConsent(t, sel)
	p.postAs(t, user)
	p.click(t, "#user-alice")
	p.waitClosed(t)
}
