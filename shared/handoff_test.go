package shared

import "testing"

func TestHandoffFragment(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    HandoffMessage
		want string
	}{
		{"success", HandoffMessage{Type: HandoffType, OK: true, Code: "c0de", Flow: "f", Process: "login"},
			"code=c0de&flow=f&ok=1&process=login&type=authbridge%3Ahandoff"},
		{"failure keeps no code", HandoffMessage{Type: HandoffType, Code: "leak", Error: &ErrorBody{Code: CodeAccessDenied, Message: "No & more"}},
			"error=access_denied&message=No+%26+more&ok=0&type=authbridge%3Ahandoff"},
		{"bare", HandoffMessage{Type: HandoffType}, "ok=0&type=authbridge%3Ahandoff"},
		{"a pending link's secret stays out of the URL", HandoffMessage{Type: HandoffType, Link: "secret", Error: &ErrorBody{Code: CodeDuplicateEmail, Message: "m"}},
			"error=duplicate_email&message=m&ok=0&type=authbridge%3Ahandoff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.Fragment(); got != tc.want {
				t.Fatalf("Fragment() = %q, want %q", got, tc.want)
			}
		})
	}
}
