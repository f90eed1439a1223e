package ratelimit

import (
	"strconv"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestLimiter(t *testing.T) {
	type step struct {
		advance time.Duration
		key     string
		want    bool
	}
	cases := []struct {
		name      string
		perMinute int
		burst     int
		steps     []step
	}{
		{"disabled", 0, 0, []step{{0, "a", true}, {0, "a", true}, {0, "a", true}}},
		{"burst then refused", 60, 2, []step{{0, "a", true}, {0, "a", true}, {0, "a", false}}},
		{"refill after a second", 60, 1, []step{{0, "a", true}, {0, "a", false}, {time.Second, "a", true}}},
		{"keys are separate", 60, 1, []step{{0, "a", true}, {0, "b", true}, {0, "a", false}}},
		{"no refill past burst", 60, 2, []step{{time.Hour, "a", true}, {0, "a", true}, {0, "a", false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1e9, 0)}
			l := New(tc.perMinute, tc.burst, clk.now)
			for i, s := range tc.steps {
				clk.t = clk.t.Add(s.advance)
				ok, retry := l.Allow(s.key)
				if ok != s.want {
					t.Fatalf("step %d: Allow(%q) = %v, want %v", i, s.key, ok, s.want)
				}
				if !ok && retry <= 0 {
					t.Fatalf("step %d: refused without a retry delay", i)
				}
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	l := New(6, 1, clk.now) // one token every 10 s
	l.Allow("k")
	ok, retry := l.Allow("k")
	if ok || retry != 10*time.Second {
		t.Fatalf("Allow = %v, %v; want false, 10s", ok, retry)
	}
}

func TestEviction(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	l := New(60, 1, clk.now)
	for i := 0; i < maxKeys; i++ {
		l.Allow(strconv.Itoa(i))
	}
	clk.t = clk.t.Add(time.Minute)
	l.Allow("new")
	if n := l.Len(); n != 1 {
		t.Fatalf("after eviction %d keys, want 1", n)
	}
}

func BenchmarkAllow(b *testing.B) {
	l := New(1e9, 1e9, nil)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow("bench")
		}
	})
}
