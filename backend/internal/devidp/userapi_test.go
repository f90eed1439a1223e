package devidp

import (
	"net/http"
	"testing"
	"time"
)

// accessFor runs a flow of api for user with scope and answers the access token.
func (f *fixture) accessFor(api, user, scope string) string {
	f.t.Helper()
	v, c := pkce()
	q := authQuery(api, c)
	q.Set("login_hint", user)
	q.Set("scope", scope)
	_, rq := f.authorize(api, q)
	resp, tok := f.token(api, tokenReq{code: rq.Get("code"), verifier: v, accept: "application/json"})
	access, _ := tok["access_token"].(string)
	if resp.StatusCode != 200 || access == "" {
		f.t.Fatalf("%s token: %d %v", api, resp.StatusCode, tok)
	}
	return access
}

func TestUserAPIsRefuseBadTokens(t *testing.T) {
	f := newFixture(t)
	paths := map[string]string{APIOIDC: "/oidc/userinfo", APIGoogle: "/google/userinfo",
		APIDiscord: "/discord/api/users/@me", APIGitHub: "/github/api/user"}
	tokens := map[string]string{}
	for _, api := range allAPIs {
		tokens[api] = f.accessFor(api, "alice", scopeFor[api])
	}
	for _, api := range allAPIs {
		other := map[string]string{APIOIDC: APIGoogle, APIGoogle: APIOIDC, APIGitHub: APIDiscord, APIDiscord: APIGitHub}[api]
		for name, hdr := range map[string]string{
			"no token":           "",
			"unknown token":      "Bearer nope",
			"another API's":      "Bearer " + tokens[other],
			"basic scheme":       "Basic " + tokens[api],
			"token in the query": "",
		} {
			u := f.idp.URL(paths[api])
			if name == "token in the query" {
				u += "?access_token=" + tokens[api]
			}
			resp, _ := f.get(u, "Authorization", hdr)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s, %s: %d", api, name, resp.StatusCode)
			}
		}
		if st := f.userJSON(paths[api], tokens[api], nil); st != 200 {
			t.Errorf("%s with its token: %d", api, st)
		}
	}
	// GitHub also takes "token x".
	if resp, _ := f.get(f.idp.URL("/github/api/user"), "Authorization", "token "+tokens[APIGitHub]); resp.StatusCode != 200 {
		t.Errorf("GitHub token scheme: %d", resp.StatusCode)
	}
	f.clock.Add(time.Hour)
	for _, api := range allAPIs {
		if st := f.userJSON(paths[api], tokens[api], nil); st != http.StatusUnauthorized {
			t.Errorf("%s expired token: %d", api, st)
		}
	}
}

// TestScopes: the email is only given under the scopes that grant it.
func TestScopes(t *testing.T) {
	f := newFixture(t)
	var info map[string]any
	f.userJSON("/oidc/userinfo", f.accessFor(APIOIDC, "alice", "openid"), &info)
	if info["sub"] == nil || info["email"] != nil || info["name"] != nil {
		t.Errorf("userinfo with scope openid: %v", info)
	}
	var me map[string]any
	f.userJSON("/discord/api/users/@me", f.accessFor(APIDiscord, "alice", "identify"), &me)
	if me["id"] == nil || me["email"] != nil || me["verified"] != nil {
		t.Errorf("@me with scope identify: %v", me)
	}
	if st := f.userJSON("/discord/api/users/@me", f.accessFor(APIDiscord, "alice", "email"), nil); st != http.StatusUnauthorized {
		t.Errorf("@me without identify: %d", st)
	}
	if st := f.userJSON("/github/api/user/emails", f.accessFor(APIGitHub, "alice", "read:user"), nil); st != http.StatusNotFound {
		t.Errorf("/user/emails without user:email: %d", st)
	}
	if st := f.userJSON("/github/api/user/emails", f.accessFor(APIGitHub, "alice", "repo,user"), nil); st != 200 {
		t.Errorf("/user/emails with user (comma-separated scopes): %d", st)
	}
}

// TestSubjects: distinct per API and per user, stable, shaped like the
// real ones.
func TestSubjects(t *testing.T) {
	seen := map[string]string{}
	for _, u := range Users() {
		for _, api := range allAPIs {
			s := u.Subject(api)
			if prev, dup := seen[s]; dup {
				t.Errorf("subject %q of %s at %s is also %s", s, u.ID, api, prev)
			}
			seen[s] = u.ID + "@" + api
			if s != u.Subject(api) {
				t.Errorf("unstable subject")
			}
		}
		if g := u.Subject(APIGoogle); len(g) != 20 {
			t.Errorf("google sub %q", g)
		}
		if d := u.Subject(APIDiscord); len(d) < 17 || len(d) > 20 {
			t.Errorf("discord snowflake %q", d)
		}
	}
	want := map[string]struct {
		email    string
		verified bool
	}{
		"alice": {"alice@example.com", true}, "bob": {"bob@example.com", false}, "carol": {"carol@allowed.test", true},
		"dave": {"dave@other.test", true}, "erin": {"erin@corp.test", true}, "mallory": {"alice@example.com", false},
		"frank": {"frank@example.net", true},
	}
	for _, u := range Users() {
		if w, ok := want[u.ID]; !ok || w.email != u.Email || w.verified != u.EmailVerified {
			t.Errorf("user %+v", u)
		}
	}
	if userByID(t, "erin").HostedDomain != "corp.test" {
		t.Error("erin is not a Workspace user")
	}
}

func TestAvatar(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(f.idp.URL("/avatars/alice.svg"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" || len(body) == 0 ||
		resp.Header.Get("Content-Security-Policy") != "default-src 'none'" {
		t.Fatalf("avatar: %d %v", resp.StatusCode, resp.Header)
	}
	for _, p := range []string{"/avatars/zed.svg", "/avatars/alice.png", "/avatars/..%2fcontrol"} {
		if resp, _ := f.get(f.idp.URL(p)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}
