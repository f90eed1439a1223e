package ui

// "Proof, then link": a popup sign-in refused as duplicate_email leaves a
// pending link on the server and its secret here. The dashboard offers to
// sign in with the account that owns the email; once signed in, a dialog
// asks whether to link the refused provider, and nothing is linked unless
// the user chooses Link. Its state is its own (linkKey), beside the view.

import (
	"sync"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// linkKey is the go-app state the link panel observes (linkView). Like the
// view, it is never persisted and never holds the link's secret.
const linkKey = "/authbridge/link"

// LinkOffer is the offer after a duplicate_email refusal: the display
// names of the owner account's providers and of the refused one.
type LinkOffer struct {
	Owners  []string
	Refused string
}

// linkView is what the panel renders: the offer (Refused "": none) and,
// once signed in, the pending link as the server shows it (Provider "":
// none).
type linkView struct {
	Offer   LinkOffer
	Pending shared.PendingLinkResponse
}

// linkFlow is the runtime's part of "proof, then link". The secret stays
// in memory here: never in a state go-app may copy, never stored.
type linkFlow struct {
	mu     sync.Mutex
	secret string
	v      linkView
}

func (lf *linkFlow) update(ctx app.Context, f func(v *linkView)) {
	lf.mu.Lock()
	f(&lf.v)
	v := lf.v
	lf.mu.Unlock()
	ctx.SetState(linkKey, v)
}

func (lf *linkFlow) get() linkView {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	return lf.v
}

// take answers the secret and forgets it: a link is tried once.
func (lf *linkFlow) take() string {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	s := lf.secret
	lf.secret = ""
	return s
}

func (lf *linkFlow) held() bool {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	return lf.secret != ""
}

// offer turns a duplicate_email refusal that carries a link into the
// offer; false when it carries none (the plain message is shown then).
func (lf *linkFlow) offer(ctx app.Context, r *runtime, e *kit.Error) bool {
	if e.Code != shared.CodeDuplicateEmail || e.Link == "" {
		return false
	}
	owners, refused, ok := i18n.DuplicateProviders(e.Message)
	if !ok {
		return false
	}
	lf.mu.Lock()
	lf.secret = e.Link
	lf.mu.Unlock()
	lf.update(ctx, func(v *linkView) { *v = linkView{Offer: LinkOffer{Owners: owners, Refused: refused}} })
	r.m.alert(ctx, Alert{}) // the offer says it all
	ctx.Defer(func(ctx app.Context) { focusID(ctx, "link-offer", 5) })
	return true
}

// ask, after a sign-in, asks whether to link what this browser has
// pending, if the page holds its secret.
func (lf *linkFlow) ask(ctx app.Context, r *runtime) {
	if !lf.held() {
		return
	}
	p, err := r.signed.PendingLink(ctx)
	if err != nil { // expired or used meanwhile: nothing to ask
		lf.take()
		lf.update(ctx, func(v *linkView) { *v = linkView{} })
		return
	}
	lf.update(ctx, func(v *linkView) { *v = linkView{Pending: p} })
	showLinkDialog(ctx, 10)
}

// confirm is the dialog's Link.
func (lf *linkFlow) confirm(ctx app.Context, r *runtime) {
	secret, name := lf.take(), lf.get().Pending.ProviderName
	lf.update(ctx, func(v *linkView) { *v = linkView{} })
	if secret == "" {
		return
	}
	if _, err := r.signed.ConfirmLink(ctx, secret); err != nil {
		r.failed(ctx, err)
		return
	}
	r.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.Connected, Arg: name})
	r.loadAccounts(ctx)
}

// notNow is the dialog's Not now (and Escape): the pending link is
// discarded, nothing linked, and the polite live region says so.
func (lf *linkFlow) notNow(ctx app.Context, r *runtime) {
	lf.take()
	name := lf.get().Pending.ProviderName
	lf.update(ctx, func(v *linkView) { *v = linkView{} })
	if err := r.signed.DiscardLink(ctx); err != nil {
		r.failed(ctx, err)
		return
	}
	r.m.alert(ctx, doneAlert(i18n.LinkDiscarded, name, ""))
}

// showLinkDialog opens the link dialog as a modal once the new state has
// rendered it (a few tries: the panel renders a cycle later): the focus
// moves into it and stays there, and Escape cancels it.
func showLinkDialog(ctx app.Context, tries int) {
	if !app.IsClient {
		return
	}
	if el := app.Window().GetElementByID("link-dialog"); el.Truthy() && el.Get("childElementCount").Int() > 0 {
		if !el.Get("open").Bool() {
			el.Call("showModal")
		}
		return
	}
	if tries > 0 {
		ctx.After(50*time.Millisecond, func(ctx app.Context) { showLinkDialog(ctx, tries-1) })
	}
}

// linkPanel renders the offer (signed out) and the dialog (signed in).
type linkPanel struct {
	app.Compo
	Lang      i18n.Lang
	SignedIn  bool
	Providers []shared.ProviderInfo
	rt        *runtime
	flow      *linkFlow
	v         linkView
}

func (c *linkPanel) OnMount(ctx app.Context) {
	c.v = c.flow.get()
	ctx.ObserveState(linkKey, &c.v)
}

func (c *linkPanel) Render() app.UI {
	return app.Div().Class("link-panel").Body(c.renderOffer(), c.renderDialog())
}

// renderOffer is the offer after duplicate_email: who owns the email, and
// a button for each of its providers. Its slot is a live region that is
// always there, so the offer is read out when it appears.
func (c *linkPanel) renderOffer() app.UI {
	o := c.v.Offer
	slot := app.Div().Class("link-offer-slot").Role("status").Aria("live", "polite")
	if o.Refused == "" || c.SignedIn {
		return slot
	}
	var owners []shared.ProviderInfo
	for _, name := range o.Owners {
		for _, p := range c.Providers {
			if p.Name == name {
				owners = append(owners, p)
			}
		}
	}
	return slot.Body(
		app.Div().ID("link-offer").Class("alert alert-info link-offer").TabIndex(-1).DataSet("code", string(shared.CodeDuplicateEmail)).Body(
			app.Div().Body(
				app.P().ID("link-offer-text").Text(i18n.OfferText(c.Lang, o.Owners, o.Refused)),
				app.Div().Class("link-offer-actions").Body(
					app.Range(owners).Slice(func(i int) app.UI {
						p := owners[i]
						return app.Button().ID("link-signin-"+p.ID).Class("btn btn-small").DataSet("provider", p.ID).
							OnClick(func(ctx app.Context, _ app.Event) { c.rt.kit.SignIn(ctx, p) }).Body(
							// Decorative: the label names the provider.
							app.Img().Class("provider-icon").Src(MarkURL(p.ID)).Role("presentation").Aria("hidden", "true").Width(20).Height(20),
							app.Span().Text(i18n.TL(c.Lang, i18n.LinkSignIn, p.Name)),
						)
					}),
				),
			),
		),
	)
}

// renderDialog asks, after the sign-in, whether to link the pending
// identity: "Link <provider> (<email>) to this account?", Link or Not now.
func (c *linkPanel) renderDialog() app.UI {
	p := c.v.Pending
	dlg := app.Dialog().ID("link-dialog").Class("confirm")
	if p.Provider == "" || !c.SignedIn {
		return dlg
	}
	return dlg.Role("dialog").Aria("modal", "true").Aria("labelledby", "link-title").Aria("describedby", "link-body").
		On("cancel", func(ctx app.Context, _ app.Event) { ctx.Async(func() { c.flow.notNow(ctx, c.rt) }) }). // Escape
		Body(
			app.H2().ID("link-title").Text(i18n.TL(c.Lang, i18n.LinkTitle, p.ProviderName, p.Email)),
			app.P().ID("link-body").Text(i18n.TL(c.Lang, i18n.LinkBody, p.ProviderName)),
			app.Div().Class("confirm-actions").Body(
				app.Button().ID("link-not-now").Class("btn").Text(i18n.TL(c.Lang, i18n.LinkNotNow)).
					OnClick(func(ctx app.Context, _ app.Event) {
						closeDialog("link-dialog")
						ctx.Async(func() { c.flow.notNow(ctx, c.rt) })
					}),
				app.Button().ID("link-confirm").Class("btn").Text(i18n.TL(c.Lang, i18n.LinkConfirm)).
					OnClick(func(ctx app.Context, _ app.Event) {
						closeDialog("link-dialog")
						ctx.Async(func() { c.flow.confirm(ctx, c.rt) })
					}),
			),
		)
}
