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

func ident(provider, subject, email string) store.Identity {
	i := store.Identity{Provider: provider, Issuer: "https://" + provider + ".example", Subject: subject, Email: email}
	if email != "" {
		i.EmailCanonical, i.EmailVerified = strptr(email), true
	}
	return i
}

func signIn(s *store.Store, i store.Identity, link bool) (store.User, bool, error) {
	return s.SignIn(context.Background(), store.SignInParams{Identity: i, Name: "N", LinkByVerifiedEmail: link, Now: t0})
}

// signinCases join the conformance suite (TestConformance in store_test.go).
var signinCases = []conformanceCase{
	{"a sign-in stores its handoff code and login events with it", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		params := func(code string) store.SignInParams {
			return store.SignInParams{Identity: ident("github", "7", "g@example.com"), Name: "G", Now: t0,
				Handoff: &store.Handoff{CodeHash: h(code), Provider: "github", Challenge: "ch", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)},
				Events:  []store.LoginEvent{{ID: store.NewID(), Provider: "github", Outcome: "success", CreatedAt: t0}}}
		}
		for i, wantNew := range []bool{true, false} { // first sign-in, then the known-identity path
			code := "hc" + string(rune('1'+i))
			u, isNew, err := s.SignIn(ctx, params(code))
			if err != nil || isNew != wantNew {
				t.Fatalf("sign-in %d: %v, new %v", i, err, isNew)
			}
			got, err := spendHandoff(s, h(code), t0.Add(time.Second))
			if err != nil || got.UserID != u.ID || got.IsNew != wantNew || got.Challenge != "ch" {
				t.Fatalf("handoff %d = %+v, %v", i, got, err)
			}
			if n := count(t, s, "SELECT COUNT(*) FROM login_events WHERE user_id = ?", u.ID); n != i+1 {
				t.Fatalf("login events after sign-in %d = %d", i, n)
			}
		}
		// A refused sign-in stores no handoff code.
		_, _, err := s.SignIn(ctx, store.SignInParams{Identity: ident("discord", "8", "g@example.com"), Name: "D", Now: t0,
			Handoff: &store.Handoff{CodeHash: h("hc-dup"), Provider: "discord", Challenge: "ch", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}})
		var dup *store.DuplicateEmailError
		if !errors.As(err, &dup) {
			t.Fatalf("duplicate email: %v", err)
		}
		if _, err := spendHandoff(s, h("hc-dup"), t0.Add(time.Second)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused sign-in left its handoff code: %v", err)
		}
	}},
	{"a redeemed handoff opens its session in the same transaction", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, _, err := signIn(s, ident("github", "1", "a@example.com"), false)
		if err != nil {
			t.Fatal(err)
		}
		newSession := func(id, tok string) *store.NewSession {
			return &store.NewSession{
				Family: store.Family{ID: id, IP: "192.0.2.1", CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour), Generation: 1, Secret: h(tok)},
			}
		}
		code := func(c string, exp time.Time) {
			t.Helper()
			if err := s.CreateHandoff(ctx, store.Handoff{CodeHash: h(c), UserID: u.ID, Provider: "github", Challenge: "chal",
				IsNew: true, CreatedAt: t0, ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
		}
		refused := errors.New("wrong verifier")
		tests := []struct {
			name    string
			code    string
			expires time.Time
			check   func(store.Handoff) error
			wantErr error
			opened  bool
		}{
			{"approved", "c1", t0.Add(time.Minute), func(h store.Handoff) error {
				if h.UserID != u.ID || h.Challenge != "chal" || !h.IsNew {
					return errors.New("check saw the wrong handoff")
				}
				return nil
			}, nil, true},
			{"refused by the check: spent, no session", "c2", t0.Add(time.Minute), func(store.Handoff) error { return refused }, refused, false},
			{"expired", "c3", t0, func(store.Handoff) error { return nil }, store.ErrNotFound, false},
		}
		for i, tt := range tests {
			code(tt.code, tt.expires)
			fam := "fam-r" + string(rune('1'+i))
			_, err := s.RedeemHandoff(ctx, h(tt.code), t0.Add(time.Second), tt.check, newSession(fam, "tok-"+tt.code))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
			}
			if n := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE id = ? AND user_id = ?", fam, u.ID); (n == 1) != tt.opened {
				t.Fatalf("%s: families = %d, opened %v", tt.name, n, tt.opened)
			}
			// Whatever the outcome, the code is now unusable.
			if _, err := s.RedeemHandoff(ctx, h(tt.code), t0.Add(time.Second), func(store.Handoff) error { return nil }, newSession(fam+"x", "tok-x"+tt.code)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("%s: second redeem = %v, want ErrNotFound", tt.name, err)
			}
		}
		if _, err := rotate(s, tok{"fam-r1", 1, h("tok-c1")}, t0.Add(time.Minute)); err != nil {
			t.Fatalf("the redeemed session's token does not rotate: %v", err)
		}
		// A session that cannot be written (its family id is taken) fails
		// the redemption whole: no token, and the code is not spent.
		code("c4", t0.Add(time.Minute))
		_, err = s.RedeemHandoff(ctx, h("c4"), t0.Add(time.Second), func(store.Handoff) error { return nil }, newSession("fam-r1", "tok-c4"))
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("redeem into a taken family id: %v, want ErrConflict", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE secret = ?", h("tok-c4")); n != 0 {
			t.Fatal("a failed redemption left its session behind")
		}
		if _, err := s.RedeemHandoff(ctx, h("c4"), t0.Add(time.Second), func(store.Handoff) error { return nil }, newSession("fam-r4", "tok-c4")); err != nil {
			t.Fatalf("the code of a failed redemption was spent: %v", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE id = ?", "fam-r4"); n != 1 {
			t.Fatalf("families fam-r4 = %d after the retried redemption", n)
		}
	}},
	{"parallel handoff redemptions: exactly one opens a session", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := mkUser(t, s, "p@example.com")
		if err := s.CreateHandoff(ctx, store.Handoff{CodeHash: h("pc"), UserID: u.ID, Provider: "github", Challenge: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.RedeemHandoff(ctx, h("pc"), t0.Add(time.Second), func(store.Handoff) error { return nil }, &store.NewSession{
					Family: store.Family{ID: fmt.Sprint("fam-p", i), IP: "192.0.2.1", CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour),
						Generation: 1, Secret: h(fmt.Sprint("tok-p", i))}})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrNotFound):
				t.Fatalf("a losing redemption: %v, want ErrNotFound", err)
			}
		}
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE id LIKE 'fam-p%'"); won != 1 || n != 1 {
			t.Fatalf("%d redemptions won, %d sessions opened; want 1 and 1", won, n)
		}
	}},
	{"sign-in opens its session in the same transaction", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		newSession := func(id, tok string) *store.NewSession {
			return &store.NewSession{
				Family: store.Family{ID: id, Provider: "github", IP: "192.0.2.1", CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour),
					Generation: 1, Secret: h(tok)},
				Events: []store.LoginEvent{{ID: store.NewID(), Provider: "github", Outcome: "success", CreatedAt: t0}},
			}
		}
		u, isNew, err := s.SignIn(ctx, store.SignInParams{Identity: ident("github", "1", "a@example.com"), Name: "A", Now: t0,
			Session: newSession("fam-1", "tok-1")})
		if err != nil || !isNew {
			t.Fatalf("first sign-in: %v, new %v", err, isNew)
		}
		fs := active(t, s, u, t0)
		if len(fs) != 1 || fs[0].ID != "fam-1" || fs[0].UserID != u.ID {
			t.Fatalf("families = %+v", fs)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM login_events WHERE user_id = ?", u.ID); n != 1 {
			t.Fatalf("login events for the user = %d, want 1", n)
		}
		if _, err := rotate(s, tok{"fam-1", 1, h("tok-1")}, t0.Add(time.Minute)); err != nil {
			t.Fatalf("the session's first token does not rotate: %v", err)
		}
		// A refused sign-in writes neither a user nor a session nor an event.
		_, _, err = s.SignIn(ctx, store.SignInParams{Identity: ident("discord", "9", "a@example.com"), Name: "B", Now: t0,
			Session: newSession("fam-2", "tok-9")})
		var dup *store.DuplicateEmailError
		if !errors.As(err, &dup) {
			t.Fatalf("duplicate email: %v", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE id = ?", "fam-2"); n != 0 {
			t.Fatalf("a refused sign-in left its family behind")
		}
		if n := count(t, s, "SELECT COUNT(*) FROM login_events"); n != 1 {
			t.Fatalf("login events = %d after a refused sign-in, want 1", n)
		}
		// A family id that is taken fails the whole sign-in: no user either.
		_, _, err = s.SignIn(ctx, store.SignInParams{Identity: ident("github", "2", "c@example.com"), Name: "C", Now: t0,
			Session: newSession("fam-1", "tok-3")})
		if err == nil {
			t.Fatal("a sign-in whose session cannot be written succeeded")
		}
		if n := count(t, s, "SELECT COUNT(*) FROM identities WHERE subject = ?", []byte("2")); n != 0 {
			t.Fatalf("the identity of a failed sign-in was kept")
		}
	}},
	{"single use values", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := store.Flow{StateHash: h("st"), Provider: "github", Process: "login", Handoff: "popup", Nonce: "n", PKCEVerifier: "v",
			SPAChallenge: "c", BrowserHash: h("b"), CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
		if err := s.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		got, err := s.SpendFlow(ctx, h("st"), t0.Add(time.Minute))
		if err != nil || got.Provider != "github" || got.PKCEVerifier != "v" || string(got.BrowserHash) != string(h("b")) || got.UserID != nil {
			t.Fatalf("SpendFlow = %+v, %v", got, err)
		}
		if got.SpentAt == nil || !got.SpentAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("spent flow's spent_at = %v, want %v", got.SpentAt, t0.Add(time.Minute))
		}
		if _, err := s.SpendFlow(ctx, h("st"), t0.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("replayed state: %v", err)
		}
		f.StateHash = h("st-old")
		if err := s.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SpendFlow(ctx, h("st-old"), t0.Add(10*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired state: %v", err)
		}
		if _, err := s.SpendFlow(ctx, h("st-none"), t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown state: %v", err)
		}
		hc := store.Handoff{CodeHash: h("code"), UserID: "u", Provider: "github", Challenge: "c", IsNew: true, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
		if err := s.CreateHandoff(ctx, hc); err != nil {
			t.Fatal(err)
		}
		if _, err := spendHandoff(s, h("code"), t0.Add(61*time.Second)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired code: %v", err)
		}
		if err := s.CreateNonce(ctx, h("n"), t0, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.SpendNonce(ctx, h("n"), t0); err != nil {
			t.Fatal(err)
		}
		if err := s.SpendNonce(ctx, h("n"), t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("nonce twice: %v", err)
		}
	}},
	{"parallel redemptions: exactly one wins", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.CreateTicket(ctx, store.Ticket{TicketHash: h("t"), UserID: "u", Provider: "github", Challenge: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wins := make(chan bool, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SpendTicket(ctx, h("t"), t0)
				wins <- err == nil
			}()
		}
		wg.Wait()
		close(wins)
		n := 0
		for w := range wins {
			if w {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d redemptions won, want 1", n)
		}
	}},
	{"first sign-in creates, second finds", func(t *testing.T, s *store.Store) {
		u1, isNew, err := signIn(s, ident("github", "42", "ada@example.com"), false)
		if err != nil || !isNew || !u1.EmailVerified {
			t.Fatalf("first = %+v %v %v", u1, isNew, err)
		}
		u2, isNew, err := signIn(s, ident("github", "42", "ada@example.com"), false)
		if err != nil || isNew || u2.ID != u1.ID {
			t.Fatalf("second = %+v %v %v", u2, isNew, err)
		}
	}},
	{"subjects are case-sensitive", func(t *testing.T, s *store.Store) {
		a, _, err := signIn(s, ident("oidc", "Abc", ""), false)
		if err != nil {
			t.Fatal(err)
		}
		b, isNew, err := signIn(s, ident("oidc", "abc", ""), false)
		if err != nil || !isNew || a.ID == b.ID {
			t.Fatalf("abc vs Abc: same user %v, %v", a.ID == b.ID, err)
		}
	}},
	{"duplicate email is refused and names the providers", func(t *testing.T, s *store.Store) {
		if _, _, err := signIn(s, ident("github", "42", "ada@example.com"), false); err != nil {
			t.Fatal(err)
		}
		_, _, err := signIn(s, ident("discord", "99", "ada@example.com"), false)
		var dup *store.DuplicateEmailError
		if !errors.As(err, &dup) || !errors.Is(err, store.ErrDuplicateEmail) || len(dup.Providers) != 1 || dup.Providers[0] != "github" {
			t.Fatalf("err = %v", err)
		}
		var users, idents int
		if err := s.DB().Get(&users, "SELECT COUNT(*) FROM users"); err != nil || users != 1 {
			t.Fatalf("users = %d, %v; nothing may be written", users, err)
		}
		if err := s.DB().Get(&idents, "SELECT COUNT(*) FROM identities"); err != nil || idents != 1 {
			t.Fatalf("identities = %d, %v; nothing may be written", idents, err)
		}
	}},
	{"link_verified links", func(t *testing.T, s *store.Store) {
		u1, _, _ := signIn(s, ident("github", "42", "ada@example.com"), true)
		u2, isNew, err := signIn(s, ident("discord", "99", "ada@example.com"), true)
		if err != nil || isNew || u2.ID != u1.ID {
			t.Fatalf("link = %v %v %v", u2.ID == u1.ID, isNew, err)
		}
	}},
	{"unverified email never conflicts", func(t *testing.T, s *store.Store) {
		u1, _, _ := signIn(s, ident("github", "42", "ada@example.com"), false)
		un := ident("line", "7", "")
		un.Email = "ada@example.com"
		u2, isNew, err := signIn(s, un, false)
		if err != nil || !isNew || u2.ID == u1.ID || u2.EmailVerified {
			t.Fatalf("unverified = %+v %v %v", u2, isNew, err)
		}
	}},
	{"parallel first sign-ins make one user", func(t *testing.T, s *store.Store) {
		var wg sync.WaitGroup
		ids := make(chan string, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, _, err := signIn(s, ident("github", "42", "ada@example.com"), false)
				if err != nil {
					t.Error(err)
				}
				ids <- u.ID
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Fatalf("%d users for one identity", len(seen))
		}
	}},
	{"parallel sign-ups of different people never collide", func(t *testing.T, s *store.Store) {
		// New identities and emails that fall in one gap of each unique
		// index: at REPEATABLE READ their absent-key lookups locked that
		// gap and the inserts deadlocked on each other (load runs saw it).
		// A seed user on each side of the gap.
		for _, e := range []string{"p-00@example.com", "p-99@example.com"} {
			if _, _, err := signIn(s, ident("google", e, e), false); err != nil {
				t.Fatal(err)
			}
		}
		before := s.Retries()
		const n = 16
		var wg sync.WaitGroup
		for i := 1; i <= n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := fmt.Sprintf("p-%02d@example.com", i)
				if _, isNew, err := signIn(s, ident("google", e, e), false); err != nil || !isNew {
					t.Errorf("sign-up of %s: new %v, %v", e, isNew, err)
				}
			}()
		}
		wg.Wait()
		if r := s.Retries() - before; r != 0 {
			t.Fatalf("%d transactions ran again for %d sign-ups of different people", r, n)
		}
	}},
	{"a returning sign-in writes all of its session or nothing", func(t *testing.T, s *store.Store) {
		// The known-identity path: on MySQL its guard and writes travel in
		// one multi-statement query, committed only when the guard held.
		ctx := context.Background()
		params := func(fam, tok, code string, now time.Time) store.SignInParams {
			return store.SignInParams{Identity: ident("github", "5", "r@example.com"), Name: "R", Now: now,
				Session: &store.NewSession{
					Family: store.Family{ID: fam, Provider: "github", IP: "192.0.2.1", CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour),
						Generation: 1, Secret: h(tok)},
				},
				Handoff: &store.Handoff{CodeHash: h(code), Provider: "github", Challenge: "ch", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)},
				Events:  []store.LoginEvent{{ID: store.NewID(), Provider: "github", Outcome: "success", CreatedAt: t0}}}
		}
		u, isNew, err := s.SignIn(ctx, params("r-1", "r-tok-1", "r-code-1", t0))
		if err != nil || !isNew {
			t.Fatalf("first sign-in: %v, new %v", err, isNew)
		}
		written := func() (families, events, codes int) {
			return count(t, s, "SELECT COUNT(*) FROM refresh_families WHERE user_id = ?", u.ID),
				count(t, s, "SELECT COUNT(*) FROM login_events WHERE user_id = ?", u.ID),
				count(t, s, "SELECT COUNT(*) FROM handoff_codes WHERE user_id = ?", u.ID)
		}
		if _, isNew, err := s.SignIn(ctx, params("r-2", "r-tok-2", "r-code-2", t0.Add(time.Hour))); err != nil || isNew {
			t.Fatalf("returning sign-in: %v, new %v", err, isNew)
		}
		if f, e, c := written(); f != 2 || e != 2 || c != 2 {
			t.Fatalf("after two sign-ins: %d families, %d events, %d codes; want 2 of each", f, e, c)
		}
		// A family id that is taken: the sign-in fails and writes nothing,
		// not even the identity's last sign-in time.
		if _, _, err := s.SignIn(ctx, params("r-1", "r-tok-3", "r-code-3", t0.Add(2*time.Hour))); err == nil {
			t.Fatal("a returning sign-in whose session cannot be written succeeded")
		}
		if f, e, c := written(); f != 2 || e != 2 || c != 2 {
			t.Fatalf("a failed sign-in wrote: %d families, %d events, %d codes", f, e, c)
		}
		var last time.Time
		if err := s.DB().Get(&last, "SELECT last_login_at FROM identities WHERE user_id = ?", u.ID); err != nil || !last.Equal(t0.Add(time.Hour)) {
			t.Fatalf("identity's last sign-in %v, %v", last, err)
		}
		// Disabled behind the user cache's back: the guard fails, nothing
		// is written, and the full way refuses.
		if _, err := s.DB().Exec("UPDATE users SET disabled_at = ? WHERE id = ?", t0.UTC().Format("2006-01-02 15:04:05.000000"), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SignIn(ctx, params("r-4", "r-tok-4", "r-code-4", t0.Add(3*time.Hour))); !errors.Is(err, store.ErrUserDisabled) {
			t.Fatalf("disabled behind the cache: %v", err)
		}
		if f, e, c := written(); f != 2 || e != 2 || c != 2 {
			t.Fatalf("a refused sign-in wrote: %d families, %d events, %d codes", f, e, c)
		}
	}},
	{"disabled users get no sign-in", func(t *testing.T, s *store.Store) {
		u, _, _ := signIn(s, ident("github", "42", ""), false)
		if err := s.SetUserDisabled(context.Background(), u.ID, &t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := signIn(s, ident("github", "42", ""), false); !errors.Is(err, store.ErrUserDisabled) {
			t.Fatalf("disabled: %v", err)
		}
	}},
	{"connect rules and disconnect", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, _, _ := signIn(s, ident("github", "1", "a@example.com"), false)
		b, _, _ := signIn(s, ident("github", "2", "b@example.com"), false)
		if _, err := s.Connect(ctx, a.ID, ident("github", "1", ""), t0); !errors.Is(err, store.ErrAlreadyConnectedSelf) {
			t.Fatalf("self: %v", err)
		}
		if _, err := s.Connect(ctx, a.ID, ident("github", "2", ""), t0); !errors.Is(err, store.ErrAlreadyConnectedOther) {
			t.Fatalf("other: %v", err)
		}
		d, err := s.Connect(ctx, a.ID, ident("discord", "9", ""), t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteIdentity(ctx, b.ID, d.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another user's identity: %v", err)
		}
		ids, _ := s.ListIdentities(ctx, a.ID)
		if len(ids) != 2 {
			t.Fatalf("%d identities", len(ids))
		}
		// Two parallel deletes of the two methods: exactly one passes.
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, i := range ids {
			wg.Add(1)
			go func(id string) { defer wg.Done(); errs <- s.DeleteIdentity(ctx, a.ID, id) }(i.ID)
		}
		wg.Wait()
		close(errs)
		var ok, last int
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrLastLoginMethod):
				last++
			default:
				t.Fatal(err)
			}
		}
		if ok != 1 || last != 1 {
			t.Fatalf("parallel deletes: %d ok, %d last_login_method", ok, last)
		}
	}},
}

// spendHandoff redeems a handoff code without opening a session.
func spendHandoff(s *store.Store, code []byte, now time.Time) (store.Handoff, error) {
	return s.RedeemHandoff(context.Background(), code, now, func(store.Handoff) error { return nil }, nil)
}
