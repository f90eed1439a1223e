package auth_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/softauthn"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/shared"
)

const frontend = "https://app.example"

var pkMeta = auth.Meta{IP: "198.51.100.9", UserAgent: "Passkey Browser"}

// pkEnv is a service with passkeys on, and ada holding one passkey on the
// software authenticator a.
type pkEnv struct {
	*fixture
	svc *auth.Service
	a   *softauthn.Authenticator
}

func newPK(t *testing.T, engine string) *pkEnv {
	t.Helper()
	f := newFixture(t, engine, "")
	f.clk.t = f.clk.t.Truncate(time.Second) // as the database keeps times
	svc, err := auth.New(f.st, f.tm, nil, nil, auth.Options{RefreshTTL: time.Hour, IdleTTL: time.Hour, Grace: grace,
		FrontendOrigin: frontend, Now: f.clk.now, Logger: slog.New(slog.NewTextHandler(f.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &pkEnv{fixture: f, svc: svc, a: softauthn.New(frontend)}
	if _, err := e.register(t, e.a, f.ada.ID); err != nil {
		t.Fatalf("register: %v", err)
	}
	return e
}

func (e *pkEnv) register(t *testing.T, a *softauthn.Authenticator, userID string) (auth.Account, error) {
	t.Helper()
	ctx := context.Background()
	st, err := e.svc.BeginRegistration(ctx, userID)
	if err != nil {
		t.Fatalf("begin registration: %v", err)
	}
	body, err := a.Create(st.Options)
	if err != nil {
		t.Fatal(err)
	}
	return e.svc.FinishRegistration(ctx, userID, body)
}

// login runs a passkey sign-in with a; between runs after the options
// and before the answer; browser, when set, replaces the cookie value.
func (e *pkEnv) login(t *testing.T, a *softauthn.Authenticator, between func(), browser string) (auth.SignedIn, []byte, string, error) {
	t.Helper()
	ctx := context.Background()
	st, err := e.svc.BeginLogin(ctx, "")
	if err != nil {
		t.Fatalf("begin login: %v", err)
	}
	body, err := a.Get(st.Options)
	if err != nil {
		t.Fatal(err)
	}
	if between != nil {
		between()
	}
	if browser == "" {
		browser = st.Browser
	}
	res, err := e.svc.FinishLogin(ctx, body, browser, pkMeta)
	return res, body, st.Browser, err
}

func (e *pkEnv) events(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.st.DB().GetContext(context.Background(), &n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// isCode reports whether err carries code; "" wants no error.
func isCode(err error, code shared.ErrorCode) bool {
	if code == "" {
		return err == nil
	}
	return apperr.CodeOf(err) == code
}

// TestPasskeyLogin: the sign-in ceremony against a software authenticator,
// and each way it must refuse.
func TestPasskeyLogin(t *testing.T) {
	otherBrowser := strings.Repeat("b", 43)
	tests := []struct {
		name    string
		setup   func(t *testing.T, e *pkEnv) *softauthn.Authenticator // the authenticator that signs in; nil: e.a
		between func(e *pkEnv)
		browser string
		want    shared.ErrorCode
		check   func(t *testing.T, e *pkEnv, res auth.SignedIn, body []byte, browser string)
	}{
		{name: "a registered passkey signs its user in, with a login-history row", check: func(t *testing.T, e *pkEnv, res auth.SignedIn, _ []byte, _ string) {
			c, err := e.tm.Verify(context.Background(), res.Pair.AccessToken)
			if err != nil || c.Subject != e.ada.ID || res.User.ID != e.ada.ID || res.Pair.RefreshToken == "" || res.IsNew {
				t.Fatalf("signed in = %+v, claims %+v, %v", res, c, err)
			}
			if n := e.events(t, "SELECT COUNT(*) FROM login_events WHERE user_id = ? AND provider = 'passkey' AND outcome = 'success' AND ip = ?", e.ada.ID, pkMeta.IP); n != 1 {
				t.Fatalf("%d passkey login events", n)
			}
			if n := e.events(t, "SELECT COUNT(*) FROM refresh_families WHERE id = ? AND provider = 'passkey'", c.SessionID); n != 1 {
				t.Fatal("the session is not a passkey session")
			}
			accts, _ := e.svc.Accounts(context.Background(), e.ada.ID)
			if len(accts) != 1 || accts[0].Kind != shared.AccountKindPasskey || !accts[0].LastLoginAt.Equal(e.clk.t.UTC()) {
				t.Fatalf("accounts after sign-in = %+v", accts)
			}
		}},
		{name: "a replayed answer finds its challenge spent", want: shared.CodePasskeyCeremonyExpired,
			check: func(t *testing.T, e *pkEnv, _ auth.SignedIn, body []byte, browser string) {}},
		{name: "an expired challenge", between: func(e *pkEnv) { e.clk.advance(auth.PasskeyTTL + time.Second) }, want: shared.CodePasskeyCeremonyExpired},
		{name: "another origin", setup: func(t *testing.T, e *pkEnv) *softauthn.Authenticator { e.a.Origin = "https://evil.example"; return e.a },
			want: shared.CodePasskeyInvalid},
		{name: "a wrong rp id", setup: func(t *testing.T, e *pkEnv) *softauthn.Authenticator { e.a.RPID = "evil.example"; return e.a },
			want: shared.CodePasskeyInvalid},
		{name: "user verification missing", setup: func(t *testing.T, e *pkEnv) *softauthn.Authenticator { e.a.NoUV = true; return e.a },
			want: shared.CodePasskeyInvalid},
		{name: "another browser's ceremony", browser: otherBrowser, want: shared.CodeInvalidState},
		{name: "a sign count that goes backwards is refused and recorded", want: shared.CodePasskeyCloned,
			setup: func(t *testing.T, e *pkEnv) *softauthn.Authenticator {
				if _, _, _, err := e.login(t, e.a, nil, ""); err != nil {
					t.Fatalf("first sign-in: %v", err)
				}
				e.a.Counter = 0 // the copy signs with counter 1 again
				return e.a
			},
			check: func(t *testing.T, e *pkEnv, _ auth.SignedIn, _ []byte, _ string) {
				accts, _ := e.svc.Accounts(context.Background(), e.ada.ID)
				if len(accts) != 1 || !accts[0].CloneWarning {
					t.Fatalf("accounts = %+v, want the clone warning", accts)
				}
				if n := e.events(t, "SELECT COUNT(*) FROM login_events WHERE user_id = ? AND error_code = 'passkey_cloned'", e.ada.ID); n != 1 {
					t.Fatalf("%d clone events, want 1", n)
				}
				if !strings.Contains(e.log.String(), "level=WARN") || !strings.Contains(e.log.String(), "sign count regressed") {
					t.Fatalf("no warning logged: %s", e.log)
				}
			}},
		{name: "a disabled user's passkey", want: shared.CodeAccountDisabled,
			setup: func(t *testing.T, e *pkEnv) *softauthn.Authenticator {
				now := e.clk.t
				if err := e.st.SetUserDisabled(context.Background(), e.ada.ID, &now); err != nil {
					t.Fatal(err)
				}
				return e.a
			}},
		{name: "an unknown credential creates nobody", want: shared.CodePasskeyNotRecognised,
			setup: func(t *testing.T, e *pkEnv) *softauthn.Authenticator {
				// A credential made for options never finished: no row.
				st, err := e.svc.BeginRegistration(context.Background(), e.ada.ID)
				if err != nil {
					t.Fatal(err)
				}
				stranger := softauthn.New(frontend)
				if _, err := stranger.Create(st.Options); err != nil {
					t.Fatal(err)
				}
				return stranger
			},
			check: func(t *testing.T, e *pkEnv, _ auth.SignedIn, _ []byte, _ string) {
				if n := e.events(t, "SELECT COUNT(*) FROM users"); n != 1 {
					t.Fatalf("%d users, want ada alone", n)
				}
				if n := e.events(t, "SELECT COUNT(*) FROM login_events WHERE user_id IS NULL AND provider = 'passkey' AND error_code = 'passkey_not_recognised'"); n != 1 {
					t.Fatalf("%d failed attempts recorded, want 1", n)
				}
			}},
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					e := newPK(t, engine)
					a := e.a
					if tc.setup != nil {
						a = tc.setup(t, e)
					}
					var between func()
					if tc.between != nil {
						between = func() { tc.between(e) }
					}
					res, body, browser, err := e.login(t, a, between, tc.browser)
					if tc.name == "a replayed answer finds its challenge spent" {
						if err != nil {
							t.Fatalf("first use: %v", err)
						}
						res, err = e.svc.FinishLogin(context.Background(), body, browser, pkMeta)
					}
					if !isCode(err, tc.want) {
						t.Fatalf("finish login: %v, want %q", err, tc.want)
					}
					if tc.check != nil {
						tc.check(t, e, res, body, browser)
					}
				})
			}
		})
	}
}

// TestPasskeyMethods: registration's own refusals, the listing among the
// sign-in methods, rename, remove and the last-method rule.
func TestPasskeyMethods(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newPK(t, engine)
			accts, err := e.svc.Accounts(ctx, e.ada.ID)
			if err != nil || len(accts) != 1 || accts[0].Kind != shared.AccountKindPasskey || accts[0].Provider != auth.ProviderPasskey ||
				accts[0].DisplayName != "Passkey" || !accts[0].CreatedAt.Equal(e.clk.t.UTC()) {
				t.Fatalf("accounts = %+v, %v", accts, err)
			}
			id := accts[0].ID
			// The passkey is ada's only way in.
			if err := e.svc.RemovePasskey(ctx, e.ada.ID, id); apperr.CodeOf(err) != shared.CodeLastLoginMethod {
				t.Fatalf("remove the only method: %v, want last_login_method", err)
			}
			for _, tc := range []struct {
				name, user, id, newName string
				want                    shared.ErrorCode
			}{
				{"a name", e.ada.ID, id, "  Work laptop ", ""},
				{"an empty name", e.ada.ID, id, "  ", shared.CodeInvalidRequest},
				{"a name too long", e.ada.ID, id, strings.Repeat("é", 65), shared.CodeInvalidRequest},
				{"a control character", e.ada.ID, id, "a\nb", shared.CodeInvalidRequest},
				{"another user's passkey", store.NewID(), id, "x", shared.CodeNotFound},
			} {
				if err := e.svc.RenamePasskey(ctx, tc.user, tc.id, tc.newName); !isCode(err, tc.want) {
					t.Fatalf("rename, %s: %v, want %q", tc.name, err, tc.want)
				}
			}
			// A second passkey; the same authenticator's credential again is refused.
			second := softauthn.New(frontend)
			if _, err := e.register(t, second, e.ada.ID); err != nil {
				t.Fatalf("second passkey: %v", err)
			}
			// Registration refusals.
			st, err := e.svc.BeginRegistration(ctx, e.ada.ID)
			if err != nil {
				t.Fatal(err)
			}
			body, err := softauthn.New(frontend).Create(st.Options)
			if err != nil {
				t.Fatal(err)
			}
			bob := store.User{ID: store.NewID(), Name: "bob", CreatedAt: e.clk.t, UpdatedAt: e.clk.t}
			storetest.CreateUser(t, e.st, bob)
			if _, err := e.svc.FinishRegistration(ctx, bob.ID, body); apperr.CodeOf(err) != shared.CodePasskeyCeremonyExpired {
				t.Fatalf("another user's ceremony: %v, want passkey_ceremony_expired", err)
			}
			if _, err := e.svc.FinishRegistration(ctx, e.ada.ID, body); apperr.CodeOf(err) != shared.CodePasskeyCeremonyExpired {
				t.Fatalf("a ceremony spent by the refused attempt: %v, want passkey_ceremony_expired", err)
			}
			noUV := softauthn.New(frontend)
			noUV.NoUV = true
			if _, err := e.register(t, noUV, e.ada.ID); apperr.CodeOf(err) != shared.CodePasskeyInvalid {
				t.Fatalf("registration without user verification: %v, want passkey_invalid", err)
			}
			evil := softauthn.New("https://evil.example")
			if _, err := e.register(t, evil, e.ada.ID); apperr.CodeOf(err) != shared.CodePasskeyInvalid {
				t.Fatalf("registration from another origin: %v, want passkey_invalid", err)
			}
			accts, _ = e.svc.Accounts(ctx, e.ada.ID)
			names := map[string]string{}
			for _, a := range accts {
				names[a.ID] = a.DisplayName
			}
			if len(accts) != 2 || names[id] != "Work laptop" {
				t.Fatalf("accounts = %+v, want the renamed passkey and the second", accts)
			}
			if err := e.svc.RemovePasskey(ctx, e.ada.ID, id); err != nil {
				t.Fatalf("remove one of two: %v", err)
			}
			if err := e.svc.RemovePasskey(ctx, e.ada.ID, id); apperr.CodeOf(err) != shared.CodeNotFound {
				t.Fatalf("remove again: %v, want not_found", err)
			}
			// The removed passkey signs nobody in.
			if _, _, _, err := e.login(t, e.a, nil, ""); apperr.CodeOf(err) != shared.CodePasskeyNotRecognised {
				t.Fatalf("sign in with the removed passkey: %v, want passkey_not_recognised", err)
			}
		})
	}
}

// TestRelyingParty: the relying-party id is the frontend origin's host; a
// loopback address turns passkeys off, any other IP address is refused.
func TestRelyingParty(t *testing.T) {
	for _, tc := range []struct {
		origin  string
		off     bool
		refused bool
	}{
		{"https://app.example.com", false, false},
		{"http://localhost:8080", false, false},
		{"https://127.0.0.1:8443", true, false},
		{"http://[::1]:8080", true, false},
		{"https://203.0.113.7", false, true},
	} {
		rp, err := auth.NewRelyingParty(tc.origin)
		switch {
		case tc.refused && err == nil:
			t.Errorf("%s: accepted", tc.origin)
		case !tc.refused && err != nil:
			t.Errorf("%s: %v", tc.origin, err)
		case !tc.refused && (rp == nil) != tc.off:
			t.Errorf("%s: relying party %v, want off=%v", tc.origin, rp, tc.off)
		case rp != nil && rp.Config.RPID != strings.Split(strings.TrimPrefix(strings.TrimPrefix(tc.origin, "https://"), "http://"), ":")[0]:
			t.Errorf("%s: rp id %q", tc.origin, rp.Config.RPID)
		}
	}
}

// TestPasskeySignup: with AUTHBRIDGE_PASSKEY_SIGNUP a passkey alone makes
// a new, signed-in user who signs in with it again; without it, or with a
// domain allowlist (a passkey has no email), nobody is created.
func TestPasskeySignup(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newPK(t, engine)
			newSvc := func(signup bool, allow []string) *auth.Service {
				svc, err := auth.New(e.st, e.tm, nil, nil, auth.Options{RefreshTTL: time.Hour, IdleTTL: time.Hour, FrontendOrigin: frontend,
					PasskeySignup: signup, Allowlist: allow, Now: e.clk.now})
				if err != nil {
					t.Fatal(err)
				}
				return svc
			}
			if _, err := e.svc.BeginSignup(ctx, "Pat", ""); apperr.CodeOf(err) != shared.CodeNotFound {
				t.Fatalf("sign-up while off: %v, want not_found", err)
			}
			if _, err := newSvc(true, []string{"example.com"}).BeginSignup(ctx, "Pat", ""); apperr.CodeOf(err) != shared.CodeEmailDomainNotAllowed {
				t.Fatalf("sign-up under an allowlist: %v, want email_domain_not_allowed", err)
			}
			on := newSvc(true, nil)
			if _, err := on.BeginSignup(ctx, " ", ""); apperr.CodeOf(err) != shared.CodeInvalidRequest {
				t.Fatalf("sign-up without a name: %v, want invalid_request", err)
			}
			signup := func(a *softauthn.Authenticator, browser string) (auth.SignedIn, error) {
				st, err := on.BeginSignup(ctx, "Pat", "")
				if err != nil {
					t.Fatal(err)
				}
				body, err := a.Create(st.Options)
				if err != nil {
					t.Fatal(err)
				}
				if browser == "" {
					browser = st.Browser
				}
				return on.FinishSignup(ctx, body, browser, pkMeta)
			}
			if _, err := signup(softauthn.New(frontend), strings.Repeat("x", 43)); apperr.CodeOf(err) != shared.CodeInvalidState {
				t.Fatalf("sign-up answered from another browser: %v, want invalid_state", err)
			}
			noUV := softauthn.New(frontend)
			noUV.NoUV = true
			if _, err := signup(noUV, ""); apperr.CodeOf(err) != shared.CodePasskeyInvalid {
				t.Fatalf("sign-up without user verification: %v, want passkey_invalid", err)
			}
			if n := e.events(t, "SELECT COUNT(*) FROM users"); n != 1 {
				t.Fatalf("%d users after refused sign-ups, want ada alone", n)
			}
			a := softauthn.New(frontend)
			res, err := signup(a, "")
			if err != nil || !res.IsNew || res.User.Name != "Pat" || res.Pair.AccessToken == "" {
				t.Fatalf("sign-up = %+v, %v", res, err)
			}
			// The new user signs in with the passkey (discoverable, like any other).
			again, _, _, err := e.login(t, a, nil, "")
			if err != nil || again.User.ID != res.User.ID || again.IsNew {
				t.Fatalf("sign-in after sign-up = %+v, %v", again, err)
			}
			accts, _ := e.svc.Accounts(ctx, res.User.ID)
			if len(accts) != 1 || accts[0].Kind != shared.AccountKindPasskey {
				t.Fatalf("the new user's methods = %+v", accts)
			}
		})
	}
}
