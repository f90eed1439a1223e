package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// A table's column names are written once, in a head list: headRow makes
// the header cells from it and cells labels each row's cells from it.
// On a phone style.css stacks a table (each row a card, each cell on its
// own line after its data-label) and hides the header row visually; the
// explicit roles keep the table, row and cell semantics that some
// browsers drop once a table is no longer displayed as one.

// table is a captioned table in a scroller that the keyboard can reach
// (the caption is for screen readers: a heading above shows it).
func table(id, caption string, head []string, rows app.UI) app.UI {
	return app.Div().Class("table-wrap").Role("region").Aria("labelledby", id+"-caption").TabIndex(0).Body(
		app.Table().ID(id).Role("table").Body(
			app.Caption().ID(id+"-caption").Class("sr-only").Text(caption),
			headRow(head),
			rows,
		),
	)
}

// headRow is a table's header row: a column header per name in head.
func headRow(head []string) app.UI {
	return app.Tr().Class("head").Role("row").Body(
		app.Range(head).Slice(func(i int) app.UI { return app.Th().Scope("col").Role("columnheader").Text(head[i]) }),
	)
}

// row is a table row whose cells are labelled, in order, by the names in
// head.
func row(head []string, tds ...app.HTMLTd) app.HTMLTr {
	body := make([]app.UI, len(tds))
	for i, td := range tds {
		if i < len(head) {
			td = td.DataSet("label", head[i])
		}
		body[i] = td.Role("cell")
	}
	return app.Tr().Role("row").Body(body...)
}
