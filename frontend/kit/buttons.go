package kit

import (
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ProviderButton is one provider's button: a click opens its popup (or,
// when the popup is blocked, goes there with a redirect and comes back).
// It renders button#login-<id> (button#connect-<id> for Connect) with
// data-provider=<id>.
type ProviderButton struct {
	app.Compo
	Kit      *Kit
	Provider shared.ProviderInfo
	// Connect links the provider to the signed-in user instead of
	// signing in.
	Connect bool
	Label   string // "": "Sign in with <name>" or "Connect <name>"
	Mark    string // a short mark shown before the label ("": none)
	// Icon is the URL of the provider's mark, an image shown before the
	// label in place of Mark ("": Mark). It is decorative: the label
	// names the provider.
	Icon  string
	Hint  string // a short note after the label, e.g. "Last used" ("": none)
	Class string // "": "btn btn-provider"
}

func (b *ProviderButton) onClick(ctx app.Context, _ app.Event) {
	if b.Connect {
		b.Kit.Connect(ctx, b.Provider)
		return
	}
	b.Kit.SignIn(ctx, b.Provider)
}

func (b *ProviderButton) Render() app.UI {
	id, label, class := "login-", "Sign in with "+b.Provider.Name, "btn btn-provider"
	if b.Connect {
		id, label = "connect-", "Connect "+b.Provider.Name
	}
	if b.Label != "" {
		label = b.Label
	}
	if b.Class != "" {
		class = b.Class
	}
	return app.Button().ID(id+b.Provider.ID).Class(class).DataSet("provider", b.Provider.ID).OnClick(b.onClick).Body(
		app.If(b.Icon != "", func() app.UI {
			// go-app drops an empty alt: the role marks it decorative.
			return app.Img().Class("provider-icon").Src(b.Icon).Role("presentation").Width(20).Height(20)
		}).ElseIf(b.Mark != "", func() app.UI {
			return app.Span().Class("provider-mark provider-"+b.Provider.ID).Aria("hidden", "true").Text(b.Mark)
		}),
		app.Span().Class("provider-label").Text(label),
		app.If(b.Hint != "", func() app.UI {
			return app.Span().Class("provider-hint").Text(b.Hint)
		}),
	)
}

// SignInButtons is every offered sign-in button: Google's, then one per
// provider, as AuthBridge lists them (GET /api/auth/providers) and
// Config.Providers picks them, with a Cancel button while a popup is
// open. It follows the kit's state; the app shows it while signed out.
type SignInButtons struct {
	app.Compo
	Kit    *Kit
	Locale string // the Google button's language ("": the browser's)

	s State
}

func (c *SignInButtons) OnMount(ctx app.Context) {
	c.s = c.Kit.State()
	ctx.ObserveState(StateKey, &c.s)
}

func (c *SignInButtons) Render() app.UI {
	providers := c.s.RedirectProviders()
	return app.Div().Class("authbridge-signin").Body(
		app.If(c.s.GoogleClientID != "", func() app.UI {
			return &GoogleButton{Kit: c.Kit, ClientID: c.s.GoogleClientID, Locale: c.Locale}
		}),
		app.Range(providers).Slice(func(i int) app.UI {
			return &ProviderButton{Kit: c.Kit, Provider: providers[i]}
		}),
		app.If(c.s.Passkeys, func() app.UI {
			return &PasskeyButton{Kit: c.Kit}
		}),
		app.If(c.s.Waiting != "", func() app.UI {
			return app.Button().ID("cancel-flow").Class("btn").Text("Cancel").
				OnClick(func(ctx app.Context, _ app.Event) { c.Kit.CancelFlow(ctx) })
		}),
	)
}

// PasskeyButton signs in with a passkey (Kit.SignInWithPasskey) on the
// click itself. It renders button#login-passkey, off while a passkey
// sign-in is under way; show it when State.Passkeys says so.
type PasskeyButton struct {
	app.Compo
	Kit   *Kit
	Label string // "": "Sign in with a passkey"
	Icon  string // the URL of a decorative mark before the label ("": none)
	Class string // "": "btn btn-provider"

	s State
}

func (b *PasskeyButton) OnMount(ctx app.Context) {
	b.s = b.Kit.State()
	ctx.ObserveState(StateKey, &b.s)
}

func (b *PasskeyButton) Render() app.UI {
	label, class := "Sign in with a passkey", "btn btn-provider"
	if b.Label != "" {
		label = b.Label
	}
	if b.Class != "" {
		class = b.Class
	}
	return app.Button().ID("login-passkey").Class(class).DataSet("provider", ProviderPasskey).
		Disabled(b.s.PasskeyBusy).Aria("busy", b.s.PasskeyBusy).
		OnClick(func(ctx app.Context, _ app.Event) { b.Kit.SignInWithPasskey(ctx) }).Body(
		app.If(b.Icon != "", func() app.UI {
			return app.Img().Class("provider-icon").Src(b.Icon).Role("presentation").Width(20).Height(20)
		}),
		app.Span().Class("provider-label").Text(label),
	)
}
