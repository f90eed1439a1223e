package ui

import (
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// loginList is the login history card: a table row per sign-in attempt
// with its outcome. It follows the view state.
type loginList struct {
	app.Compo
	Lang i18n.Lang

	v View
}

func (c *loginList) OnMount(ctx app.Context) { ctx.ObserveState(viewKey, &c.v) }

func (c *loginList) t(k i18n.Key, arg ...string) string { return i18n.T(c.Lang, k, arg...) }

func (c *loginList) Render() app.UI {
	logins := c.v.Logins
	head := []string{c.t(i18n.ColTime), c.t(i18n.ColProvider), c.t(i18n.ColOutcome), c.t(i18n.ColIP), c.t(i18n.ColDevice)}
	return app.Div().Class("card card-wide").DataSet("load", loadState(c.v.LoginsLoad)).Body(
		app.H2().ID("logins-heading").Text(c.t(i18n.Logins)),
		// A table too wide for its card scrolls inside it (on a phone it
		// stacks instead: table.go); a scroller must be reachable by
		// keyboard, so it is a named, focusable region.
		app.Div().Class("table-wrap").Role("region").Aria("labelledby", "logins-heading").TabIndex(0).Body(
			app.Table().ID("logins").Role("table").Body(
				headRow(head),
				app.Range(logins).Slice(func(i int) app.UI {
					l := logins[i]
					return row(head,
						app.Td().Text(When(l.Time)),
						app.Td().Text(c.v.ProviderName(l.Provider)),
						app.Td().Class("outcome-"+l.Outcome).Text(c.outcome(l)),
						app.Td().Text(orDash(l.IP)),
						app.Td().Text(orDash(Device(l.UserAgent))),
					).DataSet("provider", l.Provider).DataSet("outcome", l.Outcome)
				}),
			),
		),
		app.If(len(logins) == 0 && c.v.LoginsLoad.Status != LoadFailed, func() app.UI {
			return app.Div().Class("muted").Text(c.t(i18n.Empty))
		}),
		loadError(c.Lang, c.v.LoginsLoad),
	)
}

// outcome is an attempt's outcome in words, with the error code of a
// failure.
func (c *loginList) outcome(l shared.LoginEvent) string {
	switch l.Outcome {
	case shared.OutcomeSuccess:
		return c.t(i18n.OutcomeSuccess)
	case shared.OutcomeTokenReused: // says it all; no code to add
		return c.t(i18n.OutcomeTokenReused)
	}
	out := c.t(i18n.OutcomeFailure)
	if l.ErrorCode != "" {
		out += " (" + string(l.ErrorCode) + ")"
	}
	return out
}
