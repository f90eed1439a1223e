package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authbridge/authbridge/shared"
)

// browser is a cookie-jar client that stops at every redirect, so a test
// walks a flow one hop at a time like a browser would.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := *e.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{e: e, c: &c}
}

func (b *browser) do(method, u, body string, hdr map[string]string) (*http.Response, string) {
	b.e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func (b *browser) get(u string) (*http.Response, string) { return b.do("GET", u, "", nil) }

// post sends JSON from the frontend's origin, as the SPA does.
func (b *browser) post(path, body, bearer string) (*http.Response, string) {
	h := map[string]string{"Content-Type": "application/json", "Origin": b.e.cfg.FrontendOrigin}
	if bearer != "" {
		h["Authorization"] = "Bearer " + bearer
	}
	return b.do("POST", b.e.srv.URL+path, body, h)
}

func pkce(t testing.TB) (verifier, challenge string) {
	v := make([]byte, 32)
	rand.Read(v)
	verifier = base64.RawURLEncoding.EncodeToString(v)
	return verifier, oauth2.S256ChallengeFromVerifier(verifier)
}

// handoffData is the data block of the callback page.
type handoffData struct {
	Mode     string                `json:"mode"`
	Origin   string                `json:"origin"`
	Message  shared.HandoffMessage `json:"message"`
	Redirect string                `json:"redirect"`
}

var dataRE = regexp.MustCompile(`(?s)<script type="application/json" id="handoff">(.*?)</script>`)

func parseHandoff(t testing.TB, resp *http.Response, body string) handoffData {
	t.Helper()
	m := dataRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no handoff data in page (status %d): %s", resp.StatusCode, body)
	}
	var p handoffData
	if err := json.Unmarshal([]byte(m[1]), &p); err != nil {
		t.Fatal(err)
	}
	// The page carries the result; its status says 400 for a malformed
	// request and 503 (with Retry-After) for an outage, 200 otherwise.
	want, retryAfter := 200, ""
	if e := p.Message.Error; !p.Message.OK && e != nil {
		switch e.Code {
		case shared.CodeInvalidRequest:
			want = http.StatusBadRequest
		case shared.CodeUnavailable:
			want, retryAfter = http.StatusServiceUnavailable, "5"
		}
	}
	if resp.StatusCode != want || resp.Header.Get("Retry-After") != retryAfter {
		t.Fatalf("handoff page status %d, Retry-After %q; want %d, %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), want, retryAfter, body)
	}
	for _, h := range []string{"Cache-Control", "Referrer-Policy", "Content-Security-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Fatalf("callback page without %s", h)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("CSP = %q", resp.Header.Get("Content-Security-Policy"))
	}
	return p
}

// start runs /login and answers the provider's authorization URL.
func (b *browser) start(provider, query string) *url.URL {
	b.e.t.Helper()
	resp, body := b.get(b.e.srv.URL + "/api/auth/" + provider + "/login?" + query)
	if resp.StatusCode != http.StatusFound {
		b.e.t.Fatalf("login: status %d: %s", resp.StatusCode, body)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.e.t.Fatal(err)
	}
	return u
}

// authorize approves at the devidp as user (or "deny") and answers the
// callback URL it redirects to.
func (b *browser) authorize(authURL *url.URL, user string) string {
	b.e.t.Helper()
	q := authURL.Query()
	q.Set("login_hint", user)
	q.Set("prompt", "none")
	authURL.RawQuery = q.Encode()
	resp, body := b.get(authURL.String())
	if resp.StatusCode != http.StatusFound {
		b.e.t.Fatalf("authorize: status %d: %s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

// login runs a whole popup flow as user and answers the handoff page.
func (b *browser) login(provider, user, challenge string) handoffData {
	b.e.t.Helper()
	cb := b.authorize(b.start(provider, "challenge="+challenge), user)
	resp, body := b.get(cb)
	return parseHandoff(b.e.t, resp, body)
}

func (b *browser) exchange(code, verifier string) (*http.Response, string) {
	b.e.t.Helper()
	body, _ := json.Marshal(shared.ExchangeRequest{Code: code, Verifier: verifier})
	return b.post("/api/auth/exchange", string(body), "")
}

// signInAs runs a popup flow and the exchange; it answers the sign-in.
func (b *browser) signInAs(provider, user string) shared.SignInResponse {
	b.e.t.Helper()
	v, c := pkce(b.e.t)
	p := b.login(provider, user, c)
	if !p.Message.OK {
		b.e.t.Fatalf("%s as %s: %+v", provider, user, p.Message.Error)
	}
	resp, body := b.exchange(p.Message.Code, v)
	if resp.StatusCode != 200 {
		b.e.t.Fatalf("exchange: %d %s", resp.StatusCode, body)
	}
	return mustJSON[shared.SignInResponse](b.e.t, []byte(body))
}

func wantError(t testing.TB, p handoffData, code shared.ErrorCode) {
	t.Helper()
	if p.Message.OK || p.Message.Error == nil || p.Message.Error.Code != code || p.Message.Code != "" {
		t.Fatalf("handoff = %+v, want error %q", p.Message, code)
	}
}

func TestPopupFlowPerProvider(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		for _, prov := range []string{"dev", "google", "github", "discord"} {
			t.Run(prov, func(t *testing.T) {
				e := newEnv(t, engine, nil)
				b := e.browser()
				v, c := pkce(t)
				p := b.login(prov, "alice", c)
				if p.Mode != "popup" || p.Origin != e.cfg.FrontendOrigin || !p.Message.OK || p.Message.Code == "" ||
					p.Message.Type != shared.HandoffType || p.Message.Flow != c || p.Message.Process != "login" {
					t.Fatalf("handoff = %+v", p)
				}
				resp, body := b.exchange(p.Message.Code, v)
				if resp.StatusCode != 200 {
					t.Fatalf("exchange: %d %s", resp.StatusCode, body)
				}
				res := mustJSON[shared.SignInResponse](t, []byte(body))
				if !res.IsNew || res.User.Email != "alice@example.com" || !res.User.EmailVerified || res.AccessToken == "" || res.RefreshToken != "" {
					t.Fatalf("sign-in = %s", body)
				}
				if c := findCookie(resp, RefreshCookie); c == nil || !c.HttpOnly {
					t.Fatal("the browser exchange did not set the refresh cookie")
				}
				// The cookie refreshes; the second sign-in is not new.
				resp, body = b.post("/api/auth/token/refresh", "", "")
				if resp.StatusCode != 200 {
					t.Fatalf("refresh through the cookie: %d %s", resp.StatusCode, body)
				}
				if again := b.signInAs(prov, "alice"); again.IsNew || again.User.ID != res.User.ID {
					t.Fatalf("second sign-in = %+v", again)
				}
				_, body = b.do("GET", e.srv.URL+"/api/me/logins", "", map[string]string{"Authorization": "Bearer " + res.AccessToken})
				if l := mustJSON[shared.ListResponse[shared.LoginEvent]](t, []byte(body)); len(l.Items) != 2 || l.Items[0].Provider != prov {
					t.Fatalf("logins = %s", body)
				}
			})
		}
	})
}

func TestFlowErrors(t *testing.T) {
	tests := []struct {
		name  string
		extra map[string]string
		run   func(t *testing.T, e *env)
	}{
		{name: "provider denies", run: func(t *testing.T, e *env) {
			b := e.browser()
			_, c := pkce(t)
			wantError(t, b.login("github", "deny", c), shared.CodeAccessDenied)
		}},
		{name: "state replayed", run: func(t *testing.T, e *env) {
			b := e.browser()
			_, c := pkce(t)
			cb := b.authorize(b.start("dev", "challenge="+c), "alice")
			resp, body := b.get(cb)
			if p := parseHandoff(t, resp, body); !p.Message.OK {
				t.Fatalf("first callback: %+v", p.Message)
			}
			resp, body = b.get(cb)
			wantError(t, parseHandoff(t, resp, body), shared.CodeInvalidState)
		}},
		{name: "state missing", run: func(t *testing.T, e *env) {
			resp, body := e.browser().get(e.srv.URL + "/api/auth/dev/callback?code=x")
			wantError(t, parseHandoff(t, resp, body), shared.CodeInvalidState)
		}},
		{name: "state of another provider", run: func(t *testing.T, e *env) {
			b := e.browser()
			_, c := pkce(t)
			cb := b.authorize(b.start("github", "challenge="+c), "alice")
			resp, body := b.get(strings.Replace(cb, "/api/auth/github/callback", "/api/auth/discord/callback", 1))
			wantError(t, parseHandoff(t, resp, body), shared.CodeInvalidState)
		}},
		{name: "callback in another browser", run: func(t *testing.T, e *env) {
			_, c := pkce(t)
			a := e.browser()
			cb := a.authorize(a.start("dev", "challenge="+c), "alice")
			resp, body := e.browser().get(cb)
			wantError(t, parseHandoff(t, resp, body), shared.CodeInvalidState)
		}},
		{name: "plain challenge refused", run: func(t *testing.T, e *env) {
			resp, body := e.browser().get(e.srv.URL + "/api/auth/dev/login?challenge=short")
			wantError(t, parseHandoff(t, resp, body), shared.CodeInvalidRequest)
		}},
		{name: "hostile provider names", run: func(t *testing.T, e *env) {
			for _, name := range []string{"<script>alert(1)</script>", "'); DROP TABLE users; --"} {
				_, c := pkce(t)
				resp, body := e.browser().get(e.srv.URL + "/api/auth/" + url.PathEscape(name) + "/login?challenge=" + c)
				p := parseHandoff(t, resp, body)
				wantError(t, p, shared.CodeNotFound)
				if strings.Contains(body, "<script>alert") {
					t.Fatal("the provider name was reflected as HTML")
				}
			}
			if _, err := e.store.GetUser(context.Background(), "x"); err == nil || strings.Contains(err.Error(), "no such table") {
				t.Fatalf("users table: %v", err)
			}
		}},
		{name: "code replayed, wrong verifier spends it", run: func(t *testing.T, e *env) {
			b := e.browser()
			v, c := pkce(t)
			p := b.login("dev", "alice", c)
			resp, body := b.exchange(p.Message.Code, strings.Repeat("x", 43))
			expect(t, resp, []byte(body), 401, shared.CodeInvalidCredential)
			resp, body = b.exchange(p.Message.Code, v)
			expect(t, resp, []byte(body), 401, shared.CodeInvalidCredential)
		}},
		{name: "code expired", run: func(t *testing.T, e *env) {
			b := e.browser()
			v, c := pkce(t)
			p := b.login("dev", "alice", c)
			e.clock.Advance(61 * time.Second)
			resp, body := b.exchange(p.Message.Code, v)
			expect(t, resp, []byte(body), 401, shared.CodeInvalidCredential)
		}},
		{name: "two parallel redemptions: exactly one wins", run: func(t *testing.T, e *env) {
			b := e.browser()
			v, c := pkce(t)
			p := b.login("dev", "alice", c)
			var wg sync.WaitGroup
			codes := make(chan int, 2)
			for i := 0; i < 2; i++ {
				wg.Add(1)
				go func() { defer wg.Done(); resp, _ := b.exchange(p.Message.Code, v); codes <- resp.StatusCode }()
			}
			wg.Wait()
			close(codes)
			got := map[int]int{}
			for c := range codes {
				got[c]++
			}
			if got[200] != 1 || got[401] != 1 {
				t.Fatalf("parallel redemptions = %v", got)
			}
		}},
		{name: "duplicate email names the provider to use", run: func(t *testing.T, e *env) {
			e.browser().signInAs("github", "alice")
			_, c := pkce(t)
			p := e.browser().login("discord", "alice", c)
			wantError(t, p, shared.CodeDuplicateEmail)
			if !strings.Contains(p.Message.Error.Message, "GitHub (dev)") {
				t.Fatalf("message = %q", p.Message.Error.Message)
			}
		}},
		{name: "link_verified links", extra: map[string]string{"AUTHBRIDGE_EMAIL_CONFLICT": "link_verified"}, run: func(t *testing.T, e *env) {
			a := e.browser().signInAs("github", "alice")
			if b := e.browser().signInAs("discord", "alice"); b.User.ID != a.User.ID || b.IsNew {
				t.Fatalf("link_verified made another user")
			}
		}},
		{name: "allowlist", extra: map[string]string{"AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS": "allowed.test"}, run: func(t *testing.T, e *env) {
			e.browser().signInAs("dev", "carol")
			for _, user := range []string{"dave", "bob"} { // another domain; unverified (fails closed)
				_, c := pkce(t)
				wantError(t, e.browser().login("dev", user, c), shared.CodeEmailDomainNotAllowed)
			}
		}},
		{name: "ID token issued before the flow started", run: func(t *testing.T, e *env) {
			// The devidp stamps iat at its token endpoint, during our
			// callback: turning the shared clock back after /login makes it
			// a token from before the flow.
			for _, prov := range []string{"dev", "google"} {
				b := e.browser()
				_, c := pkce(t)
				authURL := b.start(prov, "challenge="+c)
				e.clock.Advance(-time.Minute)
				resp, body := b.get(b.authorize(authURL, "alice"))
				e.clock.Advance(time.Minute)
				wantError(t, parseHandoff(t, resp, body), shared.CodeInvalidCredential)
			}
		}},
		{name: "ID token 20 s before the flow started (clock skew)", run: func(t *testing.T, e *env) {
			b := e.browser()
			_, c := pkce(t)
			authURL := b.start("dev", "challenge="+c)
			e.clock.Advance(-20 * time.Second)
			resp, body := b.get(b.authorize(authURL, "alice"))
			if p := parseHandoff(t, resp, body); !p.Message.OK {
				t.Fatalf("handoff = %+v", p.Message)
			}
		}},
		{name: "redirect handoff", run: func(t *testing.T, e *env) {
			b := e.browser()
			v, c := pkce(t)
			cb := b.authorize(b.start("dev", "handoff=redirect&challenge="+c), "alice")
			resp, _ := b.get(cb)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.cfg.FrontendOrigin+"/#") {
				t.Fatalf("redirect handoff: %d %q", resp.StatusCode, loc)
			}
			frag, _ := url.ParseQuery(strings.SplitN(loc, "#", 2)[1])
			if frag.Get("ok") != "1" || frag.Get("flow") != c || strings.Contains(loc, "access_token") {
				t.Fatalf("fragment = %v", frag)
			}
			resp, body := b.exchange(frag.Get("code"), v)
			expect(t, resp, []byte(body), 200, "")
		}},
	}
	forEngine(t, func(t *testing.T, engine string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { tt.run(t, newEnv(t, engine, tt.extra)) })
		}
	})
}

func TestConnectAndDisconnect(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, nil)
		b := e.browser()
		me := b.signInAs("github", "alice")
		ticket := func(prov, challenge string) string {
			body, _ := json.Marshal(shared.ConnectTicketRequest{Provider: prov, Challenge: challenge})
			resp, out := b.post("/api/auth/connect-ticket", string(body), me.AccessToken)
			expect(t, resp, []byte(out), 200, "")
			return mustJSON[shared.ConnectTicketResponse](t, []byte(out)).Ticket
		}
		connect := func(prov, user string) handoffData {
			_, c := pkce(t)
			cb := b.authorize(b.start(prov, "process=connect&challenge="+c+"&ticket="+ticket(prov, c)), user)
			resp, body := b.get(cb)
			return parseHandoff(t, resp, body)
		}
		if p := connect("discord", "alice"); !p.Message.OK || p.Message.Code != "" || p.Message.Process != "connect" {
			t.Fatalf("connect discord: %+v", p.Message)
		}
		wantError(t, connect("discord", "alice"), shared.CodeAlreadyConnectedSelf)
		e.browser().signInAs("dev", "dave")
		wantError(t, connect("dev", "dave"), shared.CodeAlreadyConnectedOther)

		_, c := pkce(t)
		resp, body := b.get(e.srv.URL + "/api/auth/dev/login?process=connect&challenge=" + c)
		wantError(t, parseHandoff(t, resp, body), shared.CodeConnectRequiresLogin)
		// A ticket is bound to its challenge.
		_, c2 := pkce(t)
		resp, body = b.get(e.srv.URL + "/api/auth/dev/login?process=connect&challenge=" + c2 + "&ticket=" + ticket("dev", c))
		wantError(t, parseHandoff(t, resp, body), shared.CodeConnectRequiresLogin)

		auth := map[string]string{"Authorization": "Bearer " + me.AccessToken}
		_, body = b.do("GET", e.srv.URL+"/api/me/accounts", "", auth)
		byProvider := map[string]shared.LinkedAccount{}
		for _, a := range mustJSON[shared.ListResponse[shared.LinkedAccount]](t, []byte(body)).Items {
			byProvider[a.Provider] = a
		}
		if len(byProvider) != 2 || byProvider["github"].ID == "" || byProvider["discord"].ProviderName != "Discord (dev)" {
			t.Fatalf("accounts = %s", body)
		}
		accts := []shared.LinkedAccount{byProvider["github"], byProvider["discord"]}
		dave := e.browser().signInAs("dev", "dave")
		resp, body = b.do("DELETE", e.srv.URL+"/api/me/accounts/"+accts[1].ID, "", map[string]string{"Authorization": "Bearer " + dave.AccessToken})
		expect(t, resp, []byte(body), 404, shared.CodeNotFound)
		resp, body = b.do("DELETE", e.srv.URL+"/api/me/accounts/"+accts[1].ID, "", auth)
		expect(t, resp, []byte(body), 204, "")
		resp, body = b.do("DELETE", e.srv.URL+"/api/me/accounts/"+accts[0].ID, "", auth)
		expect(t, resp, []byte(body), 409, shared.CodeLastLoginMethod)
	})
}

// gsi is the Google button's side of a test: nonces from the server,
// credentials minted by the devidp's stand-in for Google.
type gsi struct {
	e *env
	b *browser
}

func (g gsi) nonce() string {
	g.e.t.Helper()
	resp, body := g.b.get(g.e.srv.URL + "/api/auth/google/nonce")
	expect(g.e.t, resp, []byte(body), 200, "")
	return mustJSON[shared.NonceResponse](g.e.t, []byte(body)).Nonce
}

// mint answers a credential for user carrying nonce ("": no nonce claim).
func (g gsi) mint(user, nonce string) string {
	g.e.t.Helper()
	resp, body := g.b.do("POST", g.e.srv.URL+"/devidp/gsi/credential", `{"client_id":"dev-google-client","nonce":"`+nonce+`","user":"`+user+`"}`,
		map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 200 {
		g.e.t.Fatalf("mint: %d %s", resp.StatusCode, body)
	}
	var out struct{ Credential string }
	json.Unmarshal([]byte(body), &out)
	return out.Credential
}

// post signs in with cred, naming nonce in the body unless it is "".
func (g gsi) post(cred, nonce string) (*http.Response, string) {
	body, _ := json.Marshal(shared.GoogleCredentialRequest{Credential: cred, Nonce: nonce})
	return g.b.post("/api/auth/google/credential", string(body), "")
}

// sessions counts the refresh families; failures the failed login events.
func (g gsi) sessions() int { return g.count("SELECT COUNT(*) FROM refresh_families") }
func (g gsi) failures() int {
	return g.count("SELECT COUNT(*) FROM login_events WHERE outcome = ?", shared.OutcomeFailure)
}

func (g gsi) count(q string, args ...any) int {
	g.e.t.Helper()
	var n int
	if err := g.e.store.DB().Get(&n, q, args...); err != nil {
		g.e.t.Fatal(err)
	}
	return n
}

// TestGoogleCredential: a credential signs in at most once, whatever the
// body says; the nonce claim governs (issue #13).
func TestGoogleCredential(t *testing.T) {
	ok := func(t *testing.T, g gsi, cred, nonce string) {
		t.Helper()
		resp, out := g.post(cred, nonce)
		expect(t, resp, []byte(out), 200, "")
	}
	refused := func(t *testing.T, g gsi, cred, nonce string) {
		t.Helper()
		sessions, failures := g.sessions(), g.failures()
		resp, out := g.post(cred, nonce)
		expect(t, resp, []byte(out), 401, shared.CodeInvalidCredential)
		// Nothing written but the failed attempt's history row.
		if g.sessions() != sessions || g.failures() != failures+1 {
			t.Fatalf("a refused credential: sessions %d → %d, failed logins %d → %d", sessions, g.sessions(), failures, g.failures())
		}
	}
	tests := []struct {
		name  string
		extra map[string]string
		run   func(t *testing.T, g gsi)
	}{
		{name: "with its nonce: signs in once", run: func(t *testing.T, g gsi) {
			n := g.nonce()
			cred := g.mint("erin", n)
			resp, out := g.post(cred, n)
			expect(t, resp, []byte(out), 200, "")
			if r := mustJSON[shared.SignInResponse](t, []byte(out)); !r.IsNew || r.User.Email != "erin@corp.test" {
				t.Fatalf("credential sign-in = %s", out)
			}
			refused(t, g, cred, n)
			refused(t, g, cred, "") // the replay that used to work: no nonce field
		}},
		{name: "replayed without the nonce field after a sign-in without it", run: func(t *testing.T, g gsi) {
			cred := g.mint("erin", g.nonce())
			ok(t, g, cred, "")
			refused(t, g, cred, "")
		}},
		{name: "body without nonce: the claim's nonce is spent", run: func(t *testing.T, g gsi) {
			n := g.nonce()
			ok(t, g, g.mint("erin", n), "")
			refused(t, g, g.mint("erin", n), "") // another credential with the spent nonce
			refused(t, g, g.mint("erin", n), n)
		}},
		{name: "body nonce that disagrees with the claim", run: func(t *testing.T, g gsi) {
			n, other := g.nonce(), g.nonce()
			cred := g.mint("erin", n)
			refused(t, g, cred, other)
			// Neither nonce was spent nor the credential remembered.
			ok(t, g, g.mint("erin", other), other)
			ok(t, g, cred, n)
		}},
		{name: "a nonce claim we never issued", run: func(t *testing.T, g gsi) {
			_, forged := pkce(t) // our nonces' shape, never issued
			refused(t, g, g.mint("erin", forged), forged)
			refused(t, g, g.mint("erin", forged), "")
			refused(t, g, g.mint("erin", "not-ours"), "")
		}},
		{name: "an expired nonce", run: func(t *testing.T, g gsi) {
			n := g.nonce()
			g.e.clock.Advance(10*time.Minute + time.Second)
			refused(t, g, g.mint("erin", n), n)
		}},
		{name: "no nonce claim: refused by default", run: func(t *testing.T, g gsi) {
			refused(t, g, g.mint("erin", ""), "")
		}},
		{name: "no nonce claim, AUTHBRIDGE_GOOGLE_REQUIRE_NONCE=0: accepted once", extra: map[string]string{"AUTHBRIDGE_GOOGLE_REQUIRE_NONCE": "0"},
			run: func(t *testing.T, g gsi) {
				cred := g.mint("erin", "")
				ok(t, g, cred, "")
				refused(t, g, cred, "")
				// A nonce claim, when there is one, still governs.
				refused(t, g, g.mint("erin", "not-ours"), "")
			}},
		{name: "older than its exp", run: func(t *testing.T, g gsi) {
			cred := g.mint("erin", g.nonce())
			g.e.clock.Advance(time.Hour + time.Second)
			refused(t, g, cred, "")
		}},
		{name: "garbage", run: func(t *testing.T, g gsi) { refused(t, g, "not.a.jwt", "") }},
	}
	forEngine(t, func(t *testing.T, engine string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, engine, tt.extra)
				tt.run(t, gsi{e: e, b: e.browser()})
			})
		}
		t.Run("providers list the client id", func(t *testing.T) {
			e := newEnv(t, engine, nil)
			_, out := e.browser().get(e.srv.URL + "/api/auth/providers")
			pr := mustJSON[shared.ProvidersResponse](t, []byte(out))
			if pr.GoogleClientID != "dev-google-client" || len(pr.Providers) != 4 || !pr.Providers[0].Available || pr.Providers[0].LoginURL != "/api/auth/google/login" {
				t.Fatalf("providers = %s", out)
			}
		})
	})
}

// TestParallelCredentialPosts: one credential posted many times at once
// opens exactly one session, with a nonce and without.
func TestParallelCredentialPosts(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		for _, withNonce := range []bool{true, false} {
			t.Run(fmt.Sprint("nonce ", withNonce), func(t *testing.T) {
				e := newEnv(t, engine, map[string]string{"AUTHBRIDGE_GOOGLE_REQUIRE_NONCE": fmt.Sprint(withNonce)})
				g := gsi{e: e, b: e.browser()}
				n := ""
				if withNonce {
					n = g.nonce()
				}
				cred := g.mint("erin", n)
				const posts = 8
				statuses := make(chan int, posts)
				var wg sync.WaitGroup
				for range posts {
					wg.Add(1)
					go func() {
						defer wg.Done()
						body, _ := json.Marshal(shared.GoogleCredentialRequest{Credential: cred})
						resp, _ := g.b.do("POST", e.srv.URL+"/api/auth/google/credential", string(body), map[string]string{"Content-Type": "application/json"})
						statuses <- resp.StatusCode
					}()
				}
				wg.Wait()
				close(statuses)
				got := map[int]int{}
				for s := range statuses {
					got[s]++
				}
				if got[200] != 1 || got[401] != posts-1 || g.sessions() != 1 {
					t.Fatalf("statuses %v, %d sessions; want one 200 and one session", got, g.sessions())
				}
			})
		}
	})
}

func TestClientDrivenCodeExchange(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, map[string]string{"AUTHBRIDGE_CODE_REDIRECT_URIS": "{PUBLIC}/auth/callback"})
		appRedirect := e.srv.URL + "/auth/callback"
		b := e.browser()
		// The app runs the provider redirect itself, with its own PKCE.
		codeFor := func(verifier string) string {
			q := url.Values{"client_id": {"dev-github-client"}, "redirect_uri": {appRedirect}, "response_type": {"code"},
				"state": {"app-state"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
				"login_hint": {"alice"}, "prompt": {"none"}}
			resp, _ := b.get(e.srv.URL + "/devidp/github/login/oauth/authorize?" + q.Encode())
			loc, _ := url.Parse(resp.Header.Get("Location"))
			return loc.Query().Get("code")
		}
		body := func(code, redirect, verifier string) string {
			out, _ := json.Marshal(shared.CodeExchangeRequest{Code: code, RedirectURI: redirect, CodeVerifier: verifier})
			return string(out)
		}
		v, _ := pkce(t)
		tests := []struct {
			name   string
			body   string
			status int
			code   shared.ErrorCode
		}{
			{"redirect_uri not allowed", body(codeFor(v), "https://evil.example/cb", v), 400, shared.CodeInvalidRequest},
			{"no verifier", body(codeFor(v), appRedirect, ""), 400, shared.CodeInvalidRequest},
			{"wrong verifier", body(codeFor(v), appRedirect, strings.Repeat("w", 43)), 502, shared.CodeProviderError},
			{"success", body(codeFor(v), appRedirect, v), 200, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := map[string]string{"Content-Type": "application/json"} // an API client: no Origin, tokens in the body
				resp, out := b.do("POST", e.srv.URL+"/api/auth/github/code", tt.body, h)
				expect(t, resp, []byte(out), tt.status, tt.code)
				if tt.status == 200 {
					if r := mustJSON[shared.SignInResponse](t, []byte(out)); r.RefreshToken == "" || r.User.Email != "alice@example.com" {
						t.Fatalf("code exchange = %s", out)
					}
				}
			})
		}
	})
}
