package browser

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authbridge/authbridge/shared"
)

// The operator scenario's people: devidp load users (verified
// load-N@load.test addresses) that no other test signs in as, so the
// order of the tests never matters.
const (
	adminUser  = "load-801" // an administrator: AUTHBRIDGE_ADMIN_EMAILS (harness)
	victimUser = "load-802" // disabled by the administrator
	leaverUser = "load-803" // deletes their own account
	plainUser  = "load-824" // no administrator: TestAdminFollowsUser
)

// TestAdmin is issue #15 in the browser: an administrator disables a user
// who is signed in in another browser, whose dashboard then signs out and
// says why; a user deletes their own account (confirmed in a dialog) and
// signing in again makes a new user; the audit trail shows both.
func TestAdmin(t *testing.T) {
	h := start(t)
	h.dashboard(t)

	victim := h.newBrowserContext(t, "admin-victim")
	victim.signInLoadUser(t, victimUser)

	admin := h.newBrowserContext(t, "admin")
	admin.signInLoadUser(t, adminUser)
	admin.run(t, waitLong, "wait for the Administration section", chromedp.WaitVisible("#admin", chromedp.ByQuery))
	if n := victim.count(t, "#admin"); n != 0 {
		victim.fail(t, "a user who is no administrator sees the Administration section")
	}

	victimID := admin.findUser(t, victimUser, "")
	t.Run("disable a signed-in user: their dashboard signs out and says why", func(t *testing.T) {
		admin.click(t, fmt.Sprintf("button#show-%s", victimID))
		admin.run(t, waitShort, "wait for the user's detail",
			chromedp.WaitVisible(fmt.Sprintf(`div#admin-user[data-user=%q][data-status="active"]`, victimID), chromedp.ByQuery))
		admin.expectFocus(t, "admin-user-heading")
		admin.click(t, "button#admin-disable")
		admin.expectDialog(t, "admin-dialog")
		admin.run(t, waitShort, "type a reason", chromedp.SendKeys("#admin-dialog-reason", "e2e: laptop stolen", chromedp.ByQuery))
		admin.click(t, "button#admin-dialog-ok")
		admin.waitAlert(t, "success", "done", waitShort)
		admin.run(t, waitShort, "wait for the user shown disabled",
			chromedp.WaitVisible(fmt.Sprintf(`div#admin-user[data-user=%q][data-status="disabled"] button#admin-enable`, victimID), chromedp.ByQuery))
		admin.expectFocus(t, "admin-user-heading") // Disable, pressed, became Enable: not <body>
		admin.shot(t, "admin-user-disabled")

		// The other browser holds a valid access token; its next call or
		// refresh (due within the token's life) meets account_disabled.
		disabled := time.Now()
		victim.waitState(t, "signed-out")
		victim.waitAlert(t, "error", string(shared.CodeAccountDisabled), accessTTL+waitShort)
		if got := victim.text(t, "#alert .alert-text"); !strings.Contains(got, "disabled") {
			victim.fail(t, "the signed-out dashboard says %q, not why", got)
		}
		t.Logf("the disabled user's dashboard signed out %s after the disable", time.Since(disabled).Round(time.Second))
		victim.shot(t, "admin-victim-signed-out")
	})

	leaver := h.newBrowserContext(t, "admin-leaver")
	leaver.signInLoadUser(t, leaverUser)
	leaverID := admin.findUser(t, leaverUser, "")
	t.Run("delete my account: confirmed, signed out, a new user after signing in again", func(t *testing.T) {
		leaver.click(t, "button#delete-account")
		leaver.expectDialog(t, "delete-me-dialog")
		leaver.run(t, waitShort, "press Escape", chromedp.KeyEvent(kb.Escape))
		leaver.run(t, waitShort, "wait for the dialog to close",
			chromedp.Poll(`!document.querySelector("dialog#delete-me-dialog[open]")`, nil))
		leaver.expectFocus(t, "delete-account") // back where it was
		leaver.waitState(t, "signed-in")        // Escape deleted nothing

		leaver.click(t, "button#delete-account")
		leaver.expectDialog(t, "delete-me-dialog")
		leaver.click(t, "button#delete-me-dialog-ok")
		leaver.waitState(t, "signed-out")
		leaver.waitAlert(t, "info", "done", waitShort)
		if got := leaver.text(t, "#alert .alert-text"); !strings.Contains(got, "deleted") {
			leaver.fail(t, "after the deletion the dashboard says %q", got)
		}
		leaver.shot(t, "admin-leaver-deleted")

		leaver.signInLoadUser(t, leaverUser)
		admin.findUser(t, leaverUser, leaverID) // a new id
	})

	t.Run("the audit trail shows both", func(t *testing.T) {
		admin.click(t, "button#admin-refresh")
		for _, sel := range []string{
			fmt.Sprintf(`#admin-events tr[data-action="user.disable"][data-target=%q]`, victimID),
			fmt.Sprintf(`#admin-events tr[data-action="user.delete"][data-actor=%q][data-target=%q]`, leaverID, leaverID),
		} {
			admin.run(t, waitShort, "wait for "+sel, chromedp.WaitReady(sel, chromedp.ByQuery))
		}
		admin.shot(t, "admin-audit-trail") // and axe-core
	})
}

// TestAdminFollowsUser: the Administration section follows the tab's
// user without a reload. An administrator signs in and sees it; signs
// out; a user who is no administrator signs in in the same tab and sees
// neither the section nor any row the administrator had loaded; signs
// out; the administrator signs in again and the section is back.
func TestAdminFollowsUser(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	tb := h.newBrowserContext(t, "admin-follows")
	tb.signInLoadUser(t, adminUser)
	marker := tb.setMarker(t)
	adminRows := `#admin #admin-users tr[data-user]`
	tb.run(t, waitLong, "wait for the administrator's users table", chromedp.WaitVisible(adminRows, chromedp.ByQuery))
	var seen []string // the addresses the administrator's table listed
	tb.eval(t, `Array.prototype.map.call(document.querySelectorAll("#admin-users tr[data-email]"), function (r) { return r.dataset.email; })`, &seen)
	if len(seen) == 0 {
		tb.fail(t, "the administrator's users table lists no address")
	}
	tb.signOutSettled(t)
	tb.run(t, waitShort, "wait for the Administration section to go", chromedp.WaitNotPresent("#admin", chromedp.ByQuery))

	_, from := h.router.Hits(0)
	tb.signInGoogle(t, plainUser)
	tb.waitState(t, "signed-in")
	if got, want := tb.text(t, "#user-name"), loadName(plainUser); got != want {
		tb.fail(t, "#user-name = %q, want %q", got, want)
	}
	tb.waitMe(t, from)
	tb.run(t, waitShort, "wait for the sessions", chromedp.WaitReady(`#sessions li[data-current="true"]`, chromedp.ByQuery))
	if n := tb.count(t, "#admin, #admin-users, #admin-events, #admin-user"); n != 0 {
		tb.fail(t, "a user who is no administrator, signed in after one in the same tab, sees %d Administration elements", n)
	}
	// A page that still holds an address of the administrator's table
	// (but the user's own) kept what the earlier user had loaded.
	var html string
	tb.eval(t, `document.body.innerHTML`, &html)
	for _, email := range seen {
		if email != plainUser+"@load.test" && strings.Contains(html, email) {
			tb.fail(t, "the page of a user who is no administrator still holds %s from the administrator's table", email)
		}
	}
	tb.shot(t, "admin-follows-plain-user")
	tb.signOutSettled(t)

	// And back: the administrator's fresh sign-in shows the section.
	tb.signInGoogle(t, adminUser)
	tb.waitState(t, "signed-in")
	tb.run(t, waitLong, "wait for the Administration section after the sign-in", chromedp.WaitVisible(adminRows, chromedp.ByQuery))
	tb.checkMarker(t, marker)
	tb.shot(t, "admin-follows-admin-again")
}

// signOutSettled signs out and waits for what the signed-out page adds
// above and below the Google button (the message, the last-used hint):
// a click computed before they appear lands beside the button.
func (tb *tab) signOutSettled(t *testing.T) {
	t.Helper()
	tb.signOut(t)
	tb.waitAlert(t, "info", "done", waitShort)
	tb.run(t, waitShort, "wait for the last-used hint", chromedp.WaitVisible("#last-used-google", chromedp.ByQuery))
}

// waitMe waits until a replica has answered a GET /api/me since index
// from of the router's log (the Administration section's check).
func (tb *tab) waitMe(t *testing.T, from int) {
	t.Helper()
	deadline := time.Now().Add(waitShort)
	for {
		hits, _ := tb.h.router.Hits(from)
		for _, x := range hits {
			if x.Method == "GET" && x.URI == "/api/me" && x.Status == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.fail(t, "no GET /api/me answered 200 within %s of the sign-in", waitShort)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signInLoadUser opens the dashboard and signs in as the devidp load user
// with the Google button.
func (tb *tab) signInLoadUser(t *testing.T, user string) {
	t.Helper()
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")
	tb.signInGoogle(t, user)
	tb.waitState(t, "signed-in")
	if got, want := tb.text(t, "#user-name"), "Load "+strings.TrimPrefix(user, "load-"); got != want {
		tb.fail(t, "#user-name = %q, want %q", got, want)
	}
}

// findUser searches the Administration's users table for user's address
// and answers the user id of the one row it lists, once that is not
// unlike ("": any).
func (tb *tab) findUser(t *testing.T, user, unlike string) string {
	t.Helper()
	email := user + "@load.test"
	tb.run(t, waitShort, "search for "+email,
		chromedp.SetValue("#admin-query", email, chromedp.ByQuery),
		chromedp.Click("button#admin-search-go", chromedp.ByQuery, chromedp.NodeVisible))
	row := fmt.Sprintf(`#admin-users tr[data-email=%q]:not([data-user=%q])`, email, unlike)
	tb.run(t, waitShort, "wait for the one row "+row, chromedp.Poll(fmt.Sprintf(
		`document.querySelectorAll("#admin-users tr[data-user]").length === 1 && !!document.querySelector(%q)`, row), nil))
	return tb.attr(t, row, "data-user")
}

// expectDialog waits for the modal dialog id, open with the focus inside.
func (tb *tab) expectDialog(t *testing.T, id string) {
	t.Helper()
	tb.run(t, waitShort, "wait for the dialog #"+id+" with the focus in it",
		chromedp.Poll(fmt.Sprintf(`!!document.querySelector("dialog#%s[open]") && document.querySelector("dialog#%s").contains(document.activeElement)`, id, id), nil))
}
