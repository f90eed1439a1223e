package store

import (
	"sync"
	"time"
)

// userCacheTTL is how long GetUser answers a user row from memory. Users
// change only when they are created (never cached before) and when they are
// disabled or enabled: SetUserDisabled drops this process's entry at once;
// another replica sees the change within the TTL.
const userCacheTTL = 2 * time.Second

// userCacheMax bounds the cache (rows are a few hundred bytes).
const userCacheMax = 4096

// userCache keeps recently read users for the authenticated reads, where
// every call of a signed-in page reads its user again.
type userCache struct {
	mu  sync.Mutex
	m   map[string]cachedUser
	now func() time.Time
}

type cachedUser struct {
	u  User
	at time.Time
}

func newUserCache() *userCache {
	return &userCache{m: make(map[string]cachedUser), now: time.Now}
}

func (c *userCache) get(id string) (User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok {
		return User{}, false
	}
	if age := c.now().Sub(e.at); age < 0 || age >= userCacheTTL {
		delete(c.m, id)
		return User{}, false
	}
	return e.u, true
}

func (c *userCache) put(u User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.m) >= userCacheMax {
		for id, e := range c.m {
			if now.Sub(e.at) >= userCacheTTL || len(c.m) >= userCacheMax*3/4 {
				delete(c.m, id)
			}
		}
	}
	c.m[u.ID] = cachedUser{u: u, at: now}
}

func (c *userCache) drop(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
