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

// credentialSignIn signs in as the Google identity sub with credential c,
// opening the session fam.
func credentialSignIn(s *store.Store, sub string, c *store.CredentialUse, fam string, now time.Time) error {
	_, _, err := s.SignIn(context.Background(), store.SignInParams{Identity: ident("google", sub, sub+"@example.com"), Name: "G", Now: now,
		Credential: c,
		Session: &store.NewSession{
			Family: store.Family{ID: fam, Provider: "google", IP: "192.0.2.1", CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(time.Hour),
				Generation: 1, Secret: h("tok-" + fam)},
			Events: []store.LoginEvent{{ID: store.NewID(), Provider: "google", Outcome: "success", CreatedAt: now}},
		}})
	return err
}

func used(hash string, nonce []byte) *store.CredentialUse {
	return &store.CredentialUse{Hash: h(hash), ExpiresAt: t0.Add(time.Hour), NonceHash: nonce}
}

// credentialCases join the conformance suite (TestConformance).
var credentialCases = []conformanceCase{
	{"a credential signs in once, nonce or not", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.CreateNonce(ctx, h("n1"), t0, t0.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name, sub string
			c         *store.CredentialUse
			want      error
		}{
			{"first sign-in (new user), no nonce", "1", used("c1", nil), nil},
			{"the same credential again (known user)", "1", used("c1", nil), store.ErrCredentialUsed},
			{"another credential of the same user", "1", used("c2", h("n1")), nil},
			{"the nonce is spent", "1", used("c3", h("n1")), store.ErrNonceNotLive},
			{"the same credential, nonce and all", "1", used("c2", h("n1")), store.ErrCredentialUsed},
			{"a nonce never issued", "2", used("c4", h("never")), store.ErrNonceNotLive},
			{"a replay by a first sign-in", "3", used("c1", nil), store.ErrCredentialUsed},
		}
		for i, st := range steps {
			fam := fmt.Sprint("fam-", i)
			err := credentialSignIn(s, st.sub, st.c, fam, t0)
			if !errors.Is(err, st.want) || (st.want == nil) != (err == nil) {
				t.Fatalf("%s: %v, want %v", st.name, err, st.want)
			}
			wantFam := 0
			if st.want == nil {
				wantFam = 1
			}
			if n := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE id = ?", fam); n != wantFam {
				t.Fatalf("%s: %d families, want %d", st.name, n, wantFam)
			}
		}
		// Refused sign-ins wrote nothing: no users for 2 and 3, no event,
		// and their credentials were not remembered.
		if n := count(t, s, "SELECT COUNT(*) FROM users"); n != 1 {
			t.Fatalf("users = %d, want 1", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM login_events"); n != 2 {
			t.Fatalf("login events = %d, want 2", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM used_credentials"); n != 2 {
			t.Fatalf("used credentials = %d, want 2 (c1, c2)", n)
		}
		if err := credentialSignIn(s, "2", used("c4", nil), "fam-c4", t0); err != nil {
			t.Fatalf("c4 was remembered by a refused sign-in: %v", err)
		}
	}},
	{"an expired nonce is not live", func(t *testing.T, s *store.Store) {
		if err := s.CreateNonce(context.Background(), h("n1"), t0, t0.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		err := credentialSignIn(s, "1", used("c1", h("n1")), "fam-1", t0.Add(10*time.Minute))
		wantErr(t, "expired nonce", err, store.ErrNonceNotLive)
	}},
	{"parallel posts of one credential open one session", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Round 0 is a first sign-in (the user is created), round 1 a
		// returning one; with a nonce and without.
		for round, nonce := range [][]byte{h("n0"), nil} {
			if nonce != nil {
				if err := s.CreateNonce(ctx, nonce, t0, t0.Add(10*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			const n = 8
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- credentialSignIn(s, "p", used(fmt.Sprint("cred-", round), nonce), fmt.Sprintf("fam-%d-%d", round, i), t0)
				}()
			}
			wg.Wait()
			close(errs)
			won := 0
			for err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, store.ErrCredentialUsed) && !errors.Is(err, store.ErrNonceNotLive):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d sign-ins won, want 1", round, won)
			}
		}
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families"); n != 2 {
			t.Fatalf("%d sessions for two credentials", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM users"); n != 1 {
			t.Fatalf("%d users", n)
		}
	}},
	{"housekeeping forgets expired credentials", func(t *testing.T, s *store.Store) {
		for i, exp := range []time.Time{t0.Add(time.Minute), t0.Add(72 * time.Hour)} {
			c := &store.CredentialUse{Hash: h(fmt.Sprint("c", i)), ExpiresAt: exp}
			if err := credentialSignIn(s, "1", c, fmt.Sprint("fam-", i), t0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DeleteExpired(context.Background(), t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM used_credentials WHERE credential_hash = ?", h("c1")); n != 1 ||
			count(t, s, "SELECT COUNT(*) FROM used_credentials") != 1 {
			t.Fatal("DeleteExpired: want only the live credential left")
		}
	}},
}
