package session

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

func TestHintsTable(t *testing.T) {
	tests := []struct {
		name     string
		puts     int
		take     int // index of the put to take; -1: a hash never put
		wantOK   bool
		wantLeft int
	}{
		{"taken once", 3, 1, true, 2},
		{"unknown", 3, -1, false, 3},
		{"full table stays bounded and keeps the newest", maxHints + 10, maxHints + 9, true, maxHints - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHints()
			for i := range tt.puts {
				h.put([]byte(fmt.Sprint("hash-", i)), fmt.Sprint("fam-", i), "user")
			}
			key := []byte("never")
			if tt.take >= 0 {
				key = []byte(fmt.Sprint("hash-", tt.take))
			}
			got, ok := h.take(key)
			if ok != tt.wantOK {
				t.Fatalf("take ok = %v, want %v", ok, tt.wantOK)
			}
			if ok && got != (hint{family: fmt.Sprint("fam-", tt.take), user: "user"}) {
				t.Fatalf("take = %+v", got)
			}
			if _, again := h.take(key); again {
				t.Fatal("a hint was answered twice")
			}
			if n := h.len(); n != tt.wantLeft {
				t.Fatalf("%d hints left, want %d", n, tt.wantLeft)
			}
		})
	}
}

// TestRefreshWithHints: a hint only saves work. Whatever it says, the
// rotation decides the family, the user and whether there is a next pair.
func TestRefreshWithHints(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.New(t, engine)
			tm, err := token.New(ctx, st, token.Options{Issuer: "https://auth.example", Audience: "authbridge"})
			if err != nil {
				t.Fatal(err)
			}
			svc := New(st, tm, Options{RefreshTTL: time.Hour, IdleTTL: time.Hour, Grace: 10 * time.Second})
			newUser := func(name string) store.User {
				u := store.User{ID: store.NewID(), Name: name, Email: name + "@example.com", CreatedAt: svc.Now(), UpdatedAt: svc.Now()}
				if err := st.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				return u
			}
			claims := func(p shared.TokenPair) shared.AccessClaims {
				c, err := tm.Verify(ctx, p.AccessToken)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			ada, bob := newUser("ada"), newUser("bob")
			adaPair, adaFam, err := svc.Start(ctx, ada, Meta{Provider: "google"})
			if err != nil {
				t.Fatal(err)
			}
			_, bobFam, err := svc.Start(ctx, bob, Meta{Provider: "google"})
			if err != nil {
				t.Fatal(err)
			}

			// The ordinary case: the hint of the token just issued is used
			// and replaced by the successor's.
			if n := svc.hints.len(); n != 2 {
				t.Fatalf("%d hints after two sign-ins, want 2", n)
			}
			r, err := svc.Refresh(ctx, adaPair.RefreshToken, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if c := claims(r.Pair); c.Subject != ada.ID || c.SessionID != adaFam.ID || c.Name != "ada" {
				t.Fatalf("claims after a hinted refresh = %+v", c)
			}
			if _, ok := svc.hints.take(token.HashOpaque(adaPair.RefreshToken)); ok {
				t.Fatal("the spent token's hint was kept")
			}
			if _, ok := svc.hints.take(token.HashOpaque(r.Pair.RefreshToken)); !ok {
				t.Fatal("no hint for the successor")
			}

			// A wrong hint (another family, another user) signs ahead for
			// them; the rotation finds Ada's family and signs for her.
			svc.hints.put(token.HashOpaque(r.Pair.RefreshToken), bobFam.ID, bob.ID)
			r2, err := svc.Refresh(ctx, r.Pair.RefreshToken, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if c := claims(r2.Pair); c.Subject != ada.ID || c.SessionID != adaFam.ID || c.Name != "ada" || c.Email != "ada@example.com" {
				t.Fatalf("a wrong hint leaked into the token: %+v", c)
			}

			// A hint for a token the store does not know answers nothing.
			stranger, strangerHash, err := token.NewOpaque()
			if err != nil {
				t.Fatal(err)
			}
			svc.hints.put(strangerHash, adaFam.ID, ada.ID)
			if _, err := svc.Refresh(ctx, stranger, Meta{}); apperr.CodeOf(err) != shared.CodeInvalidToken {
				t.Fatalf("unknown token with a hint: %v", err)
			}

			// Disabled after the hint was made: the rotation refuses.
			now := svc.Now()
			if err := st.SetUserDisabled(ctx, ada.ID, &now); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Refresh(ctx, r2.Pair.RefreshToken, Meta{}); apperr.CodeOf(err) != shared.CodeAccessDenied {
				t.Fatalf("disabled user with a hint: %v", err)
			}
		})
	}
}
