package ui

import (
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// sessionList is the sessions card: one row per session, the current one
// marked, each with a Revoke button (actRevoke). It follows the view
// state.
type sessionList struct {
	app.Compo
	Lang i18n.Lang

	v View
}

func (c *sessionList) OnMount(ctx app.Context) { ctx.ObserveState(viewKey, &c.v) }

func (c *sessionList) t(k i18n.Key, arg ...string) string { return i18n.T(c.Lang, k, arg...) }

func (c *sessionList) Render() app.UI {
	sessions := c.v.Sessions
	return app.Div().Class("card").DataSet("load", loadState(c.v.SessionsLoad)).Body(
		app.H2().ID(sessionsHeading).TabIndex(-1).Text(c.t(i18n.Sessions)),
		app.Ul().ID("sessions").Class("list").Body(
			app.Range(sessions).Slice(func(i int) app.UI {
				s := sessions[i]
				name := sessionName(c.Lang, s)
				current := "false"
				if s.Current {
					current = "true"
				}
				return app.Li().DataSet("session", s.ID).DataSet("current", current).Body(
					app.Div().Class("grow").Body(
						app.Strong().Text(name),
						app.If(s.Current, func() app.UI { return app.Span().Class("badge").Text(c.t(i18n.ThisDevice)) }),
						app.If(s.Provider != "", func() app.UI {
							return app.Div().Class("small signed-in-with").Text(c.t(i18n.SignedInWithProvider, c.v.ProviderName(s.Provider)))
						}),
						app.Div().Class("muted small").Text(joinNonEmpty(" · ", s.IP, c.t(i18n.LastUsed, When(s.LastUsed)))),
					),
					app.Button().Class("btn btn-small btn-ghost revoke-session").Text(c.t(i18n.SignOut)).
						Aria("label", c.t(i18n.RevokeSessionNamed, joinNonEmpty(", ", name, s.IP))).
						OnClick(func(ctx app.Context, _ app.Event) { ctx.NewActionWithValue(actRevoke, s.ID) }, app.EventScope(s.ID)),
				)
			}),
		),
		loadError(c.Lang, c.v.SessionsLoad),
	)
}

// sessionName tells one of the user's sessions from the others: the device
// (browser and system, from the user agent) and where it is (the server's
// coarse place of its IP) or, when the server knows none, when it was first
// seen, so two Chromes on Linux still read differently.
func sessionName(l i18n.Lang, s shared.Session) string {
	device := Device(s.UserAgent)
	if device == "" {
		device = i18n.T(l, i18n.UnknownDevice)
	}
	if s.Place != "" {
		return device + " · " + s.Place
	}
	if s.CreatedAt.IsZero() {
		return device
	}
	return device + " · " + i18n.T(l, i18n.FirstSeen, When(s.CreatedAt))
}
