package verify

import (
	"context"
	"testing"
)

// BenchmarkVerify measures one verification of a fresh-looking token with
// the keys cached: the cost a resource server pays per request.
func BenchmarkVerify(b *testing.B) {
	for _, k := range []*testKey{newECKey(b, "ec-1"), newEdKey(b, "ed-1")} {
		b.Run(k.alg, func(b *testing.B) {
			is := newTestIssuer(b, k)
			is.algs = []string{k.alg}
			clock := newFakeClock()
			v := mustNew(b, is, WithClock(clock.Now))
			tok := sign(b, k, is.claimsAt(clock.Now()), nil)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
