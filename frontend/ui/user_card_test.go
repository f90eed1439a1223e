package ui

import (
	"strings"
	"testing"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestUserCard(t *testing.T) {
	tests := []struct {
		name    string
		v       View
		want    []string
		notWant []string
	}{
		{"a new user is welcomed", View{IsNew: true, User: shared.User{Name: "Alice Example", Email: "alice@example.com", EmailVerified: true}},
			[]string{`id="user-name"`, "Alice Example", `id="user-email"`, `id="greeting"`, "Welcome, Alice!", `id="user-initials"`, "AE"},
			[]string{"badge-warn", "unverified-note", `id="user-avatar"`}},
		{"an unverified e-mail is marked", View{User: shared.User{Email: "bob@example.com", AvatarURL: "https://x/b.png"}},
			[]string{"badge-warn", `aria-describedby="unverified-note"`, `id="unverified-note"`, "never used to match or link accounts", "—", `id="user-avatar"`},
			[]string{`id="greeting"`}},
		{"sign-out buttons wait for a running action", View{Busy: "sign-out", User: shared.User{Name: "Carol"}},
			[]string{`id="sign-out"`, `id="sign-out-all"`, "disabled"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &userCard{Lang: i18n.EN, v: tt.v}
			html := mount(t, c)
			match(t, app.Div().Class("card profile"), c, 0)
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in\n%s", w, html)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q in\n%s", w, html)
				}
			}
		})
	}
}
