package devidp

import (
	"fmt"
	"testing"
	"time"
)

func TestExpiring(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := newExpiring[int](3)
	for i := range 3 {
		e.put(now, fmt.Sprint(i), i, time.Minute)
	}
	if e.len() != 3 {
		t.Fatalf("len %d", e.len())
	}
	e.put(now, "3", 3, time.Minute) // over the cap: the oldest goes
	if _, ok := e.get("0"); ok || e.len() != 3 {
		t.Fatalf("cap not enforced: len %d", e.len())
	}
	e.del("2")
	e.put(now.Add(time.Minute), "4", 4, time.Minute) // 1, 3 have expired
	if _, ok := e.get("4"); !ok || e.len() != 1 {
		t.Fatalf("expired entries kept: len %d", e.len())
	}
	// Compaction keeps the live entries.
	big := newExpiring[int](1 << 20)
	for i := range 5000 {
		big.put(now.Add(time.Duration(i)*time.Second), fmt.Sprint(i), i, 10*time.Second)
	}
	if big.len() != 10 || len(big.order)-big.head != 10 {
		t.Fatalf("len %d, order %d", big.len(), len(big.order)-big.head)
	}
	if v, ok := big.get("4999"); !ok || v != 4999 {
		t.Fatal("the newest entry is gone")
	}
}

func TestCodesAreHashedAndRandom(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for range 20 {
		_, c := pkce()
		code := f.code(APIOIDC, "alice", c)
		if seen[code] || len(code) != 43 {
			t.Fatalf("code %q (len %d)", code, len(code))
		}
		seen[code] = true
		f.idp.mu.Lock()
		_, plain := f.idp.codes.get(code)
		_, hashed := f.idp.codes.get(hashOf(code))
		f.idp.mu.Unlock()
		if plain || !hashed {
			t.Fatal("codes are not stored hashed")
		}
	}
}
