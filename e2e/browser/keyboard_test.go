package browser

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// keyboardUsers are the devidp load users of TestKeyboard only, one per
// width: each signs in with Dev OIDC and connects GitHub, and no other test
// signs in as them, so no other scenario meets their email
// (duplicate_email) or their accounts.
var keyboardUsers = map[int64]string{1280: "load-811", 375: "load-814"}

// keyboardGoogleUsers are the devidp load users TestKeyboard signs in as
// with the Google button at the end, one per width; no other test signs
// in as them.
var keyboardGoogleUsers = map[int64]string{1280: "load-822", 375: "load-823"}

// TestKeyboard is issue #18's keyboard-only run, at a desktop's width and
// a phone's: sign in, connect, disconnect (its dialog: Escape cancels once,
// then Enter confirms), sign out another browser's session and sign out
// with key events only (Tab, Shift+Tab, Enter, Space, Escape, arrow keys
// dispatched as Input.dispatchKeyEvent: no click, no script click), the
// devidp's consent page in the popup included; then signs in again as
// another user with the Google button (the devidp's stand-in: its user
// picker by arrow keys, its button by Enter). At every stop of the focus on the dashboard
// the focused control has a visible ring (outline or box shadow) of 3:1 or
// more against the background around it. The Google button is on the way
// to the other providers. After connect, disconnect and the session's
// sign-out, whose buttons leave the page, the focus is on the card's
// heading (never <body>) and the polite live region says the result.
func TestKeyboard(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	for _, width := range []int64{1280, 375} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) { testKeyboard(t, h, width, keyboardUsers[width]) })
	}
}

func testKeyboard(t *testing.T, h *harness, width int64, user string) {
	tb := h.newBrowserContext(t, fmt.Sprintf("keyboard-%d", width))
	tb.run(t, waitShort, "set the viewport", chromedp.EmulateViewport(width, 900))
	tb.focusEmulation(t)
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")
	tb.run(t, waitLong, "wait for the Google button", chromedp.WaitVisible("#gis-button #gis-stub-button", chromedp.ByQuery))

	// Another browser signed in as the same user first (with the mouse: it
	// is only the session this tab will sign out).
	other := h.newBrowserContext(t, fmt.Sprintf("keyboard-%d-other", width))
	other.navigate(t, "/")
	other.waitState(t, "signed-out")
	p := other.openConsent(t, "button#login-"+oidcID)
	p.postAs(t, user)
	p.click(t, "button#user-alice")
	p.waitClosed(t)
	other.waitState(t, "signed-in")

	// Sign in with Dev OIDC: Tab to its button (past Google's), Enter; the
	// consent page by keyboard too.
	tb.tabTo(t, "button#gis-stub-button")
	tb.tabTo(t, "button#login-"+oidcID)
	tb.keyPopup(t, kb.Enter, user)
	tb.waitState(t, "signed-in")
	if got, want := tb.text(t, "#user-name"), loadName(user); got != want {
		tb.fail(t, "#user-name = %q, want %q", got, want)
	}
	tb.expectFocus(t, "user-name")
	tb.waitAccount(t, oidcID)
	tb.shot(t, fmt.Sprintf("keyboard-%d-signed-in", width))

	// Connect GitHub: Tab to its button, Space.
	tb.tabTo(t, "button#connect-github")
	tb.keyPopup(t, " ", user)
	tb.waitAccount(t, "github")
	tb.expectResult(t, "accounts-heading", "GitHub is now connected.")

	// Disconnect GitHub: Enter opens the dialog on Cancel; Escape closes
	// it and gives the focus back; Enter again, Tab to the confirmation,
	// Enter.
	tb.tabTo(t, "button#disconnect-github")
	tb.key(t, kb.Enter)
	tb.expectDialog(t, "confirm-dialog")
	tb.expectFocusRing(t, "button#confirm-cancel")
	tb.shot(t, fmt.Sprintf("keyboard-%d-confirm-disconnect", width))
	tb.key(t, kb.Escape)
	tb.run(t, waitShort, "wait for the dialog to close", chromedp.WaitNotPresent("dialog#confirm-dialog[open]", chromedp.ByQuery))
	tb.expectFocusRing(t, "button#disconnect-github")
	tb.waitAccount(t, "github") // Escape disconnected nothing
	tb.key(t, kb.Enter)
	tb.expectDialog(t, "confirm-dialog")
	tb.tabTo(t, "button#confirm-ok")
	tb.key(t, kb.Enter)
	tb.run(t, waitShort, "wait for GitHub to be disconnected",
		chromedp.WaitNotPresent(`#accounts li[data-provider="github"]`, chromedp.ByQuery))
	tb.waitAccount(t, oidcID)
	tb.expectResult(t, "accounts-heading", "GitHub was disconnected.")

	// Sign out the other browser's session: Tab to its button, Enter.
	otherRow := `#sessions li[data-current="false"]`
	// One browser, one system, one place: the two sessions' Sign out
	// buttons must still say which is which (their first-seen times).
	mine := tb.attr(t, `#sessions li[data-current="true"] button.revoke-session`, "aria-label")
	theirs := tb.attr(t, otherRow+" button.revoke-session", "aria-label")
	if mine == theirs {
		tb.fail(t, "both sessions' Sign out buttons are named %q", mine)
	}
	tb.tabTo(t, otherRow+" button.revoke-session")
	tb.key(t, kb.Enter)
	tb.run(t, waitShort, "wait for the other session to go", chromedp.WaitNotPresent(otherRow, chromedp.ByQuery))
	tb.expectResult(t, "sessions-heading", "That session was signed out.")
	tb.shot(t, fmt.Sprintf("keyboard-%d-session-signed-out", width))

	// Sign out: Shift+Tab back to "Sign out everywhere" (the user's card is
	// above), Shift+Tab again to "Sign out", Enter.
	tb.tabBackTo(t, "button#sign-out-all")
	tb.key(t, kb.Tab, chromedp.KeyModifiers(input.ModifierShift))
	tb.expectFocusRing(t, "button#sign-out")
	tb.key(t, kb.Enter)
	tb.waitState(t, "signed-out")
	tb.expectFocus(t, "signin-heading", "alert")
	tb.shot(t, fmt.Sprintf("keyboard-%d-signed-out", width))

	// Sign in with Google: Tab to the stand-in's user picker (past its
	// button), choose the user with ArrowDown, Shift+Tab back to the
	// button, Enter. Google's own button is one control that opens an
	// account chooser; the stand-in's picker plays the chooser.
	gUser := keyboardGoogleUsers[width]
	tb.run(t, waitLong, "wait for the Google button", chromedp.WaitVisible("#gis-button #gis-stub-button", chromedp.ByQuery))
	tb.addPickerUser(t, gUser)
	tb.tabTo(t, "select#gis-stub-user")
	tb.arrowTo(t, "select#gis-stub-user", gUser)
	tb.tabBackTo(t, "button#gis-stub-button")
	tb.key(t, kb.Enter)
	tb.waitState(t, "signed-in")
	if got, want := tb.text(t, "#user-name"), loadName(gUser); got != want {
		tb.fail(t, "after Enter on the Google button #user-name = %q, want %q", got, want)
	}
	tb.expectFocus(t, "user-name")
	tb.waitAccount(t, "google")
	tb.shot(t, fmt.Sprintf("keyboard-%d-google-signed-in", width))
}

// addPickerUser adds user, a load user the devidp's Google stand-in does
// not list, as the last choice of its user picker (as postAs does for the
// consent page); choosing it is left to the keyboard.
func (tb *tab) addPickerUser(t *testing.T, user string) {
	t.Helper()
	var ok bool
	tb.eval(t, fmt.Sprintf(`(function (id, label) {
		var s = document.querySelector("select#gis-stub-user");
		if (!s) { return false; }
		var o = document.createElement("option"); o.value = id; o.textContent = label; s.appendChild(o);
		return true; })(%q, %q)`, user, loadName(user)+" <"+user+"@load.test>"), &ok)
	if !ok {
		tb.fail(t, "the Google stand-in has no user picker (select#gis-stub-user)")
	}
}

// arrowTo presses ArrowDown on the focused select sel until value is
// chosen, checking the focus ring each time; it fails when the choices
// run out first.
func (tb *tab) arrowTo(t *testing.T, sel, value string) {
	t.Helper()
	var n int
	tb.eval(t, fmt.Sprintf(`document.querySelector(%q).options.length`, sel), &n)
	var got string
	for range n {
		tb.eval(t, fmt.Sprintf(`document.querySelector(%q).value`, sel), &got)
		if got == value {
			tb.expectFocusRing(t, sel)
			return
		}
		tb.key(t, kb.ArrowDown)
		tb.expectFocusRing(t, sel)
	}
	tb.eval(t, fmt.Sprintf(`document.querySelector(%q).value`, sel), &got)
	if got != value {
		tb.fail(t, "ArrowDown on %s stopped at %q, never at %q", sel, got, value)
	}
}

// loadName is the name the devidp gives a load user.
func loadName(user string) string { return "Load " + strings.TrimPrefix(user, "load-") }

// focusEmulation makes the page behave as the focused window whatever
// window the headless browser has in front (a popup), so :focus-visible
// and the focus rings apply as they do for a user.
func (tb *tab) focusEmulation(t *testing.T) {
	t.Helper()
	tb.run(t, waitShort, "emulate a focused page", emulation.SetFocusEmulationEnabled(true))
}

// key dispatches key as the keyboard would (keyDown, char, keyUp).
func (tb *tab) key(t *testing.T, key string, opts ...chromedp.KeyOption) {
	t.Helper()
	tb.run(t, waitShort, fmt.Sprintf("press %q", key), chromedp.KeyEvent(key, opts...))
}

// expectResult fails t unless, after an action whose control left the
// page, the focus is on the heading id (waiting for it) and the polite
// live region (the alert slot) says want.
func (tb *tab) expectResult(t *testing.T, id, want string) {
	t.Helper()
	tb.expectFocus(t, id)
	sel := `.alert-slot[role="status"][aria-live="polite"] #alert .alert-text`
	if got := tb.text(t, sel); got != want {
		tb.fail(t, "%s says %q, want %q", sel, got, want)
	}
}

// maxTabs bounds a walk of the focus to one control.
const maxTabs = 80

// tabTo presses Tab until the focus is on the element sel matches and, on
// the dashboard, checks the ring of every control the focus stops at on
// the way. It fails when sel is not reached in maxTabs presses.
func (tb *tab) tabTo(t *testing.T, sel string) {
	t.Helper()
	tb.walkTo(t, sel, "Tab")
}

// tabBackTo is tabTo with Shift+Tab.
func (tb *tab) tabBackTo(t *testing.T, sel string) {
	t.Helper()
	tb.walkTo(t, sel, "Shift+Tab", chromedp.KeyModifiers(input.ModifierShift))
}

func (tb *tab) walkTo(t *testing.T, sel, name string, opts ...chromedp.KeyOption) {
	t.Helper()
	dashboard := tb.isDashboard()
	var stops []string
	for range maxTabs {
		tb.key(t, kb.Tab, opts...)
		f := tb.focused(t, sel)
		stops = append(stops, f.Desc)
		if dashboard && f.Desc != "body" {
			if problem := f.ringProblem(); problem != "" {
				tb.fail(t, "%s towards %s stopped at %s: %s", name, sel, f.Desc, problem)
			}
		}
		if f.Match {
			t.Logf("%s: %s stops to %s: %s", tb.label, name, sel, strings.Join(stops, ", "))
			return
		}
	}
	tb.fail(t, "%d presses of %s did not reach %s; the focus stopped at: %s", maxTabs, name, sel, strings.Join(stops, ", "))
}

// expectFocusRing fails t unless sel has the focus (waiting for it) with
// a visible ring.
func (tb *tab) expectFocusRing(t *testing.T, sel string) {
	t.Helper()
	tb.run(t, waitShort, "wait for the focus on "+sel,
		chromedp.Poll(fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%q)`, sel), nil))
	if f := tb.focused(t, sel); f.ringProblem() != "" {
		tb.fail(t, "%s has the focus: %s", f.Desc, f.ringProblem())
	}
}

// focus is what focusedJS reports of document.activeElement.
type focus struct {
	Desc  string  // tag#id.class [aria-label or text]
	Match bool    // it matches the selector asked about
	Ring  string  // the ring's color ("": no outline or box shadow)
	Back  string  // the background around it
	Ratio float64 // the ring's contrast against Back
}

func (f focus) ringProblem() string {
	switch {
	case f.Ring == "":
		return "no visible focus ring (no outline, no box shadow)"
	case f.Ratio < 3:
		return fmt.Sprintf("the focus ring %s is %.2f:1 against %s, want at least 3:1", f.Ring, f.Ratio, f.Back)
	}
	return ""
}

func (tb *tab) focused(t *testing.T, sel string) focus {
	t.Helper()
	var f focus
	tb.eval(t, fmt.Sprintf(focusedJS, mustJSON(sel)), &f)
	return f
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// focusedJS describes document.activeElement and its focus ring: the
// outline's color (or a box shadow's first color) and the contrast ratio
// (WCAG's relative luminance) against the nearest background behind it
// (the ring sits outside the element, over its ancestors). Colors are read
// back through a canvas, so any CSS color form works.
const focusedJS = `(function (sel) {
  var el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return {Desc: "body", Match: false}; }
  var ctx = document.createElement("canvas").getContext("2d", {willReadFrequently: true});
  function rgba(c) {
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = "rgba(0,0,0,0)"; ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1);
    var d = ctx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255];
  }
  function lum(c) {
    var v = c.slice(0, 3).map(function (x) { x /= 255; return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  var label = el.getAttribute("aria-label") || (el.textContent || "").trim().slice(0, 40);
  var desc = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (label ? " [" + label + "]" : "");
  var cs = getComputedStyle(el), ring = "";
  if (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 1) {
    ring = cs.outlineColor;
  } else if (cs.boxShadow && cs.boxShadow !== "none") {
    var m = cs.boxShadow.match(/(rgba?|hsla?|color)\([^)]*\)|#[0-9a-fA-F]{3,8}/);
    ring = m ? m[0] : "";
  }
  var back = "rgb(255, 255, 255)";
  for (var p = el.parentElement; p; p = p.parentElement) {
    var b = getComputedStyle(p).backgroundColor;
    if (rgba(b)[3] > 0) { back = b; break; }
  }
  var out = {Desc: desc, Match: el.matches(sel), Ring: ring, Back: back, Ratio: 0};
  if (ring) {
    var r = rgba(ring), k = rgba(back);
    if (r[3] > 0) {
      // A translucent ring is seen blended over the background.
      var seen = [0, 1, 2].map(function (i) { return r[i] * r[3] + k[i] * (1 - r[3]); });
      var a = lum(seen), z = lum(k);
      out.Ratio = (Math.max(a, z) + 0.05) / (Math.min(a, z) + 0.05);
    }
  }
  return out;
})(%s)`

// keyPopup presses key on the focused button, which opens the sign-in
// popup, and answers the devidp's consent page there by keyboard as user
// (a devidp user not listed on the page: the first user's form is made to
// post user instead; the rest is Tab and Enter). The popup must then close
// itself.
func (tb *tab) keyPopup(t *testing.T, key, user string) {
	t.Helper()
	p := tb.popupAfter(t, fmt.Sprintf("pressing %q", key), func() { tb.key(t, key) }, tb.label+"-popup")
	p.run(t, waitLong, "wait for the devidp's consent page", chromedp.WaitVisible("#deny", chromedp.ByQuery))
	p.focusEmulation(t)
	p.postAs(t, user)
	p.tabTo(t, "button#user-alice")
	p.key(t, kb.Enter)
	p.waitClosed(t)
}

// postAs makes the consent page's first form (alice's) sign in as user,
// a load user the page does not list.
func (tb *tab) postAs(t *testing.T, user string) {
	t.Helper()
	var ok bool
	tb.eval(t, fmt.Sprintf(`(function () {
		var f = document.getElementById("user-alice").form.querySelector('input[name="user"]');
		if (!f) { return false; } f.value = %q; return true; })()`, user), &ok)
	if !ok {
		tb.fail(t, "the consent page has no user field in alice's form")
	}
}
