package devidp

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authbridge/authbridge/backend/internal/provider"
)

// TestForServer: every provider configuration points at a registered
// client of the devidp, and its endpoints answer through the in-process
// Transport without a listening server.
func TestForServer(t *testing.T) {
	idp, cfgs, err := ForServer("http://localhost:8080/", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfgs) != 4 {
		t.Fatalf("%d providers", len(cfgs))
	}
	c := &http.Client{Transport: idp.Transport(), Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range cfgs {
		client, ok := idp.client(p.ClientID)
		if !ok || client.Secret != p.ClientSecret {
			t.Fatalf("%s: client %q not registered", p.ID, p.ClientID)
		}
		cb := "http://localhost:8080/api/auth/" + p.ID + "/callback"
		if client.RedirectURIs[0] != cb {
			t.Fatalf("%s: redirect URIs %v", p.ID, client.RedirectURIs)
		}
		if p.Issuer != "" {
			resp, err := c.Get(p.Issuer + "/.well-known/openid-configuration")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s discovery through Transport: %v %v", p.ID, err, resp)
			}
			resp.Body.Close()
			continue
		}
		// OAuth2: authorize and redeem through the Transport.
		api := map[string]string{"github": APIGitHub, "discord": APIDiscord}[p.Kind]
		verifier := oauth2.GenerateVerifier()
		oc := oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: cb, Scopes: strings.Fields(scopeFor[api]),
			Endpoint: oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL}}
		resp, err := c.Get(oc.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "alice"),
			oauth2.SetAuthURLParam("prompt", "none")))
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("%s authorize: %v %v", p.ID, err, resp)
		}
		loc, _ := url.Parse(resp.Header.Get("Location"))
		tok, err := oc.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, c), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("%s exchange through Transport: %v", p.ID, err)
		}
		req, _ := http.NewRequest(http.MethodGet, p.APIURL+map[string]string{APIGitHub: "/user", APIDiscord: "/users/@me"}[api], nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err = c.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s user API: %v %v", p.ID, err, resp)
		}
		resp.Body.Close()
	}
}

// TestOIDCProviderSignsIn runs our relying-party code (the generic OIDC
// provider: discovery, code exchange, ID-token verification against the
// JWKS) against the generic issuer under each algorithm it can sign with.
func TestOIDCProviderSignsIn(t *testing.T) {
	for _, alg := range []string{AlgRS256, AlgES256} {
		t.Run(alg, func(t *testing.T) {
			f := newFixtureWith(t, func(o *Options) { o.OIDCAlg = alg })
			ctx := context.Background()
			p, err := provider.NewOIDC(ctx, provider.Config{ID: "dev", Kind: "oidc", ClientID: clientID, ClientSecret: clientSecret,
				Issuer: f.idp.Issuer(APIOIDC), HTTPClient: f.srv.Client(), Now: f.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			verifier, challenge := pkce()
			authURL, err := url.Parse(p.AuthURL(provider.AuthParams{RedirectURI: redirectURI, State: "st", Nonce: "n-1", CodeChallenge: challenge}))
			if err != nil {
				t.Fatal(err)
			}
			q := authURL.Query()
			q.Set("login_hint", "alice")
			q.Set("prompt", "none")
			authURL.RawQuery = q.Encode()
			resp, _ := f.get(authURL.String())
			code := redirected(t, resp, redirectURI).Get("code")
			if resp.StatusCode != http.StatusFound || code == "" {
				t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			id, err := p.Exchange(ctx, provider.ExchangeParams{Code: code, RedirectURI: redirectURI, CodeVerifier: verifier, Nonce: "n-1"})
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			alice := userByID(t, "alice")
			if id.Issuer != f.idp.Issuer(APIOIDC) || id.Subject != alice.Subject(APIOIDC) || id.Email != alice.Email || !id.EmailVerified {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
}

// TestTransportLeavesRequestAlone: the caller's request is not modified
// (RoundTripper contract) and its body is closed.
func TestTransportLeavesRequestAlone(t *testing.T) {
	f := newFixture(t)
	body := &closeRecorder{Reader: strings.NewReader(`{"client_id":"app","user":"alice"}`)}
	req, _ := http.NewRequest(http.MethodPost, f.idp.URL("/gsi/credential"), nil)
	req.Body = body
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.idp.Transport().RoundTrip(req)
	if err != nil || resp.StatusCode != 200 || resp.Request != req {
		t.Fatalf("round trip: %v %v", err, resp)
	}
	if req.Form != nil || req.PostForm != nil || !body.closed {
		t.Fatalf("request modified (form %v) or body not closed (%v)", req.Form, body.closed)
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }
