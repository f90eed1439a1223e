package i18n

import (
	"strings"

	"github.com/authbridge/authbridge/shared"
)

// The server's duplicate_email message names the providers ("… Sign in
// with A or B, then connect C from your account page."): the envelope has
// no other place for them, and the translations must name them as English
// does. Plain string search, not regexp, which would grow app.wasm.
const (
	dupOwners = "Sign in with "
	dupThen   = ", then connect "
	dupEnd    = " from your account page."
)

// DuplicateEmail is duplicate_email's message in l, naming the providers
// the server named; without names it is the code's usual message.
func DuplicateEmail(l Lang, serverMessage string) string {
	owners, refused, ok := duplicateNames(serverMessage)
	if !ok || l == EN {
		return ErrorMessage(l, shared.CodeDuplicateEmail, serverMessage)
	}
	owners = strings.Join(strings.Split(owners, " or "), " "+T(l, Or)+" ")
	s := T(l, DuplicateEmailNamed)
	s = strings.Replace(s, "%s", owners, 1)
	return strings.Replace(s, "%s", refused, 1)
}

func duplicateNames(msg string) (owners, refused string, ok bool) {
	_, rest, ok := strings.Cut(msg, dupOwners)
	if !ok {
		return "", "", false
	}
	owners, rest, ok = strings.Cut(rest, dupThen)
	if !ok {
		return "", "", false
	}
	refused, _, ok = strings.Cut(rest, dupEnd)
	if !ok || owners == "" || refused == "" {
		return "", "", false
	}
	return owners, refused, true
}
