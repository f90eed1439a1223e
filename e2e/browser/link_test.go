package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// linkUser is the devidp user of this scenario only (frank@example.net,
// verified): no other test signs in as him, so the accounts it links
// change nothing another scenario sees.
const linkUser = "frank"

func init() { userNames[linkUser] = "Frank Linker" }

// TestLink is "proof, then link" (#18 item 3) end to end: frank signs up
// with GitHub, signs out, tries Discord (the same verified email) and is
// refused as duplicate_email with the offer; he signs in with GitHub from
// the offer, confirms in the dialog, and the accounts card lists Discord;
// Discord alone then signs in to the same user.
func TestLink(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	tb := h.newBrowserContext(t, "link")
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")

	tb.popupFlow(t, "button#login-github", linkUser)
	tb.expectUser(t, linkUser)
	tb.waitAccount(t, "github")
	tb.signOut(t)

	// Discord with the same verified email: refused, with the offer.
	tb.popupFlow(t, "button#login-discord", linkUser)
	tb.run(t, waitLong, "wait for the link offer", chromedp.WaitVisible("#link-offer", chromedp.ByQuery))
	offer := tb.text(t, "#link-offer-text")
	for _, name := range []string{"GitHub", "Discord"} {
		if !strings.Contains(offer, name) {
			tb.fail(t, "the offer %q does not name %s", offer, name)
		}
	}
	if n := tb.count(t, "#link-offer button#link-signin-github"); n != 1 {
		tb.fail(t, "the offer has %d GitHub buttons, want 1", n)
	}
	tb.shot(t, "link-offer")

	// Proof: sign in with GitHub from the offer. Nothing is linked yet;
	// the dialog asks.
	tb.popupFlow(t, "button#link-signin-github", linkUser)
	tb.expectUser(t, linkUser)
	tb.run(t, waitLong, "wait for the link dialog", chromedp.WaitVisible("dialog#link-dialog[open] #link-confirm", chromedp.ByQuery))
	title := tb.text(t, "#link-title")
	if !strings.Contains(title, "Discord") || !strings.Contains(title, "frank@example.net") {
		tb.fail(t, "dialog title %q does not name Discord and the email", title)
	}
	var focusInside bool
	tb.eval(t, `document.getElementById("link-dialog").contains(document.activeElement)`, &focusInside)
	if !focusInside {
		tb.fail(t, "the focus did not move into the link dialog")
	}
	if got := tb.attr(t, "#link-dialog", "aria-labelledby"); got != "link-title" {
		tb.fail(t, "the link dialog is labelled by %q", got)
	}
	tb.waitAccount(t, "github")
	if n := tb.count(t, `#accounts li[data-provider="discord"]`); n != 0 {
		tb.fail(t, "Discord is linked before the confirmation")
	}
	tb.shot(t, "link-dialog")

	tb.click(t, "dialog#link-dialog[open] #link-confirm")
	tb.run(t, waitShort, "wait for the dialog to close", chromedp.WaitNotPresent("dialog#link-dialog[open]", chromedp.ByQuery))
	tb.waitAccount(t, "discord")
	tb.shot(t, "linked-discord")

	// Discord alone now signs in to the same user.
	tb.signOut(t)
	tb.popupFlow(t, "button#login-discord", linkUser)
	tb.expectUser(t, linkUser)
	tb.waitAccount(t, "github")
	tb.waitAccount(t, "discord")
}
