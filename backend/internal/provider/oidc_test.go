package provider

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

func oidcConfig(f *fakeIdP, c *http.Client) Config {
	return Config{ID: "acme", Kind: "oidc", DisplayName: "Acme", ClientID: "client-1", ClientSecret: "secret-1",
		Issuer: f.URL, HTTPClient: c, Now: clock}
}

func newTestOIDC(t *testing.T, f *fakeIdP, c *http.Client) Provider {
	t.Helper()
	p, err := NewOIDC(context.Background(), oidcConfig(f, c))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOIDCExchange(t *testing.T) {
	f := newFakeIdP(t)
	idTokenHarness{
		idp:   f,
		build: func(t *testing.T, c *http.Client) Provider { return newTestOIDC(t, f, c) },
		good: func() jwt.MapClaims {
			return jwt.MapClaims{"iss": f.URL, "aud": "client-1", "sub": "u-1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
				"nonce": testNonce, "email": "ada@example.com", "email_verified": true, "name": "Ada"}
		},
		emailTrusted: true,
		check: func(t *testing.T, id Identity) {
			if id.Provider != "acme" || id.Issuer != f.URL || id.Subject != "u-1" || id.Email != "ada@example.com" || id.Name != "Ada" {
				t.Errorf("identity = %+v", id)
			}
		},
	}.run(t, append(idTokenCases(),
		tokenCase{name: "azp is us", mutate: func(c jwt.MapClaims) { c["azp"] = "client-1" }, verified: true},
		tokenCase{name: "two audiences with our azp", mutate: func(c jwt.MapClaims) {
			c["aud"], c["azp"] = []string{"client-1", "other"}, "client-1"
		}, verified: true},
		tokenCase{name: "iss with a trailing slash", mutate: func(c jwt.MapClaims) { c["iss"] = f.URL + "/" }, want: shared.CodeInvalidCredential},
	))
}

func TestOIDCAuthURL(t *testing.T) {
	f := newFakeIdP(t)
	q := authURLQuery(t, newTestOIDC(t, f, client(t, f.srv, 0)))
	wantQuery(t, q, "client-1", true)
	for _, s := range []string{"email", "profile"} {
		if !strings.Contains(q.Get("scope"), s) {
			t.Errorf("scope = %q, want %s", q.Get("scope"), s)
		}
	}

	cfg := oidcConfig(f, client(t, f.srv, 0))
	cfg.AuthURL = "https://login.example/authorize"
	p, err := NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if u := p.AuthURL(AuthParams{State: "s"}); !strings.HasPrefix(u, "https://login.example/authorize?") {
		t.Errorf("AUTH_URL override ignored: %s", u)
	}
}

func TestOIDCDiscovery(t *testing.T) {
	tests := []struct {
		name      string
		issuerFor func(f *fakeIdP) func(string) string
		status    int
		want      shared.ErrorCode
	}{
		{name: "issuer equal", want: ""},
		{name: "issuer with a trailing slash", issuerFor: func(f *fakeIdP) func(string) string {
			return func(string) string { return f.URL + "/" }
		}, want: shared.CodeProviderError},
		{name: "another issuer", issuerFor: func(f *fakeIdP) func(string) string {
			return func(string) string { return "https://evil.example" }
		}, want: shared.CodeProviderError},
		{name: "discovery down", status: 503, want: shared.CodeProviderUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIdP(t)
			if tt.issuerFor != nil {
				f.issuerFor = tt.issuerFor(f)
			}
			f.discStatus = tt.status
			_, err := NewOIDC(context.Background(), oidcConfig(f, client(t, f.srv, 0)))
			if codeOf(err) != tt.want {
				t.Fatalf("NewOIDC = %v, want code %q", err, tt.want)
			}
		})
	}
}

// TestOIDCClientAuthentication: one authentication method, chosen from
// discovery, and one token request per exchange even when it fails
// (x/oauth2's auto-detection would send a failed request twice).
func TestOIDCClientAuthentication(t *testing.T) {
	for _, tt := range []struct {
		methods   []string
		wantBasic bool
	}{
		{methods: nil, wantBasic: true}, // the spec's default is client_secret_basic
		{methods: []string{"client_secret_basic"}, wantBasic: true},
		{methods: []string{"client_secret_basic", "client_secret_post"}, wantBasic: false},
	} {
		t.Run(strings.Join(tt.methods, ","), func(t *testing.T) {
			f := newFakeIdP(t)
			f.authMethods = tt.methods
			p := newTestOIDC(t, f, client(t, f.srv, 0))
			f.set("5xx", "")
			if _, err := exchange(p); codeOf(err) != shared.CodeProviderUnavailable {
				t.Fatalf("Exchange = %v", err)
			}
			form, basic := f.lastForm()
			if f.tokenHits != 1 {
				t.Errorf("%d token requests for one exchange", f.tokenHits)
			}
			if tt.wantBasic != (basic == "client-1") || tt.wantBasic == (form.Get("client_secret") == "secret-1") {
				t.Errorf("basic %q, form secret %q; want basic=%v", basic, form.Get("client_secret"), tt.wantBasic)
			}
		})
	}
}

// TestSigningAlgs: advertised HS256 and none never become acceptable.
func TestSigningAlgs(t *testing.T) {
	got := signingAlgs([]string{"HS256", "none", "ES256", "RS256", "ES256"})
	if strings.Join(got, ",") != "ES256,RS256" {
		t.Fatalf("signingAlgs = %v", got)
	}
	if got := signingAlgs(nil); strings.Join(got, ",") != "RS256" {
		t.Fatalf("signingAlgs(nil) = %v", got)
	}
}

// TestNonceOptional: only the client-driven code exchange may leave the
// nonce out; a nonce that is given is always compared.
func TestNonceOptional(t *testing.T) {
	f := newFakeIdP(t)
	p := newTestOIDC(t, f, client(t, f.srv, 10*time.Second))
	claims := func(nonce string) jwt.MapClaims {
		c := jwt.MapClaims{"iss": f.URL, "aud": "client-1", "sub": "u-1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
			"email": "ada@example.com", "email_verified": true}
		if nonce != "" {
			c["nonce"] = nonce
		}
		return c
	}
	tests := []struct {
		name              string
		tokenNonce, nonce string
		optional          bool
		want              shared.ErrorCode
	}{
		{"popup flow needs the nonce", "", "", false, shared.CodeInvalidCredential},
		{"code endpoint without nonce", "", "", true, ""},
		{"code endpoint without nonce, token has one", testNonce, "", true, ""},
		{"code endpoint nonce matches", testNonce, testNonce, true, ""},
		{"code endpoint nonce differs", "other", testNonce, true, shared.CodeInvalidCredential},
		{"code endpoint nonce given, token has none", "", testNonce, true, shared.CodeInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.set("ok", signRS(t, claims(tt.tokenNonce), rsaKey, "k1"))
			_, err := p.Exchange(context.Background(), ExchangeParams{Code: "code-1", RedirectURI: testRedirect,
				CodeVerifier: testVerifier, Nonce: tt.nonce, NonceOptional: tt.optional})
			if got := codeOf(err); got != tt.want {
				t.Fatalf("Exchange error %v (code %q), want code %q", err, got, tt.want)
			}
		})
	}
}
