package auth

// The operator side (issue #15): finding users, disabling, enabling,
// deleting, ending their sessions, administrators and the audit trail.
// The CLI runs these on the database directly (NewAdmin); the server's
// admin API reaches them through Service.Admin. Every change writes an
// audit row in its own transaction (the store's rule).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/authbridge/authbridge/backend/internal/account"
	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/geoip"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// AdminOptions configure an Admin.
type AdminOptions struct {
	IdleTTL time.Duration // the sessions' idle lifetime, to tell which are active
	// AdminEmails: canonical emails whose verified owners are
	// administrators (AUTHBRIDGE_ADMIN_EMAILS).
	AdminEmails []string
	// Places names the listed sessions' coarse places (Options.Places).
	Places *geoip.DB
	Now    func() time.Time
	Logger *slog.Logger
}

// Admin runs the operator's use cases.
type Admin struct {
	store *store.Store
	opts  AdminOptions
}

// NewAdmin answers the operator's use cases on st.
func NewAdmin(st *store.Store, opts AdminOptions) *Admin {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Admin{store: st, opts: opts}
}

// Admin answers the operator's use cases on the service's store, with its
// clock and idle lifetime.
func (s *Service) Admin() *Admin {
	return NewAdmin(s.store, AdminOptions{IdleTTL: s.opts.IdleTTL, AdminEmails: s.opts.AdminEmails, Places: s.opts.Places, Now: s.opts.Now, Logger: s.log})
}

// Actor is who does an administrative action: a user id, or
// "cli:<os user>" for the command line; and from where.
type Actor struct {
	ID string
	IP string
}

// CLIActor is the actor of a command run as the operating-system user
// name.
func CLIActor(osUser string) Actor {
	if osUser == "" {
		osUser = "unknown"
	}
	return Actor{ID: "cli:" + osUser}
}

// Audit actions, as the audit trail names them.
const (
	ActionDisable        = store.AuditDisable
	ActionEnable         = store.AuditEnable
	ActionDelete         = store.AuditDelete
	ActionRevokeSessions = store.AuditRevokeSessions
	ActionGrantAdmin     = store.AuditGrantAdmin
	ActionRevokeAdmin    = store.AuditRevokeAdmin
)

// UserRecord is a user as an operator sees them.
type UserRecord struct {
	User
	DisabledAt *time.Time
}

// UserQuery selects users for ListUsers.
type UserQuery struct {
	Query        string // part of a name or email, a user id, or a provider id
	DisabledOnly bool
	Page         int // from 1
	Limit        int // per page, 1..200; 0: 50
}

// UserPage is one page of users and how many the query selects in all.
type UserPage struct {
	Users []UserRecord
	Total int
	Page  int
	Limit int
}

// UserDetail is one user with what an operator looks at.
type UserDetail struct {
	User       UserRecord
	Admin      bool
	Identities []Account
	Sessions   []Session // active ones
	Logins     []LoginEvent
}

// AuditEvent is one row of the audit trail.
type AuditEvent struct {
	ID     string
	Time   time.Time
	Actor  string // a user id, or "cli:<os user>"
	Action string // Action*
	Target string // the user acted on (their id only)
	Reason string
	IP     string
}

// EventQuery selects audit rows.
type EventQuery struct {
	UserID string    // rows where this user acted or was acted on
	Since  time.Time // zero: all
	Limit  int       // 0: 100
}

// AdminGrant is one administrator.
type AdminGrant struct {
	User      UserRecord
	GrantedAt time.Time
	GrantedBy string
}

// recentLogins is how many sign-ins UserDetail shows.
const recentLogins = 20

func (a *Admin) now() time.Time { return a.opts.Now().UTC() }

func errNoUser(cause error) error {
	return apperr.Wrap(shared.CodeNotFound, "There is no such user.", cause)
}

// storeErr maps the store's answers to the contract's codes.
func storeErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return errNoUser(err)
	case errors.Is(err, store.ErrLastAdmin):
		return apperr.Wrap(shared.CodeLastAdmin, "This is the last enabled administrator: grant another user first.", err)
	default:
		return fmt.Errorf("auth: %s: %w", op, err)
	}
}

func toRecord(u store.User) UserRecord {
	return UserRecord{User: toUser(u), DisabledAt: u.DisabledAt}
}

func (a *Admin) audit(actor Actor, reason string) store.AuditEvent {
	return store.AuditEvent{Actor: actor.ID, IP: actor.IP, Reason: strings.TrimSpace(reason), CreatedAt: a.now()}
}

// MaxReason bounds an action's reason: the contract's limit, within the
// 512 bytes the audit row keeps.
const MaxReason = shared.MaxReasonBytes

// checkReason refuses a reason the audit trail could not keep whole.
func checkReason(reason string) error {
	if len(strings.TrimSpace(reason)) > MaxReason {
		return apperr.New(shared.CodeInvalidRequest, fmt.Sprintf("The reason is at most %d bytes.", MaxReason))
	}
	return nil
}

// Find answers the user a reference names: a user id, or an email (the
// verified one first, else an exact unverified one). not_found when none;
// invalid_request when an unverified email names several users.
func (a *Admin) Find(ctx context.Context, ref string) (UserRecord, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 320 {
		return UserRecord{}, errNoUser(nil)
	}
	if !strings.Contains(ref, "@") {
		u, err := a.store.GetUser(ctx, ref)
		if err != nil {
			return UserRecord{}, storeErr("find user", err)
		}
		return toRecord(u), nil
	}
	canon, _ := account.CanonicalEmail(ref)
	us, err := a.store.FindUsersByEmail(ctx, ref, canon)
	if err != nil {
		return UserRecord{}, fmt.Errorf("auth: find user: %w", err)
	}
	switch len(us) {
	case 0:
		return UserRecord{}, errNoUser(nil)
	case 1:
		return toRecord(us[0]), nil
	default:
		ids := make([]string, 0, len(us))
		for _, u := range us {
			ids = append(ids, u.ID)
		}
		return UserRecord{}, apperr.New(shared.CodeInvalidRequest,
			"Several users have the unverified email "+ref+": name one by id ("+strings.Join(ids, ", ")+").")
	}
}

// ListUsers answers one page of users, newest first.
func (a *Admin) ListUsers(ctx context.Context, q UserQuery) (UserPage, error) {
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.Limit < 1 || q.Limit > 200 || q.Page < 1 || len(q.Query) > 320 {
		return UserPage{}, apperr.New(shared.CodeInvalidRequest, "The page is 1 or more, the limit 1 to 200, the query at most 320 characters.")
	}
	us, total, err := a.store.ListUsers(ctx, store.UserFilter{Query: q.Query, DisabledOnly: q.DisabledOnly, Offset: (q.Page - 1) * q.Limit, Limit: q.Limit})
	if err != nil {
		return UserPage{}, fmt.Errorf("auth: list users: %w", err)
	}
	page := UserPage{Users: make([]UserRecord, 0, len(us)), Total: total, Page: q.Page, Limit: q.Limit}
	for _, u := range us {
		page.Users = append(page.Users, toRecord(u))
	}
	return page, nil
}

// UserDetail answers one user with their identities, active sessions and
// latest sign-ins.
func (a *Admin) UserDetail(ctx context.Context, userID string) (UserDetail, error) {
	u, err := a.store.GetUser(ctx, userID)
	if err != nil {
		return UserDetail{}, storeErr("user detail", err)
	}
	d := UserDetail{User: toRecord(u)}
	if d.Admin, err = administrator(ctx, a.store, a.opts.AdminEmails, u); err != nil {
		return UserDetail{}, fmt.Errorf("auth: user detail: %w", err)
	}
	ids, err := a.store.ListIdentities(ctx, userID)
	if err != nil {
		return UserDetail{}, fmt.Errorf("auth: user detail: %w", err)
	}
	d.Identities = make([]Account, 0, len(ids))
	for _, i := range ids {
		d.Identities = append(d.Identities, Account{ID: i.ID, Provider: i.Provider, ProviderName: i.Provider, Subject: i.Subject,
			Email: i.Email, EmailVerified: i.EmailVerified, DisplayName: i.DisplayName, CreatedAt: i.CreatedAt, LastLoginAt: i.LastLoginAt})
	}
	fams, err := a.store.ListActiveFamilies(ctx, userID, a.now(), a.opts.IdleTTL)
	if err != nil {
		return UserDetail{}, fmt.Errorf("auth: user detail: %w", err)
	}
	d.Sessions = make([]Session, 0, len(fams))
	for _, f := range fams {
		d.Sessions = append(d.Sessions, toSession(f, "", a.opts.Places))
	}
	evs, err := a.store.ListLoginEvents(ctx, userID, recentLogins)
	if err != nil {
		return UserDetail{}, fmt.Errorf("auth: user detail: %w", err)
	}
	d.Logins = toLoginEvents(evs)
	return d, nil
}

func toLoginEvents(evs []store.LoginEvent) []LoginEvent {
	out := make([]LoginEvent, 0, len(evs))
	for _, e := range evs {
		out = append(out, LoginEvent{ID: e.ID, Time: e.CreatedAt, Provider: e.Provider, Outcome: e.Outcome,
			ErrorCode: e.ErrorCode, IP: e.IP, UserAgent: e.UserAgent})
	}
	return out
}

// Disable disables the user and ends every session of theirs at once; it
// answers how many sessions it ended. Their access tokens are refused
// from then on (ActiveUser), their refresh with account_disabled.
func (a *Admin) Disable(ctx context.Context, actor Actor, userID, reason string) (int, error) {
	if err := checkReason(reason); err != nil {
		return 0, err
	}
	// Not even with another administrator left: an operator who locks
	// themself out needs someone else to let them back in.
	if actor.ID == userID {
		return 0, apperr.New(shared.CodeCannotDisableSelf, "You cannot disable your own account. Ask another administrator, or use the command line.")
	}
	n, err := a.store.DisableUser(ctx, userID, adminRule(a.opts.AdminEmails), a.audit(actor, reason))
	if err != nil {
		return 0, storeErr("disable user", err)
	}
	a.opts.Logger.Info("admin: user disabled", "user", userID, "actor", actor.ID, "sessions_revoked", n)
	return int(n), nil
}

// Enable lets a disabled user sign in again.
func (a *Admin) Enable(ctx context.Context, actor Actor, userID, reason string) error {
	if err := checkReason(reason); err != nil {
		return err
	}
	if err := a.store.EnableUser(ctx, userID, a.audit(actor, reason)); err != nil {
		return storeErr("enable user", err)
	}
	a.opts.Logger.Info("admin: user enabled", "user", userID, "actor", actor.ID)
	return nil
}

// RevokeSessions ends every session of the user; it answers how many.
func (a *Admin) RevokeSessions(ctx context.Context, actor Actor, userID, reason string) (int, error) {
	if err := checkReason(reason); err != nil {
		return 0, err
	}
	n, err := a.store.AdminRevokeSessions(ctx, userID, a.audit(actor, reason))
	if err != nil {
		return 0, storeErr("revoke sessions", err)
	}
	a.opts.Logger.Info("admin: sessions revoked", "user", userID, "actor", actor.ID, "sessions_revoked", n)
	return int(n), nil
}

// Delete deletes the user: identities, sessions and personal data go, the
// login history stays anonymised, the audit row keeps the id only. Signing
// in again later makes a new user.
func (a *Admin) Delete(ctx context.Context, actor Actor, userID, reason string) error {
	if err := checkReason(reason); err != nil {
		return err
	}
	if err := a.store.DeleteUser(ctx, userID, adminRule(a.opts.AdminEmails), a.audit(actor, reason)); err != nil {
		return storeErr("delete user", err)
	}
	a.opts.Logger.Info("admin: user deleted", "user", userID, "actor", actor.ID)
	return nil
}

// GrantAdmin makes the user an administrator.
func (a *Admin) GrantAdmin(ctx context.Context, actor Actor, userID string) error {
	return storeErr("grant admin", a.store.GrantAdmin(ctx, userID, a.audit(actor, "")))
}

// RevokeAdmin takes the administrator grant away; the last enabled
// administrator keeps it (last_admin), unless a verified email in
// AUTHBRIDGE_ADMIN_EMAILS keeps them one. not_found: no grant to take.
func (a *Admin) RevokeAdmin(ctx context.Context, actor Actor, userID string) error {
	err := a.store.RevokeAdmin(ctx, userID, adminRule(a.opts.AdminEmails), a.audit(actor, ""))
	if errors.Is(err, store.ErrNotFound) {
		return apperr.Wrap(shared.CodeNotFound, "This user holds no administrator grant (one listed in AUTHBRIDGE_ADMIN_EMAILS stays an administrator).", err)
	}
	return storeErr("revoke admin", err)
}

// IsAdmin reports whether the user is an administrator: granted, or
// listed by verified email in AUTHBRIDGE_ADMIN_EMAILS.
func (a *Admin) IsAdmin(ctx context.Context, userID string) (bool, error) {
	u, err := a.store.GetUser(ctx, userID)
	if err != nil {
		return false, storeErr("is admin", err)
	}
	return administrator(ctx, a.store, a.opts.AdminEmails, u)
}

// ListAdmins answers the administrators, earliest grant first.
func (a *Admin) ListAdmins(ctx context.Context) ([]AdminGrant, error) {
	rows, err := a.store.ListAdmins(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: list admins: %w", err)
	}
	out := make([]AdminGrant, 0, len(rows))
	for _, r := range rows {
		out = append(out, AdminGrant{User: toRecord(r.User), GrantedAt: r.GrantedAt, GrantedBy: r.GrantedBy})
	}
	return out, nil
}

// Events answers the audit trail, newest first.
func (a *Admin) Events(ctx context.Context, q EventQuery) ([]AuditEvent, error) {
	if q.Limit < 0 || q.Limit > 1000 {
		return nil, apperr.New(shared.CodeInvalidRequest, "The limit is 1 to 1000.")
	}
	rows, err := a.store.ListAuditEvents(ctx, store.AuditFilter{UserID: q.UserID, Since: q.Since, Limit: q.Limit})
	if err != nil {
		return nil, fmt.Errorf("auth: audit events: %w", err)
	}
	out := make([]AuditEvent, 0, len(rows))
	for _, r := range rows {
		e := AuditEvent{ID: r.ID, Time: r.CreatedAt, Actor: r.Actor, Action: r.Action, Reason: r.Reason, IP: r.IP}
		if r.TargetUserID != nil {
			e.Target = *r.TargetUserID
		}
		out = append(out, e)
	}
	return out, nil
}

// ProviderOrphans answers the users whose only sign-in method is the
// provider: who could no longer sign in if it were removed.
func (a *Admin) ProviderOrphans(ctx context.Context, providerID string) ([]UserRecord, error) {
	if !providerRE.MatchString(providerID) {
		return nil, apperr.New(shared.CodeInvalidRequest, "A provider id is lower-case letters, digits, '-' and '_'.")
	}
	us, err := a.store.ProviderOrphans(ctx, providerID)
	if err != nil {
		return nil, fmt.Errorf("auth: provider orphans: %w", err)
	}
	out := make([]UserRecord, 0, len(us))
	for _, u := range us {
		out = append(out, toRecord(u))
	}
	return out, nil
}

// Logins answers one user's latest sign-ins, newest first; not_found for
// an unknown user.
func (a *Admin) Logins(ctx context.Context, userID string, limit int) ([]LoginEvent, error) {
	if _, err := a.store.GetUser(ctx, userID); err != nil {
		return nil, storeErr("logins", err)
	}
	evs, err := a.store.ListLoginEvents(ctx, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("auth: logins: %w", err)
	}
	return toLoginEvents(evs), nil
}

// ProviderStatus is a configured provider and how many users could sign
// in with it alone (ProviderOrphans).
type ProviderStatus struct {
	ProviderInfo
	Orphans int
}

// ProviderStatus answers the configured providers with their orphan
// counts, in the configured order.
func (s *Service) ProviderStatus(ctx context.Context) ([]ProviderStatus, error) {
	list, _ := s.Providers()
	adm := s.Admin()
	out := make([]ProviderStatus, 0, len(list))
	for _, p := range list {
		us, err := adm.ProviderOrphans(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ProviderStatus{ProviderInfo: p, Orphans: len(us)})
	}
	return out, nil
}
