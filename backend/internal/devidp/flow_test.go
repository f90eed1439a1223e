package devidp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// TestCodeFlows runs whole code flows, per API, per way of approving,
// per user: authorize → code → token (PKCE) → ID token and user API.
func TestCodeFlows(t *testing.T) {
	type approve string
	const (
		promptNone approve = "login_hint+prompt=none"
		form       approve = "consent form"
	)
	tests := []struct {
		api, user string
		how       approve
		basic     bool
	}{
		{APIOIDC, "alice", promptNone, true},
		{APIOIDC, "bob", form, false},
		{APIOIDC, "erin", promptNone, false},
		{APIGoogle, "alice", form, false},
		{APIGoogle, "erin", promptNone, true},
		{APIGoogle, "bob", promptNone, false},
		{APIDiscord, "alice", promptNone, true},
		{APIDiscord, "bob", form, true},
		{APIGitHub, "alice", promptNone, false},
		{APIGitHub, "bob", form, false},
		{APIGitHub, "mallory", promptNone, false},
		{APIGitHub, "carol", form, false},
	}
	for _, tt := range tests {
		t.Run(tt.api+"/"+tt.user+"/"+string(tt.how), func(t *testing.T) {
			f := newFixture(t)
			u := userByID(t, tt.user)
			verifier, challenge := pkce()
			q := authQuery(tt.api, challenge)
			q.Set("login_hint", tt.user)
			var (
				resp *http.Response
				rq   url.Values
			)
			if tt.how == form {
				q.Del("prompt")
				q.Del("login_hint")
				page, body := f.get(f.idp.URL(authorizePath[tt.api]) + "?" + q.Encode())
				if page.StatusCode != http.StatusOK || !strings.Contains(string(body), `value="`+tt.user+`"`) {
					t.Fatalf("consent page: %d", page.StatusCode)
				}
				resp, rq = f.consent(tt.api, q, tt.user, "allow")
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("consent: status %d", resp.StatusCode)
				}
			} else {
				resp, rq = f.authorize(tt.api, q)
				if resp.StatusCode != http.StatusFound {
					t.Fatalf("authorize: status %d", resp.StatusCode)
				}
			}
			if rq.Get("code") == "" || rq.Get("state") != "state-123" || rq.Get("error") != "" {
				t.Fatalf("authorization response = %v", rq)
			}
			if got, want := rq.Get("iss"), map[string]string{APIOIDC: f.idp.Issuer(APIOIDC)}[tt.api]; got != want {
				t.Fatalf("iss parameter = %q, want %q", got, want)
			}
			if len(rq.Get("code")) < 22 { // 128 bits in base64url
				t.Fatalf("code %d characters: too short", len(rq.Get("code")))
			}

			tokResp, tok := f.token(tt.api, tokenReq{code: rq.Get("code"), verifier: verifier, basic: tt.basic})
			if tokResp.StatusCode != http.StatusOK || tok["access_token"] == nil || tok["access_token"] == "" {
				t.Fatalf("token: %d %v", tokResp.StatusCode, tok)
			}
			if cc := tokResp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("token Cache-Control = %q", cc)
			}
			access := tok["access_token"].(string)

			switch tt.api {
			case APIOIDC, APIGoogle:
				checkIDToken(t, f, tt.api, tok["id_token"], u, "RS256")
				var info map[string]any
				if st := f.userJSON("/"+tt.api+"/userinfo", access, &info); st != 200 || info["sub"] != u.Subject(tt.api) || info["email"] != u.Email {
					t.Fatalf("userinfo: %d %v", st, info)
				}
			case APIDiscord:
				var me map[string]any
				if st := f.userJSON("/discord/api/users/@me", access, &me); st != 200 {
					t.Fatalf("@me: %d", st)
				}
				want := map[string]any{"id": u.Subject(APIDiscord), "username": u.ID, "global_name": u.Name,
					"avatar": nil, "email": u.Email, "verified": u.EmailVerified}
				for k, v := range want {
					if me[k] != v {
						t.Fatalf("@me[%s] = %#v, want %#v (%v)", k, me[k], v, me)
					}
				}
			case APIGitHub:
				if ct := tokResp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
					t.Fatalf("GitHub token answer without Accept: JSON is %q, want form-encoded", ct)
				}
				var gu struct {
					ID    json.Number `json:"id"`
					Login string      `json:"login"`
					Name  string      `json:"name"`
					Email *string     `json:"email"`
					Av    string      `json:"avatar_url"`
				}
				if st := f.userJSON("/github/api/user", access, &gu); st != 200 || gu.ID.String() != u.Subject(APIGitHub) || gu.Login != u.ID || gu.Av == "" {
					t.Fatalf("/user: %d %+v", st, gu)
				}
				if (gu.Email != nil) != u.PublicEmail {
					t.Fatalf("/user email = %v, public = %v", gu.Email, u.PublicEmail)
				}
				var emails []struct {
					Email             string
					Primary, Verified bool
				}
				if st := f.userJSON("/github/api/user/emails", access, &emails); st != 200 {
					t.Fatalf("/user/emails: %d", st)
				}
				var primaryVerified []string
				for _, e := range emails {
					if e.Primary && e.Verified {
						primaryVerified = append(primaryVerified, e.Email)
					}
				}
				want := []string{u.Email}
				if !u.EmailVerified {
					want = nil
				}
				if strings.Join(primaryVerified, ",") != strings.Join(want, ",") {
					t.Fatalf("primary verified emails = %v, want %v (%+v)", primaryVerified, want, emails)
				}
			}
		})
	}
}

// checkIDToken verifies an ID token against the JWKS and checks its alg
// and claims for u.
func checkIDToken(t *testing.T, f *fixture, api string, raw any, u User, alg string) {
	t.Helper()
	s, ok := raw.(string)
	if !ok || s == "" {
		t.Fatalf("no id_token: %v", raw)
	}
	if h := jwtHeader(t, s); h["alg"] != alg || h["kid"] != f.idp.KeyID(api) {
		t.Fatalf("header = %v, want alg %s and kid %s", h, alg, f.idp.KeyID(api))
	}
	c := f.verifyIDToken(api, s, clientID)
	want := map[string]any{
		"iss": f.idp.Issuer(api), "aud": clientID, "azp": clientID, "sub": u.Subject(api), "nonce": "nonce-456",
		"email": u.Email, "email_verified": u.EmailVerified, "name": u.Name, "picture": f.idp.URL("/avatars/" + u.ID + ".svg"),
	}
	for k, v := range want {
		if c[k] != v {
			t.Fatalf("claim %s = %#v, want %#v", k, c[k], v)
		}
	}
	if _, isBool := c["email_verified"].(bool); !isBool {
		t.Fatalf("email_verified is %T, want a JSON boolean", c["email_verified"])
	}
	hd, hasHD := c["hd"]
	if wantHD := api == APIGoogle && u.HostedDomain != ""; hasHD != wantHD || (wantHD && hd != u.HostedDomain) {
		t.Fatalf("hd = %v (present %v) for %s at %s", hd, hasHD, u.ID, api)
	}
	iat, _ := c["iat"].(float64)
	exp, _ := c["exp"].(float64)
	if now := float64(f.clock.Now().Unix()); iat != now || exp <= now || exp-iat > 3600 {
		t.Fatalf("iat %v exp %v at %v", iat, exp, now)
	}
	if c["at_hash"] == nil {
		t.Fatal("no at_hash")
	}
}

// TestIDTokenAlgs: the generic issuer signs with Options.OIDCAlg, Google
// always with RS256; each token carries the current kid and verifies
// against the key its issuer's JWKS publishes under that kid.
func TestIDTokenAlgs(t *testing.T) {
	tests := []struct {
		oidcAlg, api, alg string
	}{
		{"", APIOIDC, "RS256"},
		{"ES256", APIOIDC, "ES256"},
		{"ES256", APIGoogle, "RS256"},
	}
	for _, tt := range tests {
		t.Run(tt.api+"/OIDCAlg="+tt.oidcAlg, func(t *testing.T) {
			f := newFixtureWith(t, func(o *Options) { o.OIDCAlg = tt.oidcAlg })
			raw := f.idTokenFor(tt.api, "erin")
			checkIDToken(t, f, tt.api, raw, userByID(t, "erin"), tt.alg)
			checkSignature(t, f, tt.api, raw, tt.alg)
		})
	}
}

// checkSignature verifies raw, with alg only, against the JWKS key named
// by its kid.
func checkSignature(t *testing.T, f *fixture, api, raw, alg string) {
	t.Helper()
	set := f.jwks(api)
	keys := set.Key(f.idp.KeyID(api))
	if len(keys) != 1 || keys[0].Algorithm != alg || !keys[0].IsPublic() {
		t.Fatalf("%s JWKS keys for the current kid: %+v", api, keys)
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		t.Fatalf("parse %s token as %s: %v", api, alg, err)
	}
	if _, err := jws.Verify(keys[0].Key); err != nil {
		t.Fatalf("%s token does not verify against its JWKS key: %v", api, err)
	}
}

// TestOAuth2ClientLibrary redeems codes with golang.org/x/oauth2, as the
// product does, with each API's client authentication style.
func TestOAuth2ClientLibrary(t *testing.T) {
	styles := map[string]oauth2.AuthStyle{APIOIDC: oauth2.AuthStyleInHeader, APIGoogle: oauth2.AuthStyleInParams,
		APIDiscord: oauth2.AuthStyleInHeader, APIGitHub: oauth2.AuthStyleInParams}
	for _, api := range allAPIs {
		t.Run(api, func(t *testing.T) {
			f := newFixture(t)
			cfg := oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURI, Scopes: strings.Fields(scopeFor[api]),
				Endpoint: oauth2.Endpoint{AuthURL: f.idp.URL(authorizePath[api]), TokenURL: f.idp.URL(tokenPath[api]), AuthStyle: styles[api]}}
			verifier := oauth2.GenerateVerifier()
			authURL := cfg.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier),
				oauth2.SetAuthURLParam("nonce", "n"), oauth2.SetAuthURLParam("login_hint", "carol"), oauth2.SetAuthURLParam("prompt", "none"))
			resp, _ := f.get(authURL)
			rq := redirected(t, resp, redirectURI)
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, f.srv.Client())
			tok, err := cfg.Exchange(ctx, rq.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil || tok.AccessToken == "" {
				t.Fatalf("exchange: %v", err)
			}
			if _, err := cfg.Exchange(ctx, rq.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
				t.Fatal("a replayed code was exchanged again")
			} else if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != map[bool]string{true: "bad_verification_code", false: "invalid_grant"}[api == APIGitHub] {
				t.Fatalf("replay error = %v", err)
			}
		})
	}
}
