package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/softauthn"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/shared"
)

const passkeyOrigin = "https://app.example"

// creationOptions is what the registration test reads of the options.
type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		Selection struct {
			ResidentKey      string `json:"residentKey"`
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
		Attestation string `json:"attestation"`
	} `json:"publicKey"`
}

// passkeyCookie is the Cookie header of a passkey sign-in's binding.
func passkeyCookie(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == PasskeyCookie {
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 300 {
				tb.Fatalf("passkey cookie %+v: want HttpOnly, Secure, Strict, 5 minutes", c)
			}
			return PasskeyCookie + "=" + c.Value
		}
	}
	tb.Fatal("no passkey cookie set")
	return ""
}

// TestPasskeyRoutes: a passkey added over HTTP signs in like any other
// sign-in; the routes' own refusals (binding cookie, replay, body limits,
// strict JSON where the body is ours, the last-method rule) each answer
// the contract's envelope.
func TestPasskeyRoutes(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, map[string]string{"AUTHBRIDGE_FRONTEND_ORIGIN": passkeyOrigin})
			u := e.user("ada", "ada@example.com")
			tok := e.signIn(u)
			a := softauthn.New(passkeyOrigin)
			if _, out := e.browser().get(e.srv.URL + "/api/auth/providers"); !mustJSON[shared.ProvidersResponse](t, []byte(out)).Passkeys {
				t.Fatalf("providers with passkeys on = %s", out)
			}

			// Registration: the options are what navigator.credentials.create takes.
			resp, b := e.do(req{method: "POST", path: "/api/me/passkeys/options", bearer: tok.AccessToken})
			expect(t, resp, b, http.StatusOK, "")
			opts := mustJSON[creationOptions](t, b)
			if p := opts.PublicKey; len(p.Challenge) < 43 || p.RP.ID != "app.example" || p.Selection.ResidentKey != "required" ||
				p.Selection.UserVerification != "required" || (p.Attestation != "" && p.Attestation != "none") {
				t.Fatalf("creation options = %s", b)
			}
			created, err := a.Create(b)
			if err != nil {
				t.Fatal(err)
			}
			resp, b = e.do(req{method: "POST", path: "/api/me/passkeys", bearer: tok.AccessToken, body: string(created)})
			expect(t, resp, b, http.StatusCreated, "")
			added := mustJSON[shared.LinkedAccount](t, b)
			if added.Kind != shared.AccountKindPasskey || added.Provider != "passkey" || added.DisplayName != "Passkey" {
				t.Fatalf("added = %+v", added)
			}
			resp, b = e.do(req{method: "GET", path: "/api/me/accounts", bearer: tok.AccessToken})
			expect(t, resp, b, http.StatusOK, "")
			if l := mustJSON[shared.ListResponse[shared.LinkedAccount]](t, b); len(l.Items) != 1 || l.Items[0].ID != added.ID || l.Items[0].Kind != shared.AccountKindPasskey {
				t.Fatalf("accounts = %s", b)
			}

			// Sign-in: options set the binding cookie; the answer needs it.
			loginOptions := func() ([]byte, string) {
				resp, b := e.do(req{method: "POST", path: "/api/auth/passkey/login/options", header: map[string]string{"Origin": passkeyOrigin}})
				expect(t, resp, b, http.StatusOK, "")
				assertion, err := a.Get(b)
				if err != nil {
					t.Fatal(err)
				}
				return assertion, passkeyCookie(t, resp)
			}
			browser := map[string]string{"Origin": passkeyOrigin}
			assertion, cookie := loginOptions()
			resp, b = e.do(req{method: "POST", path: "/api/auth/passkey/login", body: string(assertion),
				header: map[string]string{"Origin": passkeyOrigin, "Cookie": cookie}})
			expect(t, resp, b, http.StatusOK, "")
			signedIn := mustJSON[shared.SignInResponse](t, b)
			if signedIn.User.ID != u.ID || signedIn.AccessToken == "" || signedIn.RefreshToken != "" {
				t.Fatalf("sign-in = %s (a browser gets the refresh token as the cookie only)", b)
			}
			refreshSet := false
			for _, c := range resp.Cookies() {
				refreshSet = refreshSet || (c.Name == RefreshCookie && c.Value != "")
			}
			if !refreshSet {
				t.Fatal("no refresh cookie after a passkey sign-in")
			}
			resp, b = e.do(req{method: "GET", path: "/api/me/logins", bearer: signedIn.AccessToken})
			if l := mustJSON[shared.ListResponse[shared.LoginEvent]](t, b); len(l.Items) == 0 || l.Items[0].Provider != "passkey" || l.Items[0].Outcome != shared.OutcomeSuccess {
				t.Fatalf("login history = %s", b)
			}

			longName := `{"name": "` + strings.Repeat("n", 65) + `"}`
			tests := []struct {
				name   string
				req    func() req
				status int
				code   shared.ErrorCode
			}{
				{"the same answer again", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login", body: string(assertion), header: map[string]string{"Origin": passkeyOrigin, "Cookie": cookie}}
				}, http.StatusBadRequest, shared.CodePasskeyCeremonyExpired},
				{"an answer without the binding cookie", func() req {
					assertion, _ := loginOptions()
					return req{method: "POST", path: "/api/auth/passkey/login", body: string(assertion), header: browser}
				}, http.StatusBadRequest, shared.CodeInvalidState},
				{"an answer that is not JSON", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login", body: "{", header: browser}
				}, http.StatusBadRequest, shared.CodeInvalidRequest},
				{"an answer with a duplicate key", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login", body: `{"id": "a", "id": "b"}`, header: browser}
				}, http.StatusBadRequest, shared.CodeInvalidRequest},
				{"an answer too large", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login", body: `{"id": "` + strings.Repeat("a", maxWebAuthnBody) + `"}`, header: browser}
				}, http.StatusRequestEntityTooLarge, shared.CodeRequestTooLarge},
				{"an answer not sent as JSON", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login", body: "{}", header: map[string]string{"Content-Type": "text/plain", "Origin": passkeyOrigin}}
				}, http.StatusUnsupportedMediaType, shared.CodeUnsupportedMediaType},
				{"an answer from another site", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login", body: string(assertion), header: map[string]string{"Origin": "https://evil.example", "Cookie": cookie}}
				}, http.StatusForbidden, shared.CodeOriginNotAllowed},
				{"options asked by another site", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login/options", header: map[string]string{"Origin": "https://evil.example"}}
				}, http.StatusForbidden, shared.CodeOriginNotAllowed},
				{"options asked without an Origin", func() req {
					return req{method: "POST", path: "/api/auth/passkey/login/options"}
				}, http.StatusForbidden, shared.CodeOriginNotAllowed},
				{"registration without a bearer token", func() req {
					return req{method: "POST", path: "/api/me/passkeys/options"}
				}, http.StatusUnauthorized, shared.CodeInvalidToken},
				{"a rename", func() req {
					return req{method: "PATCH", path: "/api/me/passkeys/" + added.ID, bearer: tok.AccessToken, body: `{"name": "Laptop"}`,
						header: map[string]string{"Content-Type": "application/json"}}
				}, http.StatusNoContent, ""},
				{"a rename with an unknown member", func() req {
					return req{method: "PATCH", path: "/api/me/passkeys/" + added.ID, bearer: tok.AccessToken, body: `{"name": "x", "nam": "y"}`,
						header: map[string]string{"Content-Type": "application/json"}}
				}, http.StatusBadRequest, shared.CodeInvalidRequest},
				{"a name too long", func() req {
					return req{method: "PATCH", path: "/api/me/passkeys/" + added.ID, bearer: tok.AccessToken, body: longName,
						header: map[string]string{"Content-Type": "application/json"}}
				}, http.StatusBadRequest, shared.CodeInvalidRequest},
				{"a rename of an unknown passkey", func() req {
					return req{method: "PATCH", path: "/api/me/passkeys/nope", bearer: tok.AccessToken, body: `{"name": "x"}`,
						header: map[string]string{"Content-Type": "application/json"}}
				}, http.StatusNotFound, shared.CodeNotFound},
				{"removing the only sign-in method", func() req {
					return req{method: "DELETE", path: "/api/me/passkeys/" + added.ID, bearer: tok.AccessToken}
				}, http.StatusConflict, shared.CodeLastLoginMethod},
				{"removing an unknown passkey", func() req {
					return req{method: "DELETE", path: "/api/me/passkeys/nope", bearer: tok.AccessToken}
				}, http.StatusNotFound, shared.CodeNotFound},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					resp, b := e.do(tc.req())
					expect(t, resp, b, tc.status, tc.code)
				})
			}
			resp, b = e.do(req{method: "GET", path: "/api/me/accounts", bearer: tok.AccessToken})
			if l := mustJSON[shared.ListResponse[shared.LinkedAccount]](t, b); len(l.Items) != 1 || l.Items[0].DisplayName != "Laptop" {
				t.Fatalf("accounts after rename = %s", b)
			}
		})
	}
}

// TestPasskeySignupRoutes: with AUTHBRIDGE_PASSKEY_SIGNUP a passkey alone
// makes a signed-in account over HTTP; without it the routes answer
// not_found and nobody is created.
func TestPasskeySignupRoutes(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			off := newEnv(t, engine, map[string]string{"AUTHBRIDGE_FRONTEND_ORIGIN": passkeyOrigin})
			site := map[string]string{"Origin": passkeyOrigin}
			resp, b := off.do(req{method: "POST", path: "/api/auth/passkey/signup/options", body: `{"name": "Pat"}`, header: site})
			expect(t, resp, b, http.StatusNotFound, shared.CodeNotFound)

			e := newEnv(t, engine, map[string]string{"AUTHBRIDGE_FRONTEND_ORIGIN": passkeyOrigin, "AUTHBRIDGE_PASSKEY_SIGNUP": "true"})
			resp, b = e.do(req{method: "POST", path: "/api/auth/passkey/signup/options", body: `{"name": "Pat", "admin": true}`, header: site})
			expect(t, resp, b, http.StatusBadRequest, shared.CodeInvalidRequest)
			resp, b = e.do(req{method: "POST", path: "/api/auth/passkey/signup/options", body: `{"name": "Pat"}`, header: site})
			expect(t, resp, b, http.StatusOK, "")
			cookie := passkeyCookie(t, resp)
			a := softauthn.New(passkeyOrigin)
			created, err := a.Create(b)
			if err != nil {
				t.Fatal(err)
			}
			resp, b = e.do(req{method: "POST", path: "/api/auth/passkey/signup", body: string(created), header: map[string]string{"Origin": passkeyOrigin}})
			expect(t, resp, b, http.StatusBadRequest, shared.CodeInvalidState)
			resp, b = e.do(req{method: "POST", path: "/api/auth/passkey/signup/options", body: `{"name": "Pat"}`, header: map[string]string{"Origin": passkeyOrigin, "Cookie": cookie}})
			expect(t, resp, b, http.StatusOK, "")
			if created, err = a.Create(b); err != nil {
				t.Fatal(err)
			}
			resp, b = e.do(req{method: "POST", path: "/api/auth/passkey/signup", body: string(created), header: map[string]string{"Origin": passkeyOrigin, "Cookie": cookie}})
			expect(t, resp, b, http.StatusOK, "")
			res := mustJSON[shared.SignInResponse](t, b)
			if !res.IsNew || res.User.Name != "Pat" || res.AccessToken == "" {
				t.Fatalf("sign-up = %s", b)
			}
			resp, b = e.do(req{method: "GET", path: "/api/me/accounts", bearer: res.AccessToken})
			if l := mustJSON[shared.ListResponse[shared.LinkedAccount]](t, b); len(l.Items) != 1 || l.Items[0].Kind != shared.AccountKindPasskey {
				t.Fatalf("the new account's methods = %s", b)
			}
		})
	}
}

// TestPasskeysOff: a frontend origin on a loopback IP address (this test
// server's) cannot be a relying party: the passkey routes answer not_found.
func TestPasskeysOff(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	resp, b := e.do(req{method: "POST", path: "/api/auth/passkey/login/options", header: map[string]string{"Origin": e.srv.URL}})
	expect(t, resp, b, http.StatusNotFound, shared.CodeNotFound)
	if _, out := e.browser().get(e.srv.URL + "/api/auth/providers"); strings.Contains(out, `"passkeys"`) {
		t.Fatalf("providers with passkeys off = %s", out)
	}
}
