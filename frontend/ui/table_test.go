package ui

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

var (
	thRE    = regexp.MustCompile(`<th[^>]*>([^<]*)</th>`)
	tdRE    = regexp.MustCompile(`<td([^>]*)>`)
	labelRE = regexp.MustCompile(`data-label="([^"]*)"`)
)

// tableLabels checks every table in page: each row's cells carry, in
// order, the texts of the header cells as data-label (a phone shows them
// before each cell), and no row has more or fewer cells than the header.
// It returns how many body rows it saw.
func tableLabels(t *testing.T, page string) int {
	t.Helper()
	rows := 0
	for _, tbl := range strings.Split(page, "<table")[1:] {
		tbl, _, _ = strings.Cut(tbl, "</table>")
		var head []string
		for _, m := range thRE.FindAllStringSubmatch(tbl, -1) {
			head = append(head, html.UnescapeString(m[1]))
		}
		if len(head) == 0 {
			t.Errorf("a table without header cells:\n%s", tbl)
			continue
		}
		for _, tr := range strings.Split(tbl, "<tr")[1:] {
			tds := tdRE.FindAllStringSubmatch(tr, -1)
			if len(tds) == 0 {
				continue // the header row
			}
			rows++
			if len(tds) != len(head) {
				t.Errorf("a row of %d cells under %d headers:\n<tr%s", len(tds), len(head), tr)
			}
			for i, td := range tds {
				l := labelRE.FindStringSubmatch(td[1])
				if l == nil {
					t.Errorf("cell %d has no data-label:\n<tr%s", i, tr)
				} else if i < len(head) && html.UnescapeString(l[1]) != head[i] {
					t.Errorf("cell %d is labelled %q under the header %q", i, html.UnescapeString(l[1]), head[i])
				}
			}
		}
	}
	return rows
}

// TestTablesLabelCells: every table of the login history and of the
// Administration section labels each cell with its column's header text.
func TestTablesLabelCells(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	logins := []shared.LoginEvent{
		{Time: now, Provider: "github", Outcome: shared.OutcomeSuccess, IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (iPhone)"},
		{Time: now, Provider: "github", Outcome: shared.OutcomeFailure, ErrorCode: shared.CodeDuplicateEmail},
	}
	bob := shared.AdminUser{User: shared.User{ID: "u2", Name: "Bob", Email: "bob@example.com"}}
	tests := []struct {
		name string
		c    app.Composer
		rows int
	}{
		{"login history", &loginList{Lang: i18n.ZHTW, v: View{Logins: logins, LoginsLoad: Load{Status: LoadLoaded}}}, 2},
		{"administration", &adminSection{Lang: i18n.KO, admin: true, page: 1,
			v:         View{User: shared.User{ID: "me"}},
			users:     shared.AdminUserPage{Total: 2, Page: 1, Limit: 20, Items: []shared.AdminUser{{User: shared.User{ID: "me", Email: "erin@corp.test"}}, bob}},
			detail:    &shared.AdminUserDetail{User: bob, Logins: logins},
			events:    []shared.AuditEvent{{ID: "e1", Actor: "me", Action: "user.disable", Target: "u2", Reason: "stolen <&>"}},
			providers: []shared.ProviderStatus{{ID: "github", Name: "GitHub", Available: true, Orphans: 4}},
		}, 2 + 2 + 1 + 1}, // users, the detail's sign-ins, audit trail, providers
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tableLabels(t, mount(t, tt.c)); got != tt.rows {
				t.Errorf("%d rows, want %d", got, tt.rows)
			}
		})
	}
}

// TestTableLabelsCanFail: the check above reports a cell without its
// label and a label that is not its column's.
func TestTableLabelsCanFail(t *testing.T) {
	for _, page := range []string{
		`<table><tr><th>A</th><th>B</th></tr><tr><td data-label="A">1</td><td>2</td></tr></table>`,
		`<table><tr><th>A</th><th>B</th></tr><tr><td data-label="B">1</td><td data-label="A">2</td></tr></table>`,
		`<table><tr><th>A</th><th>B</th></tr><tr><td data-label="A">1</td></tr></table>`,
	} {
		ft := &testing.T{}
		if tableLabels(ft, page); !ft.Failed() {
			t.Errorf("no failure on %s", page)
		}
	}
}
