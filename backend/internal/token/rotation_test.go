package token_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

const leeway = 30 * time.Second // the default, which opts keeps

// TestRotationByAge walks the clock through two rotations inside one
// access lifetime: each key is in the JWKS before it signs, a token stays
// valid until its own exp whatever was rotated meanwhile, and a key leaves
// the JWKS exactly access TTL + leeway after it stopped signing.
func TestRotationByAge(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		for _, alg := range algs {
			t.Run(alg, func(t *testing.T) {
				ctx := context.Background()
				clk := newClock()
				ks := open(t)
				m := mustNew(t, ks, opts(clk, alg))
				k1 := m.CurrentKID()

				k2, from2, err := m.Rotate(ctx)
				if err != nil || k2 == k1 {
					t.Fatalf("Rotate = %q, %v", k2, err)
				}
				if !from2.Equal(t0.Add(token.PrePublish)) || token.PrePublish < token.JWKSMaxAge {
					t.Fatalf("k2 signs from %v, want now + %v (≥ the JWKS cache lifetime)", from2, token.PrePublish)
				}
				// Published at once, signing only from from2.
				wantState(t, m, k1, k1, k2)
				clk.Set(from2.Add(-time.Microsecond))
				wantState(t, m, k1, k1, k2)
				tok1 := mustSign(t, m) // k1's last token: exp from2 + TTL

				clk.Set(from2)
				wantState(t, m, k2, k2, k1)
				// A second rotation while tok1 is live.
				k3, from3, err := m.Rotate(ctx)
				if err != nil {
					t.Fatal(err)
				}
				wantState(t, m, k2, k2, k3, k1)
				clk.Set(from3)
				wantState(t, m, k3, k3, k2, k1)
				if from3.Sub(from2) >= ttl {
					t.Fatalf("the two rotations are %v apart, not inside one access lifetime", from3.Sub(from2))
				}
				c1, err := m.Verify(ctx, tok1)
				if err != nil {
					t.Fatalf("k1's token after k3 became current: %v", err)
				}
				// k1's tokens live until their exp + leeway at most...
				clk.Set(time.Unix(c1.ExpiresAt, 0).Add(leeway - time.Microsecond))
				if _, err := m.Verify(ctx, tok1); err != nil {
					t.Fatalf("k1's token just before its exp + leeway: %v", err)
				}
				// ...and k1, which stopped signing at from2, is published
				// until from2 + TTL + leeway, not a moment less.
				gone := from2.Add(ttl + leeway)
				clk.Set(gone.Add(-time.Microsecond))
				wantState(t, m, k3, k3, k2, k1)
				clk.Set(gone)
				wantState(t, m, k3, k3, k2)
				if _, err := m.Verify(ctx, tok1); code(t, err) != shared.CodeInvalidToken {
					t.Fatalf("k1's token once k1 left the JWKS: %v", err)
				}
				// k2 stopped at from3.
				clk.Set(from3.Add(ttl + leeway - time.Microsecond))
				wantState(t, m, k3, k3, k2)
				clk.Set(from3.Add(ttl + leeway))
				wantState(t, m, k3, k3)

				// A restart on the same database gives the same answer; the
				// next rotation marks the keys that left retired.
				again := mustNew(t, ks, opts(clk, alg))
				wantState(t, again, k3, k3)
				if _, _, err := again.Rotate(ctx); err != nil {
					t.Fatal(err)
				}
				rows, _ := ks.ListSigningKeys(ctx)
				if len(rows) != 2 || rows[1].KID != k3 {
					t.Fatalf("stored unretired keys after the third rotation: %d", len(rows))
				}
			})
		}
	})
}

// wantState checks the signing key (by the kid of a fresh token and by
// CurrentKID) and the JWKS, in order.
func wantState(tb testing.TB, m *token.Manager, signs string, published ...string) {
	tb.Helper()
	if m.CurrentKID() != signs {
		tb.Fatalf("current kid %s, want %s", m.CurrentKID(), signs)
	}
	if kid := header(tb, mustSign(tb, m))["kid"]; kid != signs {
		tb.Fatalf("signed with %v, want %s", kid, signs)
	}
	if got := kids(tb, m); !slices.Equal(got, published) {
		tb.Fatalf("JWKS = %v, want %v", got, published)
	}
}

// TestRestartSameAnswer: at every moment of a rotation, a Manager started
// afresh on the same database signs with the same key and publishes the
// same JWKS as the one running.
func TestRestartSameAnswer(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		ctx := context.Background()
		clk := newClock()
		ks := open(t)
		m := mustNew(t, ks, opts(clk, ""))
		_, from2, err := m.Rotate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{t0, from2.Add(-time.Microsecond), from2, from2.Add(ttl + leeway)} {
			clk.Set(at)
			fresh := mustNew(t, ks, opts(clk, ""))
			if fresh.CurrentKID() != m.CurrentKID() || !slices.Equal(kids(t, fresh), kids(t, m)) {
				t.Fatalf("at %v: restarted manager signs with %s and publishes %v; running one %s, %v",
					at, fresh.CurrentKID(), kids(t, fresh), m.CurrentKID(), kids(t, m))
			}
		}
	})
}

// Replicas share the store. One that has not read the store since before
// a rotation serves the old JWKS for at most its cache lifetime (30 s); a
// verifier caching that answer for JWKSMaxAge still drops it before the new
// key signs. When it does, every replica signs with it.
func TestReplicas(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		ctx := context.Background()
		clk := newClock()
		ks := open(t)
		a := mustNew(t, ks, opts(clk, ""))
		b := mustNew(t, ks, opts(clk, ""))
		c := mustNew(t, ks, opts(clk, ""))
		k1 := a.CurrentKID()
		if b.CurrentKID() != k1 || c.CurrentKID() != k1 {
			t.Fatal("managers on one store use different keys")
		}
		old := mustSign(t, a)
		if _, err := b.Verify(ctx, old); err != nil {
			t.Fatalf("b verifying a's token: %v", err)
		}
		k2, from2, err := a.Rotate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// c read the store at t0: until 30 s later it serves the old set.
		stale := t0.Add(29 * time.Second)
		clk.Set(stale)
		if got := kids(t, c); !slices.Equal(got, []string{k1}) {
			t.Fatalf("c's JWKS at 29 s = %v", got)
		}
		if !stale.Add(token.JWKSMaxAge).Before(from2) {
			t.Fatalf("a JWKS served at %v and cached for %v is still in use when the new key signs at %v", stale, token.JWKSMaxAge, from2)
		}
		clk.Set(t0.Add(30 * time.Second))
		for name, m := range map[string]*token.Manager{"b": b, "c": c} {
			if got := kids(t, m); !slices.Equal(got, []string{k1, k2}) {
				t.Fatalf("%s's JWKS at 30 s = %v, want [%s %s]", name, got, k1, k2)
			}
		}
		clk.Set(from2)
		for name, m := range map[string]*token.Manager{"a": a, "b": b, "c": c} {
			if tok := mustSign(t, m); header(t, tok)["kid"] != k2 {
				t.Fatalf("%s does not sign with the new key at its time", name)
			}
			if _, err := m.Verify(ctx, old); err != nil {
				t.Fatalf("%s: the old key's token: %v", name, err)
			}
		}
	})
}

// racing makes the first read of each Manager wait until every Manager
// has read: all of them find the store empty and generate a key.
type racing struct {
	token.KeyStore
	once sync.Once
	wg   *sync.WaitGroup
}

func (r *racing) ListSigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	rows, err := r.KeyStore.ListSigningKeys(ctx)
	r.once.Do(func() { r.wg.Done(); r.wg.Wait() })
	return rows, err
}

// TestConcurrentFirstStart: replicas starting together on an empty
// database settle on one first key, which signs at once.
func TestConcurrentFirstStart(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		const n = 2
		clk := newClock()
		ks := open(t)
		var wg sync.WaitGroup
		wg.Add(n)
		ms := make([]*token.Manager, n)
		errs := make([]error, n)
		var done sync.WaitGroup
		for i := range n {
			done.Add(1)
			go func() {
				defer done.Done()
				ms[i], errs[i] = token.New(context.Background(), &racing{KeyStore: ks, wg: &wg}, opts(clk, ""))
			}()
		}
		done.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rows, _ := ks.ListSigningKeys(context.Background())
		if len(rows) != 1 {
			t.Fatalf("%d replicas starting at once stored %d keys, want 1", n, len(rows))
		}
		for i := range n {
			if ms[i].CurrentKID() != rows[0].KID || !slices.Equal(kids(t, ms[i]), []string{rows[0].KID}) {
				t.Fatalf("replica %d signs with %s, publishes %v; stored %s", i, ms[i].CurrentKID(), kids(t, ms[i]), rows[0].KID)
			}
			if _, err := ms[i].Verify(context.Background(), mustSign(t, ms[1-i])); err != nil {
				t.Fatalf("replica %d verifying replica %d: %v", i, 1-i, err)
			}
		}
	})
}
