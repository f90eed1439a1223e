package devidp

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestAuthorizeNeverRedirectsUnregistered: an unknown client or a
// redirect_uri that is not exactly registered gets an error page.
func TestAuthorizeNeverRedirectsUnregistered(t *testing.T) {
	tests := []struct {
		name string
		mod  func(url.Values)
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "evil") }},
		{"no client", func(q url.Values) { q.Del("client_id") }},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }},
		{"sub-path", func(q url.Values) { q.Set("redirect_uri", "https://app.example/callback/evil?tenant=a") }},
		{"other query", func(q url.Values) { q.Set("redirect_uri", "https://app.example/callback?tenant=b") }},
		{"extra query", func(q url.Values) { q.Set("redirect_uri", redirectURI+"&next=https://evil.example") }},
		{"trailing slash", func(q url.Values) { q.Set("redirect_uri", "https://app.example/other/") }},
		{"http instead of https", func(q url.Values) { q.Set("redirect_uri", "http://app.example/other") }},
		{"host case", func(q url.Values) { q.Set("redirect_uri", "https://APP.example/other") }},
		{"look-alike host", func(q url.Values) { q.Set("redirect_uri", "https://app.example.evil.net/other") }},
		{"another client's URI", func(q url.Values) { q.Set("redirect_uri", "com.example.app:/oauth") }},
		{"repeated redirect_uri", func(q url.Values) { q["redirect_uri"] = []string{redirectURI, "https://evil.example/"} }},
		{"repeated client_id", func(q url.Values) { q["client_id"] = []string{clientID, otherClient} }},
	}
	shared := newFixture(t)
	for _, api := range allAPIs {
		for _, tt := range tests {
			t.Run(api+"/"+tt.name, func(t *testing.T) {
				f := shared.with(t)
				_, c := pkce()
				q := authQuery(api, c)
				tt.mod(q)
				resp, body := f.get(f.idp.URL(authorizePath[api]) + "?" + q.Encode())
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
					t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || strings.Contains(string(body), "evil") {
					t.Fatalf("error page: %s", body)
				}
			})
		}
	}
}

// TestAuthorizeErrors: once client and redirect URI are known, errors go
// back to the client with the state.
func TestAuthorizeErrors(t *testing.T) {
	tests := []struct {
		name string
		apis []string // nil: all
		mod  func(url.Values)
		want string
	}{
		{"PKCE missing", nil, func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
		{"PKCE plain", nil, func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"PKCE method missing (means plain)", nil, func(q url.Values) { q.Del("code_challenge_method") }, "invalid_request"},
		{"PKCE challenge not S256-shaped", nil, func(q url.Values) { q.Set("code_challenge", "short") }, "invalid_request"},
		{"no state", nil, func(q url.Values) { q.Del("state") }, "invalid_request"},
		{"response_type token", nil, func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
		{"response_mode fragment", nil, func(q url.Values) { q.Set("response_mode", "fragment") }, "invalid_request"},
		{"repeated state", nil, func(q url.Values) { q["state"] = []string{"a", "b"} }, "invalid_request"},
		{"login_hint deny", nil, func(q url.Values) { q.Set("login_hint", "deny") }, "access_denied"},
		{"prompt=none without login_hint", nil, func(q url.Values) { q.Del("login_hint") }, "login_required"},
		{"prompt=none with an unknown user", nil, func(q url.Values) { q.Set("login_hint", "zed") }, "login_required"},
		{"scope without openid", []string{APIOIDC, APIGoogle}, func(q url.Values) { q.Set("scope", "email profile") }, "invalid_scope"},
		{"no scope", []string{APIOIDC, APIGoogle}, func(q url.Values) { q.Del("scope") }, "invalid_scope"},
		{"no nonce", []string{APIOIDC, APIGoogle}, func(q url.Values) { q.Del("nonce") }, "invalid_request"},
		{"unknown scope", []string{APIOIDC, APIGoogle, APIDiscord}, func(q url.Values) { q.Set("scope", q.Get("scope")+" admin") }, "invalid_scope"},
	}
	shared := newFixture(t)
	for _, tt := range tests {
		apis := tt.apis
		if apis == nil {
			apis = allAPIs
		}
		for _, api := range apis {
			t.Run(api+"/"+tt.name, func(t *testing.T) {
				f := shared.with(t)
				_, c := pkce()
				q := authQuery(api, c)
				tt.mod(q)
				resp, rq := f.authorize(api, q)
				if resp.StatusCode != http.StatusFound || rq.Get("error") != tt.want || rq.Get("code") != "" {
					t.Fatalf("status %d, redirect %v; want error=%s", resp.StatusCode, rq, tt.want)
				}
				if q.Has("state") && len(q["state"]) == 1 && rq.Get("state") != q.Get("state") {
					t.Fatalf("state not returned: %v", rq)
				}
			})
		}
	}
}

// TestDenyAndDenySwitch: the Deny button, and the global switch that
// refuses every authorization (prompt=none, form, GSI).
func TestDenyAndDenySwitch(t *testing.T) {
	for _, api := range allAPIs {
		t.Run(api, func(t *testing.T) {
			f := newFixture(t)
			_, c := pkce()
			q := authQuery(api, c)
			q.Del("prompt")
			if resp, rq := f.consent(api, q, "alice", "deny"); resp.StatusCode != http.StatusSeeOther || rq.Get("error") != "access_denied" || rq.Get("state") != "state-123" {
				t.Fatalf("Deny: %d %v", resp.StatusCode, rq)
			}
			resp, body := f.post(f.idp.URL("/control/deny"), "application/json", `{"on":true}`)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"deny":true`) {
				t.Fatalf("switch on: %d %s", resp.StatusCode, body)
			}
			if _, rq := f.authorize(api, authQuery(api, c)); rq.Get("error") != "access_denied" {
				t.Fatalf("prompt=none with the switch on: %v", rq)
			}
			if _, rq := f.consent(api, q, "alice", "allow"); rq.Get("error") != "access_denied" {
				t.Fatalf("form with the switch on: %v", rq)
			}
			if resp, _ := f.post(f.idp.URL("/gsi/credential"), "application/json", `{"client_id":"app","user":"alice"}`); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("GSI with the switch on: %d", resp.StatusCode)
			}
			f.post(f.idp.URL("/control/deny"), "application/json", `{"on":false}`)
			if _, rq := f.authorize(api, authQuery(api, c)); rq.Get("code") == "" {
				t.Fatalf("switch off: %v", rq)
			}
		})
	}
}

func TestDenySwitchRequest(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ ct, body string }{
		{"application/x-www-form-urlencoded", "on=true"}, // a cross-site form cannot flip it
		{"text/plain", `{"on":true}`},
		{"application/json", `{"on":"yes"}`},
		{"application/json", `{}`},
		{"application/json", `{"on":true,"x":1}`},
		{"application/json", `{"on":true}{"on":true}`},
	} {
		if resp, _ := f.post(f.idp.URL("/control/deny"), tc.ct, tc.body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s %s: %d", tc.ct, tc.body, resp.StatusCode)
		}
	}
	if _, body := f.get(f.idp.URL("/control/deny")); !strings.Contains(string(body), `"deny":false`) {
		t.Fatalf("switch flipped by a bad request: %s", body)
	}
}

// TestConsentPage: no scripts, one form per user plus Deny, the protocol
// parameters carried along, a CSP whose style hash matches, and no
// approval by query string.
func TestConsentPage(t *testing.T) {
	f := newFixture(t)
	_, c := pkce()
	q := authQuery(APIGitHub, c)
	q.Del("prompt")
	q.Set("user", "alice")     // a query string never approves
	q.Set("decision", "allow") // (only the form POST does)
	q.Set("state", `"><script>alert(1)</script>`)
	resp, body := f.get(f.idp.URL(authorizePath[APIGitHub]) + "?" + q.Encode())
	page := string(body)
	if resp.StatusCode != 200 || resp.Header.Get("Location") != "" {
		t.Fatalf("consent page: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self' https://app.example"} {
		if !strings.Contains(csp, want) {
			t.Fatalf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(strings.ToLower(page), "<script") || strings.Contains(page, " style=") {
		t.Fatalf("scripts or inline styles: CSP %q\n%s", csp, page)
	}
	css := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	if css == nil {
		t.Fatal("no stylesheet")
	}
	sum := sha256.Sum256([]byte(css[1]))
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Fatalf("the style's hash is not in the CSP %q", csp)
	}
	if n := strings.Count(page, `<form method="post"`); n != len(Users())+1 {
		t.Fatalf("%d forms, want one per user and Deny", n)
	}
	for _, u := range Users() {
		if !strings.Contains(page, `name="user" value="`+u.ID+`"`) {
			t.Fatalf("no form for %s", u.ID)
		}
	}
	if !strings.Contains(page, `id="deny"`) || !strings.Contains(page, `name="code_challenge" value="`+c+`"`) {
		t.Fatal("no Deny button or the challenge is not carried")
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("headers = %v", resp.Header)
	}
	// The form's POST ignores the page's query string: parameters come
	// from the body only.
	form := url.Values{"user": {"alice"}, "decision": {"allow"}}
	resp, _ = f.post(f.idp.URL(authorizePath[APIGitHub])+"?"+authQuery(APIGitHub, c).Encode(), "application/x-www-form-urlencoded", form.Encode())
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("POST with parameters in the query only: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestConsentUnknownUser(t *testing.T) {
	f := newFixture(t)
	_, c := pkce()
	q := authQuery(APIOIDC, c)
	if _, rq := f.consent(APIOIDC, q, "zed", "allow"); rq.Get("error") != "invalid_request" || rq.Get("code") != "" {
		t.Fatalf("unknown user: %v", rq)
	}
}
