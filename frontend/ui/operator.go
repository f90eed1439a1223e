package ui

// What the operator side's cards share (issue #15): the confirmation
// dialog with a reason, the "sign in again" panel a reauth_required
// answer leads to, and the retry once the user has signed in again.

import (
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// signInsKey is a go-app state set by every sign-in made in this tab (not
// a restore from the cookie): a card waiting for a fresh sign-in retries
// then. It holds no token.
const signInsKey = "/authbridge/sign-ins"

// signInMark is the value under signInsKey: a new At for every sign-in,
// and who signed in.
type signInMark struct {
	At   int64
	User string
}

// noteSignIn publishes a fresh sign-in to the cards waiting for one.
func noteSignIn(ctx app.Context, s kit.SignIn) {
	if s.Restored {
		return
	}
	ctx.SetState(signInsKey, signInMark{At: time.Now().UnixNano(), User: s.User.ID})
}

// IsAdmin reports whether u (as GET /api/me answers it) is an
// administrator.
func IsAdmin(u shared.User) bool {
	for _, r := range u.Roles {
		if r == shared.RoleAdmin {
			return true
		}
	}
	return false
}

// needsReauth reports whether err asks for a recent sign-in.
func needsReauth(err error) bool {
	return err != nil && kit.AsError(err).Code == shared.CodeReauthRequired
}

// ask is a confirmation before an operator action: its words, whether it
// takes a reason, and what runs when confirmed (with the reason typed).
type ask struct {
	Title, Body, Confirm string
	WithReason           bool
	Do                   func(ctx app.Context, reason string)
}

// reauthWait is an action refused for want of a recent sign-in: it runs
// again after the same user signs in again.
type reauthWait struct {
	User  string
	Retry func(ctx app.Context)
}

// afterSignIn runs w once a fresh sign-in (m) happened: the same user, or
// nothing and a word why. It answers the wait left (nil: done).
func (w *reauthWait) afterSignIn(ctx app.Context, m signInMark, say func(app.Context, Alert)) *reauthWait {
	if w == nil || m.At == 0 {
		return w
	}
	if m.User != w.User {
		say(ctx, Alert{Kind: KindInfo, Code: CodeCancelled, Key: i18n.ReauthOtherUser})
		return nil
	}
	w.Retry(ctx)
	return nil
}

// openDialog shows the <dialog> id as a modal once rendered: the focus
// moves into it and stays there, Escape cancels, and closing it gives
// the focus back to the button that opened it.
func openDialog(ctx app.Context, id string) {
	ctx.Defer(func(ctx app.Context) {
		if !app.IsClient {
			return
		}
		if el := app.Window().GetElementByID(id); el.Truthy() && !el.Get("open").Bool() {
			el.Call("showModal")
		}
	})
}

// closeDialog closes the <dialog> id.
func closeDialog(id string) {
	if !app.IsClient {
		return
	}
	if el := app.Window().GetElementByID(id); el.Truthy() && el.Get("open").Bool() {
		el.Call("close")
	}
}

// askDialog renders the dialog id for q (nil: the closed, empty dialog,
// kept in the page so it can open). onDone closes it: confirmed with the
// reason typed, or cancelled (Cancel, or Escape).
func askDialog(l i18n.Lang, id string, q *ask, onDone func(ctx app.Context, confirmed bool, reason string)) app.UI {
	d := app.Dialog().ID(id).Class("confirm")
	if q == nil {
		return d
	}
	reasonID := id + "-reason"
	reason := func() string {
		if !app.IsClient || !q.WithReason {
			return ""
		}
		if el := app.Window().GetElementByID(reasonID); el.Truthy() {
			return el.Get("value").String()
		}
		return ""
	}
	return d.Aria("labelledby", id+"-title").Aria("describedby", id+"-body").
		On("cancel", func(ctx app.Context, e app.Event) { onDone(ctx, false, "") }).
		Body(
			app.H2().ID(id+"-title").Text(q.Title),
			app.P().ID(id+"-body").Text(q.Body),
			app.If(q.WithReason, func() app.UI {
				return app.Div().Class("field").Body(
					app.Label().For(reasonID).Text(i18n.T(l, i18n.Reason)),
					app.Input().ID(reasonID).Type("text").MaxLength(shared.MaxReasonBytes),
				)
			}),
			app.Div().Class("confirm-actions").Body(
				app.Button().ID(id+"-cancel").Class("btn").Text(i18n.T(l, i18n.Cancel)).
					OnClick(func(ctx app.Context, _ app.Event) { closeDialog(id); onDone(ctx, false, "") }),
				app.Button().ID(id+"-ok").Class("btn btn-danger").Text(q.Confirm).
					OnClick(func(ctx app.Context, _ app.Event) {
						r := reason()
						closeDialog(id)
						onDone(ctx, true, r)
					}),
			),
		)
}

// reauthProviders are the providers to sign in again with: the one the
// current session used first.
func reauthProviders(v View) []shared.ProviderInfo {
	current := ""
	for _, s := range v.Sessions {
		if s.Current {
			current = s.Provider
		}
	}
	var first, rest []shared.ProviderInfo
	for _, p := range v.Providers {
		if p.ID == current {
			first = append(first, p)
		} else {
			rest = append(rest, p)
		}
	}
	return append(first, rest...)
}

// reauthPanel explains why an action waits and offers the sign-in popups
// (the kit's buttons); the action runs again after the sign-in.
func reauthPanel(l i18n.Lang, k *kit.Kit, v View, id string) app.UI {
	providers := reauthProviders(v)
	return app.Div().ID(id).Class("reauth").DataSet("reauth", "1").Body(
		app.P().Text(i18n.T(l, i18n.ReauthExplain)),
		app.Div().Class("providers").Body(
			app.Range(providers).Slice(func(i int) app.UI {
				p := providers[i]
				return &kit.ProviderButton{Kit: k, Provider: p, Label: i18n.T(l, i18n.SignInAgainWith, p.Name), Icon: MarkURL(p.ID)}
			}),
		),
	)
}
