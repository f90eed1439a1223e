// Package ratelimit is a per-key token bucket with bounded memory.
package ratelimit

import (
	"sync"
	"time"
)

// maxKeys bounds memory: past it, idle buckets are dropped first, then all.
const maxKeys = 100_000

type bucket struct {
	tokens float64
	last   time.Time
}

// Limiter allows perMinute requests per key with bursts up to burst.
type Limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// New returns a Limiter; perMinute 0 disables it (every call is allowed).
func New(perMinute, burst int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if burst < 1 {
		burst = 1
	}
	return &Limiter{rate: float64(perMinute) / 60, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// Allow spends one token of key's bucket. When it is empty it answers
// false and how long until a token is back.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.rate <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxKeys {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// evict drops buckets that have refilled (they carry no state), and
// everything if that is not enough.
func (l *Limiter) evict(now time.Time) {
	full := l.burst / l.rate
	for k, b := range l.buckets {
		if now.Sub(b.last).Seconds() >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxKeys {
		clear(l.buckets)
	}
}

// Len is the number of tracked keys.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
