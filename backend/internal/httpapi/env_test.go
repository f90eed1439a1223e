package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/account"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/devidp"
	"github.com/authbridge/authbridge/backend/internal/geoip"
	"github.com/authbridge/authbridge/backend/internal/metrics"
	"github.com/authbridge/authbridge/backend/internal/provider"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// clock is a settable clock shared by the token manager, the session
// service and the rate limiters of one test server.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is one test server on a fresh database.
type env struct {
	t        testing.TB
	cfg      config.Config
	store    *store.Store
	tokens   *token.Manager
	auth     *auth.Service
	clock    *clock
	srv      *httptest.Server
	draining *atomic.Bool
	users    []store.User
	idp      *devidp.IDP
}

// newEnv starts a server on a fresh database of engine. extra overrides
// AUTHBRIDGE_* variables.
func newEnv(tb testing.TB, engine string, extra map[string]string) *env {
	tb.Helper()
	// The server starts first so its https URL can be the public URL:
	// __Host- cookies need a secure origin, as in production.
	var handler http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	tb.Cleanup(srv.Close)
	// The providers are the devidp's, wired below; one is named here too so
	// that the https public URL does not ask for dev mode.
	vars := map[string]string{"AUTHBRIDGE_RATE_LIMIT": "0", "AUTHBRIDGE_PUBLIC_URL": srv.URL, "AUTHBRIDGE_GOOGLE_CLIENT_ID": "dev-google-client"}
	for k, v := range extra {
		vars[k] = strings.ReplaceAll(v, "{PUBLIC}", srv.URL)
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	clk := &clock{now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	st := storetest.New(tb, engine)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tm, err := token.New(context.Background(), st, token.Options{
		Issuer: cfg.Issuer(), Audience: cfg.Audience(), TTL: cfg.AccessTTL, Alg: cfg.SigningAlg, Now: clk.Now, Logger: log,
	})
	if err != nil {
		tb.Fatalf("token manager: %v", err)
	}
	ips, err := clientip.Parse(cfg.TrustedProxies)
	if err != nil {
		tb.Fatalf("trusted proxies: %v", err)
	}
	draining := new(atomic.Bool)
	idp, pcfgs, err := devidp.ForServer(cfg.Issuer(), clk.Now, log)
	if err != nil {
		tb.Fatal(err)
	}
	// Providers named in extra (AUTHBRIDGE_GITLAB_ISSUER={PUBLIC}/devidp/oidc,
	// ...) join the devidp's, reaching it in process.
	taken := map[string]bool{}
	for _, c := range pcfgs {
		taken[c.ID] = true
	}
	for _, c := range cfg.Providers {
		if !taken[c.ID] {
			c.HTTPClient, c.Now = &http.Client{Transport: idp.Transport()}, clk.Now
			pcfgs = append(pcfgs, c)
		}
	}
	var places *geoip.DB // AUTHBRIDGE_GEOIP_FILE in extra, as run opens it
	if cfg.GeoIPFile != "" {
		if places, err = geoip.Open(cfg.GeoIPFile); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { places.Close() })
	}
	m := metrics.New()
	providers := provider.NewSet(context.Background(), log, provider.Factories(), pcfgs)
	svc, err := auth.New(st, tm, providers, m, auth.Options{
		RefreshTTL: cfg.RefreshTTL, IdleTTL: cfg.RefreshIdleTTL, Grace: cfg.RefreshGrace, SecretKey: cfg.SecretKey,
		PublicURL: cfg.Issuer(), Allowlist: account.Allowlist(cfg.AllowedEmailDomains), EmailConflict: cfg.EmailConflict,
		CodeRedirects: cfg.CodeRedirectURIs, CredentialNonceOptional: !cfg.GoogleRequireNonce, FrontendOrigin: cfg.FrontendOrigin,
		PasskeySignup: cfg.PasskeySignup, Places: places, Now: clk.Now, Logger: log,
	})
	if err != nil {
		tb.Fatalf("auth: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/devidp/", idp.Handler())
	mux.Handle("/", NewServer(Deps{
		Log: log, Config: cfg, Tokens: tm, Auth: svc,
		Metrics: m, IPs: ips, Draining: draining,
	}))
	handler = mux
	return &env{t: tb, cfg: cfg, store: st, tokens: tm, auth: svc, clock: clk, srv: srv, draining: draining, idp: idp}
}

// user creates a user; email is verified when given.
func (e *env) user(name, email string) store.User {
	e.t.Helper()
	now := e.clock.Now()
	u := store.User{ID: store.NewID(), Name: name, Email: email, EmailVerified: email != "", CreatedAt: now, UpdatedAt: now}
	if email != "" {
		canon := strings.ToLower(email)
		u.EmailCanonical = &canon
	}
	storetest.CreateUser(e.t, e.store, u)
	e.users = append(e.users, u)
	return u
}

// signIn opens a session for u, as a provider sign-in would.
func (e *env) signIn(u store.User) shared.TokenPair {
	e.t.Helper()
	return e.signInAt(u, e.clock.Now())
}

// signInAt opens a session for u that signed in at signedIn (its family's
// creation and the token's auth_time); the access token is fresh.
func (e *env) signInAt(u store.User, signedIn time.Time) shared.TokenPair {
	e.t.Helper()
	now := e.clock.Now()
	secret, err := token.NewRefreshSecret()
	if err != nil {
		e.t.Fatal(err)
	}
	fam := store.Family{ID: store.NewID(), UserID: u.ID, Provider: "test", UserAgent: "test-agent", IP: "192.0.2.1",
		CreatedAt: signedIn, LastUsedAt: now, ExpiresAt: now.Add(e.cfg.RefreshTTL), Generation: 1, Secret: secret}
	storetest.CreateFamily(e.t, e.store, fam)
	key, err := token.NewRefreshKey(e.cfg.SecretKey)
	if err != nil {
		e.t.Fatal(err)
	}
	refresh, err := key.Format(fam.ID, fam.Generation, fam.Secret)
	if err != nil {
		e.t.Fatal(err)
	}
	access, exp, err := e.tokens.Sign(context.Background(), shared.AccessClaims{Subject: u.ID, SessionID: fam.ID, Name: u.Name, Email: u.Email, AuthTime: signedIn.Unix()})
	if err != nil {
		e.t.Fatalf("start session: %v", err)
	}
	return shared.TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: shared.TokenType,
		ExpiresIn: int(exp.Sub(now).Round(time.Second) / time.Second)}
}

// req describes one HTTP call.
type req struct {
	method string
	path   string
	body   string
	bearer string
	header map[string]string
	cookie string // refresh cookie value
}

// do sends r with Content-Type application/json unless the header overrides it.
func (e *env) do(r req) (*http.Response, []byte) {
	e.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, e.srv.URL+r.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if r.method == http.MethodPost {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.bearer != "" {
		hr.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: RefreshCookie, Value: r.cookie})
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	resp, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, b
}

// errorCode decodes the envelope of an error answer.
func errorCode(tb testing.TB, b []byte) shared.ErrorCode {
	tb.Helper()
	var env shared.ErrorEnvelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		tb.Fatalf("not an error envelope: %v: %s", err, b)
	}
	if env.Error.Message == "" {
		tb.Fatalf("error %q without a message", env.Error.Code)
	}
	return env.Error.Code
}

func mustJSON[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("decode %T: %v: %s", v, err, b)
	}
	return v
}

// expect checks status and, for errors, the decoded code.
func expect(tb testing.TB, resp *http.Response, b []byte, status int, code shared.ErrorCode) {
	tb.Helper()
	if resp.StatusCode != status {
		tb.Fatalf("status = %d, want %d; body %s", resp.StatusCode, status, b)
	}
	if code != "" {
		if got := errorCode(tb, b); got != code {
			tb.Fatalf("code = %q, want %q", got, code)
		}
	}
}

// forEngine runs fn once per database engine.
func forEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { fn(t, engine) })
	}
}
