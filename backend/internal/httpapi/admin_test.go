package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// adminEnv is a server with one granted administrator, root, signed in
// just now, and a user, bob, signed in.
type adminEnv struct {
	*env
	root, bob   store.User
	rootP, bobP shared.TokenPair
}

func newAdminEnv(t *testing.T, engine string) *adminEnv {
	t.Helper()
	return newAdminEnvWith(t, engine, nil)
}

// newAdminEnvWith is newAdminEnv with AUTHBRIDGE_* variables overridden.
func newAdminEnvWith(t *testing.T, engine string, extra map[string]string) *adminEnv {
	t.Helper()
	e := newEnv(t, engine, extra)
	a := &adminEnv{env: e, root: e.user("Root", "root@example.com"), bob: e.user("Bob", "bob@example.com")}
	a.grant(a.root)
	a.rootP, a.bobP = e.signIn(a.root), e.signIn(a.bob)
	return a
}

func (a *adminEnv) grant(u store.User) {
	a.t.Helper()
	if err := a.auth.Admin().GrantAdmin(context.Background(), auth.CLIActor("test"), u.ID); err != nil {
		a.t.Fatal(err)
	}
}

// as calls the API with the bearer token tok.
func (a *adminEnv) as(tok, method, path, body string) (*http.Response, []byte) {
	a.t.Helper()
	return a.do(req{method: method, path: path, body: body, bearer: tok})
}

// events answers the audit trail about u.
func (a *adminEnv) events(u store.User) []shared.AuditEvent {
	a.t.Helper()
	resp, body := a.as(a.rootP.AccessToken, "GET", "/api/admin/events?user="+u.ID, "")
	expect(a.t, resp, body, http.StatusOK, "")
	return mustJSON[shared.ListResponse[shared.AuditEvent]](a.t, body).Items
}

// adminRoutes are every admin route, {id} standing for a user id.
var adminRoutes = []struct{ method, path, body string }{
	{"GET", "/api/admin/users", ""},
	{"GET", "/api/admin/users/{id}", ""},
	{"DELETE", "/api/admin/users/{id}", ""},
	{"POST", "/api/admin/users/{id}/disable", `{"reason":"r"}`},
	{"POST", "/api/admin/users/{id}/enable", `{}`},
	{"POST", "/api/admin/users/{id}/revoke-sessions", ``},
	{"GET", "/api/admin/users/{id}/logins", ""},
	{"GET", "/api/admin/events", ""},
	{"GET", "/api/admin/providers", ""},
}

// TestAdminRoutesRefuse: on every admin route, no token is 401, a user who
// is not an administrator 403 forbidden, an administrator whose sign-in is
// older than AUTHBRIDGE_ADMIN_REAUTH (even with a fresh access token) 403
// reauth_required, an unknown or malformed user id 404 not_found; none of
// them changes anything (bob stays enabled and signed in).
func TestAdminRoutesRefuse(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		for _, rt := range adminRoutes {
			t.Run(rt.method+" "+rt.path, func(t *testing.T) {
				a := newAdminEnv(t, engine)
				stale := a.signInAt(a.root, a.clock.Now().Add(-15*time.Minute-time.Second))
				path := strings.ReplaceAll(rt.path, "{id}", a.bob.ID)
				cases := []struct {
					name, tok, path string
					status          int
					code            shared.ErrorCode
				}{
					{"no token", "", path, 401, shared.CodeInvalidToken},
					{"not an administrator", a.bobP.AccessToken, path, 403, shared.CodeForbidden},
					{"stale sign-in", stale.AccessToken, path, 403, shared.CodeReauthRequired},
				}
				if strings.Contains(rt.path, "{id}") {
					cases = append(cases,
						struct {
							name, tok, path string
							status          int
							code            shared.ErrorCode
						}{"unknown user", a.rootP.AccessToken, strings.ReplaceAll(rt.path, "{id}", store.NewID()), 404, shared.CodeNotFound},
						struct {
							name, tok, path string
							status          int
							code            shared.ErrorCode
						}{"malformed id", a.rootP.AccessToken, strings.ReplaceAll(rt.path, "{id}", "%C3%A9t%C3%A9"), 404, shared.CodeNotFound})
				}
				for _, c := range cases {
					resp, body := a.as(c.tok, rt.method, c.path, rt.body)
					if resp.StatusCode != c.status || errorCode(t, body) != c.code {
						t.Fatalf("%s: %d %s, want %d %s", c.name, resp.StatusCode, body, c.status, c.code)
					}
				}
				resp, body := a.as(a.bobP.AccessToken, "GET", "/api/me/sessions", "")
				expect(t, resp, body, 200, "")
				if n := len(mustJSON[shared.ListResponse[shared.Session]](t, body).Items); n != 1 {
					t.Fatalf("after the refused calls bob has %d sessions, want 1", n)
				}
				if evs := a.events(a.bob); len(evs) != 0 {
					t.Fatalf("refused calls wrote audit rows: %+v", evs)
				}
			})
		}
	})
}

// TestAdminActions walks an administrator through the admin API: the
// roles claim and /api/me, search, detail, disable (bob's token refused at
// once), enable, revoke sessions, the audit trail with actor, IP and
// reason, provider status, delete; refusals: disabling oneself, a reason
// too long, deleting the last administrator.
func TestAdminActions(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		a := newAdminEnv(t, engine)
		root := a.rootP.AccessToken

		// A refreshed token carries roles [admin]; /api/me shows them.
		resp, body := a.do(req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(a.rootP.RefreshToken)})
		expect(t, resp, body, 200, "")
		root = mustJSON[shared.RefreshResponse](t, body).AccessToken
		if c := claimsOf(a.env, root); !slices.Equal(c.Roles, []string{shared.RoleAdmin}) || c.AuthTime == 0 {
			t.Fatalf("an administrator's claims: roles %v, auth_time %d", c.Roles, c.AuthTime)
		}
		resp, body = a.as(root, "GET", "/api/me", "")
		expect(t, resp, body, 200, "")
		if me := mustJSON[shared.User](t, body); !slices.Equal(me.Roles, []string{shared.RoleAdmin}) {
			t.Fatalf("/api/me of an administrator = %s", body)
		}

		resp, body = a.as(root, "GET", "/api/admin/users?query=bob&limit=10", "")
		expect(t, resp, body, 200, "")
		if p := mustJSON[shared.AdminUserPage](t, body); p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != a.bob.ID || p.Limit != 10 || p.Page != 1 {
			t.Fatalf("search bob = %s", body)
		}
		resp, body = a.as(root, "GET", "/api/admin/users?page=0", "")
		expect(t, resp, body, 400, shared.CodeInvalidRequest)

		resp, body = a.as(root, "POST", "/api/admin/users/"+a.root.ID+"/disable", `{"reason":"oops"}`)
		expect(t, resp, body, 409, shared.CodeCannotDisableSelf)
		resp, body = a.as(root, "POST", "/api/admin/users/"+a.bob.ID+"/disable", `{"reason":"`+strings.Repeat("x", shared.MaxReasonBytes+1)+`"}`)
		expect(t, resp, body, 400, shared.CodeInvalidRequest)

		resp, body = a.as(root, "POST", "/api/admin/users/"+a.bob.ID+"/disable", `{"reason":"compromised"}`)
		expect(t, resp, body, 200, "")
		if r := mustJSON[shared.AdminActionResponse](t, body); r.SessionsRevoked != 1 {
			t.Fatalf("disable = %s, want one session ended", body)
		}
		resp, body = a.as(a.bobP.AccessToken, "GET", "/api/me", "")
		expect(t, resp, body, 403, shared.CodeAccountDisabled)

		resp, body = a.as(root, "GET", "/api/admin/users?disabled=true", "")
		expect(t, resp, body, 200, "")
		if p := mustJSON[shared.AdminUserPage](t, body); p.Total != 1 || p.Items[0].ID != a.bob.ID || p.Items[0].DisabledAt == nil {
			t.Fatalf("disabled users = %s", body)
		}
		resp, body = a.as(root, "GET", "/api/admin/users/"+a.bob.ID, "")
		expect(t, resp, body, 200, "")
		if d := mustJSON[shared.AdminUserDetail](t, body); d.User.ID != a.bob.ID || d.Admin || d.User.DisabledAt == nil || len(d.Sessions) != 0 {
			t.Fatalf("detail of disabled bob = %s", body)
		}

		a.clock.Advance(time.Second) // the audit trail orders by time
		resp, body = a.as(root, "POST", "/api/admin/users/"+a.bob.ID+"/enable", `{"reason":"cleared"}`)
		expect(t, resp, body, 204, "")
		a.bobP = a.signIn(a.bob)
		a.clock.Advance(time.Second)
		resp, body = a.as(root, "POST", "/api/admin/users/"+a.bob.ID+"/revoke-sessions", "")
		expect(t, resp, body, 200, "")
		if r := mustJSON[shared.AdminActionResponse](t, body); r.SessionsRevoked != 1 {
			t.Fatalf("revoke-sessions = %s", body)
		}

		resp, body = a.as(root, "GET", "/api/admin/users/"+a.bob.ID+"/logins", "")
		expect(t, resp, body, 200, "")
		mustJSON[shared.ListResponse[shared.LoginEvent]](t, body)

		resp, body = a.as(root, "GET", "/api/admin/providers", "")
		expect(t, resp, body, 200, "")
		ps := mustJSON[shared.ListResponse[shared.ProviderStatus]](t, body).Items
		if len(ps) == 0 || ps[0].ID == "" {
			t.Fatalf("providers = %s", body)
		}

		a.clock.Advance(time.Second)
		resp, body = a.do(req{method: "DELETE", path: "/api/admin/users/" + a.bob.ID, body: `{"reason":"asked to"}`, bearer: root,
			header: map[string]string{"Content-Type": "application/json"}})
		expect(t, resp, body, 204, "")
		resp, body = a.as(root, "GET", "/api/admin/users/"+a.bob.ID, "")
		expect(t, resp, body, 404, shared.CodeNotFound)
		resp, body = a.as(a.bobP.AccessToken, "GET", "/api/me", "")
		expect(t, resp, body, 401, shared.CodeInvalidToken)

		// The trail, newest first: who, what, from where, why.
		evs := a.events(a.bob)
		want := []struct{ action, reason string }{
			{auth.ActionDelete, "asked to"}, {auth.ActionRevokeSessions, ""}, {auth.ActionEnable, "cleared"}, {auth.ActionDisable, "compromised"},
		}
		if len(evs) != len(want) {
			t.Fatalf("audit rows = %+v", evs)
		}
		for i, w := range want {
			if e := evs[i]; e.Action != w.action || e.Reason != w.reason || e.Actor != a.root.ID || e.Target != a.bob.ID || e.IP != "127.0.0.1" {
				t.Fatalf("audit row %d = %+v, want %s %q by %s from 127.0.0.1", i, e, w.action, w.reason, a.root.ID)
			}
		}
		resp, body = a.as(root, "GET", "/api/admin/events?since=2999-01-01T00:00:00Z", "")
		expect(t, resp, body, 200, "")
		if n := len(mustJSON[shared.ListResponse[shared.AuditEvent]](t, body).Items); n != 0 {
			t.Fatalf("events since 2999: %d", n)
		}
		resp, body = a.as(root, "GET", "/api/admin/events?since=yesterday", "")
		expect(t, resp, body, 400, shared.CodeInvalidRequest)

		// The last administrator cannot delete themself; with another one
		// they can.
		resp, body = a.as(root, "DELETE", "/api/admin/users/"+a.root.ID, "")
		expect(t, resp, body, 409, shared.CodeLastAdmin)
	})
}

// TestDeleteMe: deleting one's own account needs a recent sign-in; it
// clears the refresh cookie, writes an audit row whose actor is the user
// themself, ends the access token's use; the last administrator cannot.
func TestDeleteMe(t *testing.T) {
	cases := []struct {
		name   string
		admin  bool
		age    time.Duration
		status int
		code   shared.ErrorCode
	}{
		{name: "recent sign-in", age: time.Minute, status: 204},
		{name: "stale sign-in", age: 16 * time.Minute, status: 403, code: shared.CodeReauthRequired},
		{name: "last administrator", admin: true, status: 409, code: shared.CodeLastAdmin},
	}
	forEngine(t, func(t *testing.T, engine string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := newAdminEnv(t, engine)
				u, tok := a.bob, a.signInAt(a.bob, a.clock.Now().Add(-c.age))
				if c.admin {
					u, tok = a.root, a.rootP
				}
				resp, body := a.as(tok.AccessToken, "DELETE", "/api/me", "")
				expect(t, resp, body, c.status, c.code)
				resp2, body2 := a.as(tok.AccessToken, "GET", "/api/me", "")
				if c.status != 204 {
					expect(t, resp2, body2, 200, "")
					return
				}
				if ck := findCookie(resp, RefreshCookie); ck == nil || ck.MaxAge >= 0 {
					t.Fatalf("refresh cookie after deletion: %+v", ck)
				}
				expect(t, resp2, body2, 401, shared.CodeInvalidToken)
				evs := a.events(u)
				if len(evs) != 1 || evs[0].Action != auth.ActionDelete || evs[0].Actor != u.ID || evs[0].Target != u.ID || evs[0].IP != "127.0.0.1" {
					t.Fatalf("audit rows of a self-deletion = %+v", evs)
				}
			})
		}
	})
}

// TestDeletedUserSignsInAsNew: after an administrator deletes a user, the
// same provider account signing in again makes a new user.
func TestDeletedUserSignsInAsNew(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		a := newAdminEnv(t, engine)
		first := a.browser().signInAs("github", "alice")
		resp, body := a.as(a.rootP.AccessToken, "DELETE", "/api/admin/users/"+first.User.ID, "")
		expect(t, resp, body, 204, "")
		again := a.browser().signInAs("github", "alice")
		if !again.IsNew || again.User.ID == first.User.ID {
			t.Fatalf("signing in again after deletion: new %v, id %s (was %s)", again.IsNew, again.User.ID, first.User.ID)
		}
	})
}

// TestExport: GET /api/me/export answers the caller's user, identities,
// sessions and login history as a JSON attachment, and nobody else's.
func TestExport(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		a := newAdminEnv(t, engine)
		alice := a.browser().signInAs("github", "alice")
		resp, body := a.as(alice.AccessToken, "GET", "/api/me/export", "")
		expect(t, resp, body, 200, "")
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Fatalf("Content-Disposition = %q", cd)
		}
		var x shared.AccountExport
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&x); err != nil {
			t.Fatalf("export: %v: %s", err, body)
		}
		if x.User.ID != alice.User.ID || len(x.Identities) != 1 || x.Identities[0].Provider != "github" ||
			len(x.Sessions) != 1 || !x.Sessions[0].Current || len(x.Logins) == 0 || x.Logins[0].Outcome != shared.OutcomeSuccess || x.ExportedAt.IsZero() {
			t.Fatalf("export = %s", body)
		}
		if strings.Contains(string(body), a.bob.ID) {
			t.Fatal("the export holds another user's data")
		}
	})
}
