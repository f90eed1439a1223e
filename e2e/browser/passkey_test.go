package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// passkeyUser is the devidp user of TestPasskey, in a database of its
// own (passkeyOrigin), so no other test meets its passkeys.
const passkeyUser = "alice"

// TestPasskey drives passkeys through the dashboard with Chromium's
// virtual authenticator: sign in with Google, add a passkey, sign out,
// sign in with it, rename it, remove it; then the last-method rule (a
// user whose only way to sign in is a passkey cannot remove it); and no
// token in any URL or in storage throughout.
//
// The harness serves the dashboard at http://127.0.0.1:<port>, where
// passkeys are off (browsers refuse an IP address as a relying-party
// id). Rather than move every test to localhost (the devidp is on
// localhost to be another site, as Google is), this test has its own
// origin, http://localhost:<port>: a small front server with the same
// built site and its own replica (frontend origin and public URL on
// localhost, its own database); the devidp's Google button, which needs
// no registered redirect, signs the user in there.
func TestPasskey(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	origin := h.passkeyOrigin(t)

	tb := h.newBrowserContext(t, "passkey")
	tb.run(t, waitLong, "load "+origin, chromedp.Navigate(origin+"/"))
	tb.waitReady(t)
	auth := tb.virtualAuthenticator(t)
	tb.waitState(t, "signed-out")
	tb.run(t, waitLong, "wait for Sign in with a passkey", chromedp.WaitVisible("#login-passkey", chromedp.ByQuery))
	tb.passkeyShot(t, "passkey-sign-in")

	tb.signInGoogle(t, passkeyUser)
	tb.expectUser(t, passkeyUser)
	tb.waitAccount(t, "google")

	// Add: the ceremony runs on the click, the row appears.
	first := tb.addPasskey(t)
	if n := tb.authenticatorCredentials(t, auth); n != 1 {
		tb.fail(t, "the virtual authenticator holds %d credentials after one was added, want 1", n)
	}
	tb.checkNoTokensAtRest(t)
	tb.passkeyShot(t, "passkey-added")

	// Sign out, sign in with it: no user name typed, no provider.
	tb.signOut(t)
	tb.click(t, "#login-passkey")
	tb.expectUser(t, passkeyUser)
	tb.checkNoTokensAtRest(t)

	// Rename, in the row's own form.
	tb.waitAccount(t, "passkey")
	tb.click(t, "#rename-passkey-"+first)
	field := "#passkey-name-" + first
	tb.run(t, waitShort, "wait for the name field", chromedp.WaitVisible(field, chromedp.ByQuery))
	var focused bool
	tb.eval(t, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, field), &focused)
	if !focused {
		tb.fail(t, "Rename did not move the focus to its field")
	}
	tb.passkeyShot(t, "passkey-rename-form")
	tb.eval(t, fmt.Sprintf(`(function(){ var el = document.querySelector(%q); el.value = "Work laptop";
  el.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, field), nil)
	tb.click(t, "#save-passkey-"+first)
	tb.waitAlert(t, "success", "done", waitShort)
	tb.run(t, waitShort, "wait for the new name", chromedp.Poll(fmt.Sprintf(
		`(document.querySelector('#accounts li[data-account=%q] .passkey-name') || {}).textContent === "Work laptop"`, first), nil,
		chromedp.WithPollingTimeout(waitShort)))
	tb.passkeyShot(t, "passkey-renamed")

	// Remove it (confirmed): Google is still there, so it may go.
	tb.click(t, "#remove-passkey-"+first)
	tb.run(t, waitShort, "wait for the confirmation", chromedp.WaitVisible("dialog#confirm-dialog[open] #confirm-ok", chromedp.ByQuery))
	tb.click(t, "dialog#confirm-dialog[open] #confirm-ok")
	tb.run(t, waitShort, "wait for the row to go", chromedp.Poll(fmt.Sprintf(
		`!document.querySelector('#accounts li[data-account=%q]')`, first), nil, chromedp.WithPollingTimeout(waitShort)))
	tb.expectFocus(t, "accounts-heading") // its Remove went with the row: not <body>

	// The last-method rule: a second passkey, then Google disconnected,
	// leaves the passkey as the only way in; its Remove is off and says
	// why. (Sign-up with a passkey alone is off here, as by default.)
	second := tb.addPasskey(t)
	tb.click(t, "#disconnect-google")
	tb.run(t, waitShort, "wait for the confirmation", chromedp.WaitVisible("dialog#confirm-dialog[open] #confirm-ok", chromedp.ByQuery))
	tb.click(t, "dialog#confirm-dialog[open] #confirm-ok")
	tb.run(t, waitShort, "wait for Google to go", chromedp.Poll(`!document.querySelector('#accounts li[data-provider="google"]')`, nil,
		chromedp.WithPollingTimeout(waitShort)))
	remove := "#remove-passkey-" + second
	var off bool
	tb.eval(t, fmt.Sprintf(`document.querySelector(%q).disabled`, remove), &off)
	if !off {
		tb.fail(t, "the only passkey's Remove is enabled")
	}
	if got := tb.attr(t, remove, "aria-describedby"); got != "last-method" {
		tb.fail(t, "the only passkey's Remove is described by %q, want last-method", got)
	}
	if got := tb.text(t, "#last-method"); got == "" {
		tb.fail(t, "no reason shown for the disabled Remove")
	}
	tb.passkeyShot(t, "passkey-last-method")

	// The user whose only method is that passkey signs in with it.
	tb.signOut(t)
	tb.click(t, "#login-passkey")
	tb.expectUser(t, passkeyUser)
	tb.checkNoTokensAtRest(t)

	t.Run("no token in any URL or storage", func(t *testing.T) { testNoTokenLeaks(t, h) })
	t.Run("no console error", func(t *testing.T) {
		for _, p := range h.rec.Problems() {
			if strings.HasPrefix(p.Target, "passkey") {
				t.Errorf("%s in %s: %s %s", p.Kind, p.Target, p.Text, p.URL)
			}
		}
	})
}

// passkeyShot is shot on this test's origin, which shot does not take
// for the dashboard: the screenshot, then axe-core and sideways
// scrolling (checkA11y).
func (tb *tab) passkeyShot(t *testing.T, name string) {
	t.Helper()
	tb.shot(t, name)
	tb.checkA11y(t, name)
}

// addPasskey clicks "Add a passkey" and answers the new row's id.
func (tb *tab) addPasskey(t *testing.T) string {
	t.Helper()
	before := tb.count(t, `#accounts li[data-kind="passkey"]`)
	tb.click(t, "#add-passkey")
	tb.waitAlert(t, "success", "done", waitLong)
	tb.run(t, waitShort, "wait for the new passkey's row", chromedp.Poll(fmt.Sprintf(
		`document.querySelectorAll('#accounts li[data-kind="passkey"]').length === %d`, before+1), nil, chromedp.WithPollingTimeout(waitShort)))
	var id string
	tb.eval(t, `Array.from(document.querySelectorAll('#accounts li[data-kind="passkey"]')).pop().getAttribute("data-account")`, &id)
	if id == "" {
		tb.fail(t, "the new passkey's row has no id")
	}
	return id
}

// virtualAuthenticator gives the tab Chromium's virtual authenticator: a
// platform authenticator (CTAP2, internal) that keeps discoverable
// credentials and verifies the user at once, with no browser dialog.
func (tb *tab) virtualAuthenticator(t *testing.T) webauthn.AuthenticatorID {
	t.Helper()
	var id webauthn.AuthenticatorID
	tb.run(t, waitShort, "add a virtual authenticator", webauthn.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		id, err = webauthn.AddVirtualAuthenticator(&webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport:      webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true,
			AutomaticPresenceSimulation: true,
		}).Do(ctx)
		return err
	}))
	return id
}

// authenticatorCredentials counts the credentials the authenticator holds.
func (tb *tab) authenticatorCredentials(t *testing.T, id webauthn.AuthenticatorID) int {
	t.Helper()
	var n int
	tb.run(t, waitShort, "read the virtual authenticator", chromedp.ActionFunc(func(ctx context.Context) error {
		creds, err := webauthn.GetCredentials(id).Do(ctx)
		n = len(creds)
		return err
	}))
	return n
}

// passkeyOrigin starts the passkey test's own origin: a replica whose
// frontend origin (the relying-party id's host) is localhost, with its
// own database, behind a front server on a loopback port that serves the
// built site and passes /api/ and the health checks to the replica, as
// nginx does. It answers http://localhost:<port>; everything stops when
// t ends.
func (h *harness) passkeyOrigin(t *testing.T) string {
	t.Helper()
	ports, err := freePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	frontAddr, replicaAddr := ports[0], ports[1]
	origin := "http://localhost:" + portOf(frontAddr)
	dbURL, err := h.createDatabase()
	if err != nil {
		t.Fatal(err)
	}
	// replicaEnv's later entries win (exec.Cmd keeps the last of a key).
	env := h.replicaEnv(replicaAddr, dbURL, "AUTHBRIDGE_PUBLIC_URL="+origin, "AUTHBRIDGE_FRONTEND_ORIGIN="+origin)
	p, err := h.spawn("replica-passkey", env, filepath.Join(h.work, "bin", "authbridge"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	if err := waitHTTP(p, "http://"+replicaAddr+"/readyz"); err != nil {
		t.Fatal(err)
	}

	api := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(&url.URL{Scheme: "http", Host: replicaAddr})
		pr.Out.Host = pr.In.Host // the replica sees the browser's host, as behind nginx
	}}
	site := http.FileServer(http.Dir(h.dist))
	srv := &http.Server{Addr: frontAddr, ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/readyz" || r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/.well-known/") {
				api.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Cache-Control", "no-cache")
			site.ServeHTTP(w, r)
		})}
	go srv.ListenAndServe()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	// Ready when the replica answers through it.
	for deadline := time.Now().Add(waitShort); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + frontAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the passkey front server did not answer /readyz within %s (last: %v)", waitShort, err)
		}
	}
	t.Logf("passkey origin %s → replica %s (its own database)", origin, replicaAddr)
	return origin
}
