// Package account holds the rules that decide who a provider identity
// signs in as: canonical emails, the domain allowlist and the email
// conflict policy.
package account

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// ErrBadEmail is answered for a string that is not an email address.
var ErrBadEmail = errors.New("account: not an email address")

// idnaProfile maps a Unicode domain to its ASCII (punycode) form with the
// lookup rules browsers use, so look-alike letters stay distinguishable:
// "exаmple.com" with a Cyrillic а becomes xn--exmple-4nf.com.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))

// CanonicalEmail returns the form emails are compared in: trimmed, domain
// in IDNA ASCII form, everything lower-cased. The result is stored in a
// binary column, so equal means byte-for-byte equal.
func CanonicalEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || len(email) > 320 {
		return "", ErrBadEmail
	}
	local, domain := email[:at], strings.TrimSuffix(email[at+1:], ".")
	if strings.ContainsAny(local, " \t\r\n<>") || strings.Contains(local, "@") {
		return "", ErrBadEmail
	}
	ascii, err := idnaProfile.ToASCII(domain)
	if err != nil || ascii == "" || !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("%w: domain: %v", ErrBadEmail, err)
	}
	return strings.ToLower(local) + "@" + strings.ToLower(ascii), nil
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
