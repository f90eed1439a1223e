package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/jmoiron/sqlx"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const (
	idle  = 168 * time.Hour
	grace = 10 * time.Second
	life  = 720 * time.Hour
)

func h(s string) []byte { x := sha256.Sum256([]byte(s)); return x[:] }

func strptr(s string) *string { return &s }

func mkUser(t testing.TB, s *store.Store, email string) store.User {
	t.Helper()
	u := store.User{ID: store.NewID(), Name: "U", Email: email, EmailVerified: email != "", CreatedAt: t0, UpdatedAt: t0}
	if email != "" {
		u.EmailCanonical = strptr(email)
	}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %q: %v", email, err)
	}
	return u
}

func mkFamily(t testing.TB, s *store.Store, u store.User, first string) store.Family {
	t.Helper()
	f := store.Family{ID: store.NewID(), UserID: u.ID, Provider: "test", UserAgent: "ua", IP: "192.0.2.9",
		CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(life)}
	if err := s.CreateFamily(context.Background(), f, h(first)); err != nil {
		t.Fatalf("create family: %v", err)
	}
	return f
}

func rotate(s *store.Store, old, next string, now time.Time) (store.Family, store.User, error) {
	return s.RotateRefresh(context.Background(), store.RotateParams{
		OldHash: h(old), NewHash: h(next), Now: now, IdleTTL: idle, Grace: grace, IP: "192.0.2.1",
	})
}

// mustRotate rotates and checks the answer belongs to family f.
func mustRotate(t *testing.T, s *store.Store, f store.Family, old, next string, now time.Time) {
	t.Helper()
	got, u, err := rotate(s, old, next, now)
	if err != nil {
		t.Fatalf("rotate %s → %s: %v", old, next, err)
	}
	if got.ID != f.ID || u.ID != f.UserID {
		t.Fatalf("rotate %s → %s: family %s of user %s, want %s of %s", old, next, got.ID, u.ID, f.ID, f.UserID)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

func active(t testing.TB, s *store.Store, u store.User, now time.Time) []store.Family {
	t.Helper()
	fs, err := s.ListActiveFamilies(context.Background(), u.ID, now, idle)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func count(t testing.TB, s *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// conformanceCase is one case of the suite every engine must pass, on a
// fresh database.
type conformanceCase struct {
	name string
	run  func(t *testing.T, s *store.Store)
}

// cases is the conformance suite (the sign-in cases of signin_test.go are
// run with it).
var cases = []conformanceCase{
	{"migrations are idempotent, also for replicas starting together", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		raw := storetest.URL(t, s)
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s2, err := store.Open(ctx, raw, store.Options{})
				if err == nil {
					_, err = s2.GetUser(ctx, u.ID) // the data is still there
					s2.Close()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("second open: %v", err)
			}
		}
		files, err := os.ReadDir(filepath.Join("migrations", s.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM schema_migrations"); n != len(files) {
			t.Fatalf("schema_migrations has %d rows, want %d (one per file)", n, len(files))
		}
	}},
	{"ping and dialect", func(t *testing.T, s *store.Store) {
		if err := s.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := s.Dialect(); d != store.MySQL && d != store.SQLite {
			t.Fatalf("Dialect() = %q", d)
		}
	}},
	{"user round trip", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "ada@example.com")
		got, err := s.GetUser(ctx, u.ID)
		if err != nil || got.Email != u.Email || !got.EmailVerified || got.EmailCanonical == nil || *got.EmailCanonical != "ada@example.com" ||
			!got.CreatedAt.Equal(t0) || got.CreatedAt.Location() != time.UTC || got.DisabledAt != nil {
			t.Fatalf("GetUser = %+v, %v", got, err)
		}
		_, err = s.GetUser(ctx, "nope")
		wantErr(t, "unknown user", err, store.ErrNotFound)
	}},
	{"a verified email belongs to one user", func(t *testing.T, s *store.Store) {
		mkUser(t, s, "ada@example.com")
		u := store.User{ID: store.NewID(), Name: "X", EmailCanonical: strptr("ada@example.com"), CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, "duplicate canonical email", s.CreateUser(context.Background(), u), store.ErrConflict)
		mkUser(t, s, "")
		mkUser(t, s, "") // unverified users have no canonical email: no conflict
	}},
	{"emails compare byte for byte", func(t *testing.T, s *store.Store) {
		// A case- or accent-insensitive collation would make these one.
		for _, e := range []string{"josé@example.com", "JOSÉ@example.com", "jose@example.com", "Jose@example.com", "jose\u0301@example.com", "jose@example.com "} {
			mkUser(t, s, e)
		}
		u := store.User{ID: store.NewID(), EmailCanonical: strptr("JOSÉ@example.com"), CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, "the same bytes again", s.CreateUser(context.Background(), u), store.ErrConflict)
	}},
	{"subjects compare byte for byte", func(t *testing.T, s *store.Store) {
		seen := map[string]bool{}
		for _, sub := range []string{"A", "a", "é", "e\u0301", "a "} {
			u, isNew, err := signIn(s, ident("oidc", sub, ""), false)
			if err != nil || !isNew || seen[u.ID] {
				t.Fatalf("subject %q: new %v, seen %v, %v", sub, isNew, seen[u.ID], err)
			}
			seen[u.ID] = true
		}
	}},
	{"disable and enable a user", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		if err := s.SetUserDisabled(ctx, u.ID, &t0); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetUser(ctx, u.ID); got.DisabledAt == nil || !got.DisabledAt.Equal(t0) {
			t.Fatalf("disabled_at = %v", got.DisabledAt)
		}
		if err := s.SetUserDisabled(ctx, u.ID, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetUser(ctx, u.ID); got.DisabledAt != nil {
			t.Fatalf("disabled_at after enabling = %v", got.DisabledAt)
		}
		wantErr(t, "unknown user", s.SetUserDisabled(ctx, "nope", &t0), store.ErrNotFound)
	}},
	{"signing keys: insert retires all but the newest", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 4 {
			k := store.SigningKey{KID: fmt.Sprintf("k%d", i), Alg: "ES256", PrivateKey: []byte{0, 0xff, byte(i)}, Encrypted: i%2 == 1,
				PublicJWK: fmt.Sprintf(`{"kid":"k%d"}`, i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := s.InsertSigningKey(ctx, k, 2); err != nil {
				t.Fatal(err)
			}
		}
		keys, err := s.ListSigningKeys(ctx)
		if err != nil || len(keys) != 2 {
			t.Fatalf("keys = %+v, %v", keys, err)
		}
		k := keys[0]
		if k.KID != "k3" || keys[1].KID != "k2" || string(k.PrivateKey) != "\x00\xff\x03" || !k.Encrypted || keys[1].Encrypted ||
			k.PublicJWK != `{"kid":"k3"}` || !k.CreatedAt.Equal(t0.Add(3*time.Minute)) || k.RetiredAt != nil {
			t.Fatalf("keys = %+v", keys)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NOT NULL"); n != 2 {
			t.Fatalf("%d retired keys, want 2 (kept for the record)", n)
		}
		dup := store.SigningKey{KID: "k3", Alg: "ES256", PrivateKey: []byte{1}, PublicJWK: "{}", CreatedAt: t0.Add(time.Hour)}
		wantErr(t, "duplicate kid", s.InsertSigningKey(ctx, dup, 2), store.ErrConflict)
		if keys, _ := s.ListSigningKeys(ctx); len(keys) != 2 || keys[0].KID != "k3" {
			t.Fatalf("a refused insert changed the keys: %+v", keys)
		}
	}},
	{"create a family and rotate", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		got, err := s.GetFamily(ctx, f.ID)
		if err != nil || got.UserID != u.ID || got.UserAgent != "ua" || !got.ExpiresAt.Equal(f.ExpiresAt) || got.RevokedAt != nil {
			t.Fatalf("GetFamily = %+v, %v", got, err)
		}
		now := t0.Add(time.Hour)
		rf, ru, err := rotate(s, "t0", "t1", now)
		if err != nil || rf.ID != f.ID || !rf.LastUsedAt.Equal(now) || rf.IP != "192.0.2.1" || ru.ID != u.ID || ru.Email != u.Email {
			t.Fatalf("rotate = %+v, %+v, %v", rf, ru, err)
		}
		got, _ = s.GetFamily(ctx, f.ID)
		if !got.LastUsedAt.Equal(now) || got.IP != "192.0.2.1" || !got.ExpiresAt.Equal(f.ExpiresAt) {
			t.Fatalf("after rotation: %+v (absolute expiry must not move)", got)
		}
		_, err = s.GetFamily(ctx, "nope")
		wantErr(t, "unknown family", err, store.ErrNotFound)
		wantErr(t, "same first token twice", s.CreateFamily(ctx, store.Family{ID: store.NewID(), UserID: u.ID, CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(life)}, h("t0")), store.ErrConflict)
	}},
	{"rotate in a chain", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		for i := 1; i <= 3; i++ {
			mustRotate(t, s, f, fmt.Sprint("t", i-1), fmt.Sprint("t", i), t0.Add(time.Duration(i)*time.Minute))
		}
		if fs := active(t, s, u, t0.Add(time.Hour)); len(fs) != 1 || fs[0].ID != f.ID {
			t.Fatalf("active families = %+v, want just %s", fs, f.ID)
		}
	}},
	{"reuse after grace revokes the family", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		mustRotate(t, s, f, "t0", "t1", t0)
		_, _, err := rotate(s, "t0", "x", t0.Add(grace+time.Second))
		wantErr(t, "reuse after grace", err, store.ErrTokenReused)
		got, err := s.GetFamily(ctx, f.ID)
		if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(grace+time.Second)) || got.RevokeReason != store.RevokeReuse {
			t.Fatalf("family after reuse = %+v, %v (want revoked, reason reuse, committed)", got, err)
		}
		if fs := active(t, s, u, t0.Add(time.Minute)); len(fs) != 0 {
			t.Fatalf("%d active families after reuse, want 0", len(fs))
		}
		_, _, err = rotate(s, "t1", "t2", t0.Add(time.Minute))
		wantErr(t, "the live token after reuse", err, store.ErrFamilyRevoked)
		_, _, err = rotate(s, "x", "y", t0.Add(time.Minute))
		wantErr(t, "the token offered with the reuse", err, store.ErrNotFound)
	}},
	{"grace: the immediate predecessor gets a sibling in the same family", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		mustRotate(t, s, f, "t0", "t1", t0)
		mustRotate(t, s, f, "t0", "t1b", t0.Add(grace-time.Microsecond)) // second tab
		mustRotate(t, s, f, "t1", "t2", t0.Add(grace))
		mustRotate(t, s, f, "t1b", "t2b", t0.Add(grace))
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families"); n != 1 {
			t.Fatalf("%d families, want 1", n)
		}
		if fs := active(t, s, u, t0.Add(time.Minute)); len(fs) != 1 {
			t.Fatalf("%d active families, want 1", len(fs))
		}
	}},
	{"grace: a grandparent is reuse", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		mustRotate(t, s, f, "t0", "t1", t0)
		mustRotate(t, s, f, "t1", "t2", t0.Add(time.Second))
		_, _, err := rotate(s, "t0", "x", t0.Add(2*time.Second)) // within grace, but its child t1 is spent
		wantErr(t, "grandparent within grace", err, store.ErrTokenReused)
		_, _, err = rotate(s, "t2", "t3", t0.Add(3*time.Second))
		wantErr(t, "live token after the reuse", err, store.ErrFamilyRevoked)
	}},
	{"grace ends when it says", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		mustRotate(t, s, f, "t0", "t1", t0)
		_, _, err := rotate(s, "t0", "x", t0.Add(grace))
		wantErr(t, "predecessor at spent+grace", err, store.ErrTokenReused)
	}},
	{"parallel rotations of one token: both succeed, one family", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		const n = 2
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, _, err := rotate(s, "t0", fmt.Sprint("p", i), t0.Add(time.Second))
				if err == nil && got.ID != f.ID {
					err = fmt.Errorf("rotated into family %s, want %s", got.ID, f.ID)
				}
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
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families"); n != 1 {
			t.Fatalf("%d families, want 1", n)
		}
		for i := range n { // every successor is a live token of that family
			mustRotate(t, s, f, fmt.Sprint("p", i), fmt.Sprint("q", i), t0.Add(2*time.Second))
		}
	}},
	{"absolute lifetime", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		step := idle / 2 // rotate often enough never to be idle
		prev, at := "t0", t0
		for i := 1; at.Add(step).Before(f.ExpiresAt); i++ {
			at = at.Add(step)
			mustRotate(t, s, f, prev, fmt.Sprint("t", i), at)
			prev = fmt.Sprint("t", i)
		}
		_, _, err := rotate(s, prev, "late", f.ExpiresAt)
		wantErr(t, "at the absolute expiry", err, store.ErrFamilyExpired)
		if fs := active(t, s, u, f.ExpiresAt); len(fs) != 0 {
			t.Fatalf("an expired family is listed: %+v", fs)
		}
	}},
	{"idle lifetime", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		mustRotate(t, s, f, "t0", "t1", t0.Add(idle-time.Microsecond))
		last := t0.Add(idle - time.Microsecond)
		if fs := active(t, s, u, last.Add(idle-time.Microsecond)); len(fs) != 1 {
			t.Fatalf("a family used just now is not listed")
		}
		if fs := active(t, s, u, last.Add(idle)); len(fs) != 0 {
			t.Fatalf("an idle family is listed: %+v", fs)
		}
		_, _, err := rotate(s, "t1", "t2", last.Add(idle))
		wantErr(t, "idle", err, store.ErrFamilyExpired)
	}},
	{"a failed mint rolls the rotation back", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		signerDown := errors.New("signer down")
		_, _, err := s.RotateRefresh(ctx, store.RotateParams{
			OldHash: h("t0"), NewHash: h("t1"), Now: t0.Add(time.Second), IdleTTL: idle, Grace: grace, IP: "198.51.100.7",
			Mint: func(store.Family, store.User) error { return signerDown },
		})
		wantErr(t, "mint failure", err, signerDown)
		_, _, err = rotate(s, "t1", "x", t0.Add(time.Second))
		wantErr(t, "the successor of a rolled-back rotation", err, store.ErrNotFound)
		if got, _ := s.GetFamily(ctx, f.ID); !got.LastUsedAt.Equal(t0) || got.IP != f.IP {
			t.Fatalf("family after a rolled-back rotation: %+v", got)
		}
		mustRotate(t, s, f, "t0", "t1", t0.Add(time.Minute)) // still unspent, so no reuse either
	}},
	{"a successor that cannot be stored rolls the rotation back", func(t *testing.T, s *store.Store) {
		// On MySQL the spend and the successor's insert travel in one
		// multi-statement query: the insert failing must undo the spend.
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "s0")
		mkFamily(t, s, u, "taken")
		_, _, err := rotate(s, "s0", "taken", t0.Add(time.Second))
		if err == nil {
			t.Fatal("a rotation to a token hash already stored succeeded")
		}
		if got, _ := s.GetFamily(ctx, f.ID); !got.LastUsedAt.Equal(t0) || got.IP != f.IP {
			t.Fatalf("family after a rolled-back rotation: %+v", got)
		}
		mustRotate(t, s, f, "s0", "s1", t0.Add(time.Minute)) // still unspent, so no reuse either
	}},
	{"concurrent rotations: one failing mint spoils only itself", func(t *testing.T, s *store.Store) {
		// On SQLite concurrent rotations share transactions: a failure must
		// roll back its own rotation and nobody else's.
		u := mkUser(t, s, "a@example.com")
		const n = 12
		for i := range n {
			mkFamily(t, s, u, fmt.Sprint("c", i))
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = s.RotateRefresh(context.Background(), store.RotateParams{
					OldHash: h(fmt.Sprint("c", i)), NewHash: h(fmt.Sprint("d", i)), Now: t0, IdleTTL: time.Hour, Grace: 10 * time.Second,
					Mint: func(store.Family, store.User) error {
						if i == 3 {
							return errors.New("signing failed")
						}
						return nil
					},
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (err != nil) != (i == 3) {
				t.Fatalf("rotation %d: %v", i, err)
			}
		}
		if _, _, err := rotate(s, "c3", "e3", t0.Add(time.Second)); err != nil {
			t.Fatalf("the failed rotation's token is not unspent: %v", err)
		}
		if _, _, err := rotate(s, "d5", "e5", t0.Add(time.Second)); err != nil {
			t.Fatalf("a neighbour's successor does not rotate: %v", err)
		}
	}},
	{"concurrent rotations in one batch: repeats, siblings and strangers", func(t *testing.T, s *store.Store) {
		// Rotations that queue together share a batch (both engines): each
		// must get the answer it would get alone. Per family k: its token
		// presented twice at once (one rotation wins, the other is the
		// two-tabs case: a sibling within the grace window), plus unknown
		// tokens and a revoked family in the same rush.
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		const n = 10
		fams := make([]store.Family, n)
		for k := range n {
			fams[k] = mkFamily(t, s, u, fmt.Sprint("b", k))
		}
		if err := s.RevokeFamily(ctx, u.ID, fams[0].ID, "logout", t0); err != nil {
			t.Fatal(err)
		}
		type call struct {
			old, next string
			fam       store.Family
			err       error
		}
		var calls []*call
		for k := range n {
			calls = append(calls, &call{old: fmt.Sprint("b", k), next: fmt.Sprint("x", k)}, &call{old: fmt.Sprint("b", k), next: fmt.Sprint("y", k)})
		}
		calls = append(calls, &call{old: "nobody", next: "z1"}, &call{old: "nobody-either", next: "z2"})
		var wg sync.WaitGroup
		for _, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.fam, _, c.err = s.RotateRefresh(ctx, store.RotateParams{OldHash: h(c.old), NewHash: h(c.next), Now: t0.Add(time.Second),
					IdleTTL: idle, Grace: grace, IP: "192.0.2.1"})
			}()
		}
		wg.Wait()
		for _, c := range calls {
			switch {
			case c.old == "nobody" || c.old == "nobody-either":
				wantErr(t, "unknown token "+c.old, c.err, store.ErrNotFound)
			case c.old == "b0":
				wantErr(t, "token of the revoked family", c.err, store.ErrFamilyRevoked)
			case c.err != nil:
				t.Fatalf("rotate %s → %s: %v (a repeat within the grace window must succeed)", c.old, c.next, c.err)
			default:
				var k int
				fmt.Sscanf(c.old, "b%d", &k)
				if c.fam.ID != fams[k].ID {
					t.Fatalf("rotate %s answered family %s, want %s", c.old, c.fam.ID, fams[k].ID)
				}
			}
		}
		// Every successor is a live token of its own family.
		for k := 1; k < n; k++ {
			for _, next := range []string{fmt.Sprint("x", k), fmt.Sprint("y", k)} {
				mustRotate(t, s, fams[k], next, "after-"+next, t0.Add(2*time.Second))
			}
		}
	}},
	{"mint may read the store", func(t *testing.T, s *store.Store) {
		// The session service signs inside Mint, and signing may reload
		// the keys. A deadline only so a deadlock fails instead of hanging.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		_, _, err := s.RotateRefresh(ctx, store.RotateParams{
			OldHash: h("t0"), NewHash: h("t1"), Now: t0, IdleTTL: idle, Grace: grace,
			Mint: func(store.Family, store.User) error {
				if _, err := s.ListSigningKeys(ctx); err != nil {
					return err
				}
				_, err := s.GetFamily(ctx, f.ID)
				return err
			},
		})
		if err != nil {
			t.Fatalf("rotation whose Mint reads the store: %v", err)
		}
	}},
	{"unknown token", func(t *testing.T, s *store.Store) {
		_, _, err := rotate(s, "nope", "x", t0)
		wantErr(t, "unknown", err, store.ErrNotFound)
	}},
	{"revoked family", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		if err := s.RevokeFamily(context.Background(), u.ID, f.ID, "logout", t0); err != nil {
			t.Fatal(err)
		}
		_, _, err := rotate(s, "t0", "t1", t0.Add(time.Second))
		wantErr(t, "token of a revoked family", err, store.ErrFamilyRevoked)
		if got, _ := s.GetFamily(context.Background(), f.ID); got.RevokeReason != "logout" {
			t.Fatalf("revoke reason = %q", got.RevokeReason)
		}
	}},
	{"disabled user", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		if err := s.SetUserDisabled(ctx, u.ID, &t0); err != nil {
			t.Fatal(err)
		}
		_, _, err := rotate(s, "t0", "t1", t0)
		wantErr(t, "disabled", err, store.ErrUserDisabled)
		if err := s.SetUserDisabled(ctx, u.ID, nil); err != nil {
			t.Fatal(err)
		}
		mustRotate(t, s, f, "t0", "t1", t0.Add(time.Second)) // the refused attempt spent nothing
	}},
	{"revoke is per user", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mkUser(t, s, "a@example.com"), mkUser(t, s, "b@example.com")
		fb := mkFamily(t, s, b, "tb")
		wantErr(t, "another user's family", s.RevokeFamily(ctx, a.ID, fb.ID, "x", t0), store.ErrNotFound)
		mustRotate(t, s, fb, "tb", "tb1", t0.Add(time.Second))
		if err := s.RevokeFamily(ctx, b.ID, fb.ID, "x", t0); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "revoked twice", s.RevokeFamily(ctx, b.ID, fb.ID, "x", t0), store.ErrNotFound)
		wantErr(t, "unknown family", s.RevokeFamily(ctx, b.ID, "nope", "x", t0), store.ErrNotFound)
		mkFamily(t, s, a, "a1")
		mkFamily(t, s, a, "a2")
		if n, err := s.RevokeUserFamilies(ctx, a.ID, "logout_all", t0); err != nil || n != 2 {
			t.Fatalf("revoke all = %d, %v", n, err)
		}
		if n, err := s.RevokeUserFamilies(ctx, a.ID, "logout_all", t0); err != nil || n != 0 {
			t.Fatalf("revoke all again = %d, %v", n, err)
		}
	}},
	{"active families, most recently used first", func(t *testing.T, s *store.Store) {
		u, other := mkUser(t, s, "a@example.com"), mkUser(t, s, "b@example.com")
		f1, f2, f3 := mkFamily(t, s, u, "a"), mkFamily(t, s, u, "b"), mkFamily(t, s, u, "c")
		mkFamily(t, s, other, "o")
		mustRotate(t, s, f1, "a", "a1", t0.Add(3*time.Minute))
		mustRotate(t, s, f3, "c", "c1", t0.Add(2*time.Minute))
		fs := active(t, s, u, t0.Add(time.Hour))
		if len(fs) != 3 || fs[0].ID != f1.ID || fs[1].ID != f3.ID || fs[2].ID != f2.ID {
			t.Fatalf("active = %+v", fs)
		}
	}},
	{"login events, newest first, limited", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, other := mkUser(t, s, "a@example.com"), mkUser(t, s, "b@example.com")
		for i := range 5 {
			ev := store.LoginEvent{ID: store.NewID(), UserID: &u.ID, Provider: "github", Outcome: "success", IP: "192.0.2.1",
				UserAgent: "ua", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := s.InsertLoginEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		for _, ev := range []store.LoginEvent{
			{ID: store.NewID(), Provider: "github", Outcome: "failure", ErrorCode: "access_denied", CreatedAt: t0.Add(time.Hour)},
			{ID: store.NewID(), UserID: &other.ID, Provider: "github", Outcome: "success", CreatedAt: t0.Add(time.Hour)},
		} {
			if err := s.InsertLoginEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := s.ListLoginEvents(ctx, u.ID, 3)
		if err != nil || len(evs) != 3 {
			t.Fatalf("events = %+v, %v", evs, err)
		}
		for i, ev := range evs {
			if !ev.CreatedAt.Equal(t0.Add(time.Duration(4-i)*time.Minute)) || ev.UserID == nil || *ev.UserID != u.ID || ev.IP != "192.0.2.1" {
				t.Fatalf("event %d = %+v", i, ev)
			}
		}
		if evs, err := s.ListLoginEvents(ctx, "nobody", 10); err != nil || evs == nil || len(evs) != 0 {
			t.Fatalf("no events = %#v, %v (want an empty list)", evs, err)
		}
	}},
	{"delete expired", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		ended := mkFamily(t, s, u, "t0")
		mustRotate(t, s, ended, "t0", "t1", t0)
		if err := s.RevokeFamily(ctx, u.ID, ended.ID, "logout", t0); err != nil {
			t.Fatal(err)
		}
		live := mkFamily(t, s, u, "l0")
		for i, exp := range []time.Time{t0.Add(time.Minute), t0.Add(72 * time.Hour)} {
			tag := fmt.Sprint(i)
			if err := s.CreateFlow(ctx, store.Flow{StateHash: h("st" + tag), Provider: "github", Process: "login", Handoff: "popup",
				BrowserHash: h("b"), CreatedAt: t0, ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateHandoff(ctx, store.Handoff{CodeHash: h("c" + tag), UserID: u.ID, Provider: "github", Challenge: "c", CreatedAt: t0, ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateTicket(ctx, store.Ticket{TicketHash: h("k" + tag), UserID: u.ID, Provider: "github", Challenge: "c", CreatedAt: t0, ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateNonce(ctx, h("n"+tag), t0, exp); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.DeleteExpired(ctx, t0.Add(48*time.Hour))
		if err != nil || n != 5 { // one row of each single-use table, one family
			t.Fatalf("DeleteExpired = %d, %v; want 5", n, err)
		}
		_, err = s.GetFamily(ctx, ended.ID)
		wantErr(t, "ended family", err, store.ErrNotFound)
		if c := count(t, s, "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ?", ended.ID); c != 0 {
			t.Fatalf("%d tokens of the deleted family left", c)
		}
		for _, table := range []string{"auth_flows", "handoff_codes", "connect_tickets", "credential_nonces"} {
			if c := count(t, s, "SELECT COUNT(*) FROM "+table); c != 1 {
				t.Fatalf("%s: %d rows, want the live one", table, c)
			}
		}
		mustRotate(t, s, live, "l0", "l1", t0.Add(48*time.Hour))
	}},
}

func TestConformance(t *testing.T) {
	all := append(append(append([]conformanceCase{}, cases...), signinCases...), credentialCases...)
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			for _, c := range all {
				t.Run(c.name, func(t *testing.T) { c.run(t, storetest.New(t, engine)) })
			}
		})
	}
}

// TestOpen: what Open accepts and refuses, without a server.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		url     string
		dataDir string
		wantErr string // empty: opens
		file    string // the SQLite file it must create
	}{
		{name: "empty URL: embedded SQLite in the data dir", url: "", dataDir: filepath.Join(dir, "data"), file: filepath.Join(dir, "data", "authbridge.db")},
		{name: "sqlite: path", url: "sqlite:" + filepath.Join(dir, "a.db"), file: filepath.Join(dir, "a.db")},
		{name: "sqlite:// path", url: "sqlite://" + filepath.Join(dir, "b.db"), file: filepath.Join(dir, "b.db")},
		{name: "other scheme", url: "postgres://u:hunter2@h/db", wantErr: `unsupported database URL scheme "postgres"`},
		{name: "not a URL", url: "hunter2", wantErr: "unsupported database URL"},
		{name: "mysql without a database", url: "mysql://u:hunter2@127.0.0.1:1/", wantErr: "names no database"},
		{name: "mysql, bad parameter", url: "mysql://u:hunter2@127.0.0.1:1/db?readTimeout=soon", wantErr: "parameters"},
		{name: "sqlite path with a query", url: "sqlite:" + filepath.Join(dir, "c.db") + "?mode=memory", wantErr: "may not contain"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := store.Open(context.Background(), c.url, store.Options{DataDir: c.dataDir})
			if c.wantErr != "" {
				if err == nil {
					s.Close()
					t.Fatal("opened")
				}
				if !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("err = %v, want %q and no password", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Dialect() != store.SQLite {
				t.Fatalf("dialect %q", s.Dialect())
			}
			fi, err := os.Stat(c.file)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm()&0o077 != 0 {
				t.Fatalf("%s has mode %v: it holds signing keys, want 0600", c.file, fi.Mode().Perm())
			}
		})
	}
}

// BenchmarkRotateRefresh: one rotation per op, always of the newest token
// (a chain, as a client refreshing again and again).
func BenchmarkRotateRefresh(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			s := storetest.New(b, engine)
			u := mkUser(b, s, "a@example.com")
			mkFamily(b, s, u, "t0")
			hashes := make([][]byte, b.N+1)
			for i := range hashes {
				hashes[i] = h(fmt.Sprint("t", i))
			}
			now := t0
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				now = now.Add(time.Millisecond)
				if _, _, err := s.RotateRefresh(ctx, store.RotateParams{OldHash: hashes[i], NewHash: hashes[i+1], Now: now,
					IdleTTL: idle, Grace: grace, IP: "192.0.2.1"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSQLiteCheckpoints: the write-ahead log is copied into the database
// file beside the writes (the writer never checkpoints itself), and a clean
// Close leaves an empty log, so the file alone holds every commit.
func TestSQLiteCheckpoints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ck.db")
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var auto int
	if err := s.DB().Get(&auto, "PRAGMA wal_autocheckpoint"); err != nil || auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d, %v; want 0 (checkpoints belong to the background)", auto, err)
	}
	for i := range 50 {
		mkUser(t, s, fmt.Sprintf("u%d@example.com", i))
	}
	// The background checkpointer catches up: the database file alone,
	// copied without its log, holds the 50 users.
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; n != 50; {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the database file holds %d of 50 users", n)
		}
		time.Sleep(50 * time.Millisecond)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(cp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+cp+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			n = 0 // the copy may not have the table yet
		}
		db.Close()
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("log after Close: %d bytes, want empty", fi.Size())
	}
	s2, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n := count(t, s2, "SELECT COUNT(*) FROM users"); n != 50 {
		t.Fatalf("users after reopen = %d, want 50", n)
	}
}

// TestGetUserSeesDisable: the user cache never hides a disable done through
// this store, and a second store on the same database (another replica)
// sees it once its short cache lifetime is over.
func TestGetUserSeesDisable(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.New(t, engine)
			other, err := store.Open(ctx, storetest.URL(t, s), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			u := mkUser(t, s, "a@example.com")
			for _, st := range []*store.Store{s, other} {
				if got, err := st.GetUser(ctx, u.ID); err != nil || got.DisabledAt != nil {
					t.Fatalf("GetUser = %+v, %v", got, err)
				}
			}
			at := t0
			if err := s.SetUserDisabled(ctx, u.ID, &at); err != nil {
				t.Fatal(err)
			}
			if got, err := s.GetUser(ctx, u.ID); err != nil || got.DisabledAt == nil {
				t.Fatalf("after disabling, the same store answers %+v, %v", got, err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				got, err := other.GetUser(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.DisabledAt != nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("another store still answers the user as enabled after 10 s")
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

// TestMySQLRotationSurvivesLostConnection: the MySQL rotator keeps a
// connection per loop; when the server drops those connections (a restart,
// a failover, wait_timeout), the next rotations run on fresh ones instead
// of failing, and the connections left in the pool still commit on their
// own (none of them was handed back in autocommit=0 mode).
func TestMySQLRotationSurvivesLostConnection(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), store.MySQL) {
		t.Skip("MySQL not configured (CI=true requires it; storetest.Engines fails there)")
	}
	ctx := context.Background()
	s := storetest.New(t, store.MySQL)
	u := mkUser(t, s, "lost@example.com")
	f := mkFamily(t, s, u, "c0")
	mustRotate(t, s, f, "c0", "c1", t0.Add(time.Second))
	mustRotate(t, s, f, "c1", "c2", t0.Add(2*time.Second))
	// Kill every other connection to this test's database, the rotator's
	// among them, from a connection of our own.
	admin, err := s.DB().Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var ids []int64
	if err := admin.SelectContext(ctx, &ids, "SELECT id FROM information_schema.PROCESSLIST WHERE db = DATABASE() AND id <> CONNECTION_ID()"); err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no other connection to kill: the rotator's connection was not found")
	}
	for _, id := range ids {
		if _, err := admin.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id)); err != nil {
			t.Fatalf("kill %d: %v", id, err)
		}
	}
	for i := 3; i < 3+2*4; i++ { // more rotations than loops: each loop meets its dead connection
		mustRotate(t, s, f, fmt.Sprint("c", i-1), fmt.Sprint("c", i), t0.Add(time.Duration(i)*time.Second))
	}
	// What was answered is committed: other connections see it, and the
	// pool's connections are all in autocommit mode.
	conns := make([]*sqlx.Conn, 6)
	for i := range conns {
		if conns[i], err = s.DB().Connx(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
		var auto, n int
		if err := conns[i].GetContext(ctx, &auto, "SELECT @@autocommit"); err != nil || auto != 1 {
			t.Fatalf("pool connection %d: autocommit = %d (%v)", i, auto, err)
		}
		if err := conns[i].GetContext(ctx, &n, "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ?", h("c10")); err != nil || n != 1 {
			t.Fatalf("pool connection %d does not see the last successor: %d (%v)", i, n, err)
		}
	}
}

// TestMySQLGeneralPoolRefusesMultiStatements: only the rotator's own
// connections may send several statements in one query; the pool every
// other query uses must refuse them, so that no text reaching a query can
// append a statement of its own.
func TestMySQLGeneralPoolRefusesMultiStatements(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), store.MySQL) {
		t.Skip("MySQL not configured (CI=true requires it; storetest.Engines fails there)")
	}
	s := storetest.New(t, store.MySQL)
	if _, err := s.DB().ExecContext(context.Background(), "SELECT 1; SELECT 2"); err == nil {
		t.Fatal("the general pool ran a multi-statement query")
	}
	// The rotations, which do use them, still work.
	u := mkUser(t, s, "multi@example.com")
	f := mkFamily(t, s, u, "m0")
	mustRotate(t, s, f, "m0", "m1", t0.Add(time.Second))
}

// TestMySQLOverUnixSocket: a database URL with ?socket= and no host
// connects through the server's Unix socket (the server then sees the
// account authbridge@localhost, not authbridge@127.0.0.1), and both pools
// (the general one and the rotator's) work through it.
func TestMySQLOverUnixSocket(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), store.MySQL) {
		t.Skip("MySQL not configured (CI=true requires it; storetest.Engines fails there)")
	}
	base := os.Getenv(storetest.EnvMySQLSocket)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set (make test sets it)", storetest.EnvMySQLSocket)
		}
		t.Skipf("%s is not set (scripts/mariadb.sh prints it)", storetest.EnvMySQLSocket)
	}
	ctx := context.Background()
	overTCP := storetest.New(t, store.MySQL)
	tcpURL, err := url.Parse(storetest.URL(t, overTCP))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil || u.Host != "" || u.Query().Get("socket") == "" {
		t.Fatalf("%s: want mysql://user:pass@/?socket=/path", storetest.EnvMySQLSocket) // never print it: it holds a password
	}
	u.Path = tcpURL.Path // the same database
	s, err := store.Open(ctx, u.String(), store.Options{})
	if err != nil {
		t.Fatalf("open through the socket: %v", err)
	}
	defer s.Close()
	for _, c := range []struct {
		name string
		s    *store.Store
		want string
	}{
		{"socket", s, "authbridge@localhost"},
		{"tcp", overTCP, "authbridge@127.0.0.1"},
	} {
		var who string
		if err := c.s.DB().GetContext(ctx, &who, "SELECT CURRENT_USER()"); err != nil || who != c.want {
			t.Fatalf("%s: connected as %q (%v), want %q", c.name, who, err, c.want)
		}
	}
	usr := mkUser(t, s, "socket@example.com")
	f := mkFamily(t, s, usr, "s0")
	mustRotate(t, s, f, "s0", "s1", t0.Add(time.Second))
	got, err := overTCP.GetUser(ctx, usr.ID)
	if err != nil || got.Email != usr.Email {
		t.Fatalf("the user written through the socket, read over TCP: %+v (%v)", got, err)
	}
}
