package token_test

import (
	"context"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/shared"
)

func BenchmarkSign(b *testing.B) {
	for _, alg := range algs {
		b.Run(alg, func(b *testing.B) {
			m := mustNew(b, storetest.New(b, store.SQLite), opts(newClock(), alg))
			ctx := context.Background()
			c := shared.AccessClaims{Subject: "u1", SessionID: "s1", Name: "Ada", Email: "ada@example.com"}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := m.Sign(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range algs {
		b.Run(alg, func(b *testing.B) {
			m := mustNew(b, storetest.New(b, store.SQLite), opts(newClock(), alg))
			ctx := context.Background()
			tok, _, err := m.Sign(ctx, shared.AccessClaims{Subject: "u1", SessionID: "s1", Name: "Ada", Email: "ada@example.com"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Verify(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
