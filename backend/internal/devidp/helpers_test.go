package devidp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// Registered in every fixture.
const (
	clientID     = "app"
	clientSecret = "s3cret:with/odd+chars"
	redirectURI  = "https://app.example/callback?tenant=a"
	otherClient  = "other"
	publicClient = "spa"
)

var allAPIs = []string{APIOIDC, APIGoogle, APIDiscord, APIGitHub}

var authorizePath = map[string]string{
	APIOIDC: "/oidc/authorize", APIGoogle: "/google/authorize",
	APIGitHub: "/github/login/oauth/authorize", APIDiscord: "/discord/oauth2/authorize",
}

var tokenPath = map[string]string{
	APIOIDC: "/oidc/token", APIGoogle: "/google/token",
	APIGitHub: "/github/login/oauth/access_token", APIDiscord: "/discord/api/oauth2/token",
}

// scopeFor is what the product asks each API for.
var scopeFor = map[string]string{
	APIOIDC: "openid email profile", APIGoogle: "openid email profile",
	APIGitHub: "read:user user:email", APIDiscord: "identify email",
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t     testing.TB
	srv   *httptest.Server
	idp   *IDP
	clock *clock
	c     *http.Client // no cookies, never follows redirects
}

// newFixture serves a devidp mounted at /devidp/ on a test server, as
// AuthBridge mounts it in development mode.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	return newFixtureWith(tb, nil)
}

// newFixtureWith lets mod change the options before New.
func newFixtureWith(tb testing.TB, mod func(*Options)) *fixture {
	tb.Helper()
	f := &fixture{t: tb, clock: &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	var h http.Handler = http.NotFoundHandler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	tb.Cleanup(f.srv.Close)
	opts := Options{BaseURL: f.srv.URL + "/devidp/", Now: f.clock.Now, Clients: []Client{
		{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI, "https://app.example/other"}},
		{ID: otherClient, Secret: "other-secret", RedirectURIs: []string{redirectURI}},
		{ID: publicClient, RedirectURIs: []string{"com.example.app:/oauth"}},
	}}
	if mod != nil {
		mod(&opts)
	}
	idp, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	f.idp = idp
	mux := http.NewServeMux()
	mux.Handle("/devidp/", idp.Handler())
	h = mux
	f.c = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

// with is f reporting to tb: subtests share one fixture (and its keys)
// when they leave no state behind.
func (f *fixture) with(tb testing.TB) *fixture {
	g := *f
	g.t = tb
	return &g
}

func pkce() (verifier, challenge string) {
	v := oauth2.GenerateVerifier()
	return v, oauth2.S256ChallengeFromVerifier(v)
}

// authQuery is a valid authorization request of api for clientID that
// approves alice at once.
func authQuery(api, challenge string) url.Values {
	return url.Values{
		"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {scopeFor[api]},
		"state": {"state-123"}, "nonce": {"nonce-456"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"},
		"login_hint": {"alice"}, "prompt": {"none"},
	}
}

func (f *fixture) do(req *http.Request) (*http.Response, []byte) {
	f.t.Helper()
	resp, err := f.c.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, body
}

func (f *fixture) get(u string, hdr ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return f.do(req)
}

func (f *fixture) post(u, contentType, body string, hdr ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return f.do(req)
}

// redirected answers the query of the redirect in resp, or nil when resp
// is not a redirect to the registered URI.
func redirected(tb testing.TB, resp *http.Response, want string) url.Values {
	tb.Helper()
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		tb.Fatalf("Location %q: %v", loc, err)
	}
	base := *u
	q := base.Query()
	// The registered URI's own query (tenant=a) is kept.
	for k := range q {
		if k != "tenant" {
			q.Del(k)
		}
	}
	base.RawQuery = q.Encode()
	if base.String() != want {
		tb.Fatalf("redirected to %s, want %s", base.String(), want)
	}
	return u.Query()
}

// authorize sends a GET authorization request and answers the redirect's
// query (nil when it did not redirect).
func (f *fixture) authorize(api string, q url.Values) (*http.Response, url.Values) {
	f.t.Helper()
	resp, _ := f.get(f.idp.URL(authorizePath[api]) + "?" + q.Encode())
	return resp, redirected(f.t, resp, q.Get("redirect_uri"))
}

// consent posts the consent page's form for user with decision.
func (f *fixture) consent(api string, q url.Values, user, decision string) (*http.Response, url.Values) {
	f.t.Helper()
	form := url.Values{}
	for _, k := range formParams {
		if v := q.Get(k); v != "" {
			form.Set(k, v)
		}
	}
	form.Set("user", user)
	form.Set("decision", decision)
	resp, _ := f.post(f.idp.URL(authorizePath[api]), "application/x-www-form-urlencoded", form.Encode())
	return resp, redirected(f.t, resp, q.Get("redirect_uri"))
}

// code runs a prompt=none authorization of api for user and answers the code.
func (f *fixture) code(api, user, challenge string) string {
	f.t.Helper()
	q := authQuery(api, challenge)
	q.Set("login_hint", user)
	resp, rq := f.authorize(api, q)
	if resp.StatusCode != http.StatusFound || rq.Get("code") == "" {
		f.t.Fatalf("authorize %s as %s: %d %v", api, user, resp.StatusCode, rq)
	}
	return rq.Get("code")
}

type tokenReq struct {
	code, verifier, redirect string
	client, secret           string
	basic                    bool   // client_secret_basic instead of _post
	accept                   string // Accept header
}

// token posts to api's token endpoint and decodes a JSON or form answer.
func (f *fixture) token(api string, tr tokenReq) (*http.Response, map[string]any) {
	f.t.Helper()
	if tr.client == "" {
		tr.client, tr.secret = clientID, clientSecret
	}
	if tr.redirect == "" {
		tr.redirect = redirectURI
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {tr.code}, "redirect_uri": {tr.redirect}, "code_verifier": {tr.verifier}}
	req, _ := http.NewRequest(http.MethodPost, f.idp.URL(tokenPath[api]), nil)
	if tr.basic {
		req.SetBasicAuth(url.QueryEscape(tr.client), url.QueryEscape(tr.secret))
	} else {
		form.Set("client_id", tr.client)
		if tr.secret != "" {
			form.Set("client_secret", tr.secret)
		}
	}
	req.Body = io.NopCloser(strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if tr.accept != "" {
		req.Header.Set("Accept", tr.accept)
	}
	resp, body := f.do(req)
	return resp, decodeAnswer(f.t, resp, body)
}

func decodeAnswer(tb testing.TB, resp *http.Response, body []byte) map[string]any {
	tb.Helper()
	out := map[string]any{}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			tb.Fatalf("form answer %q: %v", body, err)
		}
		for k := range vals {
			out[k] = vals.Get(k)
		}
		return out
	}
	if err := json.Unmarshal(body, &out); err != nil {
		tb.Fatalf("JSON answer %q: %v", body, err)
	}
	return out
}

// userJSON GETs a user API with a bearer token.
func (f *fixture) userJSON(path, access string, out any) int {
	f.t.Helper()
	resp, body := f.get(f.idp.URL(path), "Authorization", "Bearer "+access)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			f.t.Fatalf("%s: %s: %v", path, body, err)
		}
	}
	return resp.StatusCode
}

// idTokenFor runs a prompt=none code flow of api (APIOIDC or APIGoogle)
// for user and answers the ID token of the token response.
func (f *fixture) idTokenFor(api, user string) string {
	f.t.Helper()
	v, c := pkce()
	resp, tok := f.token(api, tokenReq{code: f.code(api, user, c), verifier: v})
	raw, _ := tok["id_token"].(string)
	if resp.StatusCode != http.StatusOK || raw == "" {
		f.t.Fatalf("%s token: %d %v", api, resp.StatusCode, tok)
	}
	return raw
}

// jwks fetches api's JWKS as the relying parties parse it.
func (f *fixture) jwks(api string) jose.JSONWebKeySet {
	f.t.Helper()
	resp, body := f.get(f.idp.URL("/" + api + "/jwks"))
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil || resp.StatusCode != http.StatusOK {
		f.t.Fatalf("%s JWKS: %d %v %s", api, resp.StatusCode, err, body)
	}
	return set
}

// verifyIDToken checks raw as the product does (go-oidc: discovery, JWKS,
// signature, iss, aud, exp at the fixture's clock) and answers its claims,
// as raw JSON values so types can be asserted.
func (f *fixture) verifyIDToken(api, raw, aud string) map[string]any {
	f.t.Helper()
	ctx := oidc.ClientContext(context.Background(), f.srv.Client())
	p, err := oidc.NewProvider(ctx, f.idp.Issuer(api))
	if err != nil {
		f.t.Fatalf("discovery of %s: %v", api, err)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: aud, Now: f.clock.Now}).Verify(ctx, raw)
	if err != nil {
		f.t.Fatalf("%s ID token does not verify: %v", api, err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		f.t.Fatal(err)
	}
	return claims
}

// jwtHeader decodes a JWT's header.
func jwtHeader(tb testing.TB, raw string) map[string]any {
	tb.Helper()
	h, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

func userByID(tb testing.TB, id string) User {
	tb.Helper()
	for _, u := range Users() {
		if u.ID == id {
			return u
		}
	}
	tb.Fatalf("no ready user %q", id)
	return User{}
}

// verifyErr verifies raw as a Google ID token for aud at now.
func verifyErr(f *fixture, raw, aud string, now time.Time) (*oidc.IDToken, error) {
	ctx := oidc.ClientContext(context.Background(), f.srv.Client())
	p, err := oidc.NewProvider(ctx, f.idp.Issuer(APIGoogle))
	if err != nil {
		return nil, err
	}
	return p.Verifier(&oidc.Config{ClientID: aud, Now: func() time.Time { return now }}).Verify(ctx, raw)
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// syncBuffer collects a log written from server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
