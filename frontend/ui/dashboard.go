package ui

import (
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// langKey keeps the chosen language (a preference, not a secret).
const langKey = "authbridge.lang"

// lastProviderKey keeps the id of the provider this browser signed in
// with last (no token, no name).
const lastProviderKey = "authbridge.last_provider"

// Dashboard is the whole app: signed out, it offers the sign-in buttons;
// signed in, the user, linked accounts, sessions and login history.
type Dashboard struct {
	app.Compo

	rt *runtime // set by the route (Register)

	v    View
	lang i18n.Lang
	// ask is the confirmation shown in the dialog (nil: none).
	ask *Question
	// ctx is the Dashboard's own context: a card asks for a confirmation
	// from its context, and the dialog is the Dashboard's to render.
	ctx app.Context
	// langKeyed is set while the language select was changed by arrow
	// keys: the choice applies on Enter or when the select loses focus,
	// not on every key press (browsers fire change for each one).
	langKeyed bool
}

func (d *Dashboard) OnMount(ctx app.Context) {
	d.ctx = ctx
	d.lang = i18n.Detect(navigatorLanguages())
	var saved string
	if ctx.LocalStorage().Get(langKey, &saved) == nil && saved != "" {
		d.lang = i18n.Detect([]string{saved})
	}
	d.setDocumentLang()
	var last string
	if ctx.LocalStorage().Get(lastProviderKey, &last) == nil && last != "" {
		d.rt.m.update(ctx, func(v *View) {
			if v.LastProvider == "" {
				v.LastProvider = last
			}
		})
	}
	d.v = d.rt.m.get()
	prev := d.v
	ctx.ObserveState(viewKey, &d.v).OnChange(func() {
		if id := focusAfter(prev, d.v); id != "" {
			ctx.Defer(func(ctx app.Context) { focusID(ctx, id, 5) })
		} else if id := resultFocus(prev, d.v); id != "" {
			ctx.Defer(func(ctx app.Context) { focusResult(ctx, id, 5) })
		}
		prev = d.v
	})

	d.rt.kit.Mount(ctx) // the sign-in starts: providers, then the session
}

func (d *Dashboard) OnDismount() { d.rt.kit.Dismount() }

func (d *Dashboard) setDocumentLang() {
	if app.IsClient {
		app.Window().Get("document").Get("documentElement").Set("lang", string(d.lang))
	}
}

func (d *Dashboard) t(k i18n.Key, arg ...string) string { return i18n.T(d.lang, k, arg...) }

// onLangChange applies a choice made with the mouse or the picker; one
// made with the arrow keys on the closed select waits for Enter or blur.
func (d *Dashboard) onLangChange(ctx app.Context, e app.Event) {
	if d.langKeyed {
		ctx.PreventUpdate()
		return
	}
	d.applyLang(ctx)
}

func (d *Dashboard) onLangKey(ctx app.Context, e app.Event) {
	switch e.Get("key").String() {
	case "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown":
		d.langKeyed = true
		ctx.PreventUpdate()
	case "Enter", " ":
		if d.langKeyed {
			d.applyLang(ctx)
		}
	default:
		ctx.PreventUpdate()
	}
}

func (d *Dashboard) onLangBlur(ctx app.Context, e app.Event) {
	if !d.langKeyed {
		ctx.PreventUpdate()
		return
	}
	d.applyLang(ctx)
}

func (d *Dashboard) applyLang(ctx app.Context) {
	d.langKeyed = false
	d.lang = i18n.Detect([]string{ctx.JSSrc().Get("value").String()})
	ctx.LocalStorage().Set(langKey, string(d.lang))
	d.setDocumentLang()
}

// focusAfter is the element that takes the focus after the view changed
// from prev to v ("": leave it): the user's name after a sign-in, the
// message (or the sign-in heading) after a sign-out, an error message when
// one appears. Without it the focus falls to <body> when the buttons the
// user pressed go away, and a screen reader user is lost.
func focusAfter(prev, v View) string {
	switch {
	case prev.Phase == PhaseSignedOut && v.Phase == PhaseSignedIn:
		return "user-name"
	case prev.Phase == PhaseSignedIn && v.Phase == PhaseSignedOut:
		if v.Alert.Kind != "" {
			return "alert"
		}
		return "signin-heading"
	case (v.Alert.Kind == KindError || v.Alert.Retry != "" || v.Alert.Again != "") && v.Alert.Seq != prev.Alert.Seq:
		return "alert"
	}
	return ""
}

// The headings that take the focus after an action (resultFocus).
const (
	accountsHeading  = "accounts-heading"
	sessionsHeading  = "sessions-heading"
	adminHeading     = "admin-heading"
	adminUserHeading = "admin-user-heading"
)

// resultFocus is the rule for an action whose control leaves the page (a
// Connect button once connected, a row once gone, Disable once it became
// Enable): the focus goes to the heading of the card (or region) that
// held the control, never to the next row's button (rows come and go as
// the list loads again), and the result is read out by the polite live
// region, the alert slot. The alert names the heading (Alert.Focus, via
// doneAlert); it is "" when the alert is not new or names none.
func resultFocus(prev, v View) string {
	if v.Alert.Seq == prev.Alert.Seq {
		return ""
	}
	return v.Alert.Focus
}

// focusID focuses the element with id once it is rendered (a few tries:
// a card may render a cycle later).
func focusID(ctx app.Context, id string, tries int) { focusWhen(ctx, id, tries, false) }

// focusResult is focusID for resultFocus's heading, unless the user has
// moved on meanwhile: it takes the focus only from <body> (the control is
// gone) or from inside the heading's card (the control is going).
func focusResult(ctx app.Context, id string, tries int) { focusWhen(ctx, id, tries, true) }

func focusWhen(ctx app.Context, id string, tries int, onlyFromCard bool) {
	if !app.IsClient {
		return
	}
	if el := app.Window().GetElementByID(id); el.Truthy() {
		if onlyFromCard && !focusNear(el) {
			return
		}
		el.Call("focus")
		return
	}
	if tries > 0 {
		ctx.After(50*time.Millisecond, func(ctx app.Context) { focusWhen(ctx, id, tries-1, onlyFromCard) })
	}
}

// focusNear reports whether the focus is on <body> or inside el's card.
func focusNear(el app.Value) bool {
	doc := app.Window().Get("document")
	active := doc.Get("activeElement")
	if !active.Truthy() || active.Equal(doc.Get("body")) {
		return true
	}
	card := el.Call("closest", ".card")
	return !card.Truthy() || card.Call("contains", active).Bool()
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
		&linkPanel{Lang: d.lang, SignedIn: d.v.Phase == PhaseSignedIn, Providers: d.v.Providers, rt: d.rt, flow: &d.rt.link},
		app.If(ph == PhaseLoading, func() app.UI { return d.renderLoading() }).
			ElseIf(ph == PhaseSignedOut, func() app.UI { return d.renderSignedOut() }).
			Else(func() app.UI { return d.renderSignedIn() }),
		app.Div().Class("footer").Body(
			app.Text(d.t(i18n.Footer)),
		),
		d.renderConfirm(),
	)
}

// retry redoes what the alert says failed: the start, the lists, or the
// flow of its provider (on the click, so the popup may open).
func (d *Dashboard) retry(ctx app.Context, _ app.Event) {
	switch d.v.Alert.Again {
	case AgainStart:
		d.rt.m.alert(ctx, Alert{})
		d.rt.kit.Restart(ctx)
		return
	case AgainLists:
		d.rt.m.alert(ctx, Alert{})
		ctx.NewAction(actLoad)
		return
	case AgainGoogle:
		// The button (re-drawn, prompting) is under the heading; the
		// pressed Try again goes with the alert.
		d.rt.m.alert(ctx, Alert{})
		d.rt.kit.RetryGoogle(ctx)
		focusID(ctx, "signin-heading", 5)
		return
	}
	id := d.v.Alert.Retry
	for _, p := range d.v.Providers {
		if p.ID != id {
			continue
		}
		if d.v.Phase == PhaseSignedIn {
			d.rt.kit.Connect(ctx, p)
		} else {
			d.rt.kit.SignIn(ctx, p)
		}
		return
	}
}

// askConfirm opens the confirmation dialog for q (asked from any
// component's context).
func (d *Dashboard) askConfirm(_ app.Context, q Question) {
	d.ctx.Dispatch(func(ctx app.Context) {
		d.ask = &q
		ctx.Defer(func(ctx app.Context) {
			if el := app.Window().GetElementByID("confirm-dialog"); el.Truthy() && !el.Get("open").Bool() {
				el.Call("showModal") // modal: the focus moves in and stays there; Escape cancels
			}
		})
	})
}

// closeConfirm closes the dialog; the browser gives the focus back to
// the button that opened it.
func (d *Dashboard) closeConfirm(ctx app.Context) {
	if el := app.Window().GetElementByID("confirm-dialog"); el.Truthy() && el.Get("open").Bool() {
		el.Call("close")
	}
	d.ask = nil
}

func (d *Dashboard) renderConfirm() app.UI {
	if d.ask == nil {
		return app.Dialog().ID("confirm-dialog").Class("confirm")
	}
	q := *d.ask
	return app.Dialog().ID("confirm-dialog").Class("confirm").
		Aria("labelledby", "confirm-title").Aria("describedby", "confirm-body").
		On("cancel", func(ctx app.Context, e app.Event) { d.ask = nil }). // Escape
		Body(
			app.H2().ID("confirm-title").Text(q.Title),
			app.P().ID("confirm-body").Text(q.Body),
			app.Div().Class("confirm-actions").Body(
				app.Button().ID("confirm-cancel").Class("btn").Text(d.t(i18n.Cancel)).
					OnClick(func(ctx app.Context, _ app.Event) { d.closeConfirm(ctx) }),
				app.Button().ID("confirm-ok").Class("btn btn-danger").Text(q.Confirm).
					OnClick(func(ctx app.Context, _ app.Event) {
						d.closeConfirm(ctx)
						q.Do(ctx)
					}),
			),
		)
}

func (d *Dashboard) renderHeader() app.UI {
	return app.Div().Class("topbar").Body(
		app.Div().Class("brand").Body(
			// Decorative: go-app drops an empty alt, so the role says it.
			app.Img().Src("/web/icon.svg").Role("presentation").Width(28).Height(28),
			app.Span().Text("AuthBridge"),
		),
		app.Div().Class("lang").Body(
			app.Label().For("lang").Class("sr-only").Text(d.t(i18n.Language)),
			app.Select().ID("lang").OnChange(d.onLangChange).OnKeyDown(d.onLangKey).OnBlur(d.onLangBlur).Body(
				app.Range(i18n.Langs).Slice(func(i int) app.UI {
					l := i18n.Langs[i]
					return app.Option().Value(string(l)).Lang(string(l)).Selected(l == d.lang).Text(l.Name())
				}),
			),
		),
	)
}

// renderAlert keeps its slot even when empty, so messages don't push the
// page around.
func (d *Dashboard) renderAlert() app.UI {
	a := d.v.Alert
	// The slot is the live region (it exists before any message, so
	// screen readers announce what appears in it); errors also take the
	// focus (focusAfter), hence tabindex -1.
	slot := app.Div().Class("alert-slot").Role("status").Aria("live", "polite").Aria("atomic", "true")
	if a.Kind == "" {
		return slot
	}
	return slot.Body(
		app.Div().ID("alert").Class("alert alert-"+a.Kind).TabIndex(-1).
			DataSet("kind", a.Kind).DataSet("code", a.Code).Body(
			app.Span().Class("alert-text").Text(a.Text(d.lang)),
			app.If(a.Retry != "" || a.Again != "", func() app.UI {
				return app.Button().ID("alert-retry").Class("btn btn-small").Text(d.t(i18n.TryAgain)).OnClick(d.retry)
			}),
			app.Button().Class("alert-close").Aria("label", d.t(i18n.Dismiss)).Text("×").
				OnClick(func(ctx app.Context, _ app.Event) { d.rt.m.alert(ctx, Alert{}) }),
		),
	)
}

func (d *Dashboard) renderLoading() app.UI {
	return app.Div().Class("card card-center skeleton").Role("status").Body(
		app.Div().Class("spinner").Aria("hidden", "true"),
		app.Div().Class("muted").Text(d.t(i18n.Loading)),
	)
}

func (d *Dashboard) renderSignedOut() app.UI {
	providers := d.v.RedirectProviders()
	return app.Div().Class("card card-center signin").Body(
		app.H1().ID("signin-heading").TabIndex(-1).Text(d.t(i18n.SignInHeading)),
		app.Div().Class("muted").Text(d.t(i18n.Tagline)),
		app.If(d.v.GoogleClientID != "", func() app.UI {
			return &kit.GoogleButton{Kit: d.rt.kit, ClientID: d.v.GoogleClientID, Locale: string(d.lang), Unavailable: d.t(i18n.GoogleUnavailable)}
		}),
		app.If(d.v.GoogleClientID != "" && d.v.LastProvider == "google", func() app.UI {
			return app.Div().ID("last-used-google").Class("small muted").Text(d.t(i18n.LastUsedWith, d.v.ProviderName("google")))
		}),
		app.If(d.v.GoogleClientID != "" && len(providers) > 0, func() app.UI {
			return app.Div().Class("divider").Body(app.Span().Text(d.t(i18n.Or)))
		}),
		app.Div().Class("providers").Body(
			app.Range(providers).Slice(func(i int) app.UI {
				p := providers[i]
				hint := ""
				if p.ID == d.v.LastProvider {
					hint = d.t(i18n.LastUsedHint)
				}
				return &kit.ProviderButton{Kit: d.rt.kit, Provider: p, Label: d.t(i18n.SignInWith, p.Name),
					Icon: MarkURL(p.ID), Hint: hint}
			}),
			passkeySignIn(d.lang, d.rt.kit, d.v),
		),
		app.If(len(d.v.Providers) == 0 && !d.v.Unreachable, func() app.UI {
			return app.Div().Class("muted").ID("no-providers").Text(d.t(i18n.NoProviders))
		}),
		d.renderWaiting(),
	)
}

// renderWaiting shows while a popup is open, with a way out.
func (d *Dashboard) renderWaiting() app.UI {
	return waitingSlot(d.lang, d.waitingFor(), d.cancelFlow)
}

// waitingFor is the display name of the provider whose popup is open ("":
// none).
func (d *Dashboard) waitingFor() string {
	if d.v.Waiting == "" {
		return ""
	}
	return d.v.ProviderName(d.v.Waiting)
}

// renderSignedIn is one component per card. Each is seeded with the view
// the dashboard has (so the prerender and host tests show it) and then
// follows the state itself.
func (d *Dashboard) renderSignedIn() app.UI {
	return app.Div().Class("grid").Body(
		&userCard{Lang: d.lang, OnAsk: d.askConfirm, v: d.v},
		&accountList{Lang: d.lang, Waiting: d.waitingFor(), OnConnect: d.connect, OnCancel: d.cancelFlow, OnAsk: d.askConfirm, v: d.v},
		&sessionList{Lang: d.lang, v: d.v},
		&loginList{Lang: d.lang, v: d.v},
		&adminSection{Lang: d.lang, rt: d.rt, v: d.v},
		&accountData{Lang: d.lang, rt: d.rt, v: d.v},
	)
}

// connect starts a flow that links provider p to the signed-in user.
func (d *Dashboard) connect(ctx app.Context, p shared.ProviderInfo) { d.rt.kit.Connect(ctx, p) }

// cancelFlow is the Cancel button while a popup is open.
func (d *Dashboard) cancelFlow(ctx app.Context, _ app.Event) { d.rt.kit.CancelFlow(ctx) }

// waitingSlot keeps its place even when empty; with a provider it says a
// popup is open for it and offers to cancel.
func waitingSlot(l i18n.Lang, provider string, onCancel app.EventHandler) app.UI {
	// A live region that is always there, so "finish signing in" is read
	// out when it appears.
	slot := app.Div().Class("waiting-slot").Role("status").Aria("live", "polite")
	if provider == "" {
		return slot
	}
	return slot.Body(
		app.Div().ID("waiting").Class("waiting").Body(
			app.Div().Class("spinner spinner-small").Aria("hidden", "true"),
			app.Span().Text(i18n.T(l, i18n.Waiting, provider)),
			app.Button().ID("cancel-flow").Class("btn btn-small btn-ghost").Text(i18n.T(l, i18n.Cancel)).OnClick(onCancel),
		),
	)
}

// loadState is a list card's data-load attribute.
func loadState(l Load) string {
	if l.Status == LoadNone {
		return "none"
	}
	return string(l.Status)
}

// loadError is the line a list card shows when its last fetch failed.
func loadError(lang i18n.Lang, l Load) app.UI {
	return app.If(l.Status == LoadFailed, func() app.UI {
		return app.Div().Class("muted small list-error").Text(l.Err.Text(lang))
	})
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
