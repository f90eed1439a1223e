package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func h(s string) []byte { x := sha256.Sum256([]byte(s)); return x[:] }

func strptr(s string) *string { return &s }

func mkUser(t testing.TB, s *store.Store, email string) store.User {
	t.Helper()
	u := store.User{ID: store.NewID(), Name: "U", Email: email, EmailVerified: email != "", CreatedAt: t0, UpdatedAt: t0}
	if email != "" {
		u.EmailCanonical = strptr(email)
	}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func mkFamily(t testing.TB, s *store.Store, u store.User, first string) store.Family {
	t.Helper()
	f := store.Family{ID: store.NewID(), UserID: u.ID, Provider: "test", CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(720 * time.Hour)}
	if err := s.CreateFamily(context.Background(), f, h(first)); err != nil {
		t.Fatalf("create family: %v", err)
	}
	return f
}

func rotate(s *store.Store, old, next string, now time.Time) (store.Family, store.User, error) {
	return s.RotateRefresh(context.Background(), store.RotateParams{
		OldHash: h(old), NewHash: h(next), Now: now, IdleTTL: 168 * time.Hour, Grace: 10 * time.Second, IP: "192.0.2.1",
	})
}

func active(t testing.TB, s *store.Store, u store.User, now time.Time) int {
	t.Helper()
	fs, err := s.ListActiveFamilies(context.Background(), u.ID, now, 168*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return len(fs)
}

// cases is the conformance suite: every engine must pass every case, each
// on a fresh database.
var cases = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"user round trip", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "ada@example.com")
		got, err := s.GetUser(context.Background(), u.ID)
		if err != nil || got.Email != u.Email || !got.EmailVerified || !got.CreatedAt.Equal(t0) || got.DisabledAt != nil {
			t.Fatalf("GetUser = %+v, %v", got, err)
		}
		if _, err := s.GetUser(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
	}},
	{"verified email belongs to one user", func(t *testing.T, s *store.Store) {
		mkUser(t, s, "ada@example.com")
		u := store.User{ID: store.NewID(), Name: "X", EmailCanonical: strptr("ada@example.com"), CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreateUser(context.Background(), u); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate canonical email: %v, want ErrConflict", err)
		}
		mkUser(t, s, "")
		mkUser(t, s, "") // unverified users have no canonical email: no conflict
	}},
	{"binary collation", func(t *testing.T, s *store.Store) {
		mkUser(t, s, "josé@example.com")
		mkUser(t, s, "JOSÉ@example.com")
		mkUser(t, s, "jose@example.com")
		mkUser(t, s, "Jose@example.com")
	}},
	{"signing keys retire all but the newest", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			k := store.SigningKey{KID: fmt.Sprintf("k%d", i), Alg: "ES256", PrivateKey: []byte{1, 2, byte(i)}, PublicJWK: "{}", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := s.InsertSigningKey(ctx, k, 2); err != nil {
				t.Fatal(err)
			}
		}
		keys, err := s.ListSigningKeys(ctx)
		if err != nil || len(keys) != 2 || keys[0].KID != "k2" || keys[1].KID != "k1" || keys[0].PrivateKey[2] != 2 {
			t.Fatalf("keys = %+v, %v", keys, err)
		}
	}},
	{"rotate in a chain", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		for i := 1; i <= 3; i++ {
			got, gu, err := rotate(s, fmt.Sprint("t", i-1), fmt.Sprint("t", i), t0.Add(time.Duration(i)*time.Minute))
			if err != nil || got.ID != f.ID || gu.ID != u.ID {
				t.Fatalf("rotation %d: %+v, %v", i, got, err)
			}
		}
		if n := active(t, s, u, t0.Add(time.Hour)); n != 1 {
			t.Fatalf("%d active families, want 1", n)
		}
	}},
	{"reuse after grace revokes the family", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		if _, _, err := rotate(s, "t0", "t1", t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := rotate(s, "t0", "x", t0.Add(11*time.Second)); !errors.Is(err, store.ErrTokenReused) {
			t.Fatalf("reuse: %v, want ErrTokenReused", err)
		}
		if n := active(t, s, u, t0.Add(time.Minute)); n != 0 {
			t.Fatalf("%d active families after reuse, want 0", n)
		}
		if _, _, err := rotate(s, "t1", "t2", t0.Add(time.Minute)); !errors.Is(err, store.ErrFamilyRevoked) {
			t.Fatalf("the live token after reuse: %v, want ErrFamilyRevoked", err)
		}
	}},
	{"grace accepts the immediate predecessor only", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		if _, _, err := rotate(s, "t0", "t1", t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := rotate(s, "t0", "t1b", t0.Add(5*time.Second)); err != nil {
			t.Fatalf("predecessor within grace: %v", err)
		}
		if _, _, err := rotate(s, "t1", "t2", t0.Add(6*time.Second)); err != nil {
			t.Fatal(err)
		}
		// t0 now has a live child (t1b), but t1's sibling chain moved on:
		// t1 has a child t2 that is live, so t1 is still an immediate predecessor.
		if _, _, err := rotate(s, "t1", "t2b", t0.Add(7*time.Second)); err != nil {
			t.Fatalf("t1 within grace: %v", err)
		}
		if _, _, err := rotate(s, "t2", "t3", t0.Add(8*time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := rotate(s, "t2b", "t3b", t0.Add(8*time.Second)); err != nil {
			t.Fatal(err)
		}
		// t1's children are both spent now: a grandparent, reused.
		if _, _, err := rotate(s, "t1", "x", t0.Add(9*time.Second)); !errors.Is(err, store.ErrTokenReused) {
			t.Fatalf("grandparent within grace: %v, want ErrTokenReused", err)
		}
	}},
	{"parallel rotations of one token", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		const n = 4
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := rotate(s, "t0", fmt.Sprint("p", i), t0.Add(time.Second))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("parallel rotation: %v", err)
			}
		}
		if got := active(t, s, u, t0.Add(time.Minute)); got != 1 {
			t.Fatalf("%d live families, want 1", got)
		}
	}},
	{"absolute lifetime", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		if _, _, err := rotate(s, "t0", "t1", t0.Add(720*time.Hour)); !errors.Is(err, store.ErrFamilyExpired) {
			t.Fatalf("at the absolute expiry: %v", err)
		}
	}},
	{"idle lifetime", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		if _, _, err := rotate(s, "t0", "t1", t0.Add(168*time.Hour)); !errors.Is(err, store.ErrFamilyExpired) {
			t.Fatalf("idle: %v", err)
		}
	}},
	{"failed mint rolls back", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		_, _, err := s.RotateRefresh(context.Background(), store.RotateParams{
			OldHash: h("t0"), NewHash: h("t1"), Now: t0, IdleTTL: time.Hour, Grace: 10 * time.Second,
			Mint: func(store.Family, store.User) error { return errors.New("signer down") },
		})
		if err == nil || !strings.Contains(err.Error(), "signer down") {
			t.Fatalf("mint failure: %v", err)
		}
		if _, _, err := rotate(s, "t0", "t1", t0.Add(time.Minute)); err != nil {
			t.Fatalf("token after a rolled-back rotation: %v, want it unspent", err)
		}
	}},
	{"mint may read the store", func(t *testing.T, s *store.Store) {
		// Signing inside the rotation may reload keys from the store; that
		// read must not wait for the connection the rotation holds.
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _, err := s.RotateRefresh(ctx, store.RotateParams{
			OldHash: h("t0"), NewHash: h("t1"), Now: t0, IdleTTL: time.Hour, Grace: 10 * time.Second,
			Mint: func(store.Family, store.User) error { _, err := s.ListSigningKeys(ctx); return err },
		})
		if err != nil {
			t.Fatalf("rotation whose mint reads the store: %v", err)
		}
	}},
	{"unknown token", func(t *testing.T, s *store.Store) {
		if _, _, err := rotate(s, "nope", "x", t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown: %v", err)
		}
	}},
	{"disabled user", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		mkFamily(t, s, u, "t0")
		if err := s.SetUserDisabled(context.Background(), u.ID, &t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := rotate(s, "t0", "t1", t0); !errors.Is(err, store.ErrUserDisabled) {
			t.Fatalf("disabled: %v", err)
		}
	}},
	{"revoke is per user", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mkUser(t, s, "a@example.com"), mkUser(t, s, "b@example.com")
		fb := mkFamily(t, s, b, "tb")
		if err := s.RevokeFamily(ctx, a.ID, fb.ID, "x", t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another user's family: %v", err)
		}
		if err := s.RevokeFamily(ctx, b.ID, fb.ID, "x", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeFamily(ctx, b.ID, fb.ID, "x", t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked twice: %v", err)
		}
		mkFamily(t, s, a, "a1")
		mkFamily(t, s, a, "a2")
		if n, err := s.RevokeUserFamilies(ctx, a.ID, "all", t0); err != nil || n != 2 {
			t.Fatalf("revoke all = %d, %v", n, err)
		}
	}},
	{"login events newest first", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		for i := 0; i < 5; i++ {
			ev := store.LoginEvent{ID: store.NewID(), UserID: &u.ID, Provider: "github", Outcome: "success", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := s.InsertLoginEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.InsertLoginEvent(ctx, store.LoginEvent{ID: store.NewID(), Provider: "github", Outcome: "failure", ErrorCode: "access_denied", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		evs, err := s.ListLoginEvents(ctx, u.ID, 3)
		if err != nil || len(evs) != 3 || !evs[0].CreatedAt.Equal(t0.Add(4*time.Minute)) {
			t.Fatalf("events = %+v, %v", evs, err)
		}
	}},
	{"delete expired", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		if err := s.RevokeFamily(context.Background(), u.ID, f.ID, "x", t0); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteExpired(context.Background(), t0.Add(48*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpired = %d, %v", n, err)
		}
		if _, err := s.GetFamily(context.Background(), f.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("ended family still there: %v", err)
		}
	}},
}

func TestConformance(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.run(t, storetest.New(t, engine)) })
			}
		})
	}
}

// TestMigrateTwice: a second start (or replica) on a migrated database
// applies nothing and keeps the data.
func TestMigrateTwice(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			raw := "sqlite:" + t.TempDir() + "/m.db"
			if engine == store.MySQL {
				raw = storetest.NewURL(t)
			}
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for i := 0; i < 2; i++ { // two replicas starting at once
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := store.Open(ctx, raw, store.Options{})
					if err == nil {
						s.Close()
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			ok := 0
			for err := range errs {
				switch {
				case err == nil:
					ok++
				case engine == store.SQLite && strings.Contains(err.Error(), "in use by another AuthBridge process"):
					// The embedded database belongs to one process at a time.
				default:
					t.Fatalf("concurrent first start: %v", err)
				}
			}
			if ok == 0 || (engine == store.MySQL && ok != 2) {
				t.Fatalf("%d of 2 concurrent starts succeeded", ok)
			}
			s, err := store.Open(ctx, raw, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			u := mkUser(t, s, "a@example.com")
			s.Close()
			s, err = store.Open(ctx, raw, store.Options{})
			if err != nil {
				t.Fatalf("second open: %v", err)
			}
			defer s.Close()
			if _, err := s.GetUser(ctx, u.ID); err != nil {
				t.Fatalf("data after re-open: %v", err)
			}
		})
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://u:hunter2@h/db", store.Options{})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open = %v", err)
	}
}

// BenchmarkRotateRefresh: one rotation per op, always of the newest token.
func BenchmarkRotateRefresh(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			s := storetest.New(b, engine)
			u := mkUser(b, s, "a@example.com")
			mkFamily(b, s, u, "t0")
			now := t0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				now = now.Add(time.Millisecond)
				if _, _, err := rotate(s, fmt.Sprint("t", i), fmt.Sprint("t", i+1), now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
