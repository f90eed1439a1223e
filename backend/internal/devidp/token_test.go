package devidp

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// grantError is the error an API answers for a bad code: GitHub answers
// 200 with its own code.
func grantError(api string) (int, string) {
	if api == APIGitHub {
		return http.StatusOK, "bad_verification_code"
	}
	return http.StatusBadRequest, "invalid_grant"
}

// TestTokenRefusals: per API, every way a code must fail at the token
// endpoint.
func TestTokenRefusals(t *testing.T) {
	tests := []struct {
		name string
		// run presents the code (made for the verifier v) and answers the
		// response; wantCode "" means the API's grant error.
		run        func(f *fixture, api, code, v string) (*http.Response, map[string]any)
		wantStatus int
		wantCode   string
	}{
		{name: "replayed code", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			if resp, _ := f.token(api, tokenReq{code: code, verifier: v}); resp.StatusCode != 200 {
				f.t.Fatalf("first redemption: %d", resp.StatusCode)
			}
			return f.token(api, tokenReq{code: code, verifier: v})
		}},
		{name: "wrong verifier", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			return f.token(api, tokenReq{code: code, verifier: strings.Repeat("w", 43)})
		}},
		{name: "right verifier after a wrong one (the code is spent)", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			f.token(api, tokenReq{code: code, verifier: strings.Repeat("w", 43)})
			return f.token(api, tokenReq{code: code, verifier: v})
		}},
		{name: "no verifier", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			return f.token(api, tokenReq{code: code})
		}},
		{name: "verifier is the challenge (plain)", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			_, c := pkce()
			code = f.code(api, "alice", c)
			return f.token(api, tokenReq{code: code, verifier: c})
		}},
		{name: "expired code", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			f.clock.Add(61 * time.Second)
			return f.token(api, tokenReq{code: code, verifier: v})
		}},
		{name: "code exactly 60 s old", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			f.clock.Add(60 * time.Second)
			return f.token(api, tokenReq{code: code, verifier: v})
		}},
		{name: "other redirect_uri", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			return f.token(api, tokenReq{code: code, verifier: v, redirect: "https://app.example/other"})
		}},
		{name: "another client's code", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			return f.token(api, tokenReq{code: code, verifier: v, client: otherClient, secret: "other-secret"})
		}},
		{name: "another API's code", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			other := map[string]string{APIOIDC: APIGoogle, APIGoogle: APIOIDC, APIGitHub: APIDiscord, APIDiscord: APIGitHub}[api]
			return f.token(api, tokenReq{code: f.code(other, "alice", oauthChallenge(v)), verifier: v})
		}},
		{name: "unknown code", run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
			return f.token(api, tokenReq{code: code + "x", verifier: v})
		}},
		{name: "wrong secret", wantStatus: http.StatusUnauthorized, wantCode: "invalid_client",
			run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
				return f.token(api, tokenReq{code: code, verifier: v, client: clientID, secret: "guess"})
			}},
		{name: "unknown client", wantStatus: http.StatusUnauthorized, wantCode: "invalid_client",
			run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
				return f.token(api, tokenReq{code: code, verifier: v, client: "evil", secret: "x"})
			}},
		{name: "confidential client without its secret", wantStatus: http.StatusUnauthorized, wantCode: "invalid_client",
			run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
				return f.token(api, tokenReq{code: code, verifier: v, client: clientID, secret: ""})
			}},
		{name: "basic and post together", wantStatus: http.StatusBadRequest, wantCode: "invalid_request",
			run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
				req, _ := http.NewRequest(http.MethodPost, f.idp.URL(tokenPath[api]), strings.NewReader(
					"grant_type=authorization_code&code="+code+"&code_verifier="+v+"&redirect_uri="+redirectURI+"&client_secret="+clientSecret))
				req.SetBasicAuth(clientID, clientSecret)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Accept", "application/json")
				resp, body := f.do(req)
				return resp, decodeAnswer(f.t, resp, body)
			}},
		{name: "JSON body", wantStatus: http.StatusBadRequest, wantCode: "invalid_request",
			run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
				resp, body := f.post(f.idp.URL(tokenPath[api]), "application/json",
					`{"grant_type":"authorization_code","code":"`+code+`"}`, "Accept", "application/json")
				return resp, decodeAnswer(f.t, resp, body)
			}},
		{name: "grant_type refresh_token", wantStatus: http.StatusBadRequest, wantCode: "unsupported_grant_type",
			run: func(f *fixture, api, code, v string) (*http.Response, map[string]any) {
				resp, body := f.post(f.idp.URL(tokenPath[api]), "application/x-www-form-urlencoded",
					"grant_type=refresh_token&refresh_token=x&client_id="+clientID+"&client_secret="+strings.ReplaceAll(clientSecret, "+", "%2B"))
				return resp, decodeAnswer(f.t, resp, body)
			}},
	}
	githubCodes := map[string]string{"invalid_client": "incorrect_client_credentials"}
	for _, api := range allAPIs {
		// One devidp per API: every case makes its own code, and the
		// clock only moves forward.
		shared := newFixture(t)
		for _, tt := range tests {
			t.Run(api+"/"+tt.name, func(t *testing.T) {
				f := shared.with(t)
				v, c := pkce()
				code := f.code(api, "alice", c)
				resp, out := tt.run(f, api, code, v)
				wantStatus, wantCode := tt.wantStatus, tt.wantCode
				if wantCode == "" {
					wantStatus, wantCode = grantError(api)
				}
				if api == APIGitHub {
					wantStatus = http.StatusOK
					if tt.name == "other redirect_uri" {
						wantCode = "redirect_uri_mismatch"
					}
					if g, ok := githubCodes[wantCode]; ok {
						wantCode = g
					}
				}
				if resp.StatusCode != wantStatus || out["error"] != wantCode || out["access_token"] != nil {
					t.Fatalf("got %d %v, want %d error=%s", resp.StatusCode, out, wantStatus, wantCode)
				}
				if resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("Cache-Control = %q", resp.Header.Get("Cache-Control"))
				}
			})
		}
	}
}

func oauthChallenge(v string) string { return s256(v) }

// TestReplayRevokesToken: a replayed code revokes the access token it
// gave (RFC 6749 §4.1.2).
func TestReplayRevokesToken(t *testing.T) {
	f := newFixture(t)
	v, c := pkce()
	code := f.code(APIDiscord, "alice", c)
	_, tok := f.token(APIDiscord, tokenReq{code: code, verifier: v, basic: true})
	access, _ := tok["access_token"].(string)
	if st := f.userJSON("/discord/api/users/@me", access, nil); st != 200 {
		t.Fatalf("before the replay: %d", st)
	}
	f.token(APIDiscord, tokenReq{code: code, verifier: v, basic: true})
	if st := f.userJSON("/discord/api/users/@me", access, nil); st != http.StatusUnauthorized {
		t.Fatalf("after the replay: %d, want 401", st)
	}
}

// TestClientAuthFailureKeepsCode: a request that fails client
// authentication does not spend the code.
func TestClientAuthFailureKeepsCode(t *testing.T) {
	f := newFixture(t)
	v, c := pkce()
	code := f.code(APIOIDC, "alice", c)
	f.token(APIOIDC, tokenReq{code: code, verifier: v, client: clientID, secret: "guess"})
	if resp, out := f.token(APIOIDC, tokenReq{code: code, verifier: v, basic: true}); resp.StatusCode != 200 {
		t.Fatalf("after a failed authentication: %d %v", resp.StatusCode, out)
	}
}

func TestCodeJustBeforeExpiry(t *testing.T) {
	f := newFixture(t)
	v, c := pkce()
	code := f.code(APIOIDC, "alice", c)
	f.clock.Add(59 * time.Second)
	if resp, out := f.token(APIOIDC, tokenReq{code: code, verifier: v}); resp.StatusCode != 200 {
		t.Fatalf("59 s: %d %v", resp.StatusCode, out)
	}
}

func TestPublicClient(t *testing.T) {
	f := newFixture(t)
	v, c := pkce()
	q := authQuery(APIOIDC, c)
	q.Set("client_id", publicClient)
	q.Set("redirect_uri", "com.example.app:/oauth")
	resp, _ := f.get(f.idp.URL(authorizePath[APIOIDC]) + "?" + q.Encode())
	rq := redirected(t, resp, "com.example.app:/oauth")
	if resp, out := f.token(APIOIDC, tokenReq{code: rq.Get("code"), verifier: v, client: publicClient, redirect: "com.example.app:/oauth"}); resp.StatusCode != 200 {
		t.Fatalf("public client: %d %v", resp.StatusCode, out)
	}
}

// TestGitHubTokenFormats: form-encoded by default, JSON on request, and
// errors with status 200 either way.
func TestGitHubTokenFormats(t *testing.T) {
	f := newFixture(t)
	for _, accept := range []string{"", "application/json"} {
		v, c := pkce()
		code := f.code(APIGitHub, "alice", c)
		resp, out := f.token(APIGitHub, tokenReq{code: code, verifier: v, accept: accept})
		wantCT := map[string]string{"": "application/x-www-form-urlencoded", "application/json": "application/json"}[accept]
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), wantCT) ||
			out["token_type"] != "bearer" || out["scope"] != "read:user,user:email" || out["expires_in"] != nil {
			t.Fatalf("Accept %q: %d %s %v", accept, resp.StatusCode, resp.Header.Get("Content-Type"), out)
		}
		resp, out = f.token(APIGitHub, tokenReq{code: code, verifier: v, accept: accept})
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), wantCT) || out["error"] != "bad_verification_code" {
			t.Fatalf("Accept %q, replay: %d %v", accept, resp.StatusCode, out)
		}
	}
}
