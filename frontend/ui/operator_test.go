package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestIsAdmin(t *testing.T) {
	tests := []struct {
		roles []string
		want  bool
	}{{nil, false}, {[]string{"viewer"}, false}, {[]string{"viewer", shared.RoleAdmin}, true}}
	for _, tt := range tests {
		if got := IsAdmin(shared.User{Roles: tt.roles}); got != tt.want {
			t.Errorf("IsAdmin(%v) = %v", tt.roles, got)
		}
	}
}

func TestNeedsReauth(t *testing.T) {
	if !needsReauth(&kit.Error{Status: 403, Code: shared.CodeReauthRequired}) {
		t.Error("reauth_required not seen")
	}
	if needsReauth(&kit.Error{Status: 403, Code: shared.CodeForbidden}) || needsReauth(nil) {
		t.Error("forbidden (or no error) taken for reauth_required")
	}
}

// TestReauthWaitRetries: the waiting action runs again after the same
// user signs in again, never as someone else, and not before a sign-in.
func TestReauthWaitRetries(t *testing.T) {
	tests := []struct {
		name      string
		mark      signInMark
		wantRuns  int
		wantAlert i18n.Key
		wantLeft  bool
	}{
		{"no sign-in yet: still waiting", signInMark{}, 0, "", true},
		{"the same user: it runs again", signInMark{At: 1, User: "u1"}, 1, "", false},
		{"someone else: nothing runs, and it says so", signInMark{At: 1, User: "u2"}, 0, i18n.ReauthOtherUser, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			var said Alert
			w := &reauthWait{User: "u1", Retry: func(app.Context) { runs++ }}
			left := w.afterSignIn(app.Context{}, tt.mark, func(_ app.Context, a Alert) { said = a })
			if runs != tt.wantRuns || said.Key != tt.wantAlert || (left != nil) != tt.wantLeft {
				t.Fatalf("runs %d, said %q, left %v", runs, said.Key, left != nil)
			}
		})
	}
	var none *reauthWait
	if none.afterSignIn(app.Context{}, signInMark{At: 1, User: "u1"}, nil) != nil {
		t.Fatal("no wait became one")
	}
}

func TestReauthProvidersPutTheSessionsFirst(t *testing.T) {
	v := View{
		Providers: []shared.ProviderInfo{{ID: "google"}, {ID: "github"}, {ID: "dev"}},
		Sessions:  []shared.Session{{ID: "s0", Provider: "google"}, {ID: "s1", Provider: "dev", Current: true}},
	}
	var ids []string
	for _, p := range reauthProviders(v) {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "dev,google,github" {
		t.Fatalf("providers %v", ids)
	}
}

func TestAccountDataCard(t *testing.T) {
	c := &accountData{Lang: i18n.ZHTW, v: View{User: shared.User{ID: "u1"}}}
	html := mount(t, c)
	for _, want := range []string{`id="export-data"`, `id="delete-account"`, `id="` + deleteDialog + `"`,
		i18n.T(i18n.ZHTW, i18n.DownloadData), i18n.T(i18n.ZHTW, i18n.DeleteAccount), `aria-labelledby="your-data-heading"`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in:\n%s", want, html)
		}
	}
	if strings.Contains(html, "reauth") {
		t.Errorf("a sign-in prompt with nothing waiting:\n%s", html)
	}
}

// TestAskDialog: the dialog is named by its title and described by its
// body; a reason field has its label.
func TestAskDialog(t *testing.T) {
	q := &ask{Title: "Disable Bob?", Body: "Bob is signed out.", Confirm: "Disable", WithReason: true}
	c := &dialogHost{q: q}
	html := mount(t, c)
	for _, want := range []string{`aria-labelledby="d-title"`, `aria-describedby="d-body"`, `<label for="d-reason"`,
		`id="d-reason"`, `id="d-ok"`, `id="d-cancel"`, "Disable Bob?"} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in:\n%s", want, html)
		}
	}
	if !strings.HasPrefix(openingTag(html, "d-reason"), "<input") {
		t.Errorf("the reason is no input:\n%s", html)
	}
	if html := mount(t, &dialogHost{q: &ask{Title: "Enable Bob?"}}); strings.Contains(html, "d-reason") {
		t.Errorf("a reason field where none is asked:\n%s", html)
	}
	if html := mount(t, &dialogHost{}); strings.Contains(html, "<h2") {
		t.Errorf("an empty dialog has content:\n%s", html)
	}
}

// dialogHost renders askDialog alone.
type dialogHost struct {
	app.Compo
	q *ask
}

func (h *dialogHost) Render() app.UI {
	return askDialog(i18n.EN, "d", h.q, func(app.Context, bool, string) {})
}

func TestAdminSectionHiddenFromOthers(t *testing.T) {
	html := mount(t, &adminSection{Lang: i18n.EN})
	if !strings.Contains(html, `id="admin-gate"`) || !strings.Contains(html, "hidden") || strings.Contains(html, "admin-users") {
		t.Fatalf("the section shows to a non-administrator:\n%s", html)
	}
}

func TestAdminSection(t *testing.T) {
	off := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	ourView := &adminSection{
		v: View{User: shared.User{ID: "me"}},
		users: shared.AdminUserPage{Total: 45, Page: 1, Limit: 20, Items: []shared.AdminUser{
			{User: shared.User{ID: "me", Name: "Erin", Email: "erin@corp.test"}},
			{User: shared.User{ID: "u2", Name: "Bob", Email: "bob@example.com"}, DisabledAt: &off},
		}},
		detail: &shared.AdminUserDetail{User: shared.AdminUser{User: shared.User{ID: "u2", Name: "Bob", Email: "bob@example.com"}, DisabledAt: &off}},
		events: []shared.AuditEvent{
			{ID: "e1", Actor: "me", Action: "user.disable", Target: "u2", Reason: "stolen"},
			{ID: "e2", Actor: "u3", Action: "user.delete", Target: "u3"},
		},
		providers: []shared.ProviderStatus{{ID: "github", Name: "GitHub", Available: true, Orphans: 4}},
	}
	c := &adminSection{Lang: i18n.KO, admin: true, page: 1}
	seed := func(c *adminSection) {
		c.Lang, c.admin, c.page = i18n.KO, true, 1
		c.v, c.users, c.detail, c.events, c.providers = ourView.v, ourView.users, ourView.detail, ourView.events, ourView.providers
	}
	seed(c)
	html := mount(t, c)
	for _, want := range []string{
		`aria-labelledby="admin-heading"`, `role="search"`, `<label for="admin-query"`,
		i18n.T(i18n.KO, i18n.AdminUsersCaption, "45") + "</caption>",
		`scope="col"`, `data-user="u2"`, `data-status="disabled"`,
		`aria-label="` + i18n.T(i18n.KO, i18n.ShowUserNamed, "Bob bob@example.com") + `"`,
		i18n.T(i18n.KO, i18n.PageOf, "1 / 3"), `id="admin-prev"`,
		`id="admin-enable"`, // Bob is disabled: Enable, not Disable
		i18n.T(i18n.KO, i18n.ActionSelfDelete), i18n.T(i18n.KO, i18n.ActionUserDisable),
		">erin@corp.test<", // the actor named by the users table
		`data-provider="github"`,
		`id="` + adminDialog + `"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in:\n%s", want, html)
		}
	}
	if !regexp.MustCompile(`<td [^>]*class="orphans"[^>]*>4</td>`).MatchString(html) {
		t.Errorf("no orphan count in:\n%s", html)
	}
	if strings.Contains(html, `id="admin-disable"`) {
		t.Error("a disabled user offered Disable")
	}
	// The administrator's own detail: Disable is off (the server refuses
	// it too: cannot_disable_self).
	self := &adminSection{}
	seed(self)
	self.detail = &shared.AdminUserDetail{User: c.users.Items[0], Admin: true}
	html = mount(t, self)
	if b := openingTag(html, "admin-disable"); !strings.Contains(b, " disabled") {
		t.Errorf("Disable is on for oneself:\n%s", html)
	}
}

func TestPages(t *testing.T) {
	tests := []struct {
		p    shared.AdminUserPage
		want int
	}{
		{shared.AdminUserPage{}, 1},
		{shared.AdminUserPage{Total: 20, Limit: 20}, 1},
		{shared.AdminUserPage{Total: 21, Limit: 20}, 2},
		{shared.AdminUserPage{Total: 45}, 3}, // the limit unknown: ours
	}
	for _, tt := range tests {
		if got := pages(tt.p); got != tt.want {
			t.Errorf("pages(%+v) = %d, want %d", tt.p, got, tt.want)
		}
	}
}

// openingTag is the opening tag of the element with id in html ("": none);
// go-app writes attributes in any order.
func openingTag(html, id string) string {
	i := strings.Index(html, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(html[:i], "<")
	end := strings.Index(html[i:], ">")
	return html[start : i+end+1]
}

// TestAdminActsApply: what each action leaves in the detail shown,
// without reading it again (another replica's user cache could answer
// the user as they were).
func TestAdminActsApply(t *testing.T) {
	off := time.Now()
	fresh := func(disabled bool) *shared.AdminUserDetail {
		d := &shared.AdminUserDetail{Sessions: []shared.Session{{ID: "s1"}}}
		if disabled {
			d.User.DisabledAt = &off
		}
		return d
	}
	tests := []struct {
		name         string
		act          adminAct
		disabled     bool
		wantDisabled bool
		wantSessions int
	}{
		{"disable ends the sessions", actDisableUser, false, true, 0},
		{"enable", actEnableUser, true, false, 1},
		{"sign out everywhere", actRevokeUser, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fresh(tt.disabled)
			tt.act.Apply(d)
			if (d.User.DisabledAt != nil) != tt.wantDisabled || len(d.Sessions) != tt.wantSessions {
				t.Fatalf("disabled %v, sessions %d", d.User.DisabledAt != nil, len(d.Sessions))
			}
		})
	}
	if actDeleteUser.Apply != nil {
		t.Fatal("a deleted user's detail stays open")
	}
}
