package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/shared"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func codeOf(err error) shared.ErrorCode {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

func exchange(t *testing.T, p Provider) (Identity, error) {
	t.Helper()
	return p.Exchange(context.Background(), ExchangeParams{Code: "c", RedirectURI: "https://app/cb", CodeVerifier: strings.Repeat("v", 43), Nonce: "n1"})
}

func TestOIDCExchange(t *testing.T) {
	f := newFakeIdP(t, "")
	cfg := Config{ID: "acme", Kind: "oidc", DisplayName: "Acme", ClientID: "client", ClientSecret: "s", Issuer: f.srv.URL,
		HTTPClient: NewHTTPClient(300 * time.Millisecond), Now: clock}
	p, err := NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	good := func(base string) jwt.MapClaims {
		return jwt.MapClaims{"iss": base, "aud": "client", "sub": "u-1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
			"nonce": "n1", "email": "ada@example.com", "email_verified": true, "name": "Ada"}
	}
	with := func(k string, v any) func(string) string {
		return func(base string) string {
			c := good(base)
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
			return signRS256(t, c, false)
		}
	}
	tests := []struct {
		name     string
		mode     string
		tok      func(string) string
		want     shared.ErrorCode
		verified bool
	}{
		{name: "success", mode: "ok", tok: with("x", 1), verified: true},
		{name: "email_verified as a string", mode: "ok", tok: with("email_verified", "true"), verified: false},
		{name: "token endpoint 5xx", mode: "5xx", want: shared.CodeProviderUnavailable},
		{name: "token endpoint hangs", mode: "hang", want: shared.CodeProviderUnavailable},
		{name: "invalid_grant", mode: "invalid_grant", want: shared.CodeProviderError},
		{name: "no id_token", mode: "no_id_token", want: shared.CodeProviderError},
		{name: "wrong aud", mode: "ok", tok: with("aud", "other"), want: shared.CodeInvalidCredential},
		{name: "wrong iss", mode: "ok", tok: with("iss", "https://evil.example"), want: shared.CodeInvalidCredential},
		{name: "azp of another client", mode: "ok", tok: with("azp", "other"), want: shared.CodeInvalidCredential},
		{name: "wrong nonce", mode: "ok", tok: with("nonce", "n2"), want: shared.CodeInvalidCredential},
		{name: "no nonce", mode: "ok", tok: with("nonce", nil), want: shared.CodeInvalidCredential},
		{name: "expired", mode: "ok", tok: with("exp", now.Add(-time.Hour).Unix()), want: shared.CodeInvalidCredential},
		{name: "alg none", mode: "ok", tok: func(base string) string { return unsigned(good(base)) }, want: shared.CodeInvalidCredential},
		{name: "unknown key", mode: "ok", tok: func(base string) string { return signRS256(t, good(base), true) }, want: shared.CodeInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.set(tt.mode, tt.tok)
			id, err := exchange(t, p)
			if codeOf(err) != tt.want {
				t.Fatalf("Exchange error = %v, want %q", err, tt.want)
			}
			if err != nil {
				return
			}
			if id.Subject != "u-1" || id.Issuer != f.srv.URL || id.Provider != "acme" || id.EmailVerified != tt.verified || id.Name != "Ada" {
				t.Fatalf("identity = %+v", id)
			}
			if f.gotVerify != strings.Repeat("v", 43) {
				t.Fatalf("token endpoint got code_verifier %q", f.gotVerify)
			}
		})
	}
}

func TestOIDCAuthURL(t *testing.T) {
	f := newFakeIdP(t, "")
	p, err := NewOIDC(context.Background(), Config{ID: "acme", Issuer: f.srv.URL, ClientID: "client", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(p.AuthURL(AuthParams{RedirectURI: "https://auth.example/api/auth/acme/callback", State: "st", Nonce: "nn", CodeChallenge: "ch"}))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{"state": "st", "nonce": "nn", "code_challenge": "ch", "code_challenge_method": "S256",
		"redirect_uri": "https://auth.example/api/auth/acme/callback", "client_id": "client", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if !strings.Contains(q.Get("scope"), "openid") {
		t.Errorf("scope = %q", q.Get("scope"))
	}
}

func TestDiscoveryIssuerMustMatch(t *testing.T) {
	f := newFakeIdP(t, "/other")
	if _, err := NewOIDC(context.Background(), Config{ID: "acme", Issuer: f.srv.URL, ClientID: "c"}); err == nil {
		t.Fatal("a discovery document with another issuer was accepted")
	}
}

func TestGoogleCredential(t *testing.T) {
	f := newFakeIdP(t, "")
	base := f.srv.URL
	claims := func(mod func(jwt.MapClaims)) string {
		c := jwt.MapClaims{"iss": base, "aud": "gid", "azp": "gid", "sub": "g-1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
			"email": "erin@corp.test", "email_verified": true, "hd": "corp.test"}
		mod(c)
		return signRS256(t, c, false)
	}
	tests := []struct {
		name  string
		hd    string
		raw   string
		nonce string
		want  shared.ErrorCode
	}{
		{name: "no nonce asked", raw: claims(func(jwt.MapClaims) {})},
		{name: "nonce matches", raw: claims(func(c jwt.MapClaims) { c["nonce"] = "n" }), nonce: "n"},
		{name: "nonce missing from token", raw: claims(func(jwt.MapClaims) {}), nonce: "n", want: shared.CodeInvalidCredential},
		{name: "azp of another client", raw: claims(func(c jwt.MapClaims) { c["azp"] = "x" }), want: shared.CodeInvalidCredential},
		{name: "workspace domain", hd: "corp.test", raw: claims(func(jwt.MapClaims) {})},
		{name: "email suffix is not hd", hd: "corp.test", raw: claims(func(c jwt.MapClaims) { delete(c, "hd") }), want: shared.CodeInvalidCredential},
		{name: "wrong aud", raw: claims(func(c jwt.MapClaims) { c["aud"] = "x" }), want: shared.CodeInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewGoogle(context.Background(), Config{ID: "google", Kind: "google", ClientID: "gid", Issuer: base, HostedDomain: tt.hd, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			id, err := p.(CredentialVerifier).VerifyCredential(context.Background(), tt.raw, tt.nonce)
			if codeOf(err) != tt.want {
				t.Fatalf("VerifyCredential = %+v, %v; want %q", id, err, tt.want)
			}
			if err == nil && (!id.EmailVerified || id.Subject != "g-1") {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
}

func TestMicrosoftTenantTemplate(t *testing.T) {
	f := newFakeIdP(t, "/{tenantid}/v2.0")
	base := f.srv.URL
	tid := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tok := func(mod func(jwt.MapClaims)) func(string) string {
		return func(string) string {
			c := jwt.MapClaims{"iss": base + "/" + tid + "/v2.0", "aud": "mid", "sub": "pairwise", "oid": "oid-1", "tid": tid,
				"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": "n1", "email": "ceo@victim.example", "name": "M"}
			mod(c)
			return signRS256(t, c, false)
		}
	}
	tests := []struct {
		name    string
		allowed []string
		tok     func(string) string
		want    shared.ErrorCode
	}{
		{name: "success, email never verified", tok: tok(func(jwt.MapClaims) {})},
		{name: "tenant allowed", allowed: []string{tid}, tok: tok(func(jwt.MapClaims) {})},
		{name: "tenant not allowed", allowed: []string{"00000000-0000-0000-0000-000000000000"}, tok: tok(func(jwt.MapClaims) {}), want: shared.CodeInvalidCredential},
		{name: "iss of another tenant", tok: tok(func(c jwt.MapClaims) { c["iss"] = base + "/00000000-0000-0000-0000-000000000000/v2.0" }), want: shared.CodeInvalidCredential},
		{name: "tid not a guid", tok: tok(func(c jwt.MapClaims) { c["tid"] = "{tenantid}"; c["iss"] = base + "/{tenantid}/v2.0" }), want: shared.CodeInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewMicrosoft(context.Background(), Config{ID: "microsoft", ClientID: "mid", ClientSecret: "s", Issuer: base, AllowedTenants: tt.allowed, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			f.set("ok", tt.tok)
			id, err := exchange(t, p)
			if codeOf(err) != tt.want {
				t.Fatalf("Exchange = %+v, %v; want %q", id, err, tt.want)
			}
			if err == nil && (id.EmailVerified || id.Subject != "oid-1" || id.TenantID != tid) {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
}

func TestLINEHS256(t *testing.T) {
	f := newFakeIdP(t, "")
	hs := func(secret string, method jwt.SigningMethod, mod func(jwt.MapClaims)) func(string) string {
		return func(string) string {
			c := jwt.MapClaims{"iss": "https://access.line.me", "aud": "chan", "sub": "U1", "exp": now.Add(time.Hour).Unix(),
				"iat": now.Unix(), "nonce": "n1", "email": "l@example.com", "name": "L"}
			mod(c)
			s, _ := jwt.NewWithClaims(method, c).SignedString([]byte(secret))
			return s
		}
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.extra = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/v2.1/certs" {
			json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ecKey.PublicKey, KeyID: "line-es", Algorithm: "ES256", Use: "sig"}}})
			return
		}
		http.NotFound(w, r)
	})
	es := func(key *ecdsa.PrivateKey, kid string) func(string) string {
		return func(string) string {
			c := jwt.MapClaims{"iss": "https://access.line.me", "aud": "chan", "sub": "U1", "exp": now.Add(time.Hour).Unix(),
				"iat": now.Unix(), "nonce": "n1"}
			t := jwt.NewWithClaims(jwt.SigningMethodES256, c)
			t.Header["kid"] = kid
			s, _ := t.SignedString(key)
			return s
		}
	}
	otherEC, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p, err := NewLINE(context.Background(), Config{ID: "line", ClientID: "chan", ClientSecret: "secret", TokenURL: f.srv.URL + "/token", APIURL: f.srv.URL, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		tok  func(string) string
		want shared.ErrorCode
	}{
		{"success, email never verified", hs("secret", jwt.SigningMethodHS256, func(jwt.MapClaims) {}), ""},
		{"wrong secret", hs("other", jwt.SigningMethodHS256, func(jwt.MapClaims) {}), shared.CodeInvalidCredential},
		{"HS512 refused", hs("secret", jwt.SigningMethodHS512, func(jwt.MapClaims) {}), shared.CodeInvalidCredential},
		{"wrong nonce", hs("secret", jwt.SigningMethodHS256, func(c jwt.MapClaims) { c["nonce"] = "x" }), shared.CodeInvalidCredential},
		{"wrong aud", hs("secret", jwt.SigningMethodHS256, func(c jwt.MapClaims) { c["aud"] = "x" }), shared.CodeInvalidCredential},
		{"ES256 via JWKS", es(ecKey, "line-es"), ""},
		{"ES256 with another key", es(otherEC, "line-es"), shared.CodeInvalidCredential},
		{"ES256 unknown kid", es(ecKey, "nope"), shared.CodeInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.set("ok", tt.tok)
			id, err := exchange(t, p)
			if codeOf(err) != tt.want {
				t.Fatalf("Exchange = %+v, %v; want %q", id, err, tt.want)
			}
			if err == nil && (id.EmailVerified || id.Subject != "U1") {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
}

// fakeAPI serves a GitHub- or Discord-style token endpoint and user API.
func fakeAPI(t *testing.T, routes map[string]string, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"at","token_type":"bearer"}`))
			return
		}
		if r.Header.Get("Authorization") != "Bearer at" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		body, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGitHubAndDiscord(t *testing.T) {
	tests := []struct {
		name     string
		factory  Factory
		routes   map[string]string
		status   int
		want     shared.ErrorCode
		subject  string
		email    string
		verified bool
	}{
		{name: "github primary verified", factory: NewGitHub, status: 200, subject: "583231", email: "octo@example.com", verified: true,
			routes: map[string]string{"/user": `{"id":583231,"login":"octocat","name":"The Octocat","email":"public@example.com"}`,
				"/user/emails": `[{"email":"old@example.com","primary":false,"verified":true},{"email":"octo@example.com","primary":true,"verified":true}]`}},
		{name: "github primary unverified", factory: NewGitHub, status: 200, subject: "583231",
			routes: map[string]string{"/user": `{"id":583231,"login":"octocat","email":"octo@example.com"}`,
				"/user/emails": `[{"email":"octo@example.com","primary":true,"verified":false},{"email":"x@example.com","primary":false,"verified":true}]`}},
		{name: "github api 5xx", factory: NewGitHub, status: 503, want: shared.CodeProviderUnavailable,
			routes: map[string]string{"/user": `{}`}},
		{name: "discord verified", factory: NewDiscord, status: 200, subject: "80351110224678912", email: "nelly@example.com", verified: true,
			routes: map[string]string{"/users/@me": `{"id":"80351110224678912","username":"nelly","global_name":"Nelly","avatar":"8342729096ea3675442027381ff50dfe","email":"nelly@example.com","verified":true}`}},
		{name: "discord unverified", factory: NewDiscord, status: 200, subject: "1", email: "nelly@example.com", verified: false,
			routes: map[string]string{"/users/@me": `{"id":"1","username":"nelly","email":"nelly@example.com","verified":false}`}},
		{name: "discord malformed", factory: NewDiscord, status: 200, want: shared.CodeProviderError,
			routes: map[string]string{"/users/@me": `{"id":`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeAPI(t, tt.routes, tt.status)
			p, err := tt.factory(context.Background(), Config{ID: "x", ClientID: "c", ClientSecret: "s", AuthURL: srv.URL + "/authorize",
				TokenURL: srv.URL + "/token", APIURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			id, err := exchange(t, p)
			if codeOf(err) != tt.want {
				t.Fatalf("Exchange = %+v, %v; want %q", id, err, tt.want)
			}
			if err != nil {
				return
			}
			if id.Subject != tt.subject || id.EmailVerified != tt.verified || (tt.verified && id.Email != tt.email) || id.Issuer != srv.URL {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
}

func TestSetRetriesFailedDiscovery(t *testing.T) {
	var up bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up {
			http.Error(w, "down", 503)
			return
		}
		base := "http://" + r.Host
		json.NewEncoder(w).Encode(map[string]any{"issuer": base, "authorization_endpoint": base + "/a", "token_endpoint": base + "/t", "jwks_uri": base + "/j"})
	}))
	defer srv.Close()
	s := NewSet(context.Background(), nil, Factories(), []Config{{ID: "acme", Kind: "oidc", DisplayName: "Acme", Issuer: srv.URL, ClientID: "c"}})
	if l := s.List(); len(l) != 1 || l[0].Available {
		t.Fatalf("List = %+v, want acme unavailable", l)
	}
	p, ok := s.Get("acme")
	if !ok {
		t.Fatal("configured provider not found")
	}
	if a, isA := p.(interface{ Available() bool }); !isA || a.Available() {
		t.Fatal("stand-in must report unavailable")
	}
	if _, err := p.Exchange(context.Background(), ExchangeParams{}); codeOf(err) != shared.CodeProviderUnavailable {
		t.Fatalf("Exchange on an unavailable provider = %v", err)
	}
	up = true
	s.entries["acme"].next = time.Time{} // the retry window has passed
	if _, ok := s.Get("acme"); !ok || !s.List()[0].Available {
		t.Fatal("provider did not recover")
	}
	if _, ok := s.Get("nope"); ok {
		t.Fatal("unknown provider found")
	}
}

func TestLoadConfigs(t *testing.T) {
	cfgs, err := LoadConfigs([]string{
		"AUTHBRIDGE_GITHUB_CLIENT_ID=gh", "AUTHBRIDGE_GITHUB_CLIENT_SECRET=s", "AUTHBRIDGE_GITHUB_API_URL=https://ghe.example/api/v3",
		"AUTHBRIDGE_OIDC_OKTA_ISSUER=https://okta.example", "AUTHBRIDGE_OIDC_OKTA_CLIENT_ID=o", "AUTHBRIDGE_OIDC_OKTA_DISPLAY_NAME=Okta",
		"AUTHBRIDGE_MICROSOFT_CLIENT_ID=m", "AUTHBRIDGE_MICROSOFT_CLIENT_SECRET=s", "AUTHBRIDGE_MICROSOFT_TENANT=organizations",
		"PATH=/bin",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Config{}
	for _, c := range cfgs {
		got[c.ID] = c
	}
	if len(got) != 3 || got["github"].APIURL != "https://ghe.example/api/v3" || got["okta"].DisplayName != "Okta" || got["microsoft"].Tenant != "organizations" {
		t.Fatalf("configs = %+v", cfgs)
	}
	_, err = LoadConfigs([]string{
		"AUTHBRIDGE_DISCORD_CLIENT_ID=d", "AUTHBRIDGE_LINE_CLIENT_SECRET=topsecret",
		"AUTHBRIDGE_OIDC_GITHUB_ISSUER=https://x", "AUTHBRIDGE_OIDC_BAD!_ISSUER=https://x", "AUTHBRIDGE_OIDC_NOID_ISSUER=https://x",
	})
	if err == nil {
		t.Fatal("broken provider configuration accepted")
	}
	for _, want := range []string{"DISCORD_CLIENT_SECRET", "LINE_CLIENT_SECRET is set without", "built-in", "BAD!", "NOID_CLIENT_ID"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Error("a secret leaked into the error")
	}
}

func TestResponseSizeCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"access_token":"at","x":"` + strings.Repeat("a", MaxResponse+10) + `"}`))
	}))
	defer srv.Close()
	p, _ := NewGitHub(context.Background(), Config{ID: "github", ClientID: "c", ClientSecret: "s", TokenURL: srv.URL, APIURL: srv.URL})
	if _, err := exchange(t, p); err == nil {
		t.Fatal("an oversized response was accepted")
	}
}

// TestUnknownKeyRefetchIsThrottled: tokens with keys we don't know make us
// fetch the JWKS again at most once per window, however many arrive.
func TestUnknownKeyRefetchIsThrottled(t *testing.T) {
	f := newFakeIdP(t, "")
	p, err := NewGoogle(context.Background(), Config{ID: "google", ClientID: "gid", Issuer: f.srv.URL, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"iss": f.srv.URL, "aud": "gid", "sub": "s", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	good, forged := signRS256(t, claims, false), signRS256(t, claims, true)
	cv := p.(CredentialVerifier)
	if _, err := cv.VerifyCredential(context.Background(), good, ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if _, err := cv.VerifyCredential(context.Background(), forged, ""); codeOf(err) != shared.CodeInvalidCredential {
			t.Fatalf("forged token: %v", err)
		}
	}
	f.mu.Lock()
	hits := f.jwksHits
	f.mu.Unlock()
	if hits != 1 {
		t.Fatalf("JWKS fetched %d times for 1 good and 20 forged tokens, want 1 (the refetch window has not passed)", hits)
	}
	if _, err := cv.VerifyCredential(context.Background(), good, ""); err != nil {
		t.Fatalf("the cached keys stopped working: %v", err)
	}
}
