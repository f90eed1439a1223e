package ui

// Passkeys in the dashboard: "Sign in with a passkey" on the sign-in page,
// "Add a passkey" in the linked-accounts card, and each passkey's row
// (name, added, last used) with Rename (an inline form) and Remove (after
// a confirmation; off with its reason when it is the last way to sign
// in). The WebAuthn ceremonies are the kit's; the calls go through the
// kit's session.

import (
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The passkeys' actions.
const (
	actAddPasskey    = "authbridge/passkey-add"
	actRenamePasskey = "authbridge/passkey-rename"
	actRemovePasskey = "authbridge/passkey-remove"
)

// passkeyRename is actRenamePasskey's value.
type passkeyRename struct {
	ID, Name string
}

// registerPasskeys installs the passkeys' actions.
func (r *runtime) registerPasskeys() {
	app.Handle(actAddPasskey, r.handleAddPasskey)
	app.Handle(actRenamePasskey, r.handleRenamePasskey)
	app.Handle(actRemovePasskey, r.handleRemovePasskey)
}

// handleAddPasskey runs the browser's dialog at once: the action starts
// on the click, within its activation.
func (r *runtime) handleAddPasskey(ctx app.Context, _ app.Action) {
	r.m.update(ctx, func(v *View) { v.Busy = "passkey-add" })
	_, err := r.kit.AddPasskey(ctx)
	r.m.update(ctx, func(v *View) { v.Busy = "" })
	if err != nil {
		r.failed(ctx, err)
		return
	}
	r.m.alert(ctx, doneAlert(i18n.PasskeyAdded, "", "")) // Add stays
	r.loadAccounts(ctx)
}

func (r *runtime) handleRenamePasskey(ctx app.Context, a app.Action) {
	p, _ := a.Value.(passkeyRename)
	r.m.update(ctx, func(v *View) { v.Busy = "passkey-rename-" + p.ID })
	err := kit.Signed{C: r.kit.Session()}.RenamePasskey(ctx, p.ID, p.Name)
	r.m.update(ctx, func(v *View) { v.Busy = "" })
	if err != nil {
		r.failed(ctx, err)
		return
	}
	r.m.alert(ctx, doneAlert(i18n.PasskeyRenamed, p.Name, "")) // the form gave the focus back to Rename
	r.loadAccounts(ctx)
}

func (r *runtime) handleRemovePasskey(ctx app.Context, a app.Action) {
	id, _ := a.Value.(string)
	name := ""
	for _, acc := range r.m.get().Accounts {
		if acc.ID == id {
			name = acc.DisplayName
		}
	}
	r.m.update(ctx, func(v *View) { v.Busy = "passkey-remove-" + id })
	err := kit.Signed{C: r.kit.Session()}.RemovePasskey(ctx, id)
	r.m.update(ctx, func(v *View) { v.Busy = "" })
	if err != nil {
		r.failed(ctx, err)
		return
	}
	r.m.alert(ctx, doneAlert(i18n.PasskeyRemoved, orDash(name), accountsHeading)) // its row goes
	r.loadAccounts(ctx)
}

// passkeyAlert is the alert for the kit's own passkey codes (the
// browser's answers, not the server's); ok false for any other error.
// A dialog the user closed is no error.
func passkeyAlert(e *kit.Error) (Alert, bool) {
	switch e.Code {
	case kit.CodePasskeyCancelled:
		return Alert{Kind: KindInfo, Code: CodeCancelled, Key: i18n.PasskeyCancelled}, true
	case kit.CodePasskeyExists:
		return Alert{Kind: KindError, Code: string(e.Code), Key: i18n.PasskeyExists}, true
	case kit.CodePasskeyUnsupported:
		return Alert{Kind: KindError, Code: string(e.Code), Key: i18n.PasskeyUnsupported}, true
	}
	return Alert{}, false
}

// passkeySignIn is the sign-in page's passkey button, when the server
// takes passkeys and the browser has them.
func passkeySignIn(l i18n.Lang, k *kit.Kit, v View) app.UI {
	return app.If(v.Passkeys, func() app.UI {
		return &kit.PasskeyButton{Kit: k, Label: i18n.T(l, i18n.PasskeySignIn), Icon: MarkURL(kit.ProviderPasskey)}
	})
}

// addPasskey is the linked-accounts card's "Add a passkey".
func addPasskey(l i18n.Lang, v View) app.UI {
	return app.If(v.Passkeys, func() app.UI {
		busy := v.Busy == "passkey-add"
		return app.Div().Class("connect passkey-add").Body(
			app.Button().ID("add-passkey").Class("btn btn-small").DataSet("provider", kit.ProviderPasskey).
				Disabled(busy).Aria("busy", busy).Aria("describedby", "add-passkey-hint").
				OnClick(func(ctx app.Context, _ app.Event) { ctx.NewAction(actAddPasskey) }).Body(
				app.Img().Class("provider-icon").Src(MarkURL(kit.ProviderPasskey)).Role("presentation").Width(20).Height(20),
				app.Span().Text(i18n.T(l, i18n.PasskeyAdd)),
			),
			app.Div().ID("add-passkey-hint").Class("small muted").Text(i18n.T(l, i18n.PasskeyAddHint)),
		)
	})
}

// passkeyRow is one passkey in the linked-accounts card. Rename opens an
// inline form in the row (its field labelled and focused; Escape or
// Cancel closes it and gives the focus back to Rename).
type passkeyRow struct {
	app.Compo
	Lang    i18n.Lang
	Account shared.LinkedAccount
	Last    bool   // the user's only way to sign in: Remove is off, and says why
	Busy    string // View.Busy
	OnAsk   func(ctx app.Context, q Question)

	editing bool
	draft   string
	// ctx is the row's own context: the buttons that open and close the
	// form go away as they do, and go-app drops their contexts' work.
	ctx     app.Context
	mounted bool
}

func (c *passkeyRow) OnMount(ctx app.Context) { c.ctx, c.mounted = ctx, true }

func (c *passkeyRow) t(k i18n.Key, arg ...string) string { return i18n.T(c.Lang, k, arg...) }

func (c *passkeyRow) Render() app.UI {
	a := c.Account
	name := orDash(a.DisplayName)
	return app.Li().DataSet("provider", kit.ProviderPasskey).DataSet("kind", shared.AccountKindPasskey).DataSet("account", a.ID).Body(
		app.Img().Class("provider-icon").Src(MarkURL(kit.ProviderPasskey)).Role("presentation").Width(20).Height(20),
		app.Div().Class("grow").Body(
			app.Span().Class("strong passkey-name").Text(name),
			app.Div().Class("muted small").Text(joinNonEmpty(" · ", c.t(i18n.PasskeyAddedOn, When(a.CreatedAt)), c.t(i18n.LastUsed, When(a.LastLoginAt)))),
			app.If(a.CloneWarning, func() app.UI {
				return app.Div().Class("small hint").Text(c.t(i18n.PasskeyCloneWarning))
			}),
			app.If(c.Last, func() app.UI {
				return app.Div().ID("last-method").Class("small hint").Text(c.t(i18n.PasskeyLastReason))
			}),
			app.If(c.editing, func() app.UI { return c.renderForm() }),
		),
		app.If(!c.editing, func() app.UI {
			return app.Div().Class("row-actions").Body(
				app.Button().ID("rename-passkey-"+a.ID).Class("btn btn-small btn-ghost").Text(c.t(i18n.PasskeyRename)).
					Aria("label", c.t(i18n.PasskeyRenameNamed, name)).Disabled(c.Busy == "passkey-rename-"+a.ID).
					OnClick(c.open),
				c.removeButton(name),
			)
		}),
	)
}

func (c *passkeyRow) removeButton(name string) app.UI {
	a := c.Account
	b := app.Button().ID("remove-passkey-"+a.ID).Class("btn btn-small btn-ghost").Text(c.t(i18n.PasskeyRemove)).
		Aria("label", c.t(i18n.PasskeyRemoveNamed, name)).Disabled(c.Last || c.Busy == "passkey-remove-"+a.ID).
		OnClick(c.askRemove)
	if c.Last {
		b = b.Aria("describedby", "last-method")
	}
	return b
}

// renderForm is the inline rename: a labelled field (Enter saves, Escape
// cancels) and its buttons. A div, not a form: one go-app element type
// fewer in app.wasm.
func (c *passkeyRow) renderForm() app.UI {
	id := "passkey-name-" + c.Account.ID
	return app.Div().ID("rename-passkey-form-"+c.Account.ID).Class("admin-search passkey-rename").Role("group").
		Aria("label", c.t(i18n.PasskeyRenameNamed, orDash(c.Account.DisplayName))).OnKeyDown(c.formKey).Body(
		app.Label().For(id).Text(c.t(i18n.PasskeyName)),
		app.Input().ID(id).Type("text").Required(true).MaxLength(64).AutoComplete(false).Value(c.draft).
			OnInput(c.ValueTo(&c.draft)),
		app.Button().ID("save-passkey-"+c.Account.ID).Class("btn btn-small").Text(c.t(i18n.PasskeySave)).
			OnClick(func(ctx app.Context, _ app.Event) { c.save(ctx) }),
		app.Button().ID("cancel-rename-"+c.Account.ID).Class("btn btn-small btn-ghost").Text(c.t(i18n.Cancel)).
			OnClick(func(ctx app.Context, _ app.Event) { c.close(ctx) }),
	)
}

func (c *passkeyRow) open(ctx app.Context, _ app.Event) {
	c.editing, c.draft = true, c.Account.DisplayName
	c.own(ctx).Defer(func(ctx app.Context) { focusID(ctx, "passkey-name-"+c.Account.ID, 5) })
}

// close ends the form and gives the focus back to Rename.
func (c *passkeyRow) close(ctx app.Context) {
	c.editing = false
	c.own(ctx).Defer(func(ctx app.Context) { focusID(ctx, "rename-passkey-"+c.Account.ID, 5) })
}

// own is the row's context once mounted, else ctx (host tests).
func (c *passkeyRow) own(ctx app.Context) app.Context {
	if c.mounted {
		return c.ctx
	}
	return ctx
}

func (c *passkeyRow) formKey(ctx app.Context, e app.Event) {
	switch e.Get("key").String() {
	case "Escape":
		e.PreventDefault()
		c.close(ctx)
	case "Enter":
		if e.Get("target").Get("id").String() == "passkey-name-"+c.Account.ID {
			e.PreventDefault()
			c.save(ctx)
		}
	default:
		ctx.PreventUpdate() // typing re-renders nothing (OnInput keeps the draft)
	}
}

func (c *passkeyRow) save(ctx app.Context) {
	c.own(ctx).NewActionWithValue(actRenamePasskey, passkeyRename{ID: c.Account.ID, Name: c.draft})
	c.close(ctx)
}

// askRemove confirms before removing the passkey; without a dialog to
// ask in, it removes.
func (c *passkeyRow) askRemove(ctx app.Context, _ app.Event) {
	id, name := c.Account.ID, orDash(c.Account.DisplayName)
	// The row's context, not the dialog button's (gone once it closes).
	own := c.own(ctx)
	do := func(app.Context) { own.NewActionWithValue(actRemovePasskey, id) }
	if c.OnAsk == nil {
		do(ctx)
		return
	}
	c.OnAsk(ctx, Question{
		Title:   c.t(i18n.PasskeyRemoveTitle, name),
		Body:    c.t(i18n.PasskeyRemoveBody, name),
		Confirm: c.t(i18n.PasskeyRemoveNamed, name),
		Do:      do,
	})
}
