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
	names := sessionNames(c.Lang, sessions)
	return app.Div().Class("card").DataSet("load", loadState(c.v.SessionsLoad)).Body(
		app.H2().ID(sessionsHeading).TabIndex(-1).Text(c.t(i18n.Sessions)),
		app.Ul().ID("sessions").Class("list").Body(
			app.Range(sessions).Slice(func(i int) app.UI {
				s := sessions[i]
				name := names[i]
				current, thisDevice := "false", ""
				if s.Current {
					// Said in the button's name too: two sessions of one
					// browser, system and place, begun in one minute,
					// still differ by it.
					current, thisDevice = "true", c.t(i18n.ThisDevice)
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
						Aria("label", c.t(i18n.RevokeSessionNamed, joinNonEmpty(", ", name, s.IP, thisDevice))).
						OnClick(func(ctx app.Context, _ app.Event) { ctx.NewActionWithValue(actRevoke, s.ID) }, app.EventScope(s.ID)),
				)
			}),
		),
		loadError(c.Lang, c.v.SessionsLoad),
	)
}

// sessionNames tells the user's sessions apart: each is named by its
// device (browser and system, from the user agent) and where it is (the
// server's coarse place of its IP) or, when the server knows none, when it
// was first seen. Two sessions that would still read alike (two Chromes on
// Linux in one city) both get their first-seen time too.
func sessionNames(l i18n.Lang, sessions []shared.Session) []string {
	names := make([]string, len(sessions))
	seen := make(map[string]int, len(sessions))
	for i, s := range sessions {
		names[i] = sessionName(l, s)
		seen[names[i]]++
	}
	for i, s := range sessions {
		if seen[names[i]] > 1 && s.Place != "" && !s.CreatedAt.IsZero() {
			names[i] += " · " + i18n.T(l, i18n.FirstSeen, When(s.CreatedAt))
		}
	}
	return names
}

// sessionName is one session's name on its own: the device, then the
// place, else the first-seen time.
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
