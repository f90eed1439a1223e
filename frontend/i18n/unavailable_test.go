package i18n

import (
	"testing"

	"github.com/authbridge/authbridge/shared"
)

// TestUnavailablePage: the popup's "unavailable" page says the contract's
// message, Try again and Close in every language, each its own words.
func TestUnavailablePage(t *testing.T) {
	seen := map[string]Lang{}
	for _, l := range Langs {
		w := UnavailablePage(l)
		if w["message"] != ErrorMessage(l, shared.CodeUnavailable, "") || w["retry"] != T(l, TryAgain) {
			t.Errorf("%s: %v is not the dashboard's words", l, w)
		}
		for _, k := range []string{"message", "retry", "close"} {
			if w[k] == "" {
				t.Errorf("%s: no %s", l, k)
			}
			if other, dup := seen[w[k]]; dup && other != l {
				t.Errorf("%s and %s share %q", l, other, w[k])
			}
			seen[w[k]] = l
		}
	}
}
