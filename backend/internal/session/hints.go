package session

import "sync"

// maxHints bounds the hint table: about 200 bytes an entry, so at most
// ~1.6 MB. A session whose hint was dropped (or that this process did not
// issue) is simply signed inside the rotation.
const maxHints = 8192

// hints remembers, for refresh tokens this process issued, which family
// and user they belong to, so that a refresh can sign the next access
// token before it queues for the rotation instead of inside it (where, on
// SQLite's single writer or inside a MySQL batch holding row locks, every
// signature delays every other rotation). A hint is never a decision: the
// rotation, which decides, uses the signed token only when it finds the
// same family and the same claims. A family's user never changes, so a
// hint cannot go stale; at worst it is missing.
//
// Each token is spent once, so a hint is taken (removed) when used.
type hints struct {
	mu sync.Mutex
	m  map[string]hint
}

type hint struct{ family, user string }

func newHints() *hints { return &hints{m: make(map[string]hint)} }

// put remembers the family and user of the token with this hash. When the
// table is full an arbitrary entry makes room.
func (h *hints) put(tokenHash []byte, family, user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.m) >= maxHints {
		for k := range h.m {
			delete(h.m, k)
			break
		}
	}
	h.m[string(tokenHash)] = hint{family: family, user: user}
}

// take answers and forgets the hint for the token with this hash.
func (h *hints) take(tokenHash []byte) (hint, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[string(tokenHash)]
	if ok {
		delete(h.m, string(tokenHash))
	}
	return v, ok
}

// len answers how many hints are held.
func (h *hints) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.m)
}
