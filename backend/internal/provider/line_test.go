package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

const lineSecret = "channel-secret-1"

// newLINEIdP fakes LINE Login: the token endpoint hands out HS256 ID
// tokens signed with the channel secret (or ES256 ones), and the JWKS of
// the ES256 keys is at /oauth2/v2.1/certs.
func newLINEIdP(t *testing.T) *fakeIdP {
	f := newFakeIdP(t)
	f.extra = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth2/v2.1/certs" {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		f.jwksHits++
		f.mu.Unlock()
		writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk(&ecKey.PublicKey, "line-es", "ES256")}})
	}
	return f
}

func newTestLINE(t *testing.T, f *fakeIdP, c *http.Client) Provider {
	t.Helper()
	p, err := NewLINE(context.Background(), Config{ID: "line", Kind: "line", ClientID: "1656000000", ClientSecret: lineSecret,
		TokenURL: f.URL + "/token", APIURL: f.URL, HTTPClient: c, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLINEExchange(t *testing.T) {
	f := newLINEIdP(t)
	otherEC, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	hs := func(tb testing.TB, c jwt.MapClaims) string {
		return signHS(tb, c, jwt.SigningMethodHS256, []byte(lineSecret))
	}
	put := func(k string, v any) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c[k] = v } }
	del := func(k string) func(jwt.MapClaims) { return func(c jwt.MapClaims) { delete(c, k) } }
	ic := shared.CodeInvalidCredential
	idTokenHarness{
		idp:   f,
		build: func(t *testing.T, c *http.Client) Provider { return newTestLINE(t, f, c) },
		good: func() jwt.MapClaims {
			return jwt.MapClaims{"iss": "https://access.line.me", "aud": "1656000000", "sub": "U4af4980629f", "exp": now.Add(time.Hour).Unix(),
				"iat": now.Unix(), "nonce": testNonce, "amr": []string{"linesso"}, "name": "Taro", "picture": "https://profile.line-scdn.net/x",
				"email": "taro@example.com", "email_verified": true}
		},
		sign:         hs,
		emailTrusted: false, // LINE never says it verified an email
		check: func(t *testing.T, id Identity) {
			if id.Provider != "line" || id.Issuer != "https://access.line.me" || id.Subject != "U4af4980629f" || id.Email != "taro@example.com" || id.EmailVerified {
				t.Errorf("identity = %+v", id)
			}
		},
	}.run(t, append([]tokenCase{
		{name: "success (HS256 with the channel secret)"},
		{name: "ES256 via LINE's JWKS", sign: func(tb testing.TB, c jwt.MapClaims) string { return signES(tb, c, ecKey, "line-es") }},
		{name: "ES256 unknown key", sign: func(tb testing.TB, c jwt.MapClaims) string { return signES(tb, c, otherEC, "nope") }, want: ic},
		{name: "ES256 known kid, forged", sign: func(tb testing.TB, c jwt.MapClaims) string { return signES(tb, c, otherEC, "line-es") }, want: ic},
		{name: "HS256 with another secret", sign: func(tb testing.TB, c jwt.MapClaims) string {
			return signHS(tb, c, jwt.SigningMethodHS256, []byte("other"))
		}, want: ic},
		{name: "HS512", sign: func(tb testing.TB, c jwt.MapClaims) string {
			return signHS(tb, c, jwt.SigningMethodHS512, []byte(lineSecret))
		}, want: ic},
		{name: "RS256", sign: func(tb testing.TB, c jwt.MapClaims) string { return signRS(tb, c, rsaKey, "k1") }, want: ic},
		{name: "alg none", sign: unsigned, want: ic},
		{name: "token endpoint 5xx", mode: "5xx", want: shared.CodeProviderUnavailable},
		{name: "token endpoint hangs", mode: "hang", want: shared.CodeProviderUnavailable},
		{name: "invalid_grant", mode: "invalid_grant", want: shared.CodeProviderError},
		{name: "no id_token", mode: "no_id_token", want: shared.CodeProviderError},
		{name: "wrong aud", mutate: put("aud", "1656999999"), want: ic},
		{name: "wrong iss", mutate: put("iss", "https://access.line.me.evil"), want: ic},
		{name: "azp of another channel", mutate: put("azp", "1656999999"), want: ic},
		{name: "wrong nonce", mutate: put("nonce", "nonce-2"), want: ic},
		{name: "no nonce", mutate: del("nonce"), want: ic},
		{name: "expired", mutate: put("exp", now.Add(-time.Second).Unix()), want: ic},
		{name: "no exp", mutate: del("exp"), want: ic},
		{name: "no iat", mutate: del("iat"), want: ic},
		{name: "no sub", mutate: del("sub"), want: ic},
	}, iatCases()...))
}

func TestLINEAuthURL(t *testing.T) {
	f := newLINEIdP(t)
	q := authURLQuery(t, newTestLINE(t, f, client(t, f.srv, 0)))
	wantQuery(t, q, "1656000000", true)
	p := newTestLINE(t, f, client(t, f.srv, 0))
	if u := p.AuthURL(AuthParams{State: "s"}); u[:len(lineAuthURL)] != lineAuthURL {
		t.Errorf("AuthURL = %s", u)
	}
}
