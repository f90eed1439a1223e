package ui

import (
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// langKey keeps the chosen language (a preference, not a secret).
const langKey = "authbridge.lang"

// Dashboard is the whole app: signed out, it offers the sign-in buttons;
// signed in, the user, linked accounts, sessions and login history.
type Dashboard struct {
	app.Compo

	v       View
	lang    i18n.Lang
	flow    *flow
	msgFn   app.Func
	chanFn  app.Func
	channel app.Value
}

func (d *Dashboard) OnMount(ctx app.Context) {
	rt.setContext(ctx)
	d.lang = i18n.Detect(navigatorLanguages())
	var saved string
	if ctx.LocalStorage().Get(langKey, &saved) == nil && saved != "" {
		d.lang = i18n.Detect([]string{saved})
	}
	d.setDocumentLang()
	d.v = rt.m.get()
	ctx.ObserveState(viewKey, &d.v)

	d.msgFn = d.onMessage(ctx)
	app.Window().Call("addEventListener", "message", d.msgFn)
	if bc := app.Window().Get("BroadcastChannel"); bc.Truthy() {
		d.channel = bc.New(channelName)
		d.chanFn = app.FuncOf(func(_ app.Value, args []app.Value) any {
			data := args[0].Get("data")
			if data.Type() != app.TypeObject {
				return nil
			}
			switch data.Get("type").String() {
			case eventSignedOut:
				ctx.Dispatch(func(ctx app.Context) { ctx.NewAction(actRemoteSignedOut) })
			case eventSignedIn:
				ctx.Dispatch(func(ctx app.Context) { ctx.NewAction(actRemoteSignedIn) })
			}
			return nil
		})
		d.channel.Call("addEventListener", "message", d.chanFn)
		rt.setChannel(d.channel)
	}
	p, _ := redirectResult(ctx)
	ctx.NewActionWithValue(actInit, p)
}

func (d *Dashboard) OnDismount() {
	if d.msgFn != nil {
		app.Window().Call("removeEventListener", "message", d.msgFn)
		d.msgFn.Release()
	}
	if d.chanFn != nil {
		d.channel.Call("close")
		d.chanFn.Release()
		rt.setChannel(nil)
	}
}

func (d *Dashboard) setDocumentLang() {
	if app.IsClient {
		app.Window().Get("document").Get("documentElement").Set("lang", string(d.lang))
	}
}

func (d *Dashboard) t(k i18n.Key, arg ...string) string { return i18n.T(d.lang, k, arg...) }

func (d *Dashboard) onLang(ctx app.Context, e app.Event) {
	d.lang = i18n.Detect([]string{ctx.JSSrc().Get("value").String()})
	ctx.LocalStorage().Set(langKey, string(d.lang))
	d.setDocumentLang()
}

func (d *Dashboard) phase() Phase {
	if d.v.Phase == "" {
		return PhaseLoading
	}
	return d.v.Phase
}

func (d *Dashboard) Render() app.UI {
	ph := d.phase()
	root := app.Main().ID("app").Class("app").DataSet("state", string(ph))
	if ph != PhaseLoading {
		root = root.DataSet("ready", "1")
	}
	return root.Body(
		d.renderHeader(),
		d.renderAlert(),
		app.If(ph == PhaseLoading, func() app.UI { return d.renderLoading() }).
			ElseIf(ph == PhaseSignedOut, func() app.UI { return d.renderSignedOut() }).
			Else(func() app.UI { return d.renderSignedIn() }),
		app.Div().Class("footer").Body(
			app.Text("AuthBridge · self-hosted sign-in"),
		),
	)
}

func (d *Dashboard) renderHeader() app.UI {
	return app.Div().Class("topbar").Body(
		app.Div().Class("brand").Body(
			app.Img().Src("/web/icon.svg").Alt("").Width(28).Height(28),
			app.Span().Text("AuthBridge"),
		),
		app.Div().Class("lang").Body(
			app.Span().Class("sr-only").Text(d.t(i18n.Language)),
			app.Select().ID("lang").Aria("label", d.t(i18n.Language)).OnChange(d.onLang).Body(
				app.Range(i18n.Langs).Slice(func(i int) app.UI {
					l := i18n.Langs[i]
					return app.Option().Value(string(l)).Selected(l == d.lang).Text(l.Name())
				}),
			),
		),
	)
}

// renderAlert keeps its slot even when empty, so messages don't push the
// page around.
func (d *Dashboard) renderAlert() app.UI {
	a := d.v.Alert
	slot := app.Div().Class("alert-slot").Aria("live", "polite")
	if a.Kind == "" {
		return slot
	}
	return slot.Body(
		app.Div().ID("alert").Class("alert alert-"+a.Kind).Role("status").
			DataSet("kind", a.Kind).DataSet("code", a.Code).Body(
			app.Span().Class("alert-text").Text(a.Text(d.lang)),
			app.Button().Class("alert-close").Aria("label", d.t(i18n.Dismiss)).Text("×").
				OnClick(func(ctx app.Context, _ app.Event) { rt.m.alert(ctx, Alert{}) }),
		),
	)
}

func (d *Dashboard) renderLoading() app.UI {
	return app.Div().Class("card card-center skeleton").Body(
		app.Div().Class("spinner").Aria("hidden", "true"),
		app.Div().Class("muted").Text(d.t(i18n.Loading)),
	)
}

func (d *Dashboard) renderSignedOut() app.UI {
	providers := d.v.RedirectProviders()
	return app.Div().Class("card card-center signin").Body(
		app.H1().Text(d.t(i18n.SignInHeading)),
		app.Div().Class("muted").Text(d.t(i18n.Tagline)),
		app.If(d.v.GoogleClientID != "", func() app.UI {
			return &gisButton{ClientID: d.v.GoogleClientID, Lang: d.lang}
		}),
		app.If(d.v.GoogleClientID != "" && len(providers) > 0, func() app.UI {
			return app.Div().Class("divider").Body(app.Span().Text(d.t(i18n.Or)))
		}),
		app.Div().Class("providers").Body(
			app.Range(providers).Slice(func(i int) app.UI {
				p := providers[i]
				return app.Button().ID("login-"+p.ID).Class("btn btn-provider").DataSet("provider", p.ID).
					OnClick(func(ctx app.Context, _ app.Event) { d.startFlow(ctx, p, "login") }, app.EventScope(p.ID, p.LoginURL)).
					Body(
						app.Span().Class("provider-mark provider-"+p.ID).Aria("hidden", "true").Text(firstRune(Initials(p.Name, ""))),
						app.Span().Text(d.t(i18n.SignInWith, p.Name)),
					)
			}),
		),
		app.If(len(d.v.Providers) == 0, func() app.UI {
			return app.Div().Class("muted").ID("no-providers").Text(d.t(i18n.NoProviders))
		}),
		d.renderWaiting(),
	)
}

// renderWaiting shows while a popup is open, with a way out.
func (d *Dashboard) renderWaiting() app.UI {
	if d.flow == nil {
		return app.Div().Class("waiting-slot")
	}
	return app.Div().Class("waiting-slot").Body(
		app.Div().ID("waiting").Class("waiting").Body(
			app.Div().Class("spinner spinner-small").Aria("hidden", "true"),
			app.Span().Text(d.t(i18n.Waiting, d.v.ProviderName(d.flow.provider))),
			app.Button().ID("cancel-flow").Class("btn btn-small btn-ghost").Text(d.t(i18n.Cancel)).OnClick(d.cancelFlow),
		),
	)
}

func (d *Dashboard) renderSignedIn() app.UI {
	u := d.v.User
	busy := d.v.Busy != ""
	return app.Div().Class("grid").Body(
		app.Div().Class("card profile").Body(
			d.renderAvatar(u),
			app.Div().Class("who").Body(
				app.Div().Class("muted small").Text(d.t(i18n.SignedInAs)),
				app.H1().ID("user-name").Text(orDash(u.Name)),
				app.Div().Class("email").Body(
					app.Span().ID("user-email").Text(u.Email),
					app.If(u.Email != "" && !u.EmailVerified, func() app.UI {
						return app.Span().Class("badge badge-warn").Text(d.t(i18n.Unverified))
					}),
				),
			),
			app.Div().Class("actions").Body(
				app.Button().ID("sign-out").Class("btn").Disabled(busy).Text(d.t(i18n.SignOut)).
					OnClick(func(ctx app.Context, _ app.Event) { ctx.NewActionWithValue(actSignOut, false) }),
				app.Button().ID("sign-out-all").Class("btn btn-danger").Disabled(busy).Text(d.t(i18n.SignOutAll)).
					OnClick(func(ctx app.Context, _ app.Event) { ctx.NewActionWithValue(actSignOut, true) }),
			),
			app.If(d.v.IsNew, func() app.UI {
				return app.Div().ID("greeting").Class("greeting").Text(d.t(i18n.Welcome, firstName(u.Name)))
			}),
		),
		d.renderAccounts(),
		d.renderSessions(),
		d.renderLogins(),
	)
}

func (d *Dashboard) renderAvatar(u shared.User) app.UI {
	if u.AvatarURL != "" && SafeAvatar(u.AvatarURL, windowOrigin()) {
		return app.Img().ID("user-avatar").Class("avatar").Src(u.AvatarURL).Alt("").Width(64).Height(64).
			Attr("referrerpolicy", "no-referrer")
	}
	return app.Div().ID("user-initials").Class("avatar avatar-initials").Aria("hidden", "true").Text(Initials(u.Name, u.Email))
}

func (d *Dashboard) renderAccounts() app.UI {
	accounts, unlinked := d.v.Accounts, d.v.Unlinked()
	return app.Div().Class("card").Body(
		app.H2().Text(d.t(i18n.Accounts)),
		app.Ul().ID("accounts").Class("list").Body(
			app.Range(accounts).Slice(func(i int) app.UI {
				a := accounts[i]
				label := a.Email
				if label == "" {
					label = a.DisplayName
				}
				return app.Li().DataSet("provider", a.Provider).DataSet("account", a.ID).Body(
					app.Span().Class("provider-mark provider-"+a.Provider).Aria("hidden", "true").Text(firstRune(Initials(a.ProviderName, a.Provider))),
					app.Div().Class("grow").Body(
						app.Span().Class("strong").Text(orDash(a.ProviderName)),
						app.Div().Class("muted small").Text(label+" · "+d.t(i18n.ConnectedOn, When(a.CreatedAt))),
					),
					app.Button().ID("disconnect-"+a.Provider).Class("btn btn-small btn-ghost").
						Disabled(d.v.Busy == "disconnect-"+a.ID).Text(d.t(i18n.Disconnect)).
						OnClick(func(ctx app.Context, _ app.Event) { ctx.NewActionWithValue(actDisconnect, a.ID) }, app.EventScope(a.ID)),
				)
			}),
		),
		app.If(len(unlinked) > 0, func() app.UI {
			return app.Div().Class("connect").Body(
				app.Range(unlinked).Slice(func(i int) app.UI {
					p := unlinked[i]
					return app.Button().ID("connect-"+p.ID).Class("btn btn-small").DataSet("provider", p.ID).
						Text(d.t(i18n.Connect, p.Name)).
						OnClick(func(ctx app.Context, _ app.Event) { d.startFlow(ctx, p, "connect") }, app.EventScope(p.ID, p.LoginURL))
				}),
			)
		}),
		d.renderWaitingIfSignedIn(),
	)
}

func (d *Dashboard) renderWaitingIfSignedIn() app.UI {
	if d.flow == nil {
		return app.Div().Class("waiting-slot")
	}
	return d.renderWaiting()
}

func (d *Dashboard) renderSessions() app.UI {
	sessions := d.v.Sessions
	return app.Div().Class("card").Body(
		app.H2().Text(d.t(i18n.Sessions)),
		app.Ul().ID("sessions").Class("list").Body(
			app.Range(sessions).Slice(func(i int) app.UI {
				s := sessions[i]
				device := Device(s.UserAgent)
				if device == "" {
					device = d.t(i18n.UnknownDevice)
				}
				current := "false"
				if s.Current {
					current = "true"
				}
				return app.Li().DataSet("session", s.ID).DataSet("current", current).Body(
					app.Div().Class("grow").Body(
						app.Strong().Text(device),
						app.If(s.Current, func() app.UI { return app.Span().Class("badge").Text(d.t(i18n.ThisDevice)) }),
						app.Div().Class("muted small").Text(joinNonEmpty(" · ", s.IP, d.t(i18n.LastUsed, When(s.LastUsed)))),
					),
					app.Button().Class("btn btn-small btn-ghost revoke-session").Text(d.t(i18n.RevokeSession)).
						OnClick(func(ctx app.Context, _ app.Event) { ctx.NewActionWithValue(actRevoke, s.ID) }, app.EventScope(s.ID)),
				)
			}),
		),
	)
}

func (d *Dashboard) renderLogins() app.UI {
	logins := d.v.Logins
	return app.Div().Class("card card-wide").Body(
		app.H2().Text(d.t(i18n.Logins)),
		app.Div().Class("table-wrap").Body(
			app.Table().ID("logins").Body(
				app.Tr().Body(
					app.Th().Text(d.t(i18n.ColTime)), app.Th().Text(d.t(i18n.ColProvider)),
					app.Th().Text(d.t(i18n.ColOutcome)), app.Th().Text(d.t(i18n.ColIP)), app.Th().Text(d.t(i18n.ColDevice)),
				),
				app.Range(logins).Slice(func(i int) app.UI {
					l := logins[i]
					outcome := d.t(i18n.OutcomeSuccess)
					switch l.Outcome {
					case shared.OutcomeSuccess:
					case shared.OutcomeTokenReused: // says it all; no code to add
						outcome = d.t(i18n.OutcomeTokenReused)
					default:
						outcome = d.t(i18n.OutcomeFailure)
						if l.ErrorCode != "" {
							outcome += " (" + string(l.ErrorCode) + ")"
						}
					}
					return app.Tr().DataSet("provider", l.Provider).DataSet("outcome", l.Outcome).Body(
						app.Td().Text(When(l.Time)),
						app.Td().Text(d.v.ProviderName(l.Provider)),
						app.Td().Class("outcome-"+l.Outcome).Text(outcome),
						app.Td().Text(orDash(l.IP)),
						app.Td().Text(orDash(Device(l.UserAgent))),
					)
				}),
			),
		),
		app.If(len(logins) == 0, func() app.UI { return app.Div().Class("muted").Text(d.t(i18n.Empty)) }),
	)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func firstName(name string) string {
	for i, r := range name {
		if r == ' ' {
			return name[:i]
		}
	}
	return name
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}
