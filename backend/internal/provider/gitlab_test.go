package provider

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

// gitlabPath is where the fake serves a self-managed GitLab installed
// under a path (https://host/gitlab).
const gitlabPath = "/gitlab"

func newTestGitLab(t *testing.T, c *http.Client, issuer string) (Provider, error) {
	t.Helper()
	return NewGitLab(context.Background(), Config{ID: "gitlab", Kind: "gitlab", ClientID: "client-1", ClientSecret: "secret-1",
		Issuer: issuer, HTTPClient: c, Now: clock})
}

// gitlabClaims are what GitLab's ID token carries: sub (the numeric user
// id), email and email_verified; name and picture are userinfo-only.
func gitlabClaims(issuer string) jwt.MapClaims {
	return jwt.MapClaims{"iss": issuer, "aud": "client-1", "sub": "1234567", "sub_legacy": "abc",
		"exp": now.Add(2 * time.Minute).Unix(), "iat": now.Unix(), "auth_time": now.Unix(), "nonce": testNonce,
		"email": "gina@example.com", "email_verified": true, "groups_direct": []string{"corp"}}
}

func TestGitLabExchange(t *testing.T) {
	f := newFakeIdP(t)
	issuer := f.URL + gitlabPath
	idTokenHarness{
		idp: f,
		build: func(t *testing.T, c *http.Client) Provider {
			p, err := newTestGitLab(t, c, issuer+"/") // GitLab's issuer has no trailing slash
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		good:         func() jwt.MapClaims { return gitlabClaims(issuer) },
		emailTrusted: true,
		check: func(t *testing.T, id Identity) {
			if id.Provider != "gitlab" || id.Issuer != issuer || id.Subject != "1234567" || id.Email != "gina@example.com" {
				t.Errorf("identity = %+v", id)
			}
		},
	}.run(t, append(idTokenCases(),
		tokenCase{name: "no email_verified", mutate: func(c jwt.MapClaims) { delete(c, "email_verified") }},
		tokenCase{name: "email_verified 1", mutate: func(c jwt.MapClaims) { c["email_verified"] = 1 }},
		tokenCase{name: "GitLab.com's iss from a self-managed instance", mutate: func(c jwt.MapClaims) { c["iss"] = gitlabIssuer },
			want: shared.CodeInvalidCredential},
		tokenCase{name: "iss with a trailing slash", mutate: func(c jwt.MapClaims) { c["iss"] = issuer + "/" },
			want: shared.CodeInvalidCredential},
	))
}

func TestGitLabConfiguration(t *testing.T) {
	f := newFakeIdP(t)
	tests := []struct {
		name   string
		cfg    Config
		issuer string // the identity's issuer when the build succeeds
	}{
		{name: "self-managed", cfg: Config{ClientID: "c", ClientSecret: "s", Issuer: f.URL + gitlabPath}, issuer: f.URL + gitlabPath},
		{name: "instance at the root", cfg: Config{ClientID: "c", ClientSecret: "s", Issuer: f.URL}, issuer: f.URL},
		{name: "no secret", cfg: Config{ClientID: "c", Issuer: f.URL}},
		{name: "no client id", cfg: Config{ClientSecret: "s", Issuer: f.URL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.ID, cfg.HTTPClient, cfg.Now = "gitlab", client(t, f.srv, 0), clock
			p, err := NewGitLab(context.Background(), cfg)
			if (err == nil) != (tt.issuer != "") {
				t.Fatalf("NewGitLab = %v, want ok=%v", err, tt.issuer != "")
			}
			if err != nil {
				return
			}
			if got := p.(*gitlab).cfg.Issuer; got != tt.issuer || p.Info().Name != "GitLab" || p.Info().Kind != KindOIDC {
				t.Fatalf("issuer %q, info %+v", got, p.Info())
			}
		})
	}
	// GitLab.com by default: discovery asks https://gitlab.com (answered
	// here without the network).
	var asked string
	offline := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		asked = r.URL.String()
		return nil, errors.New("offline")
	})}
	_, err := NewGitLab(context.Background(), Config{ID: "gitlab", ClientID: "c", ClientSecret: "s", HTTPClient: offline, Now: clock})
	if codeOf(err) != shared.CodeProviderUnavailable || asked != "https://gitlab.com/.well-known/openid-configuration" {
		t.Fatalf("NewGitLab without an issuer = %v, asked %q", err, asked)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestGitLabAuthURL(t *testing.T) {
	f := newFakeIdP(t)
	p, err := newTestGitLab(t, client(t, f.srv, 0), f.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := authURLQuery(t, p)
	wantQuery(t, q, "client-1", true)
	if q.Get("scope") != "openid email profile" {
		t.Errorf("scope = %q", q.Get("scope"))
	}
}
