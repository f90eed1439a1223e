// Package ratelimit is a per-key token bucket with bounded memory.
//
// Each key gets a bucket of burst tokens that refills at perMinute tokens a
// minute. The bucket is kept as one number, the time at which it will be
// full again (the GCRA form of a token bucket), in integer nanoseconds, so
// a caller that waits exactly the answered retry delay is always let in:
// floating-point refill arithmetic can leave it a hair short.
//
// Memory is bounded twice: a bucket that has refilled carries no state and
// is dropped as soon as it is found idle, and the number of keys is capped;
// past the cap the least recently used key is forgotten (it starts again with
// a full bucket, which is lenient but never wrong for well-behaved clients).
package ratelimit

import (
	"hash/maphash"
	"sync"
	"time"
)

// defaultMaxKeys caps the keys one Limiter tracks (about 150 bytes each,
// with the key).
const defaultMaxKeys = 100_000

// defaultShards spreads keys over independently locked maps, so parallel
// requests for different keys rarely wait for each other. A power of two.
const defaultShards = 32

// sweepPerCall is how many idle buckets one Allow may drop from the cold
// end of its shard, which keeps memory following the active keys without a
// background goroutine.
const sweepPerCall = 2

// horizon bounds clock readings (±146 years from New) so that adding a
// window to one never overflows.
const horizon = int64(1) << 62

// Limiter allows perMinute requests per key with bursts of up to burst. It is
// safe for concurrent use. The zero value and a nil *Limiter allow everything.
type Limiter struct {
	interval int64 // nanoseconds per token
	window   int64 // burst × interval: how far ahead a bucket may be spent
	now      func() time.Time
	epoch    time.Time // times are kept as nanoseconds since epoch
	seed     maphash.Seed
	perShard int
	hot      uint64 // see Allow: relinks a key may fall behind and still be safe
	shard    []shard
	mask     uint64 // len(shard) - 1
}

type shard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	// lru is a ring through the buckets, most recently used first; its
	// sentinel is the list head (next: hottest, prev: coldest).
	lru  bucket
	tick uint64   // counts moves to the front
	_    [64]byte // keeps neighbouring shards' locks off one cache line
}

type bucket struct {
	key        string
	full       int64  // when the bucket is full again (theoretical arrival time)
	tick       uint64 // the shard's tick when the bucket last moved to the front
	prev, next *bucket
}

// New returns a Limiter for perMinute requests a minute per key with bursts
// of up to burst (at least 1). perMinute ≤ 0 disables it: every call is
// allowed. now is the clock (nil: time.Now).
func New(perMinute, burst int, now func() time.Time) *Limiter {
	return newLimiter(perMinute, burst, now, defaultMaxKeys, defaultShards)
}

// newLimiter is New with the key cap and the shard count (a power of two)
// chosen; tests use one shard to know exactly which key goes first.
func newLimiter(perMinute, burst int, now func() time.Time, maxKeys, shards int) *Limiter {
	if perMinute <= 0 {
		return &Limiter{}
	}
	if now == nil {
		now = time.Now
	}
	burst = max(burst, 1)
	interval := max(int64(time.Minute)/int64(perMinute), 1)
	window := horizon / 2 // saturate instead of overflowing
	if int64(burst) < window/interval {
		window = int64(burst) * interval
	}
	l := &Limiter{
		interval: interval,
		window:   window,
		now:      now,
		epoch:    now(),
		seed:     maphash.MakeSeed(),
		perShard: max((maxKeys+shards-1)/shards, 1),
		hot:      uint64(max((maxKeys+shards-1)/shards, 1) / 2),
		shard:    make([]shard, shards),
		mask:     uint64(shards - 1),
	}
	for i := range l.shard {
		s := &l.shard[i]
		s.buckets = make(map[string]*bucket)
		s.lru.next, s.lru.prev = &s.lru, &s.lru
	}
	return l
}

// Allow spends one token of key's bucket. When the bucket is empty it
// answers false and how long until a token is back; waiting exactly that long
// is enough.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l == nil || l.interval == 0 {
		return true, 0
	}
	// Sub uses the monotonic clock when both readings carry one, so a wall
	// clock step neither refills nor drains buckets; the clamp keeps the
	// sums below from overflowing whatever the clock does.
	now := min(max(int64(l.now().Sub(l.epoch)), -horizon), horizon)
	s := &l.shard[maphash.String(l.seed, key)&l.mask]

	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now, sweepPerCall)
	b, found := s.buckets[key]
	if !found {
		if len(s.buckets) >= l.perShard {
			s.sweep(now, len(s.buckets))
		}
		if len(s.buckets) >= l.perShard {
			s.remove(s.lru.prev) // over the cap: forget the coldest key
		}
		b = &bucket{key: key, full: now}
		s.buckets[key] = b
		s.pushFront(b)
	} else if s.tick-b.tick >= l.hot {
		// A key moved to the front fewer than hot moves ago is in the
		// front half of the list, far from eviction, so it stays where it
		// is: relinking on every call rewrites neighbours' memory, which
		// costs more than the rest of Allow when cores share keys.
		s.unlink(b)
		s.pushFront(b)
	}

	full := max(b.full, now)
	next := full + l.interval
	if wait := next - l.window - now; wait > 0 {
		return false, time.Duration(wait)
	}
	b.full = next
	return true, 0
}

// Len is the number of keys currently tracked.
func (l *Limiter) Len() int {
	if l == nil || l.interval == 0 {
		return 0
	}
	n := 0
	for i := range l.shard {
		s := &l.shard[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}

// sweep drops up to limit refilled buckets from the cold end: a full bucket
// is what an unknown key gets, so forgetting it changes no answer. The scan
// stops at the first bucket still refilling; a bucket unused for a whole
// window is always full, so every idle key goes in time.
func (s *shard) sweep(now int64, limit int) {
	for i := 0; i < limit; i++ {
		b := s.lru.prev
		if b == &s.lru || b.full > now {
			return
		}
		s.remove(b)
	}
}

func (s *shard) remove(b *bucket) {
	s.unlink(b)
	delete(s.buckets, b.key)
}

func (s *shard) unlink(b *bucket) {
	b.prev.next, b.next.prev = b.next, b.prev
	b.prev, b.next = nil, nil
}

func (s *shard) pushFront(b *bucket) {
	s.tick++
	b.tick = s.tick
	b.prev, b.next = &s.lru, s.lru.next
	s.lru.next.prev = b
	s.lru.next = b
}
