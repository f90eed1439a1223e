package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
)

func mkPasskey(t *testing.T, s *store.Store, u store.User, cred string, count uint32) store.Passkey {
	t.Helper()
	p := store.Passkey{ID: store.NewID(), UserID: u.ID, CredentialID: []byte(cred), PublicKey: []byte("cose-" + cred),
		SignCount: count, AAGUID: make([]byte, 16), Transports: "internal,hybrid", BackupEligible: true, Name: "Passkey", CreatedAt: t0}
	if err := s.AddPasskey(context.Background(), p); err != nil {
		t.Fatalf("add passkey: %v", err)
	}
	return p
}

func newSession(at time.Time) *store.NewSession {
	return &store.NewSession{Family: store.Family{ID: store.NewID(), Provider: "passkey", CreatedAt: at, LastUsedAt: at,
		ExpiresAt: at.Add(life), Generation: 1, Secret: h(store.NewID())},
		Events: []store.LoginEvent{{ID: store.NewID(), Provider: "passkey", Outcome: "success", CreatedAt: at}}}
}

// passkeyCases join the conformance suite (TestConformance).
var passkeyCases = []conformanceCase{
	{"a passkey ceremony is spent once and not after it expires", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := store.NewID()
		for _, c := range []store.PasskeyCeremony{
			{ChallengeHash: h("c1"), Kind: store.CeremonyLogin, SessionData: `{"challenge":"c1"}`, BrowserHash: h("b"), CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)},
			{ChallengeHash: h("c2"), Kind: store.CeremonyRegister, UserID: &uid, SessionData: `{}`, CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)},
		} {
			if err := s.CreatePasskeyCeremony(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.SpendPasskeyCeremony(ctx, h("c1"), t0.Add(time.Minute))
		if err != nil || got.Kind != store.CeremonyLogin || got.SessionData != `{"challenge":"c1"}` || string(got.BrowserHash) != string(h("b")) || got.UserID != nil {
			t.Fatalf("spend = %+v, %v", got, err)
		}
		_, err = s.SpendPasskeyCeremony(ctx, h("c1"), t0.Add(time.Minute))
		wantErr(t, "second spend", err, store.ErrNotFound)
		_, err = s.SpendPasskeyCeremony(ctx, h("c2"), t0.Add(5*time.Minute))
		wantErr(t, "spend at expiry", err, store.ErrNotFound)
		if n, err := s.DeleteExpired(ctx, t0.Add(time.Hour)); err != nil || n != 2 {
			t.Fatalf("DeleteExpired = %d, %v; want both ceremonies", n, err)
		}
	}},
	{"passkeys: add, a credential id once, list, rename, sign in moves the counter forward only", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, _ := signedIn(t, s, ident("github", "p1", "p@example.com"), t0)
		p := mkPasskey(t, s, u, "cred-1", 0)
		other := mkUser(t, s, "other@example.com")
		dup := p
		dup.ID, dup.UserID = store.NewID(), other.ID
		wantErr(t, "same credential for another user", s.AddPasskey(ctx, dup), store.ErrConflict)
		got, err := s.PasskeyByCredential(ctx, []byte("cred-1"))
		if err != nil || got.ID != p.ID || got.UserID != u.ID || string(got.PublicKey) != "cose-cred-1" || !got.BackupEligible || got.Transports != "internal,hybrid" || got.LastUsedAt != nil {
			t.Fatalf("by credential = %+v, %v", got, err)
		}
		if err := s.RenamePasskey(ctx, u.ID, p.ID, "Laptop"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "rename another user's passkey", s.RenamePasskey(ctx, other.ID, p.ID, "x"), store.ErrNotFound)
		at := t0.Add(time.Minute)
		if _, err := s.PasskeySignIn(ctx, store.PasskeySignInParams{PasskeyID: p.ID, UserID: u.ID, SignCount: 3, BackupState: true, Now: at, Session: newSession(at)}); err != nil {
			t.Fatalf("sign in: %v", err)
		}
		_, err = s.PasskeySignIn(ctx, store.PasskeySignInParams{PasskeyID: p.ID, UserID: u.ID, SignCount: 3, Now: at, Session: newSession(at)})
		wantErr(t, "same counter again", err, store.ErrSignCountRegressed)
		_, err = s.PasskeySignIn(ctx, store.PasskeySignInParams{PasskeyID: p.ID, UserID: other.ID, SignCount: 9, Now: at, Session: newSession(at)})
		wantErr(t, "passkey of another user", err, store.ErrNotFound)
		list, err := s.ListPasskeys(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].Name != "Laptop" || list[0].SignCount != 3 || !list[0].BackupState || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(at) {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if c := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE user_id = ? AND provider = 'passkey'", u.ID); c != 1 {
			t.Fatalf("%d passkey sessions, want the one sign-in that passed", c)
		}
		if err := s.FlagPasskeyCloned(ctx, p.ID, store.LoginEvent{ID: store.NewID(), UserID: &u.ID, Provider: "passkey", Outcome: "failure", ErrorCode: "passkey_cloned", CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.PasskeyByCredential(ctx, []byte("cred-1")); !got.CloneWarning {
			t.Fatal("clone warning not recorded")
		}
		if c := count(t, s, "SELECT COUNT(*) FROM login_events WHERE user_id = ? AND error_code = 'passkey_cloned'", u.ID); c != 1 {
			t.Fatalf("%d clone events", c)
		}
	}},
	{"a disabled user's passkey signs nobody in", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, _ := signedIn(t, s, ident("github", "p2", "q@example.com"), t0)
		p := mkPasskey(t, s, u, "cred-2", 0)
		if _, err := s.DisableUser(ctx, u.ID, store.AdminRule{}, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		_, err := s.PasskeySignIn(ctx, store.PasskeySignInParams{PasskeyID: p.ID, UserID: u.ID, SignCount: 1, Now: t0, Session: newSession(t0)})
		wantErr(t, "sign in", err, store.ErrUserDisabled)
		wantErr(t, "add", s.AddPasskey(ctx, store.Passkey{ID: store.NewID(), UserID: u.ID, CredentialID: []byte("x"), PublicKey: []byte("k"), CreatedAt: t0}), store.ErrUserDisabled)
	}},
	{"the last-method rule counts passkeys and identities alike", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, _ := signedIn(t, s, ident("github", "p3", "r@example.com"), t0)
		ids, _ := s.ListIdentities(ctx, u.ID)
		p := mkPasskey(t, s, u, "cred-3", 0)
		// Two methods: the provider may go, then the passkey is the last.
		if err := s.DeleteIdentity(ctx, u.ID, ids[0].ID); err != nil {
			t.Fatalf("disconnect beside a passkey: %v", err)
		}
		wantErr(t, "remove the last passkey", s.DeletePasskey(ctx, u.ID, p.ID), store.ErrLastLoginMethod)
		p2 := mkPasskey(t, s, u, "cred-4", 0)
		wantErr(t, "remove another user's passkey", s.DeletePasskey(ctx, store.NewID(), p2.ID), store.ErrNotFound)
		if err := s.DeletePasskey(ctx, u.ID, p.ID); err != nil {
			t.Fatalf("remove one of two passkeys: %v", err)
		}
		wantErr(t, "remove it again", s.DeletePasskey(ctx, u.ID, p.ID), store.ErrNotFound)
	}},
	{"a passkey sign-up creates the user, the passkey and the session together, or nothing", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		taken := mkPasskey(t, s, mkUser(t, s, "t@example.com"), "cred-taken", 0)
		u := store.User{ID: store.NewID(), Name: "Pat", CreatedAt: t0, UpdatedAt: t0}
		p := store.Passkey{ID: store.NewID(), CredentialID: taken.CredentialID, PublicKey: []byte("k"), Name: "Passkey", CreatedAt: t0}
		wantErr(t, "a credential registered already", s.PasskeySignUp(ctx, u, p, newSession(t0)), store.ErrConflict)
		if _, err := s.GetUser(ctx, u.ID); err == nil {
			t.Fatal("the refused sign-up left its user")
		}
		p.CredentialID = []byte("cred-new")
		if err := s.PasskeySignUp(ctx, u, p, newSession(t0)); err != nil {
			t.Fatalf("sign-up: %v", err)
		}
		if got, err := s.PasskeyByCredential(ctx, []byte("cred-new")); err != nil || got.UserID != u.ID {
			t.Fatalf("passkey = %+v, %v", got, err)
		}
		if c := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE user_id = ?", u.ID); c != 1 {
			t.Fatalf("%d sessions", c)
		}
	}},
	{"deleting a user deletes their passkeys and ceremonies", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, _ := signedIn(t, s, ident("github", "p5", "s@example.com"), t0)
		mkPasskey(t, s, u, "cred-5", 0)
		if err := s.CreatePasskeyCeremony(ctx, store.PasskeyCeremony{ChallengeHash: h("c5"), Kind: store.CeremonyRegister, UserID: &u.ID, SessionData: "{}", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, u.ID, store.AdminRule{}, audit("cli:root", t0)); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"passkeys", "passkey_ceremonies"} {
			if c := count(t, s, "SELECT COUNT(*) FROM "+table+" WHERE user_id = ?", u.ID); c != 0 {
				t.Fatalf("%s: %d rows left", table, c)
			}
		}
		if _, err := s.PasskeyByCredential(ctx, []byte("cred-5")); err == nil {
			t.Fatal("the credential still signs someone in")
		}
	}},
}
