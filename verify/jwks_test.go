package verify

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMaxAge(t *testing.T) {
	for cc, want := range map[string]time.Duration{
		"public, max-age=300":   300 * time.Second,
		"max-age=\"60\"":        time.Minute,
		"MAX-AGE=10, public":    10 * time.Second,
		"max-age=99999999":      maxMaxAge,
		"":                      defaultMaxAge,
		"public":                defaultMaxAge,
		"no-store":              0,
		"no-cache, max-age=300": 0,
		"max-age=-5":            0,
		"max-age=soon":          0,
	} {
		if got := maxAge(cc); got != want {
			t.Errorf("maxAge(%q) = %s, want %s", cc, got, want)
		}
	}
}

// verifyEvery checks that a token of k verifies at each step and that the
// issuer's JWKS was fetched wantHits times in all after it.
type cacheStep struct {
	advance  time.Duration
	key      *testKey
	want     error
	wantHits int32
}

func runCacheSteps(t *testing.T, is *testIssuer, clock *fakeClock, v *Verifier, steps []cacheStep) {
	t.Helper()
	for i, s := range steps {
		clock.Advance(s.advance)
		// Tokens are minted at the step's time so that none expires.
		_, err := v.Verify(context.Background(), sign(t, s.key, is.claimsAt(clock.Now()), nil))
		if !errors.Is(err, s.want) {
			t.Fatalf("step %d: Verify err = %v, want %v", i, err, s.want)
		}
		if got := is.jwksHits.Load(); got != s.wantHits {
			t.Fatalf("step %d: JWKS fetched %d times, want %d", i, got, s.wantHits)
		}
	}
}

func TestJWKSCacheHonoursMaxAge(t *testing.T) {
	ec := newECKey(t, "ec-1")
	is := newTestIssuer(t, ec)
	is.cacheControl = "public, max-age=120"
	clock := newFakeClock()
	v := mustNew(t, is, WithClock(clock.Now))
	runCacheSteps(t, is, clock, v, []cacheStep{
		{key: ec, wantHits: 1},                             // New fetched it
		{advance: 119 * time.Second, key: ec, wantHits: 1}, // still fresh
		{advance: time.Second, key: ec, wantHits: 2},       // max-age over: fetched again
		{advance: 60 * time.Second, key: ec, wantHits: 2},
	})
}

func TestJWKSNoStoreIsFetchedAtMostOncePerInterval(t *testing.T) {
	ec := newECKey(t, "ec-1")
	is := newTestIssuer(t, ec)
	is.cacheControl = "no-store"
	clock := newFakeClock()
	v := mustNew(t, is, WithClock(clock.Now), WithRefetchInterval(10*time.Second))
	runCacheSteps(t, is, clock, v, []cacheStep{
		{key: ec, wantHits: 1},
		{advance: 9 * time.Second, key: ec, wantHits: 1},
		{advance: time.Second, key: ec, wantHits: 2},
		{key: ec, wantHits: 2},
	})
}

func TestUnknownKIDRefetchesOncePerInterval(t *testing.T) {
	old, next, forged := newECKey(t, "old"), newECKey(t, "next"), newECKey(t, "forged")
	is := newTestIssuer(t, old)
	clock := newFakeClock()
	v := mustNew(t, is, WithClock(clock.Now))                        // default interval 30 s, max-age 300 s
	is.set(func(is *testIssuer) { is.keys = append(is.keys, next) }) // the issuer rotates
	runCacheSteps(t, is, clock, v, []cacheStep{
		{key: old, wantHits: 1},
		// New fetched just now: the next unknown kid waits for the interval.
		{advance: 29 * time.Second, key: next, want: ErrInvalid, wantHits: 1},
		{advance: time.Second, key: next, wantHits: 2}, // one refetch finds it
		{key: next, wantHits: 2},
		{key: forged, want: ErrInvalid, wantHits: 2}, // forged kids cannot make it fetch again
		{advance: 10 * time.Second, key: forged, want: ErrInvalid, wantHits: 2},
		{advance: 20 * time.Second, key: forged, want: ErrInvalid, wantHits: 3},
		{key: old, wantHits: 3},
	})
}

func TestUnreachableIssuer(t *testing.T) {
	ec, next := newECKey(t, "ec-1"), newECKey(t, "next")
	is := newTestIssuer(t, ec)
	clock := newFakeClock()
	v := mustNew(t, is, WithClock(clock.Now))
	is.set(func(is *testIssuer) { is.jwksStatus = 503 })
	runCacheSteps(t, is, clock, v, []cacheStep{
		// Past max-age the fetch fails: the cached key still verifies.
		{advance: 301 * time.Second, key: ec, wantHits: 2},
		// An unknown kid cannot be checked: the keys are unavailable.
		{advance: 30 * time.Second, key: next, want: ErrKeyUnavailable, wantHits: 3},
		// Failed fetches are throttled too.
		{key: next, want: ErrKeyUnavailable, wantHits: 3},
		{key: ec, wantHits: 3},
	})
	is.set(func(is *testIssuer) { is.jwksStatus = 0; is.keys = append(is.keys, next) })
	runCacheSteps(t, is, clock, v, []cacheStep{
		{advance: 30 * time.Second, key: next, wantHits: 4},
	})
}

func TestRefetchOutlivesTheRequest(t *testing.T) {
	old, next := newECKey(t, "old"), newECKey(t, "next")
	is := newTestIssuer(t, old)
	clock := newFakeClock()
	v := mustNew(t, is, WithClock(clock.Now))
	is.set(func(is *testIssuer) { is.keys = append(is.keys, next) })
	clock.Advance(30 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client went away
	if _, err := v.Verify(ctx, sign(t, next, is.claimsAt(clock.Now()), nil)); err != nil {
		t.Fatalf("Verify with a cancelled context: %v", err)
	}
}
