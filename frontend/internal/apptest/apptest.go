// Package apptest gives tests a go-app context: actions, state and
// dispatches run on go-app's test engine, on the host.
package apptest

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// probe hands out the context its OnPreRender receives (OnPreRender runs
// on the host, OnMount does not).
type probe struct {
	app.Compo
	ctx    app.Context
	hasCtx bool
}

func (p *probe) OnPreRender(ctx app.Context) { p.ctx, p.hasCtx = ctx, true }
func (p *probe) Render() app.UI              { return app.Div() }

// Context loads a component in a new test engine and answers a context of
// it, with the engine to run what the test dispatches.
func Context(t testing.TB) (app.Context, app.TestEngine) {
	t.Helper()
	p := &probe{}
	e := app.NewTestEngine()
	if err := e.Load(p); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	if !p.hasCtx {
		t.Fatal("apptest: the test engine gave no context")
	}
	return p.ctx, e
}
