package token

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// verifiedMax bounds the verified-token cache: a few thousand active
// sessions' current tokens, about a megabyte.
const verifiedMax = 4096

// verifiedCache remembers access tokens whose signature and claims checked
// out, by the SHA-256 of their exact bytes, so a token presented again (every
// API call of a signed-in page) skips the ECDSA/EdDSA verification, half of
// the cost of an authenticated read. A hit is only answered while the token
// is inside its lifetime (the same leeway as the parser) and while the key
// that verified it is still published; anything else takes the full path,
// which gives the precise error. Different bytes are a different entry, so a
// tampered token never matches a verified one.
type verifiedCache struct {
	mu sync.Mutex
	m  map[[32]byte]verifiedEntry
}

type verifiedEntry struct {
	claims shared.AccessClaims
	kid    string // the key that verified it (its RFC 7638 thumbprint)
}

func newVerifiedCache() *verifiedCache {
	return &verifiedCache{m: make(map[[32]byte]verifiedEntry)}
}

func tokenDigest(raw string) [32]byte { return sha256.Sum256([]byte(raw)) }

// get answers the cached claims of digest when they may be used at now.
// published reports whether a kid is still one the manager accepts.
func (c *verifiedCache) get(digest [32]byte, now time.Time, leeway time.Duration, published func(kid string) bool) (shared.AccessClaims, bool) {
	c.mu.Lock()
	e, ok := c.m[digest]
	c.mu.Unlock()
	if !ok {
		return shared.AccessClaims{}, false
	}
	if !usableAt(e.claims, now, leeway) || !published(e.kid) {
		c.mu.Lock()
		delete(c.m, digest)
		c.mu.Unlock()
		return shared.AccessClaims{}, false
	}
	return e.claims, true
}

// put remembers a verified token. When the cache is full, expired entries
// go first, then arbitrary ones until a quarter is free.
func (c *verifiedCache) put(digest [32]byte, e verifiedEntry, now time.Time, leeway time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= verifiedMax {
		for d, old := range c.m {
			if !usableAt(old.claims, now, leeway) {
				delete(c.m, d)
			}
		}
		for d := range c.m {
			if len(c.m) < verifiedMax*3/4 {
				break
			}
			delete(c.m, d)
		}
	}
	c.m[digest] = e
}

// usableAt mirrors the parser's time checks: not past exp, not before iat
// or nbf, each with the leeway.
func usableAt(c shared.AccessClaims, now time.Time, leeway time.Duration) bool {
	if !now.Before(time.Unix(c.ExpiresAt, 0).Add(leeway)) {
		return false
	}
	if now.Before(time.Unix(c.IssuedAt, 0).Add(-leeway)) {
		return false
	}
	return c.NotBefore == 0 || !now.Before(time.Unix(c.NotBefore, 0).Add(-leeway))
}
