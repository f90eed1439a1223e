package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// refreshCookie is the backend's HttpOnly refresh cookie.
const refreshCookie = "__Host-authbridge_refresh"

// Timeouts of waits (never assertions on durations).
const (
	waitShort = 10 * time.Second
	waitLong  = 30 * time.Second
)

// chrome is one headless Chromium for the whole run.
type chrome struct {
	h       *harness
	root    context.Context // the browser's first tab
	cancel  func()
	shots   atomic.Int32
	logFile *os.File
}

func startChrome(h *harness) (*chrome, error) {
	logFile, err := os.Create(filepath.Join(h.artifacts, "chromium.log"))
	if err != nil {
		return nil, fmt.Errorf("chromium log: %w", err)
	}
	profile := filepath.Join(h.work, "chrome-profile")
	// Not chromedp's defaults: they include disable-popup-blocking, and
	// the blocked-popup path must be real.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(h.req.chrome),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		// An opener behind its popup keeps its timers (popup.closed polling,
		// silent refresh) running at full speed, as a visible tab would.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.CombinedOutput(logFile),
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	logf := func(format string, args ...any) { fmt.Fprintf(logFile, "chromedp: "+format+"\n", args...) }
	root, rootCancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	c := &chrome{h: h, root: root, logFile: logFile}
	c.cancel = func() {
		ctx, cancel := context.WithTimeout(root, 5*time.Second)
		defer cancel()
		chromedp.Cancel(ctx)
		rootCancel()
		allocCancel()
		logFile.Close()
	}
	h.onStop(c.cancel)
	chromedp.ListenBrowser(root, h.rec.browserEvent)
	// No timeout on the first Run: it would stop the browser it starts.
	if err := chromedp.Run(root); err != nil {
		return nil, fmt.Errorf("start Chromium: %w (log: %s)", err, logFile.Name())
	}
	return c, nil
}

// tab is one page the suite drives: a tab or a popup.
type tab struct {
	h      *harness
	ctx    context.Context
	cancel context.CancelFunc
	label  string
	bc     cdp.BrowserContextID
	rec    *recorder // the tab's popups report to it too
}

// newBrowserContext opens a tab in a new browser context: its own cookie
// jar and storage, like a separate browser profile.
func (h *harness) newBrowserContext(t *testing.T, label string) *tab {
	t.Helper()
	return h.newBrowserContextWith(t, h.rec, label)
}

// newBrowserContextWith is newBrowserContext reporting to rec.
func (h *harness) newBrowserContextWith(t *testing.T, rec *recorder, label string) *tab {
	t.Helper()
	var bc cdp.BrowserContextID
	if err := h.browserAction(func(ctx context.Context) error {
		var err error
		bc, err = target.CreateBrowserContext().WithDisposeOnDetach(true).Do(ctx)
		return err
	}); err != nil {
		t.Fatalf("new browser context for %s: %v", label, err)
	}
	t.Cleanup(func() {
		_ = h.browserAction(func(ctx context.Context) error { return target.DisposeBrowserContext(bc).Do(ctx) })
	})
	return h.newPage(t, rec, bc, label)
}

// newTab opens another tab in the same browser context as tb.
func (tb *tab) newTab(t *testing.T, label string) *tab {
	t.Helper()
	return tb.h.newPage(t, tb.rec, tb.bc, label)
}

// newPage opens a window in browser context bc. (chromedp's own
// WithNewBrowserContext fails in this headless Chromium: "Failed to open
// new tab - no browser is open"; a new window works.)
func (h *harness) newPage(t *testing.T, rec *recorder, bc cdp.BrowserContextID, label string) *tab {
	t.Helper()
	var id target.ID
	if err := h.browserAction(func(ctx context.Context) error {
		var err error
		id, err = target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(ctx)
		return err
	}); err != nil {
		t.Fatalf("open a page for %s: %v", label, err)
	}
	ctx, cancel := chromedp.NewContext(h.chrome.root, chromedp.WithTargetID(id))
	return h.attach(t, &tab{h: h, ctx: ctx, cancel: cancel, label: label, bc: bc, rec: rec})
}

// browserAction runs f with the browser (not a page) as executor.
func (h *harness) browserAction(f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(h.chrome.root, waitShort)
	defer cancel()
	return chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		return f(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser))
	}))
}

// attach starts recording tb (before its first action) and closes it
// when t ends.
func (h *harness) attach(t *testing.T, tb *tab) *tab {
	t.Helper()
	t.Cleanup(tb.cancel)
	if err := tb.rec.attach(tb.ctx, tb.label); err != nil {
		t.Fatalf("attach to %s: %v", tb.label, err)
	}
	return tb
}

// run runs actions with a timeout and fails t with the page's state.
func (tb *tab) run(t *testing.T, timeout time.Duration, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := tb.try(timeout, actions...); err != nil {
		tb.fail(t, "%s: %v", what, err)
	}
}

func (tb *tab) try(timeout time.Duration, actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(tb.ctx, timeout)
	defer cancel()
	err := chromedp.Run(ctx, actions...)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("not within %s", timeout)
	}
	return err
}

// fail stops t with what the page shows and a screenshot.
func (tb *tab) fail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	var state string
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
	defer cancel()
	_ = chromedp.Run(ctx, chromedp.Evaluate(`(function(){
  var a = document.querySelector("main#app"), al = document.getElementById("alert");
  return location.href.replace(/#.*/, "#…") + " | main#app " + (a ? "state=" + a.getAttribute("data-state") + " ready=" + a.getAttribute("data-ready") : "absent") +
    " | #alert " + (al ? al.getAttribute("data-kind") + "/" + al.getAttribute("data-code") + " " + JSON.stringify(al.textContent.slice(0, 200)) : "absent");
})()`, &state))
	shot := tb.h.chrome.screenshot(ctx, "FAIL-"+tb.label)
	t.Fatalf("%s: %s\n  page: %s\n  screenshot: %s", tb.label, msg, state, shot)
}

// shot saves a screenshot of a key state and, on the dashboard, checks
// the state with axe-core and for sideways scrolling (checkA11y).
func (tb *tab) shot(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitShort)
	defer cancel()
	if p := tb.h.chrome.screenshot(ctx, name); strings.HasPrefix(p, "(") {
		t.Logf("screenshot %s: %s", name, p)
	}
	if tb.isDashboard() {
		tb.checkA11y(t, name)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func (c *chrome) screenshot(ctx context.Context, name string) string {
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.CaptureScreenshot(&buf)); err != nil {
		return "(no screenshot: " + err.Error() + ")"
	}
	n := c.shots.Add(1)
	path := filepath.Join(c.h.artifacts, fmt.Sprintf("%02d-%s.png", n, unsafeName.ReplaceAllString(name, "_")))
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return "(no screenshot: " + err.Error() + ")"
	}
	return path
}

// navigate loads the dashboard and waits until it is interactive; the time
// from navigation to main#app[data-ready="1"] is printed and kept.
func (tb *tab) navigate(t *testing.T, path string) time.Duration {
	t.Helper()
	start := time.Now()
	tb.run(t, waitLong, "load "+path, chromedp.Navigate(tb.h.origin+path))
	tb.waitReady(t)
	d := time.Since(start)
	tb.h.readyMu.Lock()
	tb.h.readyTimes = append(tb.h.readyTimes, d)
	tb.h.readyMu.Unlock()
	t.Logf("%s: %s → main#app[data-ready=\"1\"] in %s", tb.label, path, d.Round(time.Millisecond))
	return d
}

func (tb *tab) waitReady(t *testing.T) {
	t.Helper()
	tb.run(t, waitLong, `wait for main#app[data-ready="1"]`, chromedp.WaitReady(`main#app[data-ready="1"]`, chromedp.ByQuery))
}

// waitState waits for main#app[data-state=state].
func (tb *tab) waitState(t *testing.T, state string) {
	t.Helper()
	sel := fmt.Sprintf(`main#app[data-state=%q]`, state)
	tb.run(t, waitLong, "wait for "+sel, chromedp.WaitReady(sel, chromedp.ByQuery))
}

// waitAlert waits for #alert with the code and checks its kind.
func (tb *tab) waitAlert(t *testing.T, kind, code string, timeout time.Duration) {
	t.Helper()
	sel := fmt.Sprintf(`#alert[data-code=%q]`, code)
	tb.run(t, timeout, "wait for "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery))
	if got := tb.attr(t, "#alert", "data-kind"); got != kind {
		tb.fail(t, "#alert data-code=%s has data-kind=%q, want %q", code, got, kind)
	}
}

func (tb *tab) text(t *testing.T, sel string) string {
	t.Helper()
	var s string
	tb.run(t, waitShort, "read "+sel, chromedp.TextContent(sel, &s, chromedp.ByQuery, chromedp.NodeReady))
	return strings.TrimSpace(s)
}

func (tb *tab) attr(t *testing.T, sel, name string) string {
	t.Helper()
	var v string
	var ok bool
	tb.run(t, waitShort, "read "+sel+" "+name, chromedp.AttributeValue(sel, name, &v, &ok, chromedp.ByQuery))
	return v
}

// eval evaluates a JavaScript expression into out.
func (tb *tab) eval(t *testing.T, js string, out any) {
	t.Helper()
	tb.run(t, waitShort, "evaluate "+firstLine(js), chromedp.Evaluate(js, out))
}

// count answers how many elements match sel now.
func (tb *tab) count(t *testing.T, sel string) int {
	t.Helper()
	var n int
	tb.eval(t, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n
}

// click is a real click (input events, so a user activation).
func (tb *tab) click(t *testing.T, sel string) {
	t.Helper()
	tb.run(t, waitLong, "click "+sel, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
}

// scriptClick clicks from script: no user activation, so window.open is
// blocked.
func (tb *tab) scriptClick(t *testing.T, sel string) {
	t.Helper()
	tb.run(t, waitLong, "wait for "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery))
	tb.eval(t, fmt.Sprintf(`document.querySelector(%q).click(), true`, sel), nil)
}

// clickForPopup clicks sel and attaches to the popup it opens once the
// popup shows the devidp. Attaching runs a script in the page; while the
// popup still goes about:blank → /api/auth/…/login → the provider, a
// navigation can destroy that script's context and fail the attach
// ("Inspected target navigated or closed"). At the provider's page it
// stays put until the user answers.
func (tb *tab) clickForPopup(t *testing.T, sel, label string) *tab {
	t.Helper()
	return tb.popupAfter(t, "clicking "+sel, func() { tb.click(t, sel) }, label)
}

// popupAfter does act (what, for the failure) and attaches to the popup it
// opens, once that is at the provider (see clickForPopup).
func (tb *tab) popupAfter(t *testing.T, what string, act func(), label string) *tab {
	t.Helper()
	atIDP := tb.h.idpURL + "/"
	ch := chromedp.WaitNewTarget(tb.ctx, func(info *target.Info) bool {
		return info.Type == "page" && strings.HasPrefix(info.URL, atIDP)
	})
	act()
	var id target.ID
	select {
	case id = <-ch:
	case <-time.After(waitShort):
		tb.fail(t, "%s opened no popup at %s within %s", what, atIDP, waitShort)
	}
	ctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(id))
	return tb.h.attach(t, &tab{h: tb.h, ctx: ctx, cancel: cancel, label: label, bc: tb.bc, rec: tb.rec})
}

// closed reports whether the page's target is gone.
func (tb *tab) closed() bool {
	c := chromedp.FromContext(tb.ctx)
	if c == nil || c.Target == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(tb.h.chrome.root, 2*time.Second)
	defer cancel()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		return false
	}
	for _, i := range infos {
		if i.TargetID == c.Target.TargetID {
			return false
		}
	}
	return true
}

// waitClosed waits until the popup has closed itself.
func (tb *tab) waitClosed(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(waitShort)
	for !tb.closed() {
		if time.Now().After(deadline) {
			tb.fail(t, "the popup did not close itself within %s", waitShort)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closeByUser closes the page as a user closing the window would.
func (tb *tab) closeByUser(t *testing.T) {
	t.Helper()
	if err := tb.try(waitShort, page.Close()); err != nil {
		t.Fatalf("close %s: %v", tb.label, err)
	}
}

// cookies answers the cookie jar of the tab's browser context for the
// nginx origin, and learns the refresh token from it.
func (tb *tab) cookies(t *testing.T) []*network.Cookie {
	t.Helper()
	var out []*network.Cookie
	tb.run(t, waitShort, "read the cookie jar", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		out, err = network.GetCookies().WithURLs([]string{tb.h.origin + "/"}).Do(ctx)
		return err
	}))
	for _, c := range out {
		if c.Name == refreshCookie && c.Value != "" {
			tb.h.rec.learnToken(c.Value, "refresh token (cookie jar)")
		}
	}
	return out
}

// checkNoTokensAtRest fails t when the page's localStorage,
// sessionStorage or document.cookie holds a token, and checks the refresh
// cookie's attributes in the jar.
func (tb *tab) checkNoTokensAtRest(t *testing.T) {
	t.Helper()
	jar := tb.cookies(t)
	for _, c := range jar {
		if c.Name != refreshCookie {
			continue
		}
		if !c.HTTPOnly || !c.Secure || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" || c.Domain != "127.0.0.1" {
			t.Errorf("%s: refresh cookie attributes: HttpOnly=%v Secure=%v SameSite=%s Path=%s Domain=%s; want HttpOnly, Secure, Strict, /, host-only",
				tb.label, c.HTTPOnly, c.Secure, c.SameSite, c.Path, c.Domain)
		}
	}
	var dump string
	tb.eval(t, `(function(){
  var o = {origin: location.origin, cookie: document.cookie, local: {}, session: {}};
  try { for (var i = 0; i < localStorage.length; i++) { var k = localStorage.key(i); o.local[k] = localStorage.getItem(k); } } catch (e) {}
  try { for (var i = 0; i < sessionStorage.length; i++) { var k = sessionStorage.key(i); o.session[k] = sessionStorage.getItem(k); } } catch (e) {}
  return JSON.stringify(o);
})()`, &dump)
	if where := leaks(dump, tb.h.rec.Tokens()); len(where) > 0 {
		t.Errorf("%s: storage or document.cookie holds %s", tb.label, strings.Join(where, ", "))
	}
	if strings.Contains(dump, refreshCookie) {
		t.Errorf("%s: document.cookie shows the refresh cookie; it must be HttpOnly", tb.label)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}
