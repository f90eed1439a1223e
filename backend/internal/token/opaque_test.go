package token_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/token"
)

func TestOpaque(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		p, h, err := token.NewOpaque()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(p))
		if !token.ValidOpaque(p) || string(h) != string(sum[:]) || string(token.HashOpaque(p)) != string(h) {
			t.Fatalf("NewOpaque = %q, %x", p, h)
		}
		if seen[p] {
			t.Fatal("NewOpaque repeated itself")
		}
		seen[p] = true
	}
}

func TestValidOpaque(t *testing.T) {
	ok := strings.Repeat("aZ0-_", 8) + "abc" // 43 chars
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"43 base64url chars", ok, true},
		{"empty", "", false},
		{"short", ok[:42], false},
		{"long", ok + "a", false},
		{"padded", ok[:42] + "=", false},
		{"standard base64 +", ok[:42] + "+", false},
		{"standard base64 /", ok[:42] + "/", false},
		{"space", ok[:42] + " ", false},
		{"non-ASCII", ok[:41] + "é", false},
		{"NUL", ok[:42] + "\x00", false},
		{"a JWT", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := token.ValidOpaque(tt.in); got != tt.want {
				t.Fatalf("ValidOpaque(%q) = %v", tt.in, got)
			}
		})
	}
}
