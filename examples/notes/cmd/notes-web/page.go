package main

import (
	"github.com/authbridge/authbridge/examples/notes/contract"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// page is the whole app: the sign-in buttons while signed out; the user,
// the notes and a form while signed in. main#notes carries data-state
// (loading, signed-in, signed-out) for tests and styles.
type page struct {
	app.Compo
	auth *kit.Kit
	api  kit.Client

	s     kit.State
	notes []contract.Note
	text  string
	err   string // the last failure, shown in #error
}

func (p *page) OnMount(ctx app.Context) {
	p.auth.Mount(ctx)
	ctx.ObserveState(errorKey, &p.err)
	ctx.ObserveState(kit.StateKey, &p.s).OnChange(func() {
		if p.s.SignedIn {
			p.err = "" // a failed attempt before this sign-in is over
			p.load(ctx)
			return
		}
		p.notes = nil // another tab's sign-out, a failed refresh: forget them
	})
}

func (p *page) OnDismount() { p.auth.Dismount() }

// load lists the notes (GET /notes through kit.Client: the bearer token,
// and one refresh and retry on a 401).
func (p *page) load(ctx app.Context) {
	ctx.Async(func() {
		var l contract.List
		err := p.api.Do(ctx, "GET", "/notes", nil, &l)
		ctx.Dispatch(func(app.Context) {
			if err != nil {
				p.err = message(err)
				return
			}
			p.notes, p.err = l.Notes, ""
		})
	})
}

func (p *page) add(ctx app.Context, e app.Event) {
	e.PreventDefault()
	text := p.text
	ctx.Async(func() {
		var n contract.Note
		err := p.api.Do(ctx, "POST", "/notes", contract.NewNote{Text: text}, &n)
		ctx.Dispatch(func(app.Context) {
			if err != nil {
				p.err = message(err)
				return
			}
			p.text, p.err = "", ""
			p.notes = append(p.notes, n)
			// The typed text lives in the input's value property, which
			// a re-render (the value attribute) does not reset.
			if in := app.Window().GetElementByID("note-text"); in.Truthy() {
				in.Set("value", "")
			}
		})
	})
}

func (p *page) signOut(ctx app.Context, _ app.Event) {
	ctx.Async(func() { _ = p.auth.SignOut(ctx, false) })
}

// message is what #error shows; its data-code says the same for tests.
func message(err error) string {
	e := kit.AsError(err)
	return string(e.Code) + ": " + e.Message
}

func (p *page) state() string {
	switch {
	case !p.s.Ready:
		return "loading"
	case p.s.SignedIn:
		return "signed-in"
	default:
		return "signed-out"
	}
}

func (p *page) Render() app.UI {
	return app.Main().ID("notes").Class("notes").DataSet("state", p.state()).Body(
		app.H1().Text("Notes"),
		app.If(p.err != "", func() app.UI {
			return app.P().ID("error").Class("error").Aria("live", "polite").Text(p.err)
		}),
		app.If(p.s.Ready && !p.s.SignedIn, func() app.UI {
			return app.Div().Body(
				app.P().Text("Sign in to keep notes."),
				&kit.SignInButtons{Kit: p.auth},
			)
		}),
		app.If(p.s.SignedIn, func() app.UI {
			return app.Div().Body(
				app.P().Class("user").Body(
					app.Text("Signed in as "),
					app.Strong().ID("user-name").Text(p.s.User.Name),
					app.Text(" "),
					app.Button().ID("sign-out").Class("btn").Text("Sign out").OnClick(p.signOut),
				),
				app.Form().ID("new-note").OnSubmit(p.add).Body(
					app.Input().ID("note-text").Type("text").MaxLength(contract.MaxText).
						Placeholder("A new note").Value(p.text).OnInput(bindText(&p.text)),
					app.Button().ID("add-note").Class("btn").Type("submit").Text("Add"),
				),
				app.Ul().ID("note-list").Body(
					app.Range(p.notes).Slice(func(i int) app.UI {
						return app.Li().DataSet("id", p.notes[i].ID).Text(p.notes[i].Text)
					}),
				),
			)
		}),
	)
}

// bindText keeps an input's value in *dst.
func bindText(dst *string) app.EventHandler {
	return func(ctx app.Context, _ app.Event) { *dst = ctx.JSSrc().Get("value").String() }
}
