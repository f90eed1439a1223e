package ui

import (
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// accountData is the "Your data" card every user has (issue #15): download
// everything kept about them as a JSON file, and delete their account
// after a confirmation. Deleting needs a recent sign-in; when the server
// asks for one, the card offers the sign-in popup and deletes after it.
type accountData struct {
	app.Compo
	Lang i18n.Lang

	rt   *runtime
	v    View
	ask  *ask        // the confirmation shown (nil: none)
	wait *reauthWait // an action waiting for a fresh sign-in
	busy string      // "export" or "delete" while it runs
	mark signInMark
	// ctx is the component's own context: work that outlives the
	// element that started it (a dialog's button, gone once the dialog
	// closes) goes through it, or go-app drops its Dispatch.
	ctx app.Context
}

// deleteDialog is the id of the card's confirmation dialog.
const deleteDialog = "delete-me-dialog"

func (c *accountData) OnMount(ctx app.Context) {
	c.ctx = ctx
	ctx.ObserveState(viewKey, &c.v)
	ctx.ObserveState(signInsKey, &c.mark).OnChange(func() {
		c.wait = c.wait.afterSignIn(ctx, c.mark, c.rt.m.alert)
	})
}

func (c *accountData) t(k i18n.Key, arg ...string) string { return i18n.T(c.Lang, k, arg...) }

// failed shows why retry's call failed; a call that wants a recent
// sign-in waits for one instead.
func (c *accountData) failed(ctx app.Context, err error, retry func(ctx app.Context)) {
	if needsReauth(err) {
		c.wait = &reauthWait{User: c.v.User.ID, Retry: retry}
		return
	}
	c.rt.failed(ctx, err)
}

// download fetches the export with the session's token and saves it
// (no token ever goes into a URL: the file is made in the page).
func (c *accountData) download(ctx app.Context) {
	c.busy = "export"
	ctx.Async(func() {
		b, err := c.rt.signed.Export(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			c.busy = ""
			if err != nil {
				c.failed(ctx, err, c.download)
				return
			}
			saveFile(exportFileName, "application/json", b)
			c.rt.m.alert(ctx, Alert{Kind: KindSuccess, Code: CodeDone, Key: i18n.DataDownloaded})
		})
	})
}

// exportFileName is the name the export is saved under.
const exportFileName = "authbridge-export.json"

func (c *accountData) askDelete(ctx app.Context) {
	c.ask = &ask{
		Title: c.t(i18n.ConfirmDeleteMeTitle), Body: c.t(i18n.ConfirmDeleteMeBody), Confirm: c.t(i18n.DeleteAccount),
		Do: func(ctx app.Context, _ string) { c.deleteMe(ctx) },
	}
	openDialog(ctx, deleteDialog)
}

// deleteMe deletes the account; the tab (and the other tabs) are then
// signed out, and the message says the account is gone.
func (c *accountData) deleteMe(ctx app.Context) {
	c.busy = "delete"
	ctx.Async(func() {
		err := c.rt.signed.DeleteMe(ctx)
		if err == nil {
			c.rt.signedOut(ctx, Alert{Kind: KindInfo, Code: CodeDone, Key: i18n.AccountDeleted}, true)
			return
		}
		ctx.Dispatch(func(ctx app.Context) {
			c.busy = ""
			c.failed(ctx, err, c.deleteMe)
		})
	})
}

func (c *accountData) done(ctx app.Context, confirmed bool, reason string) {
	q := c.ask
	c.ask = nil
	if confirmed && q != nil {
		q.Do(c.ctx, reason) // not ctx: the dialog's button is gone
	}
}

func (c *accountData) Render() app.UI {
	return app.Div().ID("your-data").Class("card").Role("region").Aria("labelledby", "your-data-heading").Body(
		app.H2().ID("your-data-heading").Text(c.t(i18n.YourData)),
		app.P().Class("muted small").Text(c.t(i18n.YourDataNote)),
		app.Button().ID("export-data").Class("btn").Disabled(c.busy != "").Text(c.t(i18n.DownloadData)).
			OnClick(func(ctx app.Context, _ app.Event) { c.download(ctx) }),
		app.P().Class("muted small").Text(c.t(i18n.DeleteAccountNote)),
		app.Button().ID("delete-account").Class("btn btn-danger").Disabled(c.busy != "").Text(c.t(i18n.DeleteAccount)).
			OnClick(func(ctx app.Context, _ app.Event) { c.askDelete(ctx) }),
		app.If(c.wait != nil, func() app.UI { return reauthPanel(c.Lang, c.rt.kit, c.v, "reauth-me") }),
		askDialog(c.Lang, deleteDialog, c.ask, c.done),
	)
}

// saveFile has the browser save body as a file called name: a Blob, an
// object URL for it and a click on an <a download>, then the URL is let
// go (a minute later). On the host it does nothing.
func saveFile(name, mime string, body []byte) {
	if !app.IsClient {
		return
	}
	w := app.Window()
	blob := w.Get("Blob").New([]any{string(body)}, map[string]any{"type": mime})
	u := w.Get("URL").Call("createObjectURL", blob)
	doc := w.Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", u)
	a.Set("download", name)
	a.Get("style").Set("display", "none")
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// Let go of the Blob once the download surely has it.
	time.AfterFunc(time.Minute, func() { w.Get("URL").Call("revokeObjectURL", u) })
}
