package token

import (
	"fmt"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// TestVerifiedCacheBounded: the cache never grows past verifiedMax, drops
// expired entries first and never answers for an unpublished kid.
func TestVerifiedCacheBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := newVerifiedCache()
	claims := func(exp time.Time) shared.AccessClaims {
		return shared.AccessClaims{Subject: "u", ExpiresAt: exp.Unix(), IssuedAt: now.Add(-time.Minute).Unix()}
	}
	live := tokenDigest("live")
	c.put(live, verifiedEntry{claims: claims(now.Add(time.Hour)), kid: "k1"}, now, 0)
	for i := range verifiedMax + 500 {
		c.put(tokenDigest(fmt.Sprint("old", i)), verifiedEntry{claims: claims(now.Add(-time.Hour)), kid: "k1"}, now, 0)
		if len(c.m) > verifiedMax {
			t.Fatalf("cache holds %d entries, max %d", len(c.m), verifiedMax)
		}
	}
	all := func(string) bool { return true }
	if _, ok := c.get(live, now, 0, all); !ok {
		t.Fatal("the live entry was evicted before expired ones")
	}
	if _, ok := c.get(live, now, 0, func(kid string) bool { return kid != "k1" }); ok {
		t.Fatal("answered for a kid that is no longer published")
	}
	if _, ok := c.get(live, now, 0, all); ok {
		t.Fatal("an entry refused for its kid stayed cached")
	}
}
