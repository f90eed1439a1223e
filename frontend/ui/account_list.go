package ui

import (
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// accountList is the linked accounts card: one row per account with its
// Disconnect button (actDisconnect), a Connect button per provider not
// linked yet, and the waiting line while a connect popup is open. It
// follows the view state; the popup itself belongs to the Dashboard,
// which passes the props.
type accountList struct {
	app.Compo
	Lang      i18n.Lang
	Waiting   string                                       // the provider whose popup is open ("": none)
	OnConnect func(ctx app.Context, p shared.ProviderInfo) // a Connect button was clicked
	OnCancel  app.EventHandler                             // the waiting line's Cancel
	OnAsk     func(ctx app.Context, q Question)            // confirm before a Disconnect

	v View
}

func (c *accountList) OnMount(ctx app.Context) { ctx.ObserveState(viewKey, &c.v) }

func (c *accountList) t(k i18n.Key, arg ...string) string { return i18n.T(c.Lang, k, arg...) }

func (c *accountList) Render() app.UI {
	accounts, unlinked := c.v.Accounts, c.v.Unlinked()
	// The last way to sign in cannot be disconnected (the server refuses
	// with last_login_method): the button is off and the row says why.
	last := len(accounts) == 1
	return app.Div().Class("card").DataSet("load", loadState(c.v.AccountsLoad)).Body(
		app.H2().ID(accountsHeading).TabIndex(-1).Text(c.t(i18n.Accounts)),
		app.Ul().ID("accounts").Class("list").Body(
			app.Range(accounts).Slice(func(i int) app.UI {
				a := accounts[i]
				if a.Kind == shared.AccountKindPasskey {
					return &passkeyRow{Lang: c.Lang, Account: a, Last: last, Busy: c.v.Busy, OnAsk: c.OnAsk}
				}
				label := a.Email
				if label == "" {
					label = a.DisplayName
				}
				return app.Li().DataSet("provider", a.Provider).DataSet("account", a.ID).Body(
					// Decorative (the name follows); go-app drops an empty alt.
					app.Img().Class("provider-icon").Src(MarkURL(a.Provider)).Role("presentation").Width(20).Height(20),
					app.Div().Class("grow").Body(
						app.Span().Class("strong").Text(orDash(a.ProviderName)),
						app.Div().Class("muted small").Text(label+" · "+c.t(i18n.ConnectedOn, When(a.CreatedAt))),
						app.If(last, func() app.UI {
							return app.Div().ID("last-method").Class("small hint").Text(c.t(i18n.LastMethodReason))
						}),
					),
					app.Button().ID("disconnect-"+a.Provider).Class("btn btn-small btn-ghost").
						Disabled(last || c.v.Busy == "disconnect-"+a.ID).Text(c.t(i18n.Disconnect)).
						Aria("label", c.t(i18n.DisconnectNamed, orDash(a.ProviderName))).
						OnClick(func(ctx app.Context, _ app.Event) { c.askDisconnect(ctx, a) }, app.EventScope(a.ID)),
				)
			}),
		),
		loadError(c.Lang, c.v.AccountsLoad),
		app.If(len(unlinked) > 0, func() app.UI {
			return app.Div().Class("connect").Body(
				app.Range(unlinked).Slice(func(i int) app.UI {
					p := unlinked[i]
					return app.Button().ID("connect-"+p.ID).Class("btn btn-small").DataSet("provider", p.ID).
						Text(c.t(i18n.Connect, p.Name)).
						OnClick(func(ctx app.Context, _ app.Event) {
							if c.OnConnect != nil {
								c.OnConnect(ctx, p)
							}
						}, app.EventScope(p.ID, p.LoginURL))
				}),
			)
		}),
		addPasskey(c.Lang, c.v),
		waitingSlot(c.Lang, c.Waiting, c.OnCancel),
	)
}

// askDisconnect confirms before disconnecting a (actDisconnect); without
// a dialog to ask in, it disconnects.
func (c *accountList) askDisconnect(ctx app.Context, a shared.LinkedAccount) {
	do := func(ctx app.Context) { ctx.NewActionWithValue(actDisconnect, a.ID) }
	if c.OnAsk == nil {
		do(ctx)
		return
	}
	name := orDash(a.ProviderName)
	c.OnAsk(ctx, Question{
		Title:   c.t(i18n.ConfirmDisconnectTitle, name),
		Body:    c.t(i18n.ConfirmDisconnectBody, name),
		Confirm: c.t(i18n.DisconnectNamed, name),
		Do:      do,
	})
}
