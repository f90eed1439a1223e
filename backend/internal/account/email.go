// Package account holds the rules that decide who a provider identity
// signs in as: canonical emails, the domain allowlist and the email
// conflict policy.
package account

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ErrBadEmail is answered for a string that is not an email address.
var ErrBadEmail = errors.New("account: not an email address")

// CanonicalEmail returns the form emails are compared in: trimmed, the
// local part lower-cased for ASCII letters only, the domain through IDNA's
// lookup profile (ASCII/punycode form). Nothing else is folded: Unicode
// case or compatibility folding would make distinct addresses equal
// ("Kelvin" with U+212A KELVIN SIGN would become "kelvin"). The result is
// stored in a binary column, so equal means byte-for-byte equal.
func CanonicalEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || len(email) > 320 {
		return "", ErrBadEmail
	}
	local := email[:at]
	if !utf8.ValidString(local) || strings.ContainsAny(local, " \t\r\n<>@") || strings.IndexFunc(local, unicode.IsControl) >= 0 {
		return "", ErrBadEmail
	}
	domain, err := CanonicalDomain(email[at+1:])
	if err != nil {
		return "", err
	}
	return lowerASCII(local) + "@" + domain, nil
}

// CanonicalDomain returns a domain in the form the allowlist compares: IDNA
// lookup profile (look-alike letters stay distinguishable: "exаmple.com"
// with a Cyrillic а is xn--exmple-4nf.com), one trailing dot dropped, at
// least two labels.
func CanonicalDomain(domain string) (string, error) {
	// idna would turn invalid UTF-8 into U+FFFD's punycode, a domain that
	// is not its own canonical form.
	if !utf8.ValidString(domain) {
		return "", fmt.Errorf("%w: domain is not UTF-8", ErrBadEmail)
	}
	ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(domain, "."))
	if err != nil {
		return "", fmt.Errorf("%w: domain: %v", ErrBadEmail, err)
	}
	if !hostname(ascii) {
		return "", fmt.Errorf("%w: domain %q is not a host name", ErrBadEmail, ascii)
	}
	return ascii, nil
}

// hostname reports whether d is an ASCII host name of two labels or more:
// letters, digits and hyphens, no empty label (so the result of
// CanonicalDomain is its own canonical form).
func hostname(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// lowerASCII lower-cases A-Z and leaves every other byte as it is.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// Domain returns the domain of a canonical email.
func Domain(canonical string) string {
	return canonical[strings.LastIndexByte(canonical, '@')+1:]
}

// Allowlist is the set of domains a user's verified email must belong to.
// Empty allows every domain.
type Allowlist []string

// Allows reports whether a sign-in may proceed. It fails closed: with a
// non-empty list, an identity without a verified email is refused.
// Matching is exact on the canonical domain: no subdomains, no suffixes.
func (a Allowlist) Allows(canonicalEmail string, verified bool) bool {
	if len(a) == 0 {
		return true
	}
	if !verified || canonicalEmail == "" {
		return false
	}
	d := Domain(canonicalEmail)
	for _, allowed := range a {
		if d == allowed {
			return true
		}
	}
	return false
}
