package store_test

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
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

// mkFamily opens a family for u whose first token is tok(f, 1): its
// secret is derived from first, so tests can name tokens.
func mkFamily(t testing.TB, s *store.Store, u store.User, first string) store.Family {
	t.Helper()
	f := store.Family{ID: store.NewID(), UserID: u.ID, Provider: "test", UserAgent: "ua", IP: "192.0.2.9",
		CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(life), Generation: 1, Secret: h(first)}
	if err := s.CreateFamily(context.Background(), f); err != nil {
		t.Fatalf("create family: %v", err)
	}
	return f
}

// tok is a refresh token as the store sees it: the family and generation
// it names, and the secret its MAC was made with (the real format and MAC
// are token/refresh.go's, tested there and end to end in session). A
// token made with another secret is a forgery.
type tok struct {
	family string
	gen    uint64
	secret []byte
}

func tokOf(f store.Family, gen uint64) tok { return tok{f.ID, gen, f.Secret} }

func reuseEvent(now time.Time) store.LoginEvent {
	return store.LoginEvent{ID: store.NewID(), Outcome: "token_reused", ErrorCode: "token_reused", IP: "192.0.2.66", UserAgent: "ua-reuse", CreatedAt: now}
}

func params(k tok, now time.Time) store.RotateParams {
	return store.RotateParams{FamilyID: k.family, Generation: k.gen,
		Verify: func(secret []byte) bool { return subtle.ConstantTimeCompare(secret, k.secret) == 1 },
		Now:    now, IdleTTL: idle, Grace: grace, IP: "192.0.2.1", Reuse: reuseEvent(now)}
}

func rotate(s *store.Store, k tok, now time.Time) (store.Rotation, error) {
	return s.RotateRefresh(context.Background(), params(k, now))
}

// mustRotate presents k, checks the answer belongs to family f and is a
// rotation, and answers the next token.
func mustRotate(t *testing.T, s *store.Store, f store.Family, k tok, now time.Time) tok {
	t.Helper()
	r, err := rotate(s, k, now)
	if err != nil {
		t.Fatalf("rotate %s/%d: %v", k.family, k.gen, err)
	}
	if r.Family.ID != f.ID || r.User.ID != f.UserID || !r.Rotated || r.Generation != k.gen+1 {
		t.Fatalf("rotate %s/%d: family %s of user %s, generation %d, rotated %v; want %s of %s, %d, true",
			k.family, k.gen, r.Family.ID, r.User.ID, r.Generation, r.Rotated, f.ID, f.UserID, k.gen+1)
	}
	return tokOf(r.Family, r.Generation)
}

// chain rotates f's first token n times, a second apart from t0, and
// answers the tokens of generations 1 to n+1.
func chain(t *testing.T, s *store.Store, f store.Family, n int) []tok {
	t.Helper()
	toks := []tok{tokOf(f, 1)}
	for i := 1; i <= n; i++ {
		toks = append(toks, mustRotate(t, s, f, toks[i-1], t0.Add(time.Duration(i)*time.Second)))
	}
	return toks
}

// unchanged fails unless family f is as it was (generation, use, not
// revoked).
func unchanged(t *testing.T, s *store.Store, f store.Family, gen uint64, lastUsed time.Time) {
	t.Helper()
	got, err := s.GetFamily(context.Background(), f.ID)
	if err != nil || got.Generation != gen || !got.LastUsedAt.Equal(lastUsed) || got.RevokedAt != nil {
		t.Fatalf("family = %+v, %v; want generation %d, last used %v, live", got, err, gen, lastUsed)
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
	{"signing keys: ordered by signs_from, retired on request, first key once", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 4 {
			// Created in order; signs_from in another order, which decides.
			k := store.SigningKey{KID: fmt.Sprintf("k%d", i), Alg: "ES256", PrivateKey: []byte{0, 0xff, byte(i)}, Encrypted: i%2 == 1,
				PublicJWK: fmt.Sprintf(`{"kid":"k%d"}`, i), CreatedAt: t0.Add(time.Duration(i) * time.Minute),
				SignsFrom: t0.Add(time.Duration((i+2)%4) * time.Hour)}
			var retire []string
			if i == 3 {
				retire = []string{"k0", "k1", "nope"}
			}
			if err := s.InsertSigningKey(ctx, k, retire); err != nil {
				t.Fatal(err)
			}
		}
		keys, err := s.ListSigningKeys(ctx)
		if err != nil || len(keys) != 2 {
			t.Fatalf("keys = %+v, %v", keys, err)
		}
		k := keys[0] // k2 signs from t0+0h, k3 from t0+1h
		if k.KID != "k3" || keys[1].KID != "k2" || string(k.PrivateKey) != "\x00\xff\x03" || !k.Encrypted || keys[1].Encrypted ||
			k.PublicJWK != `{"kid":"k3"}` || !k.CreatedAt.Equal(t0.Add(3*time.Minute)) || !k.SignsFrom.Equal(t0.Add(time.Hour)) || k.RetiredAt != nil {
			t.Fatalf("keys = %+v", keys)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NOT NULL"); n != 2 {
			t.Fatalf("%d retired keys, want 2 (kept for the record)", n)
		}
		dup := store.SigningKey{KID: "k3", Alg: "ES256", PrivateKey: []byte{1}, PublicJWK: "{}", CreatedAt: t0.Add(time.Hour), SignsFrom: t0.Add(time.Hour)}
		wantErr(t, "duplicate kid", s.InsertSigningKey(ctx, dup, []string{"k2"}), store.ErrConflict)
		if keys, _ := s.ListSigningKeys(ctx); len(keys) != 2 || keys[0].KID != "k3" {
			t.Fatalf("a refused insert changed the keys: %+v", keys)
		}
		first := store.SigningKey{KID: "f1", Alg: "ES256", PrivateKey: []byte{1}, PublicJWK: "{}", CreatedAt: t0, SignsFrom: t0}
		wantErr(t, "a first key when one of its alg is stored", s.InsertFirstSigningKey(ctx, first), store.ErrConflict)
		first.Alg, first.KID = "EdDSA", "f2"
		if err := s.InsertFirstSigningKey(ctx, first); err != nil {
			t.Fatalf("the first key of another alg: %v", err)
		}
	}},
	{"create a family and rotate", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		got, err := s.GetFamily(ctx, f.ID)
		if err != nil || got.UserID != u.ID || got.UserAgent != "ua" || !got.ExpiresAt.Equal(f.ExpiresAt) || got.RevokedAt != nil ||
			got.Generation != 1 || string(got.Secret) != string(f.Secret) || got.RotatedAt != nil {
			t.Fatalf("GetFamily = %+v, %v", got, err)
		}
		now := t0.Add(time.Hour)
		r, err := rotate(s, tokOf(f, 1), now)
		if err != nil || r.Family.ID != f.ID || !r.Family.LastUsedAt.Equal(now) || r.Family.IP != "192.0.2.1" || r.User.ID != u.ID ||
			r.User.Email != u.Email || r.Generation != 2 || !r.Rotated || string(r.Family.Secret) != string(f.Secret) {
			t.Fatalf("rotate = %+v, %v", r, err)
		}
		got, _ = s.GetFamily(ctx, f.ID)
		if !got.LastUsedAt.Equal(now) || got.IP != "192.0.2.1" || !got.ExpiresAt.Equal(f.ExpiresAt) || got.Generation != 2 ||
			got.RotatedAt == nil || !got.RotatedAt.Equal(now) {
			t.Fatalf("after rotation: %+v (absolute expiry must not move)", got)
		}
		_, err = s.GetFamily(ctx, "nope")
		wantErr(t, "unknown family", err, store.ErrNotFound)
		wantErr(t, "same family id twice", s.CreateFamily(ctx, store.Family{ID: f.ID, UserID: u.ID, CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(life), Secret: h("x")}), store.ErrConflict)
		if err := s.CreateFamily(ctx, store.Family{ID: store.NewID(), UserID: u.ID, CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(life)}); err == nil {
			t.Fatal("a family without a secret was stored: its tokens would need no secret to compute")
		}
	}},
	{"rotate in a chain", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		chain(t, s, f, 3)
		if fs := active(t, s, u, t0.Add(time.Hour)); len(fs) != 1 || fs[0].ID != f.ID {
			t.Fatalf("active families = %+v, want just %s", fs, f.ID)
		}
	}},
	{"rows per session stay constant however often it rotates", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		tables := []string{"users", "refresh_families", "login_events", "auth_flows", "handoff_codes", "connect_tickets", "credential_nonces"}
		rows := func() (n int) {
			for _, tb := range tables {
				n += count(t, s, "SELECT COUNT(*) FROM "+tb)
			}
			return n
		}
		before := rows()
		chain(t, s, f, 50)
		if after := rows(); after != before {
			t.Fatalf("%d rows after 50 rotations, %d before", after, before)
		}
	}},
	{"grace: a replay of the previous token answers the current one, no second chain", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		t2 := mustRotate(t, s, f, tokOf(f, 1), t0)
		for _, at := range []time.Time{t0, t0.Add(grace / 2), t0.Add(grace - time.Microsecond)} { // a second tab, any number of times
			r, err := rotate(s, tokOf(f, 1), at)
			if err != nil || r.Rotated || r.Generation != 2 || r.Family.ID != f.ID || r.User.ID != u.ID {
				t.Fatalf("replay at +%v = %+v, %v; want generation 2, nothing rotated", at.Sub(t0), r, err)
			}
		}
		unchanged(t, s, f, 2, t0)
		// The one live chain goes on from the token both tabs now hold.
		t3 := mustRotate(t, s, f, t2, t0.Add(grace))
		_, err := rotate(s, t2, t0.Add(2*grace)) // grace of the second rotation is over
		wantErr(t, "the token both tabs held, after the next rotation's grace", err, store.ErrTokenReused)
		_, err = rotate(s, t3, t0.Add(2*grace))
		wantErr(t, "the live token after the reuse", err, store.ErrFamilyRevoked)
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families"); n != 1 {
			t.Fatalf("%d families, want 1", n)
		}
	}},
	{"after the grace the predecessor is reuse: the family is revoked", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		t2 := mustRotate(t, s, f, tokOf(f, 1), t0)
		_, err := rotate(s, tokOf(f, 1), t0.Add(grace)) // the grace ends when it says
		wantErr(t, "predecessor at rotated_at+grace", err, store.ErrTokenReused)
		got, err := s.GetFamily(ctx, f.ID)
		if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(grace)) || got.RevokeReason != store.RevokeReuse {
			t.Fatalf("family after reuse = %+v, %v (want revoked, reason reuse, committed)", got, err)
		}
		if fs := active(t, s, u, t0.Add(time.Minute)); len(fs) != 0 {
			t.Fatalf("%d active families after reuse, want 0", len(fs))
		}
		_, err = rotate(s, t2, t0.Add(time.Minute))
		wantErr(t, "the live token after reuse", err, store.ErrFamilyRevoked)
	}},
	{"an older generation is reuse, even inside the grace", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		toks := chain(t, s, f, 2) // generations 1, 2, 3 at t0+1s, t0+2s
		_, err := rotate(s, toks[0], t0.Add(2*time.Second+time.Millisecond))
		wantErr(t, "grandparent within the grace", err, store.ErrTokenReused)
		_, err = rotate(s, toks[2], t0.Add(3*time.Second))
		wantErr(t, "the live token after the reuse", err, store.ErrFamilyRevoked)
	}},
	{"reuse writes one login event in the revocation's transaction", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		toks := chain(t, s, f, 2)
		at := t0.Add(time.Hour)
		r, err := rotate(s, toks[0], at)
		wantErr(t, "reuse", err, store.ErrTokenReused)
		if r.Family.ID != f.ID || r.User.ID != u.ID {
			t.Fatalf("reuse answered family %q of user %q, want %s of %s (for the log line)", r.Family.ID, r.User.ID, f.ID, u.ID)
		}
		evs, err := s.ListLoginEvents(ctx, u.ID, 10)
		if err != nil || len(evs) != 1 {
			t.Fatalf("login events = %+v, %v; want the reuse", evs, err)
		}
		e := evs[0]
		if e.Outcome != "token_reused" || e.ErrorCode != "token_reused" || e.Provider != "test" || e.IP != "192.0.2.66" ||
			e.UserAgent != "ua-reuse" || !e.CreatedAt.Equal(at) || e.UserID == nil || *e.UserID != u.ID {
			t.Fatalf("reuse event = %+v", e)
		}
		// The family is revoked now: presenting either token again is
		// "session ended", and writes nothing more.
		for _, k := range toks {
			_, err = rotate(s, k, at.Add(time.Second))
			wantErr(t, "a token of the revoked family", err, store.ErrFamilyRevoked)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM login_events"); n != 1 {
			t.Fatalf("%d login events, want 1", n)
		}
	}},
	{"a forged token changes nothing", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		chain(t, s, f, 2) // generation 3, last used t0+2s
		forged := []uint64{0, 1, 2, 3, 4, 1 << 40}
		for _, gen := range forged {
			_, err := rotate(s, tok{f.ID, gen, h("guess")}, t0.Add(time.Hour))
			wantErr(t, fmt.Sprint("forged generation ", gen), err, store.ErrNotFound)
		}
		_, err := s.RotateRefresh(context.Background(), store.RotateParams{FamilyID: f.ID, Generation: 1, Now: t0.Add(time.Hour), Grace: grace})
		wantErr(t, "no verifier", err, store.ErrNotFound)
		unchanged(t, s, f, 3, t0.Add(2*time.Second))
		if n := count(t, s, "SELECT COUNT(*) FROM login_events"); n != 0 {
			t.Fatalf("a forgery wrote %d login events", n)
		}
		mustRotate(t, s, f, tokOf(f, 3), t0.Add(time.Hour))
	}},
	{"a generation never issued is refused and changes nothing", func(t *testing.T, s *store.Store) {
		// Its MAC holds only if the database went back to an older backup.
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		_, err := rotate(s, tokOf(f, 2), t0.Add(time.Second))
		wantErr(t, "a future generation", err, store.ErrNotFound)
		unchanged(t, s, f, 1, t0)
	}},
	{"concurrent rotations of one token: one winner, the others get its token, no revocation", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		const n = 8
		rs := make([]store.Rotation, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				rs[i], errs[i] = rotate(s, tokOf(f, 1), t0.Add(time.Second))
			}()
		}
		close(start)
		wg.Wait()
		winners := 0
		for i := range n {
			if errs[i] != nil || rs[i].Family.ID != f.ID || rs[i].Generation != 2 {
				t.Fatalf("rotation %d = %+v, %v; want generation 2 of %s", i, rs[i], errs[i], f.ID)
			}
			if rs[i].Rotated {
				winners++
			}
		}
		if winners != 1 {
			t.Fatalf("%d rotations moved the family, want exactly 1", winners)
		}
		unchanged(t, s, f, 2, t0.Add(time.Second))
		mustRotate(t, s, f, tokOf(f, 2), t0.Add(2*time.Second))
	}},
	{"concurrent rotations of many families: repeats, strangers, a revoked one", func(t *testing.T, s *store.Store) {
		// On SQLite rotations that queue together share a group commit:
		// each must get the answer it would get alone.
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
			k   tok
			r   store.Rotation
			err error
		}
		var calls []*call
		for k := range n {
			calls = append(calls, &call{k: tokOf(fams[k], 1)}, &call{k: tokOf(fams[k], 1)})
		}
		calls = append(calls, &call{k: tok{store.NewID(), 1, h("x")}}, &call{k: tok{fams[1].ID, 1, h("forged")}})
		var wg sync.WaitGroup
		for _, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.r, c.err = rotate(s, c.k, t0.Add(time.Second))
			}()
		}
		wg.Wait()
		for _, c := range calls {
			switch {
			case string(c.k.secret) == string(h("x")) || string(c.k.secret) == string(h("forged")):
				wantErr(t, "unknown or forged token", c.err, store.ErrNotFound)
			case c.k.family == fams[0].ID:
				wantErr(t, "token of the revoked family", c.err, store.ErrFamilyRevoked)
			case c.err != nil || c.r.Family.ID != c.k.family || c.r.Generation != 2:
				t.Fatalf("rotate %s: %+v, %v (a repeat within the grace window must get the winner's generation)", c.k.family, c.r, c.err)
			}
		}
		for k := 1; k < n; k++ {
			mustRotate(t, s, fams[k], tokOf(fams[k], 2), t0.Add(2*time.Second))
		}
	}},
	{"absolute lifetime", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		step := idle / 2 // rotate often enough never to be idle
		k, at := tokOf(f, 1), t0
		for at.Add(step).Before(f.ExpiresAt) {
			at = at.Add(step)
			k = mustRotate(t, s, f, k, at)
		}
		_, err := rotate(s, k, f.ExpiresAt)
		wantErr(t, "at the absolute expiry", err, store.ErrFamilyExpired)
		if fs := active(t, s, u, f.ExpiresAt); len(fs) != 0 {
			t.Fatalf("an expired family is listed: %+v", fs)
		}
	}},
	{"idle lifetime", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		last := t0.Add(idle - time.Microsecond)
		t2 := mustRotate(t, s, f, tokOf(f, 1), last)
		if fs := active(t, s, u, last.Add(idle-time.Microsecond)); len(fs) != 1 {
			t.Fatalf("a family used just now is not listed")
		}
		if fs := active(t, s, u, last.Add(idle)); len(fs) != 0 {
			t.Fatalf("an idle family is listed: %+v", fs)
		}
		_, err := rotate(s, t2, last.Add(idle))
		wantErr(t, "idle", err, store.ErrFamilyExpired)
	}},
	{"a failed signature writes nothing", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		signerDown := errors.New("signer down")
		p := params(tokOf(f, 1), t0.Add(time.Second))
		p.Sign = func(store.Family, store.User) error { return signerDown }
		_, err := s.RotateRefresh(ctx, p)
		wantErr(t, "sign failure", err, signerDown)
		unchanged(t, s, f, 1, t0)
		mustRotate(t, s, f, tokOf(f, 1), t0.Add(time.Minute)) // still live, so no reuse either
	}},
	{"sign sees the rotated family and may read the store", func(t *testing.T, s *store.Store) {
		// Signing may reload the keys. A deadline only so a deadlock fails
		// instead of hanging.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		p := params(tokOf(f, 1), t0.Add(time.Second))
		var signed store.Family
		p.Sign = func(sf store.Family, su store.User) error {
			signed = sf
			if su.ID != u.ID {
				return fmt.Errorf("signed for user %s", su.ID)
			}
			if _, err := s.ListSigningKeys(ctx); err != nil {
				return err
			}
			_, err := s.GetFamily(ctx, f.ID)
			return err
		}
		if _, err := s.RotateRefresh(ctx, p); err != nil {
			t.Fatalf("rotation whose Sign reads the store: %v", err)
		}
		if signed.ID != f.ID || !signed.LastUsedAt.Equal(t0.Add(time.Second)) {
			t.Fatalf("Sign saw %+v", signed)
		}
	}},
	{"concurrent rotations: one failing signature spoils only itself", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		const n = 12
		fams := make([]store.Family, n)
		for i := range n {
			fams[i] = mkFamily(t, s, u, fmt.Sprint("c", i))
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := params(tokOf(fams[i], 1), t0)
				p.Sign = func(store.Family, store.User) error {
					if i == 3 {
						return errors.New("signing failed")
					}
					return nil
				}
				_, errs[i] = s.RotateRefresh(context.Background(), p)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (err != nil) != (i == 3) {
				t.Fatalf("rotation %d: %v", i, err)
			}
		}
		unchanged(t, s, fams[3], 1, t0)
		mustRotate(t, s, fams[3], tokOf(fams[3], 1), t0.Add(time.Second))
		mustRotate(t, s, fams[5], tokOf(fams[5], 2), t0.Add(time.Second))
	}},
	{"unknown family", func(t *testing.T, s *store.Store) {
		_, err := rotate(s, tok{store.NewID(), 1, h("t0")}, t0)
		wantErr(t, "unknown", err, store.ErrNotFound)
	}},
	{"revoked family", func(t *testing.T, s *store.Store) {
		u := mkUser(t, s, "a@example.com")
		f := mkFamily(t, s, u, "t0")
		if err := s.RevokeFamily(context.Background(), u.ID, f.ID, "logout", t0); err != nil {
			t.Fatal(err)
		}
		_, err := rotate(s, tokOf(f, 1), t0.Add(time.Second))
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
		_, err := rotate(s, tokOf(f, 1), t0)
		wantErr(t, "disabled", err, store.ErrUserDisabled)
		if err := s.SetUserDisabled(ctx, u.ID, nil); err != nil {
			t.Fatal(err)
		}
		mustRotate(t, s, f, tokOf(f, 1), t0.Add(time.Second)) // the refused attempt changed nothing
	}},
	{"revoke is per user", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mkUser(t, s, "a@example.com"), mkUser(t, s, "b@example.com")
		fb := mkFamily(t, s, b, "tb")
		wantErr(t, "another user's family", s.RevokeFamily(ctx, a.ID, fb.ID, "x", t0), store.ErrNotFound)
		mustRotate(t, s, fb, tokOf(fb, 1), t0.Add(time.Second))
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
		mustRotate(t, s, f1, tokOf(f1, 1), t0.Add(3*time.Minute))
		mustRotate(t, s, f3, tokOf(f3, 1), t0.Add(2*time.Minute))
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
		mustRotate(t, s, ended, tokOf(ended, 1), t0)
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
		for _, table := range []string{"auth_flows", "handoff_codes", "connect_tickets", "credential_nonces"} {
			if c := count(t, s, "SELECT COUNT(*) FROM "+table); c != 1 {
				t.Fatalf("%s: %d rows, want the live one", table, c)
			}
		}
		mustRotate(t, s, live, tokOf(live, 1), t0.Add(48*time.Hour))
	}},
}

func TestConformance(t *testing.T) {
	all := append(append(append(append(append(append(append([]conformanceCase{}, cases...), signinCases...), credentialCases...), adminCases...), lastAdminCases...), passkeyCases...), pendingLinkCases...)
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
			f := mkFamily(b, s, u, "t0")
			now := t0
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				now = now.Add(time.Millisecond)
				if _, err := s.RotateRefresh(ctx, params(tokOf(f, uint64(i+1)), now)); err != nil {
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

// TestMySQLRotationSurvivesLostConnection: when the server drops the
// pool's connections (a restart, a failover, wait_timeout), the next
// rotations run on fresh ones instead of failing, and what they answered
// is committed.
func TestMySQLRotationSurvivesLostConnection(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), store.MySQL) {
		t.Skip("MySQL not configured (CI=true requires it; storetest.Engines fails there)")
	}
	ctx := context.Background()
	s := storetest.New(t, store.MySQL)
	u := mkUser(t, s, "lost@example.com")
	f := mkFamily(t, s, u, "c0")
	k := mustRotate(t, s, f, tokOf(f, 1), t0.Add(time.Second))
	k = mustRotate(t, s, f, k, t0.Add(2*time.Second))
	// Several idle connections in the pool, then kill every other
	// connection to this test's database from a connection of our own.
	idle := make([]*sqlx.Conn, 4)
	for i := range idle {
		c, err := s.DB().Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		idle[i] = c
	}
	for _, c := range idle {
		c.Close()
	}
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
		t.Fatal("no other connection to kill: the pool's connections were not found")
	}
	for _, id := range ids {
		if _, err := admin.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id)); err != nil {
			t.Fatalf("kill %d: %v", id, err)
		}
	}
	for i := 3; i < 3+2*4; i++ {
		k = mustRotate(t, s, f, k, t0.Add(time.Duration(i)*time.Second))
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
		if err := conns[i].GetContext(ctx, &n, "SELECT generation FROM refresh_families WHERE id = ?", f.ID); err != nil || n != int(k.gen) {
			t.Fatalf("pool connection %d does not see the last rotation: generation %d (%v), want %d", i, n, err, k.gen)
		}
	}
}

// TestMySQLGeneralPoolRefusesMultiStatements: only the store's multi pool
// may send several statements in one query; the pool every
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
	// Rotations work on it.
	u := mkUser(t, s, "multi@example.com")
	f := mkFamily(t, s, u, "m0")
	mustRotate(t, s, f, tokOf(f, 1), t0.Add(time.Second))
}

// TestMySQLOverUnixSocket: a database URL with ?socket= and no host
// connects through the server's Unix socket (the server then sees the
// account authbridge@localhost, not authbridge@127.0.0.1), and both pools
// (the general one and the multi-statement one) work through it.
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
	mustRotate(t, s, f, tokOf(f, 1), t0.Add(time.Second))
	got, err := overTCP.GetUser(ctx, usr.ID)
	if err != nil || got.Email != usr.Email {
		t.Fatalf("the user written through the socket, read over TCP: %+v (%v)", got, err)
	}
}
