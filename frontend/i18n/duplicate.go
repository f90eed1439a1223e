package i18n

import (
	"regexp"
	"strings"

	"github.com/authbridge/authbridge/shared"
)

// duplicateNames reads the providers out of the server's duplicate_email
// message ("… Sign in with A or B, then connect C from your account
// page."): the envelope has no other place for them, and the translations
// must name them as English does.
var duplicateNames = regexp.MustCompile(`Sign in with (.+?), then connect (.+?) from your account page\.`)

// DuplicateEmail is duplicate_email's message in l, naming the providers
// the server named; without names it is the code's usual message.
func DuplicateEmail(l Lang, serverMessage string) string {
	m := duplicateNames.FindStringSubmatch(serverMessage)
	if m == nil || l == EN {
		return ErrorMessage(l, shared.CodeDuplicateEmail, serverMessage)
	}
	owners := strings.Join(strings.Split(m[1], " or "), " "+T(l, Or)+" ")
	s := T(l, DuplicateEmailNamed)
	s = strings.Replace(s, "%s", owners, 1)
	return strings.Replace(s, "%s", m[2], 1)
}
