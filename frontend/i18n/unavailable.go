package i18n

import "github.com/authbridge/authbridge/shared"

// closeWindow is the front's "unavailable" page's Close button (the page
// nginx answers in the sign-in popup when no replica does). It has a
// catalogue of its own, like the link's, in the same three languages.
var closeWindow = [3]string{"Close this window", "關閉這個視窗", "이 창 닫기"}

// UnavailablePage is the words of the front's "unavailable" page in l:
// the contract's unavailable message, Try again and Close, the same as
// the dashboard says.
func UnavailablePage(l Lang) map[string]string {
	return map[string]string{
		"message": ErrorMessage(l, shared.CodeUnavailable, ""),
		"retry":   T(l, TryAgain),
		"close":   closeWindow[index(l)],
	}
}
