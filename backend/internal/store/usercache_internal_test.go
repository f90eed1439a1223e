package store

import (
	"fmt"
	"testing"
	"time"
)

func TestUserCache(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := newUserCache()
	c.now = func() time.Time { return now }
	c.put(User{ID: "a", Name: "Ada"})
	tests := []struct {
		name  string
		after time.Duration
		hit   bool
	}{
		{"fresh", 0, true},
		{"just inside the TTL", userCacheTTL - time.Millisecond, true},
		{"at the TTL", userCacheTTL, false},
		{"clock went back", -time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.put(User{ID: "a", Name: "Ada"})
			saved := now
			now = now.Add(tt.after)
			defer func() { now = saved }()
			if u, ok := c.get("a"); ok != tt.hit || (ok && u.Name != "Ada") {
				t.Fatalf("get after %v = %+v, %v; want hit %v", tt.after, u, ok, tt.hit)
			}
		})
	}
	c.put(User{ID: "a"})
	c.drop("a")
	if _, ok := c.get("a"); ok {
		t.Fatal("a dropped user is still answered")
	}
	for i := range userCacheMax * 2 {
		c.put(User{ID: fmt.Sprint(i)})
		if len(c.m) > userCacheMax {
			t.Fatalf("cache holds %d users, max %d", len(c.m), userCacheMax)
		}
	}
}
