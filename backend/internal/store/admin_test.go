package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
)

func audit(actor string, at time.Time) store.AuditEvent {
	return store.AuditEvent{Actor: actor, Reason: "test", IP: "192.0.2.7", CreatedAt: at}
}

// signedIn signs ident in (creating its user) and opens a session for it,
// with a login event from a known IP.
func signedIn(t *testing.T, s *store.Store, i store.Identity, at time.Time) (store.User, store.Family) {
	t.Helper()
	f := store.Family{ID: store.NewID(), Provider: i.Provider, UserAgent: "ua", IP: "192.0.2.9",
		CreatedAt: at, LastUsedAt: at, ExpiresAt: at.Add(life), Generation: 1, Secret: h(store.NewID())}
	ev := store.LoginEvent{ID: store.NewID(), Provider: i.Provider, Outcome: "success", IP: "198.51.100.4", UserAgent: "Firefox", CreatedAt: at}
	u, _, err := s.SignIn(context.Background(), store.SignInParams{Identity: i, Name: "Name of " + i.Subject, Now: at,
		Session: &store.NewSession{Family: f, Events: []store.LoginEvent{ev}}})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	f.UserID = u.ID
	return u, f
}

// adminCases join the conformance suite (TestConformance).
var adminCases = []conformanceCase{
	{"disabling a user revokes every session with it and writes the audit row", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, f1 := signedIn(t, s, ident("github", "d1", "d@example.com"), t0)
		f2 := mkFamily(t, s, u, "d-second")
		other, of := signedIn(t, s, ident("github", "d2", "o@example.com"), t0)
		n, err := s.DisableUser(ctx, u.ID, store.AdminRule{}, audit("cli:root", t0.Add(time.Minute)))
		if err != nil || n != 2 {
			t.Fatalf("DisableUser = %d, %v; want 2 sessions revoked", n, err)
		}
		for _, id := range []string{f1.ID, f2.ID} {
			if f, _ := s.GetFamily(ctx, id); f.RevokedAt == nil || f.RevokeReason != "disabled" {
				t.Fatalf("family %s after disable: revoked %v reason %q", id, f.RevokedAt, f.RevokeReason)
			}
		}
		if f, _ := s.GetFamily(ctx, of.ID); f.RevokedAt != nil {
			t.Fatal("another user's session was revoked")
		}
		if got, _ := s.GetUser(ctx, u.ID); got.DisabledAt == nil {
			t.Fatal("the user is not disabled (GetUser answered a cached row?)")
		}
		// The refresh rule sees it at once.
		if _, err := s.RotateRefresh(ctx, params(tokOf(mkFamily(t, s, u, "d-third"), 1), t0.Add(2*time.Minute))); !errors.Is(err, store.ErrUserDisabled) {
			t.Fatalf("rotation of a disabled user's family: %v, want ErrUserDisabled", err)
		}
		evs, err := s.ListAuditEvents(ctx, store.AuditFilter{UserID: u.ID})
		if err != nil || len(evs) != 1 || evs[0].Action != store.AuditDisable || evs[0].Actor != "cli:root" || *evs[0].TargetUserID != u.ID || evs[0].Reason != "test" || evs[0].IP != "192.0.2.7" {
			t.Fatalf("audit = %+v, %v", evs, err)
		}
		if err := s.EnableUser(ctx, u.ID, audit("cli:root", t0.Add(3*time.Minute))); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetUser(ctx, u.ID); got.DisabledAt != nil {
			t.Fatal("still disabled after EnableUser")
		}
		if evs, _ := s.ListAuditEvents(ctx, store.AuditFilter{}); len(evs) != 2 || evs[0].Action != store.AuditEnable {
			t.Fatalf("audit after enable = %+v", evs)
		}
		if evs, _ := s.ListAuditEvents(ctx, store.AuditFilter{Since: t0.Add(2 * time.Minute)}); len(evs) != 1 {
			t.Fatalf("audit since = %+v, want the enable only", evs)
		}
		if evs, _ := s.ListAuditEvents(ctx, store.AuditFilter{UserID: other.ID}); len(evs) != 0 {
			t.Fatalf("audit of an untouched user = %+v", evs)
		}
		if _, err := s.DisableUser(ctx, store.NewID(), store.AdminRule{}, audit("cli:root", t0)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("disable unknown user: %v", err)
		}
		if n, err := s.AdminRevokeSessions(ctx, other.ID, audit("cli:root", t0.Add(time.Hour))); err != nil || n != 1 {
			t.Fatalf("AdminRevokeSessions = %d, %v", n, err)
		}
		if f, _ := s.GetFamily(ctx, of.ID); f.RevokeReason != "admin" {
			t.Fatalf("revoke reason %q", f.RevokeReason)
		}
	}},
	{"deleting a user anonymises their history, and signing in again makes a new user", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		i := ident("github", "del", "del@example.com")
		u, f := signedIn(t, s, i, t0)
		keep, _ := signedIn(t, s, ident("gitlab", "keep", "keep@example.com"), t0)
		if err := s.GrantAdmin(ctx, u.ID, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.GrantAdmin(ctx, keep.ID, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateHandoff(ctx, store.Handoff{CodeHash: h("del-code"), UserID: u.ID, Provider: "github", Challenge: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, u.ID, store.AdminRule{}, audit(keep.ID, t0.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetUser(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetUser after delete: %v", err)
		}
		if ids, _ := s.ListIdentities(ctx, u.ID); len(ids) != 0 {
			t.Fatalf("identities left: %+v", ids)
		}
		if _, err := s.GetFamily(ctx, f.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("family after delete: %v", err)
		}
		if _, err := s.RedeemHandoff(ctx, h("del-code"), t0.Add(2*time.Minute), nil, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the deleted user's handoff code: %v", err)
		}
		if admins, _ := s.ListAdmins(ctx); len(admins) != 1 || admins[0].User.ID != keep.ID {
			t.Fatalf("admins after delete = %+v", admins)
		}
		var rows []store.LoginEvent
		if err := s.DB().SelectContext(ctx, &rows, "SELECT id, user_id, provider, outcome, error_code, ip, user_agent, created_at FROM login_events WHERE user_id IS NULL"); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Provider != "github" || rows[0].Outcome != "success" || !rows[0].CreatedAt.Equal(t0) || rows[0].IP != "" || rows[0].UserAgent != "" {
			t.Fatalf("anonymised history = %+v; want the github success at t0 without IP or user agent", rows)
		}
		if evs, _ := s.ListLoginEvents(ctx, keep.ID, 10); len(evs) != 1 || evs[0].IP == "" {
			t.Fatalf("another user's history changed: %+v", evs)
		}
		evs, _ := s.ListAuditEvents(ctx, store.AuditFilter{UserID: u.ID})
		if len(evs) != 2 || evs[0].Action != store.AuditDelete || evs[0].Actor != keep.ID {
			t.Fatalf("audit = %+v", evs)
		}
		again, isNew, err := signIn(s, i, false)
		if err != nil || !isNew || again.ID == u.ID {
			t.Fatalf("signing in again = %s new=%v, %v; want a new user", again.ID, isNew, err)
		}
		if err := s.DeleteUser(ctx, u.ID, store.AdminRule{}, audit("cli:root", t0)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
	}},
	{"the last enabled administrator can be neither revoked, disabled nor deleted", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, _ := signedIn(t, s, ident("github", "a", "a@example.com"), t0)
		b, _ := signedIn(t, s, ident("github", "b", "b@example.com"), t0)
		// No administrator at all: nothing to protect.
		if _, err := s.DisableUser(ctx, b.ID, store.AdminRule{}, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.EnableUser(ctx, b.ID, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.GrantAdmin(ctx, a.ID, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.GrantAdmin(ctx, a.ID, audit("cli:root", t0.Add(time.Second))); err != nil {
			t.Fatalf("granting twice: %v", err)
		}
		for name, op := range map[string]func() error{
			"revoke":  func() error { return s.RevokeAdmin(ctx, a.ID, store.AdminRule{}, audit(a.ID, t0)) },
			"disable": func() error { _, err := s.DisableUser(ctx, a.ID, store.AdminRule{}, audit(a.ID, t0)); return err },
			"delete":  func() error { return s.DeleteUser(ctx, a.ID, store.AdminRule{}, audit(a.ID, t0)) },
		} {
			if err := op(); !errors.Is(err, store.ErrLastAdmin) {
				t.Fatalf("%s the last admin: %v, want ErrLastAdmin", name, err)
			}
		}
		if ok, _ := s.IsAdmin(ctx, a.ID); !ok {
			t.Fatal("the refused revocation took the grant")
		}
		if err := s.RevokeAdmin(ctx, b.ID, store.AdminRule{}, audit(a.ID, t0)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking a non-admin: %v", err)
		}
		if err := s.GrantAdmin(ctx, b.ID, audit(a.ID, t0.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		// A disabled administrator does not count: with b disabled, a is
		// again the last one.
		if _, err := s.DisableUser(ctx, b.ID, store.AdminRule{}, audit(a.ID, t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAdmin(ctx, a.ID, store.AdminRule{}, audit(a.ID, t0)); !errors.Is(err, store.ErrLastAdmin) {
			t.Fatalf("revoking the last enabled admin: %v", err)
		}
		if err := s.EnableUser(ctx, b.ID, audit(a.ID, t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAdmin(ctx, a.ID, store.AdminRule{}, audit(b.ID, t0)); err != nil {
			t.Fatalf("revoking one of two: %v", err)
		}
		admins, err := s.ListAdmins(ctx)
		if err != nil || len(admins) != 1 || admins[0].User.ID != b.ID || admins[0].GrantedBy != a.ID {
			t.Fatalf("ListAdmins = %+v, %v", admins, err)
		}
		if err := s.GrantAdmin(ctx, store.NewID(), audit("cli:root", t0)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("granting an unknown user: %v", err)
		}
	}},
	{"two administrators removing each other at once: one of them stays", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for round := 0; round < 5; round++ {
			a, _ := signedIn(t, s, ident("github", fmt.Sprintf("ra%d", round), ""), t0)
			b, _ := signedIn(t, s, ident("github", fmt.Sprintf("rb%d", round), ""), t0)
			for _, u := range []store.User{a, b} {
				if err := s.GrantAdmin(ctx, u.ID, audit("cli:root", t0)); err != nil {
					t.Fatal(err)
				}
			}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, op := range []func() error{
				func() error { return s.RevokeAdmin(ctx, a.ID, store.AdminRule{}, audit(b.ID, t0)) },
				func() error { _, err := s.DisableUser(ctx, b.ID, store.AdminRule{}, audit(a.ID, t0)); return err },
			} {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = op() }()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) || !errors.Is(errors.Join(errs...), store.ErrLastAdmin) {
				t.Fatalf("round %d: revoke a = %v, disable b = %v; want exactly one refused with ErrLastAdmin", round, errs[0], errs[1])
			}
			// Clean up for the next round: b enabled, nobody admin.
			if err := s.EnableUser(ctx, b.ID, audit("cli:root", t0)); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{a.ID, b.ID} {
				if _, err := s.DB().ExecContext(ctx, "DELETE FROM admins WHERE user_id = ?", id); err != nil {
					t.Fatal(err)
				}
			}
		}
	}},
	{"users are listed by name, email, provider and state; orphans of a provider", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada, _ := signedIn(t, s, ident("github", "ada", "ada@example.com"), t0)
		bob, _ := signedIn(t, s, ident("gitlab", "bob", "bob@example.org"), t0.Add(time.Minute))
		if _, err := s.Connect(ctx, bob.ID, ident("github", "bob-gh", ""), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		cy, _ := signedIn(t, s, ident("discord", "cy", "c_y@example.net"), t0.Add(2*time.Minute))
		if _, err := s.DisableUser(ctx, cy.ID, store.AdminRule{}, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		ids := func(us []store.User) []string {
			out := []string{}
			for _, u := range us {
				out = append(out, u.ID)
			}
			return out
		}
		for _, c := range []struct {
			f    store.UserFilter
			want []string
		}{
			{store.UserFilter{}, []string{cy.ID, bob.ID, ada.ID}},
			{store.UserFilter{Query: "ADA@"}, []string{ada.ID}},
			{store.UserFilter{Query: "example.org"}, []string{bob.ID}},
			{store.UserFilter{Query: "github"}, []string{bob.ID, ada.ID}},
			{store.UserFilter{Query: "name of c"}, []string{cy.ID}},
			{store.UserFilter{Query: "_"}, []string{cy.ID}}, // a wildcard matches itself only
			{store.UserFilter{Query: "%"}, []string{}},
			{store.UserFilter{Query: "Bücher 名前"}, []string{}}, // never compared with the ASCII id column (MySQL would refuse)
			{store.UserFilter{Query: bob.ID}, []string{bob.ID}},
			{store.UserFilter{DisabledOnly: true}, []string{cy.ID}},
			{store.UserFilter{Limit: 2, Offset: 1}, []string{bob.ID, ada.ID}},
		} {
			got, total, err := s.ListUsers(ctx, c.f)
			if err != nil || len(got) != len(c.want) || total != len(c.want)+c.f.Offset {
				t.Fatalf("ListUsers(%+v) = %v (total %d), %v; want %v", c.f, ids(got), total, err, c.want)
			}
			for i := range got {
				if got[i].ID != c.want[i] {
					t.Fatalf("ListUsers(%+v) = %v; want %v", c.f, ids(got), c.want)
				}
			}
		}
		if _, err := s.GetUser(ctx, "名前"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetUser of a non-ASCII id: %v", err)
		}
		if evs, err := s.ListAuditEvents(ctx, store.AuditFilter{UserID: "名前"}); err != nil || len(evs) != 0 {
			t.Fatalf("audit of a non-ASCII actor = %v, %v", evs, err)
		}
		if got, err := s.ProviderOrphans(ctx, "github"); err != nil || len(got) != 1 || got[0].ID != ada.ID {
			t.Fatalf("orphans of github = %v, %v; want ada only (bob also has gitlab)", ids(got), err)
		}
		if got, _ := s.ProviderOrphans(ctx, "gitlab"); len(got) != 0 {
			t.Fatalf("orphans of gitlab = %v", ids(got))
		}
		if got, err := s.FindUsersByEmail(ctx, "Ada@Example.com", "ada@example.com"); err != nil || len(got) != 1 || got[0].ID != ada.ID {
			t.Fatalf("FindUsersByEmail = %v, %v", ids(got), err)
		}
	}},
	{"retention deletes old login history and idle sessions, never the audit trail", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		old, oldF := signedIn(t, s, ident("github", "old", "old@example.com"), t0)
		_, newF := signedIn(t, s, ident("github", "new", "new@example.com"), t0.Add(88*24*time.Hour))
		if _, err := s.DisableUser(ctx, old.ID, store.AdminRule{}, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.EnableUser(ctx, old.ID, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(91 * 24 * time.Hour)
		live := mkFamily(t, s, old, "old-live") // opened after the disable, used a day ago
		if _, err := s.DB().ExecContext(ctx, "UPDATE refresh_families SET last_used_at = ? WHERE id = ?",
			now.Add(-24*time.Hour).Format("2006-01-02 15:04:05.000000"), live.ID); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteRetained(ctx, now, store.Retention{LoginHistory: 90 * 24 * time.Hour, SessionIdle: idle})
		// The old login event, and the family last used at t0 (revoked by
		// the disable, and idle anyway).
		if err != nil || n != 2 {
			t.Fatalf("DeleteRetained = %d, %v; want 2", n, err)
		}
		if evs, _ := s.ListLoginEvents(ctx, old.ID, 10); len(evs) != 0 {
			t.Fatalf("old history left: %+v", evs)
		}
		if _, err := s.GetFamily(ctx, oldF.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("idle family: %v", err)
		}
		for _, id := range []string{live.ID, newF.ID} {
			if _, err := s.GetFamily(ctx, id); err != nil {
				t.Fatalf("family in use deleted: %v", err)
			}
		}
		if evs, _ := s.ListAuditEvents(ctx, store.AuditFilter{}); len(evs) != 2 {
			t.Fatalf("audit trail after retention: %d rows, want 2", len(evs))
		}
		if n, err := s.DeleteRetained(ctx, now, store.Retention{}); err != nil || n != 0 {
			t.Fatalf("DeleteRetained without retention = %d, %v", n, err)
		}
	}},
}
