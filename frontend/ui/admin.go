package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/authbridge/authbridge/frontend/api"
	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// adminPageSize is how many users a page of the users table shows.
const adminPageSize = 20

// adminDialog is the id of the Administration's confirmation dialog.
const adminDialog = "admin-dialog"

// adminSection is the Administration card (issue #15), shown only to an
// administrator (GET /api/me's roles): the users table with search and
// paging, one user's detail with Disable / Enable / Sign out everywhere /
// Delete (each confirmed, with a reason for the audit trail), the audit
// trail, and the providers with their orphan counts. The server decides:
// a non-administrator gets nothing here, and a stale sign-in is asked to
// sign in again (the action then runs again).
type adminSection struct {
	app.Compo
	Lang i18n.Lang

	rt   *runtime
	v    View
	mark signInMark
	// ctx is the component's own context: work that outlives the
	// element that started it (a dialog's button, gone once the dialog
	// closes) goes through it, or go-app drops its Dispatch.
	ctx app.Context

	admin     bool
	checked   string // the user id the last check asked about
	query     string // the search applied
	page      int    // from 1
	users     shared.AdminUserPage
	detail    *shared.AdminUserDetail
	events    []shared.AuditEvent
	providers []shared.ProviderStatus
	ask       *ask
	wait      *reauthWait
	busy      string
}

func (c *adminSection) OnMount(ctx app.Context) {
	c.ctx = ctx
	ctx.ObserveState(viewKey, &c.v).OnChange(func() {
		if c.v.User.ID != c.checked {
			c.check(ctx) // another user in this tab: ask again
		}
	})
	ctx.ObserveState(signInsKey, &c.mark).OnChange(func() {
		c.wait = c.wait.afterSignIn(ctx, c.mark, c.rt.m.alert)
		if !c.admin {
			c.check(ctx) // a fresh sign-in may carry the role
		}
	})
	c.check(ctx)
}

// check asks the server (GET /api/me, the access token's roles) whether
// the signed-in user is an administrator, and shows or hides the section.
// Whatever an earlier user of this tab had loaded is dropped first.
func (c *adminSection) check(ctx app.Context) {
	user := c.v.User.ID
	c.checked, c.admin, c.page, c.query = user, false, 1, ""
	c.users, c.detail, c.events, c.providers, c.ask, c.wait = shared.AdminUserPage{}, nil, nil, nil, nil, nil
	ctx.Async(func() {
		me, err := c.rt.signed.Me(ctx)
		if err != nil || !IsAdmin(me) || (user != "" && me.ID != user) {
			return // not an administrator (or not now): the section stays away
		}
		ctx.Dispatch(func(ctx app.Context) {
			if c.checked != user {
				return // the user changed meanwhile; that check decides
			}
			c.admin = true
			c.reload(ctx)
		})
	})
}

func (c *adminSection) t(k i18n.Key, arg ...string) string { return i18n.T(c.Lang, k, arg...) }

// failed shows why retry's call failed; one that wants a recent sign-in
// waits for it instead.
func (c *adminSection) failed(ctx app.Context, err error, retry func(ctx app.Context)) {
	if needsReauth(err) {
		c.wait = &reauthWait{User: c.v.User.ID, Retry: retry}
		return
	}
	c.rt.failed(ctx, err)
}

// reload fetches the users page, the audit trail and the providers.
func (c *adminSection) reload(ctx app.Context) {
	c.loadUsers(ctx)
	c.loadEvents(ctx)
	c.loadProviders(ctx)
}

func (c *adminSection) loadUsers(ctx app.Context) {
	q := api.UserQuery{Query: c.query, Page: c.page, Limit: adminPageSize}
	ctx.Async(func() {
		page, err := c.rt.signed.AdminUsers(ctx, q)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				c.failed(ctx, err, c.reload)
				return
			}
			c.users = page
		})
	})
}

func (c *adminSection) loadEvents(ctx app.Context) {
	ctx.Async(func() {
		evs, err := c.rt.signed.AuditEvents(ctx, "", 50)
		ctx.Dispatch(func(ctx app.Context) {
			if err == nil {
				c.events = evs
			} else if !needsReauth(err) { // loadUsers waits for the sign-in
				c.rt.failed(ctx, err)
			}
		})
	})
}

func (c *adminSection) loadProviders(ctx app.Context) {
	ctx.Async(func() {
		ps, err := c.rt.signed.ProviderStatus(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err == nil {
				c.providers = ps
			} else if !needsReauth(err) {
				c.rt.failed(ctx, err)
			}
		})
	})
}

// searchKey searches on Enter in the search box.
func (c *adminSection) searchKey(ctx app.Context, e app.Event) {
	if e.Get("key").String() != "Enter" {
		ctx.PreventUpdate()
		return
	}
	c.search(ctx, e)
}

// search applies the search box from the first page.
func (c *adminSection) search(ctx app.Context, _ app.Event) {
	if app.IsClient {
		if el := app.Window().GetElementByID("admin-query"); el.Truthy() {
			c.query = strings.TrimSpace(el.Get("value").String())
		}
	}
	c.page = 1
	c.loadUsers(ctx)
}

func (c *adminSection) turn(ctx app.Context, by int) {
	c.page += by
	c.loadUsers(ctx)
}

// pages is how many pages the search has (at least 1).
func pages(p shared.AdminUserPage) int {
	limit := p.Limit
	if limit <= 0 {
		limit = adminPageSize
	}
	return max(1, (p.Total+limit-1)/limit)
}

// show opens user id's detail and moves the focus to it.
func (c *adminSection) show(ctx app.Context, id string) {
	ctx.Async(func() {
		d, err := c.rt.signed.AdminUser(ctx, id)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				c.failed(ctx, err, func(ctx app.Context) { c.show(ctx, id) })
				return
			}
			opening := c.detail == nil || c.detail.User.ID != id
			c.detail = &d
			if opening {
				ctx.Defer(func(ctx app.Context) { focusID(ctx, adminUserHeading, 5) })
			}
		})
	})
}

// closeDetail closes the detail; the focus goes back to the user's row.
func (c *adminSection) closeDetail(ctx app.Context) {
	id := ""
	if c.detail != nil {
		id = c.detail.User.ID
	}
	c.detail = nil
	c.ctx.Defer(func(ctx app.Context) { focusID(ctx, "show-"+id, 5) }) // the Close button goes away
}

// userLabel names a user in the dialogs and messages.
func userLabel(u shared.AdminUser) string {
	return joinNonEmpty(" ", u.Name, "<"+u.Email+">")
}

// adminAct is one of the detail's actions: its confirmation (with a
// reason), the call, the message, and what it did to the user shown
// (Apply; nil: the user is gone). The detail is changed here rather than
// read again: another replica may answer from its user cache for up to
// 2 s, and would show the user as they were.
type adminAct struct {
	Title, Body, Confirm, Done i18n.Key
	Call                       func(c *adminSection, ctx app.Context, id, reason string) error
	Apply                      func(d *shared.AdminUserDetail)
}

var (
	actDisableUser = adminAct{i18n.ConfirmDisableTitle, i18n.ConfirmDisableBody, i18n.DisableUser, i18n.UserDisabledMsg,
		func(c *adminSection, ctx app.Context, id, reason string) error {
			_, err := c.rt.signed.DisableUser(ctx, id, reason)
			return err
		},
		func(d *shared.AdminUserDetail) { now := time.Now(); d.User.DisabledAt, d.Sessions = &now, nil }}
	actEnableUser = adminAct{i18n.ConfirmEnableTitle, i18n.ConfirmEnableBody, i18n.EnableUser, i18n.UserEnabledMsg,
		func(c *adminSection, ctx app.Context, id, reason string) error {
			return c.rt.signed.EnableUser(ctx, id, reason)
		},
		func(d *shared.AdminUserDetail) { d.User.DisabledAt = nil }}
	actRevokeUser = adminAct{i18n.ConfirmRevokeAllTitle, i18n.ConfirmRevokeAllBody, i18n.RevokeUserSessions, i18n.UserSessionsEnded,
		func(c *adminSection, ctx app.Context, id, reason string) error {
			_, err := c.rt.signed.RevokeUserSessions(ctx, id, reason)
			return err
		},
		func(d *shared.AdminUserDetail) { d.Sessions = nil }}
	actDeleteUser = adminAct{i18n.ConfirmDeleteTitle, i18n.ConfirmDeleteBody, i18n.DeleteUser, i18n.UserDeletedMsg,
		func(c *adminSection, ctx app.Context, id, reason string) error {
			return c.rt.signed.DeleteUser(ctx, id, reason)
		},
		nil}
)

// confirm asks before a on user u.
func (c *adminSection) confirm(ctx app.Context, a adminAct, u shared.AdminUser) {
	name := userLabel(u)
	c.ask = &ask{
		Title: c.t(a.Title, name), Body: c.t(a.Body), Confirm: c.t(a.Confirm), WithReason: true,
		Do: func(ctx app.Context, reason string) { c.run(ctx, a, u, reason) },
	}
	openDialog(ctx, adminDialog)
}

// run makes a's call on u, then shows its outcome: the detail as a left
// it, the lists read again.
func (c *adminSection) run(ctx app.Context, a adminAct, u shared.AdminUser, reason string) {
	c.busy = u.ID
	ctx.Async(func() {
		err := a.Call(c, ctx, u.ID, reason)
		ctx.Dispatch(func(ctx app.Context) {
			c.busy = ""
			if err != nil {
				c.failed(ctx, err, func(ctx app.Context) { c.run(ctx, a, u, reason) })
				return
			}
			focus := "" // resultFocus: the heading of what held the button pressed
			switch {
			case c.detail == nil || c.detail.User.ID != u.ID:
			case a.Apply == nil: // the user and their detail are gone
				c.detail = nil
				focus = adminHeading
			default: // the button pressed may be gone (Disable becomes Enable)
				a.Apply(c.detail)
				focus = adminUserHeading
			}
			c.rt.m.alert(ctx, doneAlert(a.Done, userLabel(u), focus))
			c.loadUsers(ctx)
			c.loadEvents(ctx)
			c.loadProviders(ctx)
		})
	})
}

func (c *adminSection) done(ctx app.Context, confirmed bool, reason string) {
	q := c.ask
	c.ask = nil
	if confirmed && q != nil {
		q.Do(c.ctx, reason) // not ctx: the dialog's button is gone
	}
}

func (c *adminSection) Render() app.UI {
	if !c.admin {
		return app.Div().ID("admin-gate").Hidden(true)
	}
	return app.Div().ID("admin").Class("card card-wide admin").Role("region").Aria("labelledby", adminHeading).Body(
		app.H2().ID(adminHeading).TabIndex(-1).Text(c.t(i18n.Admin)),
		app.If(c.wait != nil, func() app.UI { return reauthPanel(c.Lang, c.rt.kit, c.v, "reauth-admin") }),
		c.renderUsers(),
		app.If(c.detail != nil, func() app.UI { return c.renderDetail(*c.detail) }),
		c.renderEvents(),
		c.renderProviders(),
		askDialog(c.Lang, adminDialog, c.ask, c.done),
	)
}

// heading is a heading of level n: a <div> with the heading role, as
// good to a screen reader as <hn>, without another element type in
// app.wasm (each go-app element type costs tens of KiB).
func heading(n int) app.HTMLDiv {
	return app.Div().Class("h"+strconv.Itoa(n)).Role("heading").Aria("level", n)
}

// userStatus is a user's data-status: "disabled" or "active".
func userStatus(u shared.AdminUser) string {
	if u.DisabledAt != nil {
		return "disabled"
	}
	return "active"
}

func (c *adminSection) status(u shared.AdminUser) string {
	if u.DisabledAt != nil {
		return c.t(i18n.StatusDisabled)
	}
	return c.t(i18n.StatusActive)
}

func (c *adminSection) renderUsers() app.UI {
	users, n := c.users.Items, pages(c.users)
	head := []string{c.t(i18n.ColName), c.t(i18n.ColEmail), c.t(i18n.ColStatus), c.t(i18n.ShowUser)}
	return app.Div().Class("admin-block").Body(
		heading(3).Text(c.t(i18n.AdminUsers)),
		app.Div().ID("admin-search").Class("admin-search").Role("search").Body(
			app.Label().For("admin-query").Text(c.t(i18n.AdminSearchLabel)),
			app.Input().ID("admin-query").Type("search").Value(c.query).MaxLength(320).OnKeyDown(c.searchKey),
			app.Button().ID("admin-search-go").Class("btn btn-small").Text(c.t(i18n.AdminSearch)).OnClick(c.search),
		),
		table("admin-users", c.t(i18n.AdminUsersCaption, strconv.Itoa(c.users.Total)), head,
			app.Range(users).Slice(func(i int) app.UI {
				u := users[i]
				return row(head,
					app.Td().Text(orDash(u.Name)),
					app.Td().Text(orDash(u.Email)),
					app.Td().Class("status").Text(c.status(u)),
					app.Td().Body(
						app.Button().ID("show-"+u.ID).Class("btn btn-small btn-ghost").Text(c.t(i18n.ShowUser)).
							Aria("label", c.t(i18n.ShowUserNamed, orDash(joinNonEmpty(" ", u.Name, u.Email)))).
							OnClick(func(ctx app.Context, _ app.Event) { c.show(ctx, u.ID) }, app.EventScope(u.ID)),
					),
				).DataSet("user", u.ID).DataSet("email", u.Email).DataSet("status", userStatus(u))
			})),
		app.If(len(users) == 0, func() app.UI { return app.Div().Class("muted").Text(c.t(i18n.Empty)) }),
		app.Div().Class("pager").Role("navigation").Aria("label", c.t(i18n.AdminUsers)).Body(
			app.Button().ID("admin-prev").Class("btn btn-small").Disabled(c.page <= 1).Text(c.t(i18n.PrevPage)).
				OnClick(func(ctx app.Context, _ app.Event) { c.turn(ctx, -1) }),
			app.Span().ID("admin-page").Aria("live", "polite").Text(c.t(i18n.PageOf, strconv.Itoa(c.page)+" / "+strconv.Itoa(n))),
			app.Button().ID("admin-next").Class("btn btn-small").Disabled(c.page >= n).Text(c.t(i18n.NextPage)).
				OnClick(func(ctx app.Context, _ app.Event) { c.turn(ctx, 1) }),
		),
	)
}

func (c *adminSection) renderDetail(d shared.AdminUserDetail) app.UI {
	u := d.User
	busy := c.busy == u.ID
	self := u.ID == c.v.User.ID
	loginHead := []string{c.t(i18n.ColTime), c.t(i18n.ColProvider), c.t(i18n.ColOutcome), c.t(i18n.ColIP)}
	return app.Div().ID("admin-user").Class("admin-block admin-user").Role("region").DataSet("user", u.ID).
		DataSet("status", userStatus(u)).Aria("labelledby", adminUserHeading).Body(
		heading(3).ID(adminUserHeading).TabIndex(-1).Text(c.t(i18n.UserDetail, userLabel(u))),
		app.P().Body(
			app.Span().Class("status").Text(c.status(u)),
			app.If(d.Admin, func() app.UI { return app.Span().Class("badge").Text(c.t(i18n.AdminBadge)) }),
		),
		app.Div().Class("admin-actions").Body(
			app.If(u.DisabledAt == nil, func() app.UI {
				return app.Button().ID("admin-disable").Class("btn btn-small btn-danger").Disabled(busy || self).Text(c.t(i18n.DisableUser)).
					OnClick(func(ctx app.Context, _ app.Event) { c.confirm(ctx, actDisableUser, u) })
			}).Else(func() app.UI {
				return app.Button().ID("admin-enable").Class("btn btn-small").Disabled(busy).Text(c.t(i18n.EnableUser)).
					OnClick(func(ctx app.Context, _ app.Event) { c.confirm(ctx, actEnableUser, u) })
			}),
			app.Button().ID("admin-revoke").Class("btn btn-small").Disabled(busy).Text(c.t(i18n.RevokeUserSessions)).
				OnClick(func(ctx app.Context, _ app.Event) { c.confirm(ctx, actRevokeUser, u) }),
			app.Button().ID("admin-delete").Class("btn btn-small btn-danger").Disabled(busy).Text(c.t(i18n.DeleteUser)).
				OnClick(func(ctx app.Context, _ app.Event) { c.confirm(ctx, actDeleteUser, u) }),
			app.Button().ID("admin-close").Class("btn btn-small btn-ghost").Text(c.t(i18n.CloseDetail)).
				OnClick(func(ctx app.Context, _ app.Event) { c.closeDetail(ctx) }),
		),
		heading(4).Text(c.t(i18n.Identities)),
		app.Ul().ID("admin-identities").Class("list").Body(
			app.Range(d.Identities).Slice(func(i int) app.UI {
				a := d.Identities[i]
				return app.Li().DataSet("provider", a.Provider).Text(joinNonEmpty(" · ", orDash(a.ProviderName), a.Email, When(a.CreatedAt)))
			}),
		),
		heading(4).Text(c.t(i18n.Sessions)),
		app.Ul().ID("admin-sessions").Class("list").Body(
			app.Range(d.Sessions).Slice(func(i int) app.UI {
				s := d.Sessions[i]
				return app.Li().DataSet("session", s.ID).Text(joinNonEmpty(" · ", orDash(Device(s.UserAgent)), s.Place, s.IP, c.t(i18n.LastUsed, When(s.LastUsed))))
			}),
		),
		app.If(len(d.Sessions) == 0, func() app.UI { return app.Div().Class("muted small").Text(c.t(i18n.Empty)) }),
		heading(4).Text(c.t(i18n.RecentSignIns)),
		table("admin-logins", c.t(i18n.RecentSignIns), loginHead,
			app.Range(d.Logins).Slice(func(i int) app.UI {
				l := d.Logins[i]
				return row(loginHead,
					app.Td().Text(When(l.Time)), app.Td().Text(c.v.ProviderName(l.Provider)),
					app.Td().Text(joinNonEmpty(" ", l.Outcome, string(l.ErrorCode))), app.Td().Text(orDash(l.IP)),
				).DataSet("outcome", l.Outcome)
			})),
	)
}

// actionText is an audit row's action in words.
func actionText(l i18n.Lang, e shared.AuditEvent) string {
	k := map[string]i18n.Key{
		"user.disable": i18n.ActionUserDisable, "user.enable": i18n.ActionUserEnable, "user.delete": i18n.ActionUserDelete,
		"user.revoke_sessions": i18n.ActionRevokeSessions, "admin.grant": i18n.ActionAdminGrant, "admin.revoke": i18n.ActionAdminRevoke,
	}[e.Action]
	if e.Action == "user.delete" && e.Actor == e.Target {
		k = i18n.ActionSelfDelete
	}
	if k == "" {
		return e.Action
	}
	return i18n.T(l, k)
}

// who names a user id for the audit trail: the email when the users
// table shows them, else the id.
func (c *adminSection) who(id string) string {
	for _, u := range c.users.Items {
		if u.ID == id && u.Email != "" {
			return u.Email
		}
	}
	return orDash(id)
}

func (c *adminSection) renderEvents() app.UI {
	evs := c.events
	head := []string{c.t(i18n.ColTime), c.t(i18n.ColActor), c.t(i18n.ColAction), c.t(i18n.ColTarget), c.t(i18n.ColReason), c.t(i18n.ColIP)}
	return app.Div().Class("admin-block").Body(
		app.Div().Class("admin-head").Body(
			heading(3).Text(c.t(i18n.AuditTrail)),
			app.Button().ID("admin-refresh").Class("btn btn-small btn-ghost").Text(c.t(i18n.Refresh)).
				OnClick(func(ctx app.Context, _ app.Event) { c.reload(ctx) }),
		),
		table("admin-events", c.t(i18n.AuditTrail), head,
			app.Range(evs).Slice(func(i int) app.UI {
				e := evs[i]
				return row(head,
					app.Td().Text(When(e.Time)), app.Td().Text(c.who(e.Actor)), app.Td().Text(actionText(c.Lang, e)),
					app.Td().Text(c.who(e.Target)), app.Td().Text(orDash(e.Reason)), app.Td().Text(orDash(e.IP)),
				).DataSet("action", e.Action).DataSet("actor", e.Actor).DataSet("target", e.Target)
			})),
		app.If(len(evs) == 0, func() app.UI { return app.Div().Class("muted").Text(c.t(i18n.Empty)) }),
	)
}

func (c *adminSection) renderProviders() app.UI {
	ps := c.providers
	head := []string{c.t(i18n.ColProvider), c.t(i18n.ColAvailable), c.t(i18n.ColOrphans)}
	yes := func(b bool) string {
		if b {
			return c.t(i18n.Yes)
		}
		return c.t(i18n.No)
	}
	return app.Div().Class("admin-block").Body(
		heading(3).Text(c.t(i18n.ProviderStatus)),
		table("admin-providers", c.t(i18n.ProviderStatus), head,
			app.Range(ps).Slice(func(i int) app.UI {
				p := ps[i]
				return row(head,
					app.Td().Text(orDash(p.Name)), app.Td().Text(yes(p.Available)),
					app.Td().Class("orphans").Text(strconv.Itoa(p.Orphans)),
				).DataSet("provider", p.ID)
			})),
	)
}
