package auth_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/shared"
)

// TestAdministrators: who is an administrator, as the access token's roles
// claim, RequireAdmin and UserDetail see it: a CLI grant, or a verified
// email listed in AdminEmails (an unverified one is not enough); the token
// carries the session's sign-in time across a refresh.
func TestAdministrators(t *testing.T) {
	cases := []struct {
		name     string
		email    string
		verified bool
		grant    bool
		want     bool
	}{
		{name: "plain user", email: "bob@example.com", verified: true},
		{name: "granted", email: "bob@example.com", verified: true, grant: true, want: true},
		{name: "listed, verified", email: "Boss@Example.com", verified: true, want: true},
		{name: "listed, unverified", email: "Boss@Example.com"},
	}
	for _, engine := range storetest.Engines(t) {
		for _, c := range cases {
			t.Run(engine+"/"+c.name, func(t *testing.T) {
				ctx := context.Background()
				f := newFixture(t, engine, "")
				svc := bossService(t, f)
				u := store.User{ID: store.NewID(), Name: "u", Email: c.email, EmailVerified: c.verified, CreatedAt: f.clk.t, UpdatedAt: f.clk.t}
				if c.verified {
					canon := "boss@example.com"
					if c.email == "bob@example.com" {
						canon = c.email
					}
					u.EmailCanonical = &canon
				}
				storetest.CreateUser(t, f.st, u)
				if c.grant {
					if err := svc.Admin().GrantAdmin(ctx, auth.CLIActor("root"), u.ID); err != nil {
						t.Fatal(err)
					}
				}
				fam, first := openSession(t, f.st, f.tm, "", u, f.clk.t)
				f.clk.advance(time.Minute)
				r, err := svc.Refresh(ctx, first.RefreshToken, auth.Meta{})
				if err != nil {
					t.Fatal(err)
				}
				claims, err := f.tm.Verify(ctx, r.Pair.AccessToken)
				if err != nil {
					t.Fatal(err)
				}
				if got := slices.Contains(claims.Roles, shared.RoleAdmin); got != c.want || len(claims.Roles) > 1 {
					t.Fatalf("roles = %v, want admin %v", claims.Roles, c.want)
				}
				if claims.AuthTime != fam.CreatedAt.Unix() {
					t.Fatalf("auth_time = %d, want the session's creation %d", claims.AuthTime, fam.CreatedAt.Unix())
				}
				wantCode := shared.ErrorCode("")
				if !c.want {
					wantCode = shared.CodeForbidden
				}
				if err := svc.RequireAdmin(ctx, u.ID, claims.AuthTime); apperr.CodeOf(err) != wantCode && !(wantCode == "" && err == nil) {
					t.Fatalf("RequireAdmin = %v, want %q", err, wantCode)
				}
				if d, err := svc.Admin().UserDetail(ctx, u.ID); err != nil || d.Admin != c.want {
					t.Fatalf("UserDetail.Admin = %v, %v; want %v", d.Admin, err, c.want)
				}
			})
		}
	}
}

// TestRecentSignIn: the reauthentication window counts from the session's
// sign-in, inclusive; a token without auth_time is never recent.
func TestRecentSignIn(t *testing.T) {
	clk := &clock{time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	svc, err := auth.New(nil, nil, nil, nil, auth.Options{AdminReauth: 15 * time.Minute, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		authTime int64
		want     shared.ErrorCode
	}{
		{"just now", clk.t.Unix(), ""},
		{"at the window's end", clk.t.Add(-15 * time.Minute).Unix(), ""},
		{"a second past it", clk.t.Add(-15*time.Minute - time.Second).Unix(), shared.CodeReauthRequired},
		{"no auth_time", 0, shared.CodeReauthRequired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := svc.RecentSignIn(c.authTime); apperr.CodeOf(err) != c.want && !(c.want == "" && err == nil) {
				t.Fatalf("RecentSignIn = %v, want %q", err, c.want)
			}
		})
	}
}

// TestLastAdministrator: the last enabled administrator, whether granted by
// the CLI or listed by a verified email in AdminEmails, can be neither
// disabled nor deleted (by an operator or by themself), nor lose a grant
// that alone makes them one (last_admin); with another administrator of
// either kind left, each of these goes through.
func TestLastAdministrator(t *testing.T) {
	cases := []struct {
		name       string
		bossListed bool // boss's email is listed and verified (else unverified)
		grantAda   bool
		grantBoss  bool
		op, target string
		want       shared.ErrorCode
	}{
		{"listed boss alone: disable", true, false, false, "disable", "boss", shared.CodeLastAdmin},
		{"listed boss alone: delete", true, false, false, "delete", "boss", shared.CodeLastAdmin},
		{"listed boss alone: delete self", true, false, false, "delete self", "boss", shared.CodeLastAdmin},
		{"listed boss alone: no grant to revoke", true, false, false, "revoke", "boss", shared.CodeNotFound},
		{"listed and granted boss alone: the grant may go", true, false, true, "revoke", "boss", ""},
		{"listed boss, granted ada: boss may be disabled", true, true, false, "disable", "boss", ""},
		{"listed boss, granted ada: boss may delete self", true, true, false, "delete self", "boss", ""},
		{"listed boss, granted ada: ada's grant may go", true, true, false, "revoke", "ada", ""},
		{"listed boss, granted ada: ada may be deleted", true, true, false, "delete", "ada", ""},
		{"unverified boss, granted ada: ada's grant stays", false, true, false, "revoke", "ada", shared.CodeLastAdmin},
		{"unverified boss, granted ada: ada may not delete self", false, true, false, "delete self", "ada", shared.CodeLastAdmin},
		{"unverified boss, granted ada: boss is no administrator and may go", false, true, false, "delete", "boss", ""},
	}
	for _, engine := range storetest.Engines(t) {
		for _, c := range cases {
			t.Run(engine+"/"+c.name, func(t *testing.T) {
				ctx := context.Background()
				f := newFixture(t, engine, "")
				svc := bossService(t, f)
				boss := store.User{ID: store.NewID(), Name: "boss", Email: "Boss@Example.com", EmailVerified: c.bossListed, CreatedAt: f.clk.t, UpdatedAt: f.clk.t}
				if c.bossListed {
					canon := "boss@example.com"
					boss.EmailCanonical = &canon
				}
				storetest.CreateUser(t, f.st, boss)
				adm, cli := svc.Admin(), auth.CLIActor("root")
				ids := map[string]string{"boss": boss.ID, "ada": f.ada.ID}
				for who, grant := range map[string]bool{"boss": c.grantBoss, "ada": c.grantAda} {
					if grant {
						if err := adm.GrantAdmin(ctx, cli, ids[who]); err != nil {
							t.Fatal(err)
						}
					}
				}
				id := ids[c.target]
				var err error
				switch c.op {
				case "disable":
					_, err = adm.Disable(ctx, cli, id, "")
				case "delete":
					err = adm.Delete(ctx, cli, id, "")
				case "delete self":
					err = svc.DeleteSelf(ctx, id, f.clk.now().Unix(), "192.0.2.1")
				case "revoke":
					err = adm.RevokeAdmin(ctx, cli, id)
				}
				if (c.want == "") != (err == nil) || (err != nil && apperr.CodeOf(err) != c.want) {
					t.Fatalf("%s %s = %v, want %q", c.op, c.target, err, c.want)
				}
				if c.want != "" {
					if _, err := svc.ActiveUser(ctx, id); err != nil {
						t.Fatalf("the refused %s changed %s: %v", c.op, c.target, err)
					}
				}
			})
		}
	}
}

// bossService is the service of f with boss@example.com listed in
// AUTHBRIDGE_ADMIN_EMAILS.
func bossService(t *testing.T, f *fixture) *auth.Service {
	t.Helper()
	svc, err := auth.New(f.st, f.tm, nil, nil, auth.Options{RefreshTTL: time.Hour, IdleTTL: time.Hour,
		AdminEmails: []string{"boss@example.com"}, AdminReauth: 15 * time.Minute, Now: f.clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
