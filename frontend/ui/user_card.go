package ui

import (
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// userCard is the signed-in user: picture, name, e-mail, the sign-out
// buttons and, after a first sign-in, a welcome. It follows the view
// state; the sign-out buttons send actSignOut.
type userCard struct {
	app.Compo
	Lang  i18n.Lang
	OnAsk func(ctx app.Context, q Question) // confirm before Sign out everywhere

	v View
}

func (c *userCard) OnMount(ctx app.Context) { ctx.ObserveState(viewKey, &c.v) }

func (c *userCard) t(k i18n.Key, arg ...string) string { return i18n.T(c.Lang, k, arg...) }

func (c *userCard) Render() app.UI {
	u := c.v.User
	busy := c.v.Busy != ""
	return app.Div().Class("card profile").Body(
		avatar(u),
		app.Div().Class("who").Body(
			app.Div().Class("muted small").Text(c.t(i18n.SignedInAs)),
			app.H1().ID("user-name").TabIndex(-1).Text(orDash(u.Name)),
			app.Div().Class("email").Body(
				app.Span().ID("user-email").Text(u.Email),
				app.If(u.Email != "" && !u.EmailVerified, func() app.UI {
					return app.Span().Class("badge badge-warn").Aria("describedby", "unverified-note").Text(c.t(i18n.Unverified))
				}),
			),
			app.If(u.Email != "" && !u.EmailVerified, func() app.UI {
				return app.P().ID("unverified-note").Class("muted small").Text(c.t(i18n.UnverifiedNote))
			}),
		),
		app.Div().Class("actions").Body(
			app.Button().ID("sign-out").Class("btn").Disabled(busy).Text(c.t(i18n.SignOut)).
				OnClick(func(ctx app.Context, _ app.Event) { ctx.NewActionWithValue(actSignOut, false) }),
			app.Button().ID("sign-out-all").Class("btn btn-danger").Disabled(busy).Text(c.t(i18n.SignOutAll)).
				OnClick(c.askSignOutAll),
		),
		app.If(c.v.IsNew, func() app.UI {
			return app.Div().ID("greeting").Class("greeting").Text(c.t(i18n.Welcome, firstName(u.Name)))
		}),
	)
}

// avatar is the user's picture when it may be loaded, else initials.
func avatar(u shared.User) app.UI {
	if u.AvatarURL != "" && SafeAvatar(u.AvatarURL, windowOrigin()) {
		// Decorative (the name is beside it); go-app drops an empty alt.
		return app.Img().ID("user-avatar").Class("avatar").Src(u.AvatarURL).Role("presentation").Width(64).Height(64).
			Attr("referrerpolicy", "no-referrer")
	}
	return app.Div().ID("user-initials").Class("avatar avatar-initials").Aria("hidden", "true").Text(Initials(u.Name, u.Email))
}

// askSignOutAll confirms before signing out every session (actSignOut);
// without a dialog to ask in, it signs out.
func (c *userCard) askSignOutAll(ctx app.Context, _ app.Event) {
	do := func(ctx app.Context) { ctx.NewActionWithValue(actSignOut, true) }
	if c.OnAsk == nil {
		do(ctx)
		return
	}
	c.OnAsk(ctx, Question{
		Title:   c.t(i18n.ConfirmSignOutAllTitle),
		Body:    c.t(i18n.ConfirmSignOutAllBody),
		Confirm: c.t(i18n.SignOutAll),
		Do:      do,
	})
}
