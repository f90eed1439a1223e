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
		// Only ASCII letters are lower-cased in the local part: no Unicode
		// case folding, no compatibility (NFKC) folding.
		{in: "JOSÉ@example.com", want: "josÉ@example.com"},
		{in: "\u212Aelvin@example.com", want: "\u212Aelvin@example.com"}, // KELVIN SIGN is not k
		{in: "\u212AELVIN@example.com", want: "\u212Aelvin@example.com"},
		{in: "\uFF41da@example.com", want: "\uFF41da@example.com"}, // fullwidth a is not a
		{in: "\u0430da@example.com", want: "\u0430da@example.com"}, // Cyrillic а is not a
		{in: "ﬁle@example.com", want: "ﬁle@example.com"},           // the ligature is not "fi"
		{in: "user@bücher.example", want: "user@xn--bcher-kva.example"},
		{in: "user@BÜCHER.example", want: "user@xn--bcher-kva.example"},
		{in: "user@xn--bcher-kva.example", want: "user@xn--bcher-kva.example"},
		{in: "user@exаmple.com", want: "user@xn--exmple-4nf.com"}, // Cyrillic а
		{in: "user@example.com.", want: "user@example.com"},
		{in: "user@example.com..", bad: true},
		{in: "user@.example.com", bad: true},
		{in: "us\x00er@example.com", bad: true},
		{in: "us\xffer@example.com", bad: true},
		{in: "user@exa_mple.com", bad: true},
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

// TestCanonicalEmailKeepsLookAlikesApart: addresses that differ only by a
// Unicode or compatibility fold stay different accounts.
func TestCanonicalEmailKeepsLookAlikesApart(t *testing.T) {
	pairs := [][2]string{
		{"\u212Aelvin@example.com", "kelvin@example.com"},
		{"\u0430dmin@example.com", "admin@example.com"},
		{"\uFF21dmin@example.com", "admin@example.com"},
		{"stra\u00DFe@example.com", "strasse@example.com"},
		{"user@ex\u0430mple.com", "user@example.com"},
	}
	for _, p := range pairs {
		a, errA := CanonicalEmail(p[0])
		b, errB := CanonicalEmail(p[1])
		if errA != nil || errB != nil {
			t.Fatalf("CanonicalEmail(%q), (%q): %v, %v", p[0], p[1], errA, errB)
		}
		if a == b {
			t.Errorf("%q and %q both canonicalise to %q", p[0], p[1], a)
		}
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
		{"upper-case domain", list, canon("a@EXAMPLE.COM"), true, true},
		{"idn domain", Allowlist{"xn--bcher-kva.example"}, canon("a@bücher.example"), true, true},
		{"idn look-alike", Allowlist{"xn--bcher-kva.example"}, canon("a@bucher.example"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.list.Allows(tt.email, tt.verified); got != tt.want {
				t.Fatalf("Allows(%q, %v) = %v, want %v", tt.email, tt.verified, got, tt.want)
			}
		})
	}
}
