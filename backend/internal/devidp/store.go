package devidp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

const (
	codeTTL = 60 * time.Second
	// codeKeep: a spent or expired code is remembered this long, so a late
	// replay is still recognised (and revokes the token it gave).
	codeKeep       = 10 * time.Minute
	accessTokenTTL = time.Hour
	// maxEntries bounds memory under load tests: past it, the oldest
	// entries are forgotten first.
	maxEntries = 200_000
)

// grant is an authorization code: what it is bound to, and whether it
// has been presented.
type grant struct {
	api, client, redirect, challenge, nonce string
	scopes                                  scopeSet
	user                                    User
	expires                                 time.Time
	used                                    bool
	accessHash                              string // the token it gave, revoked on replay
}

// accessToken is what a bearer token at a user API stands for.
type accessToken struct {
	api, client string
	scopes      scopeSet
	user        User
	expires     time.Time
}

// expiring is a map of hashed secrets to values, kept in insertion order
// so the oldest go first. Every entry of one store has the same lifetime,
// so insertion order is expiry order. The caller holds IDP.mu.
type expiring[V any] struct {
	m     map[string]V
	order []expiringKey // order[head:] are live, oldest first
	head  int
	max   int
}

type expiringKey struct {
	hash   string
	forget time.Time
}

func newExpiring[V any](max int) *expiring[V] {
	return &expiring[V]{m: map[string]V{}, max: max}
}

func (e *expiring[V]) put(now time.Time, hash string, v V, keep time.Duration) {
	e.sweep(now)
	e.m[hash] = v
	e.order = append(e.order, expiringKey{hash, now.Add(keep)})
}

func (e *expiring[V]) get(hash string) (V, bool) {
	v, ok := e.m[hash]
	return v, ok
}

// del forgets an entry now; its place in order goes at its time.
func (e *expiring[V]) del(hash string) { delete(e.m, hash) }

func (e *expiring[V]) len() int { return len(e.m) }

func (e *expiring[V]) sweep(now time.Time) {
	for e.head < len(e.order) && (len(e.order)-e.head >= e.max || !now.Before(e.order[e.head].forget)) {
		delete(e.m, e.order[e.head].hash)
		e.order[e.head] = expiringKey{}
		e.head++
	}
	if e.head > 1024 && e.head*2 > len(e.order) {
		n := copy(e.order, e.order[e.head:])
		e.order, e.head = e.order[:n], 0
	}
}

// randomToken is n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics on platform failure)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashOf is how codes and tokens are stored: never as themselves.
func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// scopeSet is a space-separated scope list. An empty set grants every
// scope: an omitted scope gets the default the product asks for (GitHub
// and Discord are stricter; the devidp documents this shortcut).
type scopeSet string

func (s scopeSet) has(scope string) bool {
	if s == "" {
		return true
	}
	for _, x := range strings.Fields(string(s)) {
		if x == scope {
			return true
		}
	}
	return false
}

func (s scopeSet) hasAny(scopes ...string) bool {
	for _, x := range scopes {
		if s.has(x) {
			return true
		}
	}
	return false
}
