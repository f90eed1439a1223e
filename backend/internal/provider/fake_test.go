package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/shared"
)

// now is the tests' clock: ID tokens are minted around it.
var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// Test keys, generated once per test binary.
var (
	keyOnce sync.Once
	rsaKey  *rsa.PrivateKey // published in the fake JWKS as kid "k1"
	rsaKey2 *rsa.PrivateKey // published nowhere (or as "k2" after a rotation)
	ecKey   *ecdsa.PrivateKey
)

func testKeys(tb testing.TB) {
	tb.Helper()
	keyOnce.Do(func() {
		rsaKey, _ = rsa.GenerateKey(rand.Reader, 2048)
		rsaKey2, _ = rsa.GenerateKey(rand.Reader, 2048)
		ecKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	})
}

func jwk(key any, kid, alg string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: "sig"}
}

// fakeIdP is an OpenID Provider on an httptest TLS server: discovery at any
// <prefix>/.well-known/openid-configuration, a JWKS, and a token endpoint
// whose behaviour each case picks. Anything else goes to extra.
type fakeIdP struct {
	srv *httptest.Server
	URL string

	// issuerFor answers the discovery issuer for a discovery prefix
	// (default: URL+prefix). Microsoft's fake returns a template.
	issuerFor   func(prefix string) string
	authMethods []string
	extra       http.HandlerFunc

	mu            sync.Mutex
	jwks          []jose.JSONWebKey
	jwksStatus    int
	jwksHits      int
	discStatus    int
	discHits      int
	mode          string // ok, 5xx, 429, hang, invalid_grant, error_200, bad_json, no_id_token
	idToken       string
	tokenHits     int
	form          url.Values // the last token request
	basicClientID string
}

func newFakeIdP(tb testing.TB) *fakeIdP {
	tb.Helper()
	testKeys(tb)
	f := &fakeIdP{mode: "ok", jwks: []jose.JSONWebKey{jwk(&rsaKey.PublicKey, "k1", "RS256")}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	f.URL = f.srv.URL
	return f
}

func (f *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock() // every branch unlocks before writing (the hang case must not hold it)
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		f.discHits++
		status := f.discStatus
		f.mu.Unlock()
		if status != 0 {
			http.Error(w, "discovery down", status)
			return
		}
		prefix := strings.TrimSuffix(r.URL.Path, "/.well-known/openid-configuration")
		issuer := f.URL + prefix
		if f.issuerFor != nil {
			issuer = f.issuerFor(prefix)
		}
		doc := map[string]any{
			"issuer": issuer, "authorization_endpoint": f.URL + "/authorize", "token_endpoint": f.URL + "/token",
			"jwks_uri": f.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256", "HS256", "none"},
		}
		if f.authMethods != nil {
			doc["token_endpoint_auth_methods_supported"] = f.authMethods
		}
		writeJSON(w, 200, doc)
	case r.URL.Path == "/jwks":
		f.jwksHits++
		status, keys := f.jwksStatus, f.jwks
		f.mu.Unlock()
		if status != 0 {
			http.Error(w, "jwks down", status)
			return
		}
		writeJSON(w, 200, jose.JSONWebKeySet{Keys: keys})
	case r.URL.Path == "/token":
		r.ParseForm()
		f.tokenHits++
		f.form = r.PostForm
		f.basicClientID, _, _ = r.BasicAuth()
		mode, tok := f.mode, f.idToken
		f.mu.Unlock()
		tokenResponse(w, r, mode, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": tok})
	default:
		f.mu.Unlock()
		if f.extra != nil {
			f.extra(w, r)
			return
		}
		http.NotFound(w, r)
	}
}

// tokenResponse answers a token request the way mode says.
func tokenResponse(w http.ResponseWriter, r *http.Request, mode string, ok map[string]any) {
	switch mode {
	case "5xx":
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	case "429":
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case "hang":
		<-r.Context().Done()
	case "invalid_grant":
		writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "code expired"})
	case "error_200": // GitHub's way of refusing a code
		writeJSON(w, 200, map[string]any{"error": "bad_verification_code"})
	case "bad_json":
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":`))
	case "no_id_token":
		delete(ok, "id_token")
		writeJSON(w, 200, ok)
	default:
		writeJSON(w, 200, ok)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeIdP) set(mode, idToken string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode, f.idToken = mode, idToken
}

func (f *fakeIdP) hits() (disc, jwks int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.discHits, f.jwksHits
}

func (f *fakeIdP) lastForm() (url.Values, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.form, f.basicClientID
}

// client is our provider client (timeout, size cap) trusting srv's
// certificate.
func client(tb testing.TB, srv *httptest.Server, timeout time.Duration) *http.Client {
	tb.Helper()
	c := NewHTTPClient(timeout)
	tr := c.Transport.(capped).next.(*http.Transport)
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	return c
}

// ---- tokens ----

func signRS(tb testing.TB, c jwt.MapClaims, key *rsa.PrivateKey, kid string) string {
	tb.Helper()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func signES(tb testing.TB, c jwt.MapClaims, key *ecdsa.PrivateKey, kid string) string {
	tb.Helper()
	t := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	t.Header["kid"] = kid
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func signHS(tb testing.TB, c jwt.MapClaims, m jwt.SigningMethod, secret []byte) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(secret)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func unsigned(tb testing.TB, c jwt.MapClaims) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// rsaPublicPEM is the RSA public key as the bytes an alg-confusion attack
// uses as an HMAC secret.
func rsaPublicPEM(tb testing.TB) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ---- shared cases for providers with ID tokens ----

const (
	testRedirect = "https://auth.example/api/auth/x/callback"
	testNonce    = "nonce-1"
)

var testVerifier = strings.Repeat("v", 43)

// testFlowStart is when the redirect flow of exchange started: a minute
// before the tokens' usual iat.
var testFlowStart = now.Add(-time.Minute)

func exchange(p Provider) (Identity, error) {
	return p.Exchange(context.Background(), ExchangeParams{Code: "code-1", RedirectURI: testRedirect, CodeVerifier: testVerifier,
		Nonce: testNonce, FlowStart: testFlowStart})
}

// iatCases are the iat rules every ID token of a redirect flow obeys
// (checkIssuedAt): Skew either way, never from before the flow started.
func iatCases() []tokenCase {
	iat := func(t time.Time) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c["iat"] = t.Unix() } }
	ic := shared.CodeInvalidCredential
	return []tokenCase{
		{name: "iat 20 s ahead (clock skew)", mutate: iat(now.Add(20 * time.Second)), verified: true},
		{name: "iat a minute ahead", mutate: iat(now.Add(time.Minute)), want: ic},
		{name: "iat in the future", mutate: iat(now.Add(time.Hour)), want: ic},
		{name: "iat 20 s before the flow started (clock skew)", mutate: iat(testFlowStart.Add(-20 * time.Second)), verified: true},
		{name: "iat before the flow started", mutate: iat(testFlowStart.Add(-time.Minute)), want: ic},
		{name: "iat a day before the flow started", mutate: iat(testFlowStart.Add(-24 * time.Hour)), want: ic},
	}
}

func codeOf(err error) shared.ErrorCode {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

// tokenCase is one token-endpoint behaviour and the ID token it hands out.
type tokenCase struct {
	name string
	mode string // token endpoint mode; "" is ok
	// mutate edits the provider's good claims; sign, when set, signs them
	// (default: RS256 with the published key k1).
	mutate   func(c jwt.MapClaims)
	sign     func(tb testing.TB, c jwt.MapClaims) string
	want     shared.ErrorCode
	verified bool // expected EmailVerified on success (when the provider trusts emails)
}

// idTokenCases are the cases every provider whose identity is an RS256
// OIDC ID token must pass.
func idTokenCases() []tokenCase {
	del := func(k string) func(jwt.MapClaims) { return func(c jwt.MapClaims) { delete(c, k) } }
	put := func(k string, v any) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c[k] = v } }
	ic := shared.CodeInvalidCredential
	return append([]tokenCase{
		{name: "success", verified: true},
		{name: "email_verified false", mutate: put("email_verified", false)},
		{name: "email_verified as the string true", mutate: put("email_verified", "true")},
		{name: "token endpoint 5xx", mode: "5xx", want: shared.CodeProviderUnavailable},
		{name: "token endpoint 429", mode: "429", want: shared.CodeProviderUnavailable},
		{name: "token endpoint hangs", mode: "hang", want: shared.CodeProviderUnavailable},
		{name: "invalid_grant", mode: "invalid_grant", want: shared.CodeProviderError},
		{name: "token response not JSON", mode: "bad_json", want: shared.CodeProviderError},
		{name: "no id_token", mode: "no_id_token", want: shared.CodeProviderError},
		{name: "wrong aud", mutate: put("aud", "another-client"), want: ic},
		{name: "wrong iss", mutate: put("iss", "https://evil.example"), want: ic},
		{name: "azp of another client", mutate: put("azp", "another-client"), want: ic},
		{name: "two audiences, no azp", mutate: func(c jwt.MapClaims) {
			c["aud"] = []string{"client-1", "another-client"}
			delete(c, "azp")
		}, want: ic},
		{name: "wrong nonce", mutate: put("nonce", "nonce-2"), want: ic},
		{name: "no nonce", mutate: del("nonce"), want: ic},
		{name: "expired", mutate: put("exp", now.Add(-time.Minute).Unix()), want: ic},
		{name: "no exp", mutate: del("exp"), want: ic},
		{name: "no iat", mutate: del("iat"), want: ic},
		{name: "no sub", mutate: del("sub"), want: ic},
		{name: "alg none", sign: unsigned, want: ic},
		{name: "unknown key", sign: func(tb testing.TB, c jwt.MapClaims) string { return signRS(tb, c, rsaKey2, "k2") }, want: ic},
		{name: "known kid, forged signature", sign: func(tb testing.TB, c jwt.MapClaims) string { return signRS(tb, c, rsaKey2, "k1") }, want: ic},
		{name: "HS256 signed with the public key", sign: func(tb testing.TB, c jwt.MapClaims) string {
			return signHS(tb, c, jwt.SigningMethodHS256, rsaPublicPEM(tb))
		}, want: ic},
	}, iatCases()...)
}

// idTokenHarness runs idTokenCases against one provider.
type idTokenHarness struct {
	idp *fakeIdP
	// build makes the provider with the given HTTP client.
	build func(t *testing.T, c *http.Client) Provider
	// good answers valid claims (aud client-1, nonce testNonce, email).
	good func() jwt.MapClaims
	// emailTrusted: the provider passes email_verified through.
	emailTrusted bool
	// check runs on every success.
	check func(t *testing.T, id Identity)
	// sign signs cases without their own signer (default: RS256, k1).
	sign func(tb testing.TB, c jwt.MapClaims) string
}

func (h idTokenHarness) run(t *testing.T, cases []tokenCase) {
	t.Helper()
	p := h.build(t, client(t, h.idp.srv, 10*time.Second))
	// The hang case uses a provider whose client gives up after 100 ms.
	impatient := h.build(t, client(t, h.idp.srv, 100*time.Millisecond))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := h.good()
			if tc.mutate != nil {
				tc.mutate(c)
			}
			sign := tc.sign
			if sign == nil {
				sign = h.sign
			}
			if sign == nil {
				sign = func(tb testing.TB, c jwt.MapClaims) string { return signRS(tb, c, rsaKey, "k1") }
			}
			h.idp.set(orStr(tc.mode, "ok"), sign(t, c))
			pp := p
			if tc.mode == "hang" {
				pp = impatient
			}
			id, err := exchange(pp)
			t.Logf("Exchange error: %v", err)
			if codeOf(err) != tc.want {
				t.Fatalf("Exchange = %+v, %v; want code %q", id, err, tc.want)
			}
			if err != nil {
				return
			}
			form, _ := h.idp.lastForm()
			if form.Get("code_verifier") != testVerifier || form.Get("redirect_uri") != testRedirect || form.Get("code") != "code-1" {
				t.Errorf("token request = %v", form)
			}
			if want := tc.verified && h.emailTrusted; id.EmailVerified != want {
				t.Errorf("EmailVerified = %v, want %v", id.EmailVerified, want)
			}
			h.check(t, id)
		})
	}
}

// authURLQuery builds p's authorization URL and answers its query.
func authURLQuery(t *testing.T, p Provider) url.Values {
	t.Helper()
	u, err := url.Parse(p.AuthURL(AuthParams{RedirectURI: testRedirect, State: "state-1", Nonce: testNonce, CodeChallenge: "challenge-1"}))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// wantQuery checks the parameters every authorization URL carries.
func wantQuery(t *testing.T, q url.Values, clientID string, oidc bool) {
	t.Helper()
	want := map[string]string{"state": "state-1", "code_challenge": "challenge-1", "code_challenge_method": "S256",
		"redirect_uri": testRedirect, "client_id": clientID, "response_type": "code"}
	if oidc {
		want["nonce"] = testNonce
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if !oidc && q.Has("nonce") {
		t.Errorf("an OAuth2 provider was sent a nonce")
	}
	if oidc && !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		t.Errorf("scope = %q, want openid", q.Get("scope"))
	}
}
