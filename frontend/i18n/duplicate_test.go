package i18n

import (
	"strings"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

func TestDuplicateEmail(t *testing.T) {
	named := "An account with this email already exists. Sign in with GitHub or Discord, then connect Dev OIDC from your account page."
	for _, l := range Langs {
		got := DuplicateEmail(l, named)
		for _, name := range []string{"GitHub", "Discord", "Dev OIDC"} {
			if !strings.Contains(got, name) {
				t.Errorf("%s: %q does not name %s", l, got, name)
			}
		}
		if l != EN && !strings.Contains(got, T(l, Or)) {
			t.Errorf("%s: %q does not join the providers with %q", l, got, T(l, Or))
		}
	}
	if got := DuplicateEmail(EN, named); got != named {
		t.Errorf("English keeps the server's words: %q", got)
	}
	plain := "An account with this email already exists."
	if got, want := DuplicateEmail(KO, plain), ErrorMessage(KO, shared.CodeDuplicateEmail, plain); got != want {
		t.Errorf("without names: %q, want %q", got, want)
	}
}
