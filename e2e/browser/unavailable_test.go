package browser

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authbridge/authbridge/shared"
)

// unavailableUser is the devidp user of this scenario only.
const unavailableUser = "load-821"

func init() { userNames[unavailableUser] = "Load 821" }

// upstreamBlock is the rendered nginx configuration's list of replicas.
var upstreamBlock = regexp.MustCompile(`(?s)upstream authbridge \{.*?\}`)

// apiDown stops the API as nginx sees it: its configuration is reloaded
// with a dead upstream (a port nothing listens on), so every proxied
// request gets nginx's own 502, as when every replica has stopped. The
// replicas and the database keep their state; the function it answers
// (also run when t ends) reloads the configuration the harness wrote.
func (h *harness) apiDown(t *testing.T) (up func(*testing.T)) {
	t.Helper()
	conf := filepath.Join(h.work, "nginx", "nginx.conf")
	orig, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	down := upstreamBlock.ReplaceAll(orig, []byte("upstream authbridge {\n    server "+dead+";\n  }"))
	if string(down) == string(orig) {
		t.Fatalf("no upstream block in %s", conf)
	}
	restore := func(t *testing.T) {
		t.Helper()
		if cur, err := os.ReadFile(conf); err != nil || string(cur) == string(orig) {
			return
		}
		if err := os.WriteFile(conf, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := h.reloadNginx(); err != nil {
			t.Fatal(err)
		}
		h.waitReadyz(t, http.StatusOK)
	}
	t.Cleanup(func() { restore(t) })
	if err := os.WriteFile(conf, down, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.reloadNginx(); err != nil {
		t.Fatal(err)
	}
	h.waitReadyz(t, http.StatusBadGateway)
	return restore
}

// reloadNginx makes nginx read its configuration again (SIGHUP: new
// workers take new requests, the old ones finish theirs).
func (h *harness) reloadNginx() error {
	b, err := os.ReadFile(filepath.Join(h.work, "nginx", "nginx.pid"))
	if err != nil {
		return fmt.Errorf("nginx pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("nginx pid: %w", err)
	}
	return syscall.Kill(pid, syscall.SIGHUP)
}

// waitReadyz waits until /readyz through nginx answers status three times
// in a row (the reloaded workers have taken over).
func (h *harness) waitReadyz(t *testing.T, status int) {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	seen := 0
	for deadline := time.Now().Add(waitLong); seen < 3; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("/readyz through nginx did not answer %d", status)
		}
		resp, err := c.Get(h.origin + "/readyz")
		if err != nil {
			seen = 0
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == status {
			seen++
		} else {
			seen = 0
		}
	}
}

// answerAs picks a ready devidp user the consent page does not list (a
// load user) by sending its id from the first user's form.
func (tb *tab) answerAs(t *testing.T, user string) {
	t.Helper()
	tb.eval(t, fmt.Sprintf(`document.querySelector("#user-alice").form.querySelector("input[name=user]").value = %q, true`, user), nil)
	tb.click(t, "#user-alice")
}

// TestServerStoppedMidFlow is #18's "the server stopped mid-flow": a
// sign-in reaches the provider, the API stops, the user finishes at the
// provider: the popup shows the site's unavailable page (translated, Try
// again and Close) instead of nginx's, and the dashboard says
// "unavailable" with Try again; the API back, the popup's Try again
// finishes the sign-in. Then the API down at page load: the dashboard
// says so with Try again (no endless loading, no "no providers"), and
// once it is back Try again restores the session. Each new state passes
// axe-core at 375 and 1280 px.
func TestServerStoppedMidFlow(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	// Its own recorder: the 502s are expected console errors.
	rec := newRecorder()
	tb := h.newBrowserContextWith(t, rec, "unavailable")
	tb.navigate(t, "/")
	tb.eval(t, `localStorage.setItem("authbridge.lang", JSON.stringify("ko")), true`, nil)
	tb.navigate(t, "/")
	tb.waitState(t, "signed-out")

	both := func(tab *tab, name string) {
		t.Helper()
		for _, width := range []int64{375, 1280} {
			tab.run(t, waitShort, "set the viewport", chromedp.EmulateViewport(width, 800))
			tab.screenshotAndCheck(t, fmt.Sprintf("%s-%d", name, width))
		}
	}

	// Mid-flow: the popup is at the provider when the API stops.
	p := tb.openConsent(t, "button#login-"+oidcID)
	apiUp := h.apiDown(t)
	p.answerAs(t, unavailableUser)
	p.run(t, waitLong, "wait for the unavailable page", chromedp.WaitVisible("#unavailable-retry", chromedp.ByQuery))
	var page struct{ Lang, Text, Focus string }
	p.eval(t, `({Lang: document.documentElement.lang, Text: document.getElementById("unavailable-text").textContent,
		Focus: document.activeElement ? document.activeElement.id : ""})`, &page)
	if page.Lang != "ko" || page.Text == "" || strings.Contains(page.Text, "unavailable") || page.Focus != "unavailable-retry" {
		tb.fail(t, "the popup's page reads %q in %q, focus on %q; want the Korean message, Try again focused", page.Text, page.Lang, page.Focus)
	}
	if n := p.count(t, "#unavailable-close:not([hidden])"); n != 1 {
		tb.fail(t, "the popup's page offers no Close")
	}
	// The dashboard heard it: the same words, with Try again; the
	// popup's flow is still open for the popup's own Try again.
	tb.waitAlert(t, "error", string(shared.CodeUnavailable), waitShort)
	if got := tb.text(t, "#alert .alert-text"); got != page.Text {
		tb.fail(t, "the dashboard says %q, the popup %q; want the same words", got, page.Text)
	}
	if n := tb.count(t, "#alert #alert-retry"); n != 1 {
		tb.fail(t, "the unavailable message has no Try again")
	}
	both(p, "unavailable-popup")
	both(tb, "unavailable-mid-flow")

	apiUp(t)
	p.click(t, "#unavailable-retry")
	p.waitClosed(t)
	tb.expectUser(t, unavailableUser)

	// Down at page load, signed in: said, with Try again, never loading
	// for ever.
	apiUp = h.apiDown(t)
	tb.run(t, waitLong, "reload", chromedp.Navigate(h.origin+"/"))
	tb.waitReady(t)
	tb.waitAlert(t, "error", string(shared.CodeUnavailable), waitLong)
	if n := tb.count(t, "#alert #alert-retry"); n != 1 {
		tb.fail(t, "the unavailable message at load has no Try again")
	}
	if n := tb.count(t, "#no-providers"); n != 0 {
		tb.fail(t, "an unreachable API is shown as no providers configured")
	}
	tb.expectFocus(t, "alert")
	both(tb, "unavailable-at-load")

	apiUp(t)
	tb.click(t, "#alert-retry")
	tb.expectUser(t, unavailableUser)
	tb.run(t, waitShort, "wait for the message to go", chromedp.WaitNotPresent("#alert", chromedp.ByQuery))

	for _, pr := range rec.Problems() {
		if pr.Kind == kindCSP {
			t.Errorf("CSP violation on %s: %s %s", pr.Target, pr.Text, pr.URL)
		}
	}
}
