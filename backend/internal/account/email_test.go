package account

import (
	"errors"
	"testing"
)

func TestCanonicalEmail(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "  Ada@Example.COM ", want: "ada@example.com"},
		{in: "JOSÉ@example.com", want: "josé@example.com"},
		{in: "user@bücher.example", want: "user@xn--bcher-kva.example"},
		{in: "user@exаmple.com", want: "user@xn--exmple-4nf.com"}, // Cyrillic а
		{in: "user@example.com.", want: "user@example.com"},
		{in: "no-at-sign", bad: true},
		{in: "@example.com", bad: true},
		{in: "user@", bad: true},
		{in: "user@localhost", bad: true},
		{in: "a b@example.com", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CanonicalEmail(tt.in)
			if tt.bad {
				if !errors.Is(err, ErrBadEmail) {
					t.Fatalf("CanonicalEmail(%q) = %q, %v; want ErrBadEmail", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CanonicalEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestAllowlist(t *testing.T) {
	list := Allowlist{"example.com"}
	canon := func(s string) string {
		c, err := CanonicalEmail(s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		list     Allowlist
		email    string
		verified bool
		want     bool
	}{
		{"empty list allows", nil, "", false, true},
		{"exact domain", list, canon("a@Example.com"), true, true},
		{"unverified fails closed", list, canon("a@example.com"), false, false},
		{"no email fails closed", list, "", true, false},
		{"suffix look-alike", list, canon("a@example.com.evil.net"), true, false},
		{"subdomain", list, canon("a@mail.example.com"), true, false},
		{"prefix look-alike", list, canon("a@notexample.com"), true, false},
		{"cyrillic look-alike", list, canon("a@exаmple.com"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.list.Allows(tt.email, tt.verified); got != tt.want {
				t.Fatalf("Allows(%q, %v) = %v, want %v", tt.email, tt.verified, got, tt.want)
			}
		})
	}
}
