package devidp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

type fixture struct {
	srv   *httptest.Server
	idp   *IDP
	clock *clock
	c     *http.Client
}

const redirect = "https://app.example/cb"

func newFixture(t *testing.T) *fixture {
	f := &fixture{clock: &clock{t: time.Now()}}
	var h http.Handler
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(f.srv.Close)
	idp, err := New(Options{BaseURL: f.srv.URL + "/devidp", Now: f.clock.now,
		Clients: []Client{{ID: "app", Secret: "secret", RedirectURIs: []string{redirect}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.idp = idp
	mux := http.NewServeMux()
	mux.Handle("/devidp/", idp.Handler())
	h = mux
	f.c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

var authorizePath = map[string]string{
	APIOIDC: "/oidc/authorize", APIGoogle: "/google/authorize",
	APIGitHub: "/github/login/oauth/authorize", APIDiscord: "/discord/oauth2/authorize",
}
var tokenPath = map[string]string{
	APIOIDC: "/oidc/token", APIGoogle: "/google/token",
	APIGitHub: "/github/login/oauth/access_token", APIDiscord: "/discord/api/oauth2/token",
}

const verifier = "0123456789012345678901234567890123456789abc"

// authorize answers the redirect the authorization endpoint sends.
func (f *fixture) authorize(t *testing.T, api string, mod func(url.Values)) (*http.Response, url.Values) {
	q := url.Values{"client_id": {"app"}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid email"},
		"state": {"st"}, "nonce": {"nn"}, "code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"},
		"login_hint": {"alice"}, "prompt": {"none"}}
	if mod != nil {
		mod(q)
	}
	resp, err := f.c.Get(f.idp.URL(authorizePath[api]) + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil {
		return resp, nil
	}
	return resp, loc.Query()
}

func (f *fixture) token(t *testing.T, api, code, verifier string) (int, map[string]any) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier},
		"client_id": {"app"}, "client_secret": {"secret"}}
	req, _ := http.NewRequest("POST", f.idp.URL(tokenPath[api]), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := f.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestCodeFlows(t *testing.T) {
	for _, api := range []string{APIOIDC, APIGoogle, APIGitHub, APIDiscord} {
		t.Run(api, func(t *testing.T) {
			f := newFixture(t)
			resp, q := f.authorize(t, api, nil)
			if resp.StatusCode != http.StatusFound || q.Get("code") == "" || q.Get("state") != "st" {
				t.Fatalf("authorize: %d %v", resp.StatusCode, q)
			}
			status, tok := f.token(t, api, q.Get("code"), verifier)
			if status != 200 || tok["access_token"] == nil {
				t.Fatalf("token: %d %v", status, tok)
			}
			if api == APIOIDC || api == APIGoogle {
				p, err := oidc.NewProvider(context.Background(), f.idp.Issuer(api))
				if err != nil {
					t.Fatal(err)
				}
				idt, err := p.Verifier(&oidc.Config{ClientID: "app"}).Verify(context.Background(), tok["id_token"].(string))
				if err != nil {
					t.Fatalf("id token does not verify: %v", err)
				}
				var c struct {
					Nonce         string `json:"nonce"`
					Email         string `json:"email"`
					EmailVerified bool   `json:"email_verified"`
					AZP           string `json:"azp"`
				}
				idt.Claims(&c)
				if c.Nonce != "nn" || c.Email != "alice@example.com" || !c.EmailVerified || c.AZP != "app" {
					t.Fatalf("claims = %+v", c)
				}
			}
			// The code is single use.
			status, tok = f.token(t, api, q.Get("code"), verifier)
			if wantErr := map[string]string{APIGitHub: "bad_verification_code"}[api]; wantErr != "" {
				if status != 200 || tok["error"] != wantErr {
					t.Fatalf("replay: %d %v", status, tok)
				}
			} else if status != 400 || tok["error"] != "invalid_grant" {
				t.Fatalf("replay: %d %v", status, tok)
			}
		})
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	tests := []struct {
		name     string
		mod      func(url.Values)
		status   int
		errParam string
	}{
		{"unknown client: no redirect", func(q url.Values) { q.Set("client_id", "evil") }, 400, ""},
		{"unregistered redirect_uri: no redirect", func(q url.Values) { q.Set("redirect_uri", redirect+"/sub") }, 400, ""},
		{"pkce missing", func(q url.Values) { q.Del("code_challenge") }, 302, "invalid_request"},
		{"pkce plain", func(q url.Values) { q.Set("code_challenge_method", "plain") }, 302, "invalid_request"},
		{"user denies", func(q url.Values) { q.Set("login_hint", "deny") }, 302, "access_denied"},
		{"no openid scope", func(q url.Values) { q.Set("scope", "email") }, 302, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			resp, q := f.authorize(t, APIOIDC, tt.mod)
			if resp.StatusCode != tt.status || (tt.errParam != "" && q.Get("error") != tt.errParam) || (tt.errParam == "" && resp.Header.Get("Location") != "") {
				t.Fatalf("authorize = %d %v", resp.StatusCode, q)
			}
		})
	}
}

func TestTokenRefusals(t *testing.T) {
	tests := []struct {
		name string
		run  func(f *fixture, code string) (int, map[string]any)
	}{
		{"wrong verifier", func(f *fixture, code string) (int, map[string]any) {
			return f.token(t, APIOIDC, code, strings.Repeat("x", 43))
		}},
		{"expired code", func(f *fixture, code string) (int, map[string]any) {
			f.clock.mu.Lock()
			f.clock.t = f.clock.t.Add(61 * time.Second)
			f.clock.mu.Unlock()
			return f.token(t, APIOIDC, code, verifier)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, q := f.authorize(t, APIOIDC, nil)
			if status, out := tt.run(f, q.Get("code")); status != 400 || out["error"] != "invalid_grant" {
				t.Fatalf("token = %d %v", status, out)
			}
		})
	}
}

func TestDenySwitchAndConsentPage(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Post(f.idp.URL("/control/deny"), "application/json", strings.NewReader(`{"on":true}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("deny switch: %v %v", resp, err)
	}
	if _, q := f.authorize(t, APIGitHub, nil); q.Get("error") != "access_denied" {
		t.Fatalf("with the deny switch on: %v", q)
	}
	f.idp.SetDeny(false)
	resp, _ = f.authorize(t, APIDiscord, func(q url.Values) { q.Del("prompt"); q.Del("login_hint") })
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("consent page: %d", resp.StatusCode)
	}
	form := url.Values{"client_id": {"app"}, "redirect_uri": {redirect}, "response_type": {"code"}, "state": {"s"},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}, "user": {"bob"}}
	resp, err = f.c.PostForm(f.idp.URL(authorizePath[APIDiscord]), form)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	_, tok := f.token(t, APIDiscord, code, verifier)
	req, _ := http.NewRequest("GET", f.idp.URL("/discord/api/users/@me"), nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	var me struct {
		Username string `json:"username"`
		Verified bool   `json:"verified"`
	}
	json.Unmarshal(body, &me)
	if me.Username != "bob" || me.Verified {
		t.Fatalf("discord user = %s", body)
	}
}

func TestGSIScriptAndCredential(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.idp.URL("/gsi/client"))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"google.accounts.id", "renderButton", "gis-stub-button", "alice@example.com"} {
		if !strings.Contains(string(js), want) {
			t.Fatalf("script lacks %q", want)
		}
	}
	if node, err := exec.LookPath("node"); err == nil {
		path := filepath.Join(t.TempDir(), "gsi.js")
		os.WriteFile(path, js, 0o600)
		if out, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
			t.Fatalf("gsi script is not valid JavaScript: %v\n%s", err, out)
		}
	}
	resp, err = http.Post(f.idp.URL("/gsi/credential"), "application/json", strings.NewReader(`{"client_id":"app","nonce":"n1","user":"erin"}`))
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Credential string }
	json.NewDecoder(resp.Body).Decode(&out)
	p, err := oidc.NewProvider(context.Background(), f.idp.Issuer(APIGoogle))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: "app"}).Verify(context.Background(), out.Credential)
	if err != nil || idt.Nonce != "n1" {
		t.Fatalf("credential: %v %v", idt, err)
	}
	var c struct {
		HD string `json:"hd"`
	}
	idt.Claims(&c)
	if c.HD != "corp.test" {
		t.Fatalf("hd = %q", c.HD)
	}
	resp, _ = http.Post(f.idp.URL("/gsi/credential"), "application/json", strings.NewReader(`{"client_id":"evil","user":"erin"}`))
	if resp.StatusCode != 400 {
		t.Fatalf("unknown client minted a credential: %d", resp.StatusCode)
	}
}
