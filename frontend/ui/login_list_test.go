package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestLoginList(t *testing.T) {
	providers := []shared.ProviderInfo{{ID: "github", Name: "GitHub"}}
	logins := []shared.LoginEvent{
		{Time: time.Now(), Provider: "github", Outcome: shared.OutcomeSuccess},
		{Time: time.Now(), Provider: "github", Outcome: shared.OutcomeFailure, ErrorCode: shared.CodeDuplicateEmail},
		{Time: time.Now(), Provider: "gone", Outcome: shared.OutcomeTokenReused, ErrorCode: shared.CodeTokenReused},
	}
	empty := i18n.T(i18n.ZHTW, i18n.Empty)
	tests := []struct {
		name  string
		v     View
		load  string
		check func(t *testing.T, c *loginList, html string)
	}{
		{"empty list says so", View{LoginsLoad: Load{Status: LoadLoaded}}, "loaded",
			func(t *testing.T, c *loginList, html string) {
				match(t, app.Table().ID("logins").Role("table"), c, 0, 1, 0)
				match(t, app.Div().Class("muted"), c, 0, 2)
				match(t, app.Text(empty), c, 0, 2, 0)
				if strings.Contains(html, "data-outcome") {
					t.Errorf("rows in an empty list:\n%s", html)
				}
			}},
		{"items with their outcomes", View{Providers: providers, Logins: logins, LoginsLoad: Load{Status: LoadLoaded}}, "loaded",
			func(t *testing.T, c *loginList, html string) {
				match(t, app.Tr().Role("row").DataSet("provider", "github").DataSet("outcome", string(shared.OutcomeSuccess)), c, 0, 1, 0, 1)
				match(t, app.Text("GitHub"), c, 0, 1, 0, 1, 1, 0)
				match(t, app.Td().Class("outcome-"+string(shared.OutcomeFailure)).DataSet("label", i18n.T(i18n.ZHTW, i18n.ColOutcome)).Role("cell"), c, 0, 1, 0, 2, 2)
				match(t, app.Text(i18n.T(i18n.ZHTW, i18n.OutcomeFailure)+" (duplicate_email)"), c, 0, 1, 0, 2, 2, 0)
				match(t, app.Text(i18n.T(i18n.ZHTW, i18n.OutcomeTokenReused)), c, 0, 1, 0, 3, 2, 0)
				match(t, app.Text("gone"), c, 0, 1, 0, 3, 1, 0)
				if strings.Contains(html, empty) || strings.Contains(html, "(token_reused)") {
					t.Errorf("unexpected text:\n%s", html)
				}
			}},
		{"a failed fetch says why, not that there is nothing", View{LoginsLoad: loaded(&kit.Error{Code: kit.CodeNetwork})}, "error",
			func(t *testing.T, c *loginList, html string) {
				match(t, app.Div().Class("muted small list-error"), c, 0, 2)
				match(t, app.Text(i18n.T(i18n.ZHTW, i18n.Network)), c, 0, 2, 0)
				if strings.Contains(html, empty) {
					t.Errorf("an unknown list is called empty:\n%s", html)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &loginList{Lang: i18n.ZHTW, v: tt.v}
			html := mount(t, c)
			match(t, app.Div().Class("card card-wide").DataSet("load", tt.load), c, 0)
			tt.check(t, c, html)
		})
	}
}
