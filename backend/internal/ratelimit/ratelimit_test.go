package ratelimit

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand; safe for concurrent reads.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// step advances the clock, calls Allow(key) and expects ok and retryAfter.
type step struct {
	advance time.Duration
	key     string
	ok      bool
	retry   time.Duration
}

func allowed(advance time.Duration, key string) step {
	return step{advance: advance, key: key, ok: true}
}

func refused(advance time.Duration, key string, retry time.Duration) step {
	return step{advance: advance, key: key, retry: retry}
}

func runSteps(t *testing.T, clk *fakeClock, l *Limiter, steps []step) {
	t.Helper()
	for i, s := range steps {
		clk.advance(s.advance)
		ok, retry := l.Allow(s.key)
		if ok != s.ok || retry != s.retry {
			t.Fatalf("step %d (+%v, %q): Allow = %v, %v; want %v, %v", i, s.advance, s.key, ok, retry, s.ok, s.retry)
		}
	}
}

func TestAllow(t *testing.T) {
	// 7 a minute: one token every 8.571428571 s, a delay floating-point
	// refill arithmetic gets wrong by a hair.
	const seventh = 8571428571 * time.Nanosecond
	tests := []struct {
		name      string
		perMinute int
		burst     int
		steps     []step
	}{
		{"disabled", 0, 0, []step{allowed(0, "a"), allowed(0, "a"), allowed(0, "a"), allowed(0, "a")}},
		{"negative rate disables", -5, 1, []step{allowed(0, "a"), allowed(0, "a")}},
		{"burst then refused", 60, 3, []step{
			allowed(0, "a"), allowed(0, "a"), allowed(0, "a"), refused(0, "a", time.Second),
		}},
		{"burst below one means one", 60, 0, []step{allowed(0, "a"), refused(0, "a", time.Second)}},
		{"retry delay shrinks as time passes", 6, 1, []step{
			allowed(0, "a"), refused(0, "a", 10*time.Second), refused(4*time.Second, "a", 6*time.Second),
		}},
		{"waiting exactly the retry delay is enough", 7, 1, []step{
			allowed(0, "a"), refused(0, "a", seventh), allowed(seventh, "a"), refused(0, "a", seventh),
		}},
		{"a nanosecond early is not", 60, 1, []step{
			allowed(0, "a"), refused(time.Second-1, "a", 1), allowed(1, "a"),
		}},
		{"refusals spend nothing", 60, 1, []step{
			allowed(0, "a"), refused(0, "a", time.Second), refused(0, "a", time.Second),
			refused(500*time.Millisecond, "a", 500*time.Millisecond), allowed(500*time.Millisecond, "a"),
		}},
		{"keys are separate", 60, 1, []step{
			allowed(0, "a"), allowed(0, "b"), refused(0, "a", time.Second), refused(0, "b", time.Second),
		}},
		{"refill stops at burst", 60, 2, []step{
			allowed(0, "a"), allowed(time.Hour, "a"), allowed(0, "a"), refused(0, "a", time.Second),
		}},
		{"partial refill", 60, 3, []step{
			allowed(0, "a"), allowed(0, "a"), allowed(0, "a"),
			allowed(2*time.Second, "a"), allowed(0, "a"), refused(0, "a", time.Second),
		}},
		{"clock going back grants nothing", 60, 1, []step{
			allowed(0, "a"), refused(-time.Hour, "a", time.Hour+time.Second), allowed(time.Hour+time.Second, "a"),
		}},
		{"huge rate", 1 << 40, 1, []step{allowed(0, "a"), refused(0, "a", 1), allowed(1, "a")}},
		{"huge burst saturates", 1, 1 << 62, []step{allowed(0, "a"), allowed(0, "a"), allowed(0, "a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			runSteps(t, clk, New(tt.perMinute, tt.burst, clk.now), tt.steps)
		})
	}
}

func TestNilAndZeroAllow(t *testing.T) {
	for name, l := range map[string]*Limiter{"nil": nil, "zero": {}} {
		if ok, retry := l.Allow("k"); !ok || retry != 0 {
			t.Errorf("%s: Allow = %v, %v; want true, 0", name, ok, retry)
		}
		if n := l.Len(); n != 0 {
			t.Errorf("%s: Len = %d", name, n)
		}
	}
}

// TestMemory runs on one shard, so which key goes first is known.
func TestMemory(t *testing.T) {
	tests := []struct {
		name    string
		maxKeys int
		steps   []step
		wantLen int
	}{
		{
			// Each call drops up to two refilled keys from the cold end.
			name: "idle keys are swept", maxKeys: 100,
			steps: []step{
				allowed(0, "a"), allowed(0, "b"), allowed(0, "c"), allowed(0, "d"),
				allowed(time.Second, "e"),    // a-d have refilled: a and b go
				refused(0, "e", time.Second), // c and d go
			},
			wantLen: 1,
		},
		{
			name: "a key still refilling is kept", maxKeys: 100,
			steps: []step{
				allowed(0, "a"), allowed(0, "b"),
				allowed(999*time.Millisecond, "c"),
				refused(0, "a", time.Millisecond),
			},
			wantLen: 3,
		},
		{
			name: "at the cap a refilled key makes room", maxKeys: 3,
			steps: []step{
				allowed(0, "a"), // refilled at +1s
				allowed(500*time.Millisecond, "b"), allowed(0, "c"),
				allowed(500*time.Millisecond, "d"), // a goes
				refused(0, "b", 500*time.Millisecond),
				refused(0, "c", 500*time.Millisecond),
			},
			wantLen: 3,
		},
		{
			name: "past the cap the coldest key is forgotten", maxKeys: 2,
			steps: []step{
				allowed(0, "a"), allowed(0, "b"),
				allowed(0, "c"),                // a is forgotten
				allowed(0, "a"),                // and starts again full; b is forgotten
				refused(0, "c", time.Second),   // c is kept
				refused(0, "a", time.Second),   // and so is a
				allowed(0, "b"),                // b was forgotten (and now c is)
				refused(0, "b", time.Second),   // but is tracked again
				allowed(10*time.Second, "new"), // a and b have refilled and go
			},
			wantLen: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			l := newLimiter(60, 1, clk.now, tt.maxKeys, 1)
			runSteps(t, clk, l, tt.steps)
			if n := l.Len(); n != tt.wantLen {
				t.Fatalf("Len = %d, want %d", n, tt.wantLen)
			}
		})
	}
}

// TestCapHolds floods the limiter with distinct keys: the key count stays
// under the cap, and a limited key that keeps knocking (at least once every
// half-cap new keys of its shard) stays limited.
func TestCapHolds(t *testing.T) {
	tests := []struct {
		name            string
		maxKeys, shards int
		floodPerKnock   int
	}{
		{"sharded, knock after every new key", 64, defaultShards, 1},
		{"one shard, knock after half the cap", 100, 1, 49},
		{"one shard of two keys", 2, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			l := newLimiter(60, 1, clk.now, tt.maxKeys, tt.shards)
			l.Allow("victim")
			flood := 0
			for round := range 20 * tt.maxKeys {
				for range tt.floodPerKnock {
					l.Allow("flood-" + strconv.Itoa(flood))
					flood++
				}
				if ok, _ := l.Allow("victim"); ok {
					t.Fatalf("round %d, after %d other keys: the limited key was let in", round, flood)
				}
				if n := l.Len(); n > tt.maxKeys {
					t.Fatalf("tracking %d keys, cap %d", n, tt.maxKeys)
				}
			}
		})
	}
}

// TestConcurrentSpend: however many goroutines race for one key, exactly
// burst calls get through while the clock stands still.
func TestConcurrentSpend(t *testing.T) {
	const burst, workers, calls = 100, 8, 200
	clk := newFakeClock()
	l := New(60, burst, clk.now)
	var got atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range calls {
				if ok, _ := l.Allow("shared"); ok {
					got.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got.Load() != burst {
		t.Fatalf("%d calls allowed, want %d", got.Load(), burst)
	}
}

func BenchmarkAllow(b *testing.B) {
	b.Run("one key", func(b *testing.B) {
		l := New(600, 150, nil) // the default budget: almost every call is refused
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Allow("203.0.113.7")
			}
		})
	})
	b.Run("many keys", func(b *testing.B) {
		keys := make([]string, 4096)
		for i := range keys {
			keys[i] = "refresh|ip|198.51." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
		}
		l := New(600, 150, nil) // the default budget: almost every call is refused
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			i := next.Add(1) * 7919
			for pb.Next() {
				l.Allow(keys[i%uint64(len(keys))])
				i++
			}
		})
	})
}
