package ui

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// mount loads c into a test engine (on the host OnMount does not run, so
// the component shows the view it was seeded with) and returns its HTML.
func mount(t *testing.T, c app.Composer) string {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return app.HTMLString(c)
}

// match is app.Match failing the test.
func match(t *testing.T, want app.UI, c app.Composer, path ...int) {
	t.Helper()
	if err := app.Match(want, c, path...); err != nil {
		t.Errorf("at %v: %v", path, err)
	}
}
