package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// fakeAPI is a GitHub- or Discord-style OAuth2 server: a token endpoint
// whose behaviour each case picks, and a user API that wants the access
// token it handed out.
type fakeAPI struct {
	srv *httptest.Server

	mu     sync.Mutex
	mode   string
	routes map[string]apiAnswer
	form   url.Values
	ua     string
}

type apiAnswer struct {
	status int
	body   string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	a := &fakeAPI{mode: "ok"}
	a.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		if r.URL.Path == "/token" {
			r.ParseForm()
			a.form = r.PostForm
			mode := a.mode
			a.mu.Unlock()
			tokenResponse(w, r, mode, map[string]any{"access_token": "at-1", "token_type": "bearer", "scope": "read:user,user:email"})
			return
		}
		ans, ok := a.routes[r.URL.Path]
		a.ua = r.Header.Get("User-Agent")
		a.mu.Unlock()
		switch {
		case r.Header.Get("Authorization") != "Bearer at-1":
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		case !ok:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ans.status)
			w.Write([]byte(ans.body))
		}
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *fakeAPI) set(mode string, routes map[string]apiAnswer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mode, a.routes = mode, routes
}

func (a *fakeAPI) config(c *http.Client) Config {
	return Config{ID: "x", ClientID: "client-1", ClientSecret: "secret-1", AuthURL: a.srv.URL + "/authorize",
		TokenURL: a.srv.URL + "/token", APIURL: a.srv.URL, HTTPClient: c}
}

func ok200(body string) apiAnswer { return apiAnswer{200, body} }

type oauthCase struct {
	name     string
	mode     string
	routes   map[string]apiAnswer
	want     shared.ErrorCode
	subject  string
	email    string
	verified bool
	display  string
	avatar   string
}

func runOAuthCases(t *testing.T, factory Factory, cases []oauthCase) {
	t.Helper()
	a := newFakeAPI(t)
	p, err := factory(context.Background(), a.config(client(t, a.srv, 10*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	impatient, _ := factory(context.Background(), a.config(client(t, a.srv, 100*time.Millisecond)))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a.set(orStr(tc.mode, "ok"), tc.routes)
			pp := p
			if tc.mode == "hang" {
				pp = impatient
			}
			id, err := exchange(pp)
			t.Logf("Exchange error: %v", err)
			if codeOf(err) != tc.want {
				t.Fatalf("Exchange = %+v, %v; want %q", id, err, tc.want)
			}
			if err != nil {
				return
			}
			if id.Subject != tc.subject || id.Email != tc.email || id.EmailVerified != tc.verified || id.Issuer != a.srv.URL ||
				(tc.display != "" && id.Name != tc.display) || id.AvatarURL != tc.avatar {
				t.Fatalf("identity = %+v", id)
			}
			if a.form.Get("code_verifier") != testVerifier || a.form.Get("redirect_uri") != testRedirect {
				t.Errorf("token request = %v", a.form)
			}
			if a.ua != userAgent {
				t.Errorf("User-Agent = %q", a.ua)
			}
		})
	}
}

// tokenEndpointCases are the token-endpoint failures every OAuth2
// provider maps the same way.
func tokenEndpointCases(routes map[string]apiAnswer) []oauthCase {
	return []oauthCase{
		{name: "token endpoint 5xx", mode: "5xx", routes: routes, want: shared.CodeProviderUnavailable},
		{name: "token endpoint 429", mode: "429", routes: routes, want: shared.CodeProviderUnavailable},
		{name: "token endpoint hangs", mode: "hang", routes: routes, want: shared.CodeProviderUnavailable},
		{name: "invalid_grant", mode: "invalid_grant", routes: routes, want: shared.CodeProviderError},
		{name: "200 with an error (GitHub)", mode: "error_200", routes: routes, want: shared.CodeProviderError},
		{name: "token response not JSON", mode: "bad_json", routes: routes, want: shared.CodeProviderError},
	}
}

func TestGitHubExchange(t *testing.T) {
	user := ok200(`{"id":583231,"login":"octocat","name":"The Octocat","email":"public@example.com","avatar_url":"https://avatars.example/u/583231"}`)
	emails := func(body string) map[string]apiAnswer {
		return map[string]apiAnswer{"/user": user, "/user/emails": ok200(body)}
	}
	const av = "https://avatars.example/u/583231"
	cases := []oauthCase{
		{name: "primary and verified", routes: emails(`[{"email":"old@example.com","primary":false,"verified":true},{"email":"octo@example.com","primary":true,"verified":true}]`),
			subject: "583231", email: "octo@example.com", verified: true, display: "The Octocat", avatar: av},
		{name: "primary unverified, secondary verified", routes: emails(`[{"email":"octo@example.com","primary":true,"verified":false},{"email":"x@example.com","primary":false,"verified":true}]`),
			subject: "583231", avatar: av},
		{name: "the /user email is never used", routes: emails(`[]`), subject: "583231", avatar: av},
		{name: "no name: the login", routes: map[string]apiAnswer{"/user": ok200(`{"id":1,"login":"octocat"}`), "/user/emails": ok200(`[]`)},
			subject: "1", display: "octocat"},
		{name: "no permission for emails", routes: map[string]apiAnswer{"/user": user}, subject: "583231", avatar: av},
		{name: "emails 5xx", routes: map[string]apiAnswer{"/user": user, "/user/emails": {502, `bad`}}, want: shared.CodeProviderUnavailable},
		{name: "id as a string", routes: map[string]apiAnswer{"/user": ok200(`{"id":"583231","login":"octocat"}`), "/user/emails": ok200(`[]`)},
			want: shared.CodeProviderError},
		{name: "no id", routes: map[string]apiAnswer{"/user": ok200(`{"login":"octocat"}`), "/user/emails": ok200(`[]`)}, want: shared.CodeProviderError},
		{name: "user API 5xx", routes: map[string]apiAnswer{"/user": {503, `{}`}}, want: shared.CodeProviderUnavailable},
		{name: "user API 401", routes: map[string]apiAnswer{"/user": {401, `{"message":"Bad credentials"}`}}, want: shared.CodeProviderError},
		{name: "user API not JSON", routes: map[string]apiAnswer{"/user": ok200(`<html>`)}, want: shared.CodeProviderError},
	}
	runOAuthCases(t, NewGitHub, append(cases, tokenEndpointCases(emails(`[]`))...))
}

func TestDiscordExchange(t *testing.T) {
	me := func(body string) map[string]apiAnswer { return map[string]apiAnswer{"/users/@me": ok200(body)} }
	const hash = "8342729096ea3675442027381ff50dfe"
	cases := []oauthCase{
		{name: "verified", routes: me(`{"id":"80351110224678912","username":"nelly","global_name":"Nelly","avatar":"` + hash + `","email":"nelly@example.com","verified":true}`),
			subject: "80351110224678912", email: "nelly@example.com", verified: true, display: "Nelly",
			avatar: "https://cdn.discordapp.com/avatars/80351110224678912/" + hash + ".png"},
		{name: "verified false", routes: me(`{"id":"1","username":"nelly","email":"nelly@example.com","verified":false}`),
			subject: "1", email: "nelly@example.com", verified: false, display: "nelly"},
		{name: "verified, no email", routes: me(`{"id":"1","username":"nelly","email":null,"verified":true}`), subject: "1"},
		{name: "animated avatar", routes: me(`{"id":"1","username":"n","avatar":"a_` + hash + `"}`), subject: "1",
			avatar: "https://cdn.discordapp.com/avatars/1/a_" + hash + ".png"},
		{name: "avatar not a hash", routes: me(`{"id":"1","username":"n","avatar":"../../evil"}`), subject: "1"},
		{name: "id not a snowflake", routes: me(`{"id":"../1","username":"n"}`), want: shared.CodeProviderError},
		{name: "malformed", routes: me(`{"id":`), want: shared.CodeProviderError},
		{name: "user API 5xx", routes: map[string]apiAnswer{"/users/@me": {500, `{}`}}, want: shared.CodeProviderUnavailable},
	}
	runOAuthCases(t, NewDiscord, append(cases, tokenEndpointCases(me(`{"id":"1"}`))...))
}

func TestOAuthAuthURL(t *testing.T) {
	a := newFakeAPI(t)
	for _, tt := range []struct {
		factory Factory
		scopes  string
	}{{NewGitHub, "read:user user:email"}, {NewDiscord, "identify email"}} {
		p, err := tt.factory(context.Background(), a.config(nil))
		if err != nil {
			t.Fatal(err)
		}
		q := authURLQuery(t, p)
		wantQuery(t, q, "client-1", false)
		if q.Get("scope") != tt.scopes {
			t.Errorf("scope = %q, want %q", q.Get("scope"), tt.scopes)
		}
		if p.Info().Kind != KindOAuth2 {
			t.Errorf("kind = %q", p.Info().Kind)
		}
	}
}

func TestOAuthDefaults(t *testing.T) {
	for _, tt := range []struct {
		factory            Factory
		auth, issuer, name string
	}{
		{NewGitHub, "https://github.com/login/oauth/authorize?", "https://api.github.com", "GitHub"},
		{NewDiscord, "https://discord.com/oauth2/authorize?", "https://discord.com/api", "Discord"},
	} {
		p, err := tt.factory(context.Background(), Config{ID: "x", ClientID: "c", ClientSecret: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if u := p.AuthURL(AuthParams{State: "s"}); !strings.HasPrefix(u, tt.auth) || p.Info().Name != tt.name {
			t.Errorf("%s: AuthURL %s", tt.name, u)
		}
		if _, err := tt.factory(context.Background(), Config{ID: "x", ClientID: "c"}); err == nil {
			t.Errorf("%s without a secret was built", tt.name)
		}
	}
}
