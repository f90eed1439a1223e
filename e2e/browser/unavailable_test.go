package browser

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/authbridge/authbridge/shared"
)

// pageCount is the number of pages the browser has open (tabs and popups).
func (tb *tab) pageCount(t *testing.T) int {
	t.Helper()
	infos, err := chromedp.Targets(tb.ctx)
	if err != nil {
		tb.fail(t, "list the targets: %v", err)
	}
	n := 0
	for _, i := range infos {
		if i.Type == "page" {
			n++
		}
	}
	return n
}

// unavailableUser is the devidp user of this scenario only.
const unavailableUser = "load-821"

// unavailableGoogleUser signs in with the Google button in this scenario
// only (unavailableUser's email is taken by its Dev OIDC account).
const unavailableGoogleUser = "load-825"

func init() {
	userNames[unavailableUser] = "Load 821"
	userNames[unavailableGoogleUser] = "Load 825"
}

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
// workers take new requests) and ends the old workers at once (SIGTERM):
// a gracefully ending worker keeps serving the browser's kept-alive
// connections with the old configuration, for as long as it stays.
func (h *harness) reloadNginx() error {
	b, err := os.ReadFile(filepath.Join(h.work, "nginx", "nginx.pid"))
	if err != nil {
		return fmt.Errorf("nginx pid: %w", err)
	}
	master, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("nginx pid: %w", err)
	}
	old := children(master)
	if err := syscall.Kill(master, syscall.SIGHUP); err != nil {
		return err
	}
	for deadline := time.Now().Add(waitLong); ; time.Sleep(50 * time.Millisecond) {
		now := children(master)
		started, running := false, false
		for _, pid := range now {
			if slices.Contains(old, pid) {
				running = true
				syscall.Kill(pid, syscall.SIGTERM)
			} else {
				started = true
			}
		}
		if started && !running {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nginx reload: workers %v, the old ones were %v", now, old)
		}
	}
}

// children are the processes whose parent is pid (from /proc).
func children(pid int) []int {
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			if child, err := strconv.Atoi(filepath.Base(filepath.Dir(st))); err == nil {
				out = append(out, child)
			}
		}
	}
	return out
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
// axe-core at 375 and 1280 px. Last, down when a sign-in starts: the
// popup shows the page at once; closed, the dashboard stops waiting and
// its Try again opens the provider once the API is back.
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

	// Down when a sign-in starts: the popup shows the page at once;
	// closed by the user, the dashboard stops waiting and keeps the
	// message, whose Try again (the API back) opens the provider again.
	tb.signOut(t)
	apiUp = h.apiDown(t)
	ch := chromedp.WaitNewTarget(tb.ctx, func(info *target.Info) bool {
		return info.Type == "page" && strings.HasPrefix(info.URL, h.origin+"/api/auth/")
	})
	tb.click(t, "button#login-"+oidcID)
	var id target.ID
	select {
	case id = <-ch:
	case <-time.After(waitShort):
		tb.fail(t, "no popup at the sign-in's start")
	}
	ctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(id))
	p = h.attach(t, &tab{h: h, ctx: ctx, cancel: cancel, label: "unavailable-start-popup", bc: tb.bc, rec: tb.rec})
	p.run(t, waitLong, "wait for the unavailable page", chromedp.WaitVisible("#unavailable-close", chromedp.ByQuery))
	tb.waitAlert(t, "error", string(shared.CodeUnavailable), waitShort)
	p.closeByUser(t)
	tb.run(t, waitShort, "wait for the waiting line to go", chromedp.WaitNotPresent("#waiting", chromedp.ByQuery))
	if got := tb.attr(t, "#alert", "data-code"); got != string(shared.CodeUnavailable) {
		tb.fail(t, "closing the popup replaced the unavailable message with %q", got)
	}
	apiUp(t)
	p = tb.openConsent(t, "#alert-retry")
	p.answerAs(t, unavailableUser)
	p.waitClosed(t)
	tb.expectUser(t, unavailableUser)

	// Down when the Google button's credential is sent: said with Try
	// again, which (the API back) redoes the Google sign-in (a fresh
	// nonce, the button drawn again), not the last popup's flow.
	tb.signOut(t)
	tb.run(t, waitLong, "wait for the Google button", chromedp.WaitVisible("#gis-button #gis-stub-button", chromedp.ByQuery))
	apiUp = h.apiDown(t)
	tb.signInGoogle(t, unavailableGoogleUser)
	tb.waitAlert(t, "error", string(shared.CodeUnavailable), waitShort)
	if n := tb.count(t, "#alert #alert-retry"); n != 1 {
		tb.fail(t, "the Google sign-in's unavailable message has no Try again")
	}
	if n := tb.count(t, "#gis-error"); n != 0 {
		tb.fail(t, "the Google button claims it could not be loaded while the message says why, with Try again")
	}
	both(tb, "unavailable-google")
	apiUp(t)
	pages := tb.pageCount(t)
	tb.click(t, "#alert-retry")
	tb.expectFocus(t, "signin-heading")
	tb.run(t, waitLong, "wait for the Google button again", chromedp.WaitVisible("#gis-button:not(.gis-stale) #gis-stub-button", chromedp.ByQuery))
	tb.signInGoogle(t, unavailableGoogleUser)
	tb.expectUser(t, unavailableGoogleUser)
	if n := tb.pageCount(t); n != pages {
		tb.fail(t, "Try again after the Google sign-in opened a popup (%d pages, %d before)", n, pages)
	}

	for _, pr := range rec.Problems() {
		if pr.Kind == kindCSP {
			t.Errorf("CSP violation on %s: %s %s", pr.Target, pr.Text, pr.URL)
		}
	}
}
