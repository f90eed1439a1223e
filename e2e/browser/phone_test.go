package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authbridge/authbridge/shared"
)

// TestPhonesAndAccessibility walks the dashboard's states at a phone's
// width and a desktop's (issue #18): signed out, waiting for a popup, a
// denial at the provider, signed in with the lists loaded, the same in dark
// mode with reduced motion (the page must show both: a dark background, a
// spinner that does not spin), signed out again. Each state must pass axe-core (no serious or
// critical violation) and fit its viewport; after sign-in, sign-out and an
// error the focus is on the heading or the message, not <body>. On the
// phone the language select is driven by keyboard: an arrow key changes
// the choice but not the interface, Enter applies it.
func TestPhonesAndAccessibility(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	if _, err := axeSource(); err != nil {
		require(t, err)
	}
	for _, width := range []int64{375, 1280} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) {
			tb := h.newBrowserContext(t, fmt.Sprintf("a11y-%d", width))
			tb.run(t, waitShort, "set the viewport", chromedp.EmulateViewport(width, 800))
			state := func(name string) { t.Helper(); tb.shot(t, fmt.Sprintf("a11y-%d-%s", width, name)) }

			tb.navigate(t, "/")
			tb.waitState(t, "signed-out")
			state("signed-out")

			p := tb.openConsent(t, "button#login-"+oidcID)
			tb.run(t, waitShort, "wait for the waiting line", chromedp.WaitVisible("#waiting", chromedp.ByQuery))
			state("waiting")
			p.answer(t, "deny")
			p.waitClosed(t)
			tb.waitAlert(t, "info", string(shared.CodeAccessDenied), waitShort)
			tb.expectFocus(t, "alert")
			state("denied")

			tb.signInGoogle(t, "bob")
			tb.expectUser(t, "bob")
			tb.expectFocus(t, "user-name")
			for _, sel := range []string{`#accounts li[data-provider="google"]`, `#sessions li[data-current="true"]`, `#logins tr[data-provider="google"]`} {
				tb.run(t, waitShort, "wait for "+sel, chromedp.WaitReady(sel, chromedp.ByQuery))
			}
			if got := tb.text(t, `#sessions li[data-current="true"] .signed-in-with`); got != "Signed in with Google" {
				tb.fail(t, "the current session reads %q, want \"Signed in with Google\"", got)
			}
			state("signed-in")
			if width < 400 {
				tb.tablesStack(t)
			}

			if l := tb.mediaLook(t); l.Dark || l.Still {
				tb.fail(t, "before any emulation the page looks dark (%v, background %s) or still (%v)", l.Dark, l.Back, l.Still)
			}
			tb.run(t, waitShort, "emulate dark mode", emulation.SetEmulatedMedia().
				WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}, {Name: "prefers-reduced-motion", Value: "reduce"}}))
			// The page honours both: a dark background, no spinning.
			if l := tb.mediaLook(t); !l.Dark || !l.Still {
				tb.fail(t, "with prefers-color-scheme: dark and prefers-reduced-motion: reduce the page is dark %v (background %s), still %v", l.Dark, l.Back, l.Still)
			}
			state("signed-in-dark")
			tb.run(t, waitShort, "end the emulated media", emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{}))

			if width < 400 {
				tb.keyboardLanguage(t)
				tb.keyboardConfirm(t)
			}

			tb.signOut(t)
			tb.expectFocus(t, "signin-heading", "alert")
			// This browser signed in with Google last, and says so.
			tb.run(t, waitShort, "wait for the last-used hint", chromedp.WaitVisible("#last-used-google", chromedp.ByQuery))
			state("signed-out-again")
		})
	}
}

// tablesStack fails unless the page has a table region and none scrolls
// sideways: on a phone a table stacks, a card per row (issue #18), so
// nothing in it (a Details button) hides off to the right.
func (tb *tab) tablesStack(t *testing.T) {
	t.Helper()
	if tb.count(t, ".table-wrap") == 0 {
		tb.fail(t, "no .table-wrap on the page to check")
	}
	var wide []string
	tb.eval(t, `Array.from(document.querySelectorAll(".table-wrap")).filter(function (e) { return e.scrollWidth > e.clientWidth + 1 }).
		map(function (e) { var tbl = e.querySelector("table"); return (tbl ? tbl.id : "?") + ": " + e.scrollWidth + " > " + e.clientWidth })`, &wide)
	if len(wide) > 0 {
		tb.fail(t, "tables scroll sideways (scroll width > client width): %s", strings.Join(wide, "; "))
	}
}

// TestAxeSeesProblems checks that the accessibility checks can fail: on
// the harness's fixture page, an image without alt, grey on grey text and
// a box wider than the viewport are all reported.
func TestAxeSeesProblems(t *testing.T) {
	h := start(t)
	if _, err := axeSource(); err != nil {
		require(t, err)
	}
	tb := h.newBrowserContext(t, "axe-probe")
	tb.run(t, waitShort, "set the viewport", chromedp.EmulateViewport(375, 800))
	tb.run(t, waitLong, "load the fixture page", chromedp.Navigate(h.origin+fixturePath))
	tb.waitReady(t)
	tb.eval(t, `(function () {
		var img = document.createElement("img"); img.src = "/web/icon.svg"; document.body.appendChild(img);
		var p = document.createElement("p"); p.textContent = "faint"; p.style.color = "#bbb"; p.style.background = "#ccc"; document.body.appendChild(p);
		var wide = document.createElement("div"); wide.style.width = "600px"; wide.textContent = "wide"; document.body.appendChild(wide);
		return true; })()`, nil)
	found := strings.Join(tb.axeViolations(t), "\n")
	for _, rule := range []string{"image-alt (critical)", "color-contrast (serious)"} {
		if !strings.Contains(found, rule) {
			t.Errorf("axe-core did not report %s; it reported:\n%s", rule, found)
		}
	}
	if scroll, inner := tb.widths(t); scroll <= inner {
		t.Errorf("a 600 px box in a 375 px viewport: scroll width %d, viewport %d", scroll, inner)
	}
}

// expectFocus fails t unless an element with one of ids has the focus.
func (tb *tab) expectFocus(t *testing.T, ids ...string) {
	t.Helper()
	list, _ := json.Marshal(ids)
	tb.run(t, waitShort, fmt.Sprintf("wait for the focus on one of %v", ids),
		chromedp.Poll(fmt.Sprintf(`!!document.activeElement && %s.indexOf(document.activeElement.id) >= 0`, list), nil))
}

// mediaLook is how the page answers the media features dark mode and
// reduced motion emulate: Dark when the page's background is dark, Still
// when a spinner (the app's waiting mark) does not spin.
type mediaLook struct {
	Dark, Still bool
	Back        string
}

func (tb *tab) mediaLook(t *testing.T) mediaLook {
	t.Helper()
	var l mediaLook
	tb.eval(t, `(function () {
		var back = getComputedStyle(document.body).backgroundColor;
		var c = (back.match(/\d+(\.\d+)?/g) || [255, 255, 255]).slice(0, 3).map(Number);
		var s = document.createElement("div"); s.className = "spinner"; document.body.appendChild(s);
		var name = getComputedStyle(s).animationName; s.remove();
		return {Dark: Math.max(c[0], c[1], c[2]) < 64, Still: name === "none", Back: back};
	})()`, &l)
	return l
}

// keyboardLanguage picks Korean on select#lang with the keyboard: the
// arrow key moves the choice without switching the interface; Enter
// switches it. It ends in English again.
func (tb *tab) keyboardLanguage(t *testing.T) {
	t.Helper()
	english := tb.text(t, "button#sign-out")
	tb.run(t, waitShort, "focus select#lang", chromedp.Focus("select#lang", chromedp.ByQuery))
	var before, after string
	tb.eval(t, `document.querySelector("select#lang").value`, &before)
	tb.run(t, waitShort, "press ArrowDown", chromedp.KeyEvent(kb.ArrowDown))
	tb.eval(t, `document.querySelector("select#lang").value`, &after)
	if before == after {
		tb.fail(t, "ArrowDown on select#lang left it at %q: the key did not reach it", before)
	}
	if got := tb.text(t, "button#sign-out"); got != english {
		tb.fail(t, "ArrowDown on select#lang switched the interface (button#sign-out reads %q)", got)
	}
	tb.run(t, waitShort, "press Enter", chromedp.KeyEvent(kb.Enter))
	tb.run(t, waitShort, "wait for the interface to switch",
		chromedp.Poll(fmt.Sprintf(`document.querySelector("button#sign-out").textContent.trim() !== %q`, english), nil))
	var lang string
	tb.eval(t, `document.documentElement.lang`, &lang)
	if lang != after {
		tb.fail(t, "after Enter the document's lang is %q, want %q", lang, after)
	}
	tb.eval(t, `(function(){ var s = document.querySelector("select#lang"); s.value = "en";
		s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, nil)
	tb.run(t, waitShort, "wait for English again",
		chromedp.Poll(fmt.Sprintf(`document.querySelector("button#sign-out").textContent.trim() === %q`, english), nil))
}

// keyboardConfirm opens "Sign out everywhere" with the keyboard: the
// dialog takes the focus, Escape closes it without signing out, and the
// focus returns to the button.
func (tb *tab) keyboardConfirm(t *testing.T) {
	t.Helper()
	tb.run(t, waitShort, "focus button#sign-out-all", chromedp.Focus("button#sign-out-all", chromedp.ByQuery))
	tb.run(t, waitShort, "press Enter", chromedp.KeyEvent(kb.Enter))
	tb.run(t, waitShort, "wait for the focus in the dialog",
		chromedp.Poll(`!!document.querySelector("dialog#confirm-dialog[open]") && document.querySelector("dialog#confirm-dialog").contains(document.activeElement)`, nil))
	tb.shot(t, "a11y-confirm-sign-out-all")
	tb.run(t, waitShort, "press Escape", chromedp.KeyEvent(kb.Escape))
	tb.run(t, waitShort, "wait for the dialog to close", chromedp.WaitNotPresent("dialog#confirm-dialog[open]", chromedp.ByQuery))
	tb.expectFocus(t, "sign-out-all")
	tb.waitState(t, "signed-in")
}

// TestLoader checks the app's own loading state where go-app's would say
// "TypeError: Failed to fetch": when app.wasm cannot be loaded, the page shows
// the failure in the language the user chose before, with Try again
// (focused), and passes axe-core; once the file is reachable again, Try
// again loads the dashboard.
func TestLoader(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	// Its own recorder: the failed download is an expected console error.
	tb := h.newBrowserContextWith(t, newRecorder(), "loader")
	tb.navigate(t, "/")
	tb.eval(t, `localStorage.setItem("authbridge.lang", JSON.stringify("ko")), true`, nil)

	// app.wasm "cannot be downloaded": before app.js runs, WebAssembly's
	// loaders fail as fetch does offline.
	var failing page.ScriptIdentifier
	tb.run(t, waitShort, "make the wasm download fail", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		failing, err = page.AddScriptToEvaluateOnNewDocument(`(function () {
			var fail = function () { return Promise.reject(new TypeError("Failed to fetch")); };
			WebAssembly.instantiateStreaming = fail; WebAssembly.instantiate = fail; })();`).Do(ctx)
		return err
	}))
	tb.run(t, waitLong, "reload", chromedp.Navigate(h.origin+"/"))
	tb.run(t, waitLong, "wait for Try again", chromedp.Poll(`!!document.querySelector("#app-wasm-loader #loader-retry")`, nil))
	var got struct{ Lang, Label string }
	tb.eval(t, `({Lang: document.documentElement.lang, Label: document.getElementById("app-wasm-loader-label").textContent})`, &got)
	if got.Lang != "ko" || !strings.Contains(got.Label, "AuthBridge") || strings.Contains(got.Label, "TypeError") {
		tb.fail(t, "the failed download reads %q in %q; want the Korean message", got.Label, got.Lang)
	}
	tb.expectFocus(t, "loader-retry")
	tb.screenshotAndCheck(t, "loader-failed-ko")

	tb.run(t, waitShort, "let the wasm load again", page.RemoveScriptToEvaluateOnNewDocument(failing))
	tb.click(t, "#loader-retry")
	tb.waitReady(t)
	if lang := tb.attr(t, "html", "lang"); lang != "ko" {
		tb.fail(t, "after Try again the dashboard is in %q, want ko", lang)
	}
}

// screenshotAndCheck is shot for a page that is not the ready dashboard
// (shot checks only that).
func (tb *tab) screenshotAndCheck(t *testing.T, name string) {
	t.Helper()
	tb.shot(t, name)
	tb.checkA11y(t, name)
}
