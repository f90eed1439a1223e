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
