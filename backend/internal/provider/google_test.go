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

func newTestGoogle(t *testing.T, f *fakeIdP, c *http.Client, hd string) Provider {
	t.Helper()
	p, err := NewGoogle(context.Background(), Config{ID: "google", Kind: "google", ClientID: "client-1", ClientSecret: "secret-1",
		Issuer: f.URL, HostedDomain: hd, HTTPClient: c, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func googleClaims(f *fakeIdP) jwt.MapClaims {
	return jwt.MapClaims{"iss": f.URL, "aud": "client-1", "azp": "client-1", "sub": "110169484474386276334",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": testNonce,
		"email": "erin@corp.example", "email_verified": true, "hd": "corp.example", "name": "Erin", "picture": "https://lh3.example/p"}
}

func TestGoogleExchange(t *testing.T) {
	f := newFakeIdP(t)
	// Google's tokens say "accounts.google.com" as often as
	// "https://accounts.google.com": with the test issuer https://<host>,
	// the scheme-less spelling is <host>.
	bare := strings.TrimPrefix(f.URL, "https://")
	idTokenHarness{
		idp:          f,
		build:        func(t *testing.T, c *http.Client) Provider { return newTestGoogle(t, f, c, "") },
		good:         func() jwt.MapClaims { return googleClaims(f) },
		emailTrusted: true,
		check: func(t *testing.T, id Identity) {
			if id.Provider != "google" || id.Issuer != f.URL || id.Subject != "110169484474386276334" || id.HostedDomain != "corp.example" || id.AvatarURL == "" {
				t.Errorf("identity = %+v", id)
			}
		},
	}.run(t, append(idTokenCases(),
		tokenCase{name: "issuer without the scheme", mutate: func(c jwt.MapClaims) { c["iss"] = bare }, verified: true},
		tokenCase{name: "issuer over http", mutate: func(c jwt.MapClaims) { c["iss"] = "http://" + bare }, want: shared.CodeInvalidCredential},
		tokenCase{name: "no azp", mutate: func(c jwt.MapClaims) { delete(c, "azp") }, verified: true},
	))
}

func TestGoogleCredential(t *testing.T) {
	f := newFakeIdP(t)
	cred := func(mod func(jwt.MapClaims)) string {
		c := googleClaims(f)
		delete(c, "nonce")
		if mod != nil {
			mod(c)
		}
		return signRS(t, c, rsaKey, "k1")
	}
	issued := func(iat, exp time.Time) func(jwt.MapClaims) {
		return func(c jwt.MapClaims) { c["iat"], c["exp"] = iat.Unix(), exp.Unix() }
	}
	ic := shared.CodeInvalidCredential
	tests := []struct {
		name      string
		hd        string
		raw       string
		want      shared.ErrorCode
		verified  bool
		nonce     string    // the nonce claim answered
		expiresAt time.Time // zero: the token's exp, now + 1 h
	}{
		{name: "no nonce claim", raw: cred(nil), verified: true},
		{name: "the nonce claim is answered", raw: cred(func(c jwt.MapClaims) { c["nonce"] = "n" }), nonce: "n", verified: true},
		{name: "azp of another client", raw: cred(func(c jwt.MapClaims) { c["azp"] = "x" }), want: ic},
		{name: "wrong aud", raw: cred(func(c jwt.MapClaims) { c["aud"] = "x" }), want: ic},
		{name: "expired one second ago", raw: cred(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() }), want: ic},
		{name: "email_verified as a string", raw: cred(func(c jwt.MapClaims) { c["email_verified"] = "true" }), verified: false},
		{name: "workspace domain", hd: "corp.example", raw: cred(nil), verified: true},
		{name: "workspace domain, other case", hd: "Corp.Example", raw: cred(nil), verified: true},
		{name: "email suffix is not hd", hd: "corp.example", raw: cred(func(c jwt.MapClaims) { delete(c, "hd") }), want: ic},
		{name: "another workspace", hd: "corp.example", raw: cred(func(c jwt.MapClaims) { c["hd"] = "corp.example.evil" }), want: ic},
		{name: "too large", raw: strings.Repeat("a", maxIDToken+1), want: ic},
		{name: "garbage", raw: "not.a.jwt", want: ic},
		// Age: Google's ID tokens live an hour, whatever exp says.
		{name: "issued 59 minutes ago", raw: cred(issued(now.Add(-59*time.Minute), now.Add(time.Minute))), verified: true,
			expiresAt: now.Add(time.Minute)},
		{name: "an hour and 20 s old (clock skew), exp far off", raw: cred(issued(now.Add(-time.Hour-20*time.Second), now.Add(24*time.Hour))),
			verified: true, expiresAt: now.Add(10 * time.Second)},
		{name: "an hour and a minute old, exp far off", raw: cred(issued(now.Add(-time.Hour-time.Minute), now.Add(24*time.Hour))), want: ic},
		{name: "a day old, exp far off", raw: cred(issued(now.Add(-24*time.Hour), now.Add(time.Hour))), want: ic},
		{name: "exp beyond the lifetime is remembered until the lifetime ends", raw: cred(issued(now, now.Add(24*time.Hour))),
			verified: true, expiresAt: now.Add(time.Hour + Skew)},
		{name: "iat 20 s ahead (clock skew)", raw: cred(issued(now.Add(20*time.Second), now.Add(time.Hour))), verified: true},
		{name: "iat a minute ahead", raw: cred(issued(now.Add(time.Minute), now.Add(time.Hour))), want: ic},
		{name: "no iat", raw: cred(func(c jwt.MapClaims) { delete(c, "iat") }), want: ic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestGoogle(t, f, client(t, f.srv, 0), tt.hd)
			c, err := p.(CredentialVerifier).VerifyCredential(context.Background(), tt.raw)
			if codeOf(err) != tt.want {
				t.Fatalf("VerifyCredential = %+v, %v; want %q", c, err, tt.want)
			}
			if err != nil {
				return
			}
			id := c.Identity
			if id.EmailVerified != tt.verified || id.Subject != "110169484474386276334" || id.Email != "erin@corp.example" {
				t.Fatalf("identity = %+v", id)
			}
			wantExp := tt.expiresAt
			if wantExp.IsZero() {
				wantExp = now.Add(time.Hour)
			}
			if c.Nonce != tt.nonce || !c.ExpiresAt.Equal(wantExp) {
				t.Fatalf("nonce %q, expires %v; want %q, %v", c.Nonce, c.ExpiresAt, tt.nonce, wantExp)
			}
		})
	}
}

func TestGoogleAuthURL(t *testing.T) {
	f := newFakeIdP(t)
	q := authURLQuery(t, newTestGoogle(t, f, client(t, f.srv, 0), ""))
	wantQuery(t, q, "client-1", true)
	if q.Has("hd") {
		t.Error("hd hint without a configured domain")
	}
	q = authURLQuery(t, newTestGoogle(t, f, client(t, f.srv, 0), "corp.example"))
	if q.Get("hd") != "corp.example" {
		t.Errorf("hd = %q", q.Get("hd"))
	}
}
