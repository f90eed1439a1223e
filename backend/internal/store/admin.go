package store

// The operator side (issue #15): administrators, disabling, deleting and
// finding users, and the audit trail. Every change to a user writes its
// audit row in the change's own transaction, so the trail never misses an
// action that happened nor shows one that did not.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

// ErrLastAdmin: the change would leave no enabled administrator (revoking,
// disabling or deleting the last one).
var ErrLastAdmin = errors.New("store: last administrator")

// Audit actions.
const (
	AuditDisable        = "user.disable"
	AuditEnable         = "user.enable"
	AuditDelete         = "user.delete"
	AuditRevokeSessions = "user.revoke_sessions"
	AuditGrantAdmin     = "admin.grant"
	AuditRevokeAdmin    = "admin.revoke"
)

// AuditEvent is a row of audit_events: one administrative action. Actor is
// a user id or "cli:<os user>". The rows are never updated; they keep only
// the target's id, which names nobody once the user is deleted.
type AuditEvent struct {
	ID           string    `db:"id"`
	Actor        string    `db:"actor"`
	Action       string    `db:"action"`
	TargetUserID *string   `db:"target_user_id"`
	Reason       string    `db:"reason"`
	IP           string    `db:"ip"`
	CreatedAt    time.Time `db:"created_at"`
}

// Admin is a row of admins with its user.
type Admin struct {
	User      User
	GrantedAt time.Time
	GrantedBy string
}

// UserFilter selects users for ListUsers.
type UserFilter struct {
	// Query matches a user's id, or part of their name or email, or part of
	// a linked identity's email, or a linked identity's provider id exactly.
	Query        string
	DisabledOnly bool
	Offset       int
	Limit        int // ≤ 0: 50
}

// AuditFilter selects audit rows for ListAuditEvents.
type AuditFilter struct {
	UserID string    // rows whose actor or target is this user; "" = all
	Since  time.Time // rows at or after; zero = all
	Limit  int       // ≤ 0: 100
}

const auditColumns = "id, actor, action, target_user_id, reason, ip, created_at"

func insertAudit(ctx context.Context, tx *sqlx.Tx, e AuditEvent) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO audit_events ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		e.ID, Clip(e.Actor, 128), Clip(e.Action, 32), e.TargetUserID, Clip(e.Reason, 512), Clip(e.IP, 64), ts(e.CreatedAt))
	return err
}

// adminTx runs fn in a transaction, again after a deadlock or a busy
// database, and wraps what it answers (the store's own errors stay
// comparable with errors.Is).
func (s *Store) adminTx(ctx context.Context, op string, fn func(tx *sqlx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.inTx(ctx, fn)
		if engine.IsRetryable(err) && attempt < maxRetries {
			s.retry(ctx, attempt)
			continue
		}
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrLastAdmin) {
			err = fmt.Errorf("store: %s: %w", op, err)
		}
		return err
	}
}

// lockUser reads and locks the user row for the rest of tx.
func (s *Store) lockUser(ctx context.Context, tx *sqlx.Tx, id string) (User, error) {
	var u User
	err := tx.GetContext(ctx, &u, "SELECT "+userColumns+" FROM users WHERE id = ?"+s.eng.ForUpdate, id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// AdminRule is who the last-administrator guard counts as an
// administrator. The rule is the caller's (auth's): Is answers for an
// enabled user and whether they hold a grant. Emails are the canonical
// emails that may make a user one without a grant, so that the guard reads
// (and locks) only those users and the granted ones. The zero value counts
// the grants alone.
type AdminRule struct {
	Emails []string
	Is     func(u User, granted bool) bool
}

func (r AdminRule) is(u User, granted bool) bool {
	if r.Is == nil {
		return granted
	}
	return r.Is(u, granted)
}

// guardLastAdmin refuses (ErrLastAdmin) a change that takes target out of
// the enabled administrators when it is the last one: disabling or
// deleting them, or (revokeGrant) taking their grant when the rule does not
// keep them an administrator without it. The candidates are locked, so two
// changes in parallel cannot each remove "one of two".
func (s *Store) guardLastAdmin(ctx context.Context, tx *sqlx.Tx, target string, rule AdminRule, revokeGrant bool) error {
	// Two indexed reads, so that only the candidates are scanned and
	// locked: the granted users, then the enabled users with a listed email.
	var granted, listed []User
	if err := tx.SelectContext(ctx, &granted, "SELECT "+prefixed("u", userColumns)+" FROM admins a JOIN users u ON u.id = a.user_id"+
		" WHERE u.disabled_at IS NULL ORDER BY a.user_id"+s.eng.ForUpdate); err != nil {
		return err
	}
	if len(rule.Emails) > 0 {
		args := make([]any, 0, len(rule.Emails))
		for _, e := range rule.Emails {
			args = append(args, e)
		}
		q := "SELECT " + userColumns + " FROM users WHERE email_canonical IN (?" + strings.Repeat(", ?", len(rule.Emails)-1) + ")" +
			" AND disabled_at IS NULL ORDER BY id" + s.eng.ForUpdate
		if err := tx.SelectContext(ctx, &listed, q, args...); err != nil {
			return err
		}
	}
	isGranted := make(map[string]bool, len(granted))
	for _, u := range granted {
		isGranted[u.ID] = true
	}
	targetWas, after := false, 0
	seen := map[string]bool{}
	for _, u := range append(granted, listed...) {
		if seen[u.ID] || !rule.is(u, isGranted[u.ID]) {
			continue
		}
		seen[u.ID] = true
		if u.ID != target {
			after++
			continue
		}
		targetWas = true
		if revokeGrant && rule.is(u, false) {
			after++
		}
	}
	if targetWas && after == 0 {
		return ErrLastAdmin
	}
	return nil
}

// DisableUser disables the user, revokes every live session of theirs
// (reason "disabled") and writes the audit row, in one transaction. It
// answers how many sessions it revoked. An already disabled user keeps
// their first disabled_at (the sessions are revoked again all the same).
// Disabling the last enabled administrator (by admins) is ErrLastAdmin.
func (s *Store) DisableUser(ctx context.Context, id string, admins AdminRule, audit AuditEvent) (int64, error) {
	defer s.users.drop(id)
	var revoked int64
	err := s.adminTx(ctx, "disable user", func(tx *sqlx.Tx) error {
		if _, err := s.lockUser(ctx, tx, id); err != nil {
			return err
		}
		if err := s.guardLastAdmin(ctx, tx, id, admins, false); err != nil {
			return err
		}
		now := ts(audit.CreatedAt)
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled_at = COALESCE(disabled_at, ?), updated_at = ? WHERE id = ?", now, now, id); err != nil {
			return err
		}
		n, err := rowsAffected(tx.ExecContext(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = 'disabled' WHERE user_id = ? AND revoked_at IS NULL", now, id))
		if err != nil {
			return err
		}
		revoked = n
		audit.Action, audit.TargetUserID = AuditDisable, &id
		return insertAudit(ctx, tx, audit)
	})
	return revoked, err
}

// EnableUser clears the user's disabled_at and writes the audit row.
func (s *Store) EnableUser(ctx context.Context, id string, audit AuditEvent) error {
	defer s.users.drop(id)
	return s.adminTx(ctx, "enable user", func(tx *sqlx.Tx) error {
		if _, err := s.lockUser(ctx, tx, id); err != nil {
			return err
		}
		now := ts(audit.CreatedAt)
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled_at = NULL, updated_at = ? WHERE id = ?", now, id); err != nil {
			return err
		}
		audit.Action, audit.TargetUserID = AuditEnable, &id
		return insertAudit(ctx, tx, audit)
	})
}

// AdminRevokeSessions revokes every live session of the user (reason
// "admin") and writes the audit row; it answers how many it revoked.
func (s *Store) AdminRevokeSessions(ctx context.Context, id string, audit AuditEvent) (int64, error) {
	var revoked int64
	err := s.adminTx(ctx, "revoke sessions", func(tx *sqlx.Tx) error {
		if _, err := s.lockUser(ctx, tx, id); err != nil {
			return err
		}
		n, err := rowsAffected(tx.ExecContext(ctx, "UPDATE refresh_families SET revoked_at = ?, revoke_reason = 'admin' WHERE user_id = ? AND revoked_at IS NULL",
			ts(audit.CreatedAt), id))
		if err != nil {
			return err
		}
		revoked = n
		audit.Action, audit.TargetUserID = AuditRevokeSessions, &id
		return insertAudit(ctx, tx, audit)
	})
	return revoked, err
}

// DeleteUser deletes the user and everything that names them: identities,
// passkeys, sessions, pending sign-in values, the administrator grant. Their login
// history stays, anonymised: provider, outcome, error code and time are
// kept; the user id, IP and user agent are cleared. The audit row (audit.
// Action is set here) keeps the target's id only. A later sign-in with one
// of the deleted identities creates a new user. Deleting the last enabled
// administrator (by admins) is ErrLastAdmin.
func (s *Store) DeleteUser(ctx context.Context, id string, admins AdminRule, audit AuditEvent) error {
	defer s.users.drop(id)
	return s.adminTx(ctx, "delete user", func(tx *sqlx.Tx) error {
		if _, err := s.lockUser(ctx, tx, id); err != nil {
			return err
		}
		if err := s.guardLastAdmin(ctx, tx, id, admins, false); err != nil {
			return err
		}
		for _, q := range []string{
			"UPDATE login_events SET user_id = NULL, ip = '', user_agent = '' WHERE user_id = ?",
			"DELETE FROM auth_flows WHERE user_id = ?",
			"DELETE FROM handoff_codes WHERE user_id = ?",
			"DELETE FROM connect_tickets WHERE user_id = ?",
			"DELETE FROM admins WHERE user_id = ?",
			"DELETE FROM passkey_ceremonies WHERE user_id = ?",
			"DELETE FROM passkeys WHERE user_id = ?",
			// The foreign keys cascade these; said here so the rule does
			// not rest on them alone. refresh_tokens go with their family.
			"DELETE FROM identities WHERE user_id = ?",
			"DELETE FROM refresh_families WHERE user_id = ?",
			"DELETE FROM users WHERE id = ?",
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		audit.Action, audit.TargetUserID = AuditDelete, &id
		return insertAudit(ctx, tx, audit)
	})
}

// GrantAdmin makes the user an administrator (again: the grant is kept as
// first made) and writes the audit row.
func (s *Store) GrantAdmin(ctx context.Context, id string, audit AuditEvent) error {
	return s.adminTx(ctx, "grant admin", func(tx *sqlx.Tx) error {
		if _, err := s.lockUser(ctx, tx, id); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM admins WHERE user_id = ?", id); err != nil {
			return err
		}
		if n == 0 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO admins (user_id, granted_at, granted_by) VALUES (?, ?, ?)",
				id, ts(audit.CreatedAt), Clip(audit.Actor, 128)); err != nil {
				return err
			}
		}
		audit.Action, audit.TargetUserID = AuditGrantAdmin, &id
		return insertAudit(ctx, tx, audit)
	})
}

// RevokeAdmin takes the administrator grant from the user and writes the
// audit row. ErrNotFound: no such user, or not an administrator;
// ErrLastAdmin: the last enabled administrator (by admins), whom the rule
// would not keep one without the grant.
func (s *Store) RevokeAdmin(ctx context.Context, id string, admins AdminRule, audit AuditEvent) error {
	return s.adminTx(ctx, "revoke admin", func(tx *sqlx.Tx) error {
		if err := s.guardLastAdmin(ctx, tx, id, admins, true); err != nil {
			return err
		}
		n, err := rowsAffected(tx.ExecContext(ctx, "DELETE FROM admins WHERE user_id = ?", id))
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		audit.Action, audit.TargetUserID = AuditRevokeAdmin, &id
		return insertAudit(ctx, tx, audit)
	})
}

// IsAdmin reports whether the user holds the administrator grant (whether
// they are enabled is the caller's rule).
func (s *Store) IsAdmin(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.rdb.GetContext(ctx, &n, "SELECT COUNT(*) FROM admins WHERE user_id = ?", id); err != nil {
		return false, fmt.Errorf("store: is admin: %w", err)
	}
	return n > 0, nil
}

// ListAdmins answers the administrators, earliest grant first.
func (s *Store) ListAdmins(ctx context.Context) ([]Admin, error) {
	rows := []struct {
		User
		GrantedAt time.Time `db:"granted_at"`
		GrantedBy string    `db:"granted_by"`
	}{}
	err := s.rdb.SelectContext(ctx, &rows, "SELECT "+prefixed("u", userColumns)+", a.granted_at, a.granted_by FROM admins a JOIN users u ON u.id = a.user_id ORDER BY a.granted_at, a.user_id")
	if err != nil {
		return nil, fmt.Errorf("store: list admins: %w", err)
	}
	out := make([]Admin, 0, len(rows))
	for _, r := range rows {
		out = append(out, Admin{User: r.User, GrantedAt: r.GrantedAt, GrantedBy: r.GrantedBy})
	}
	return out, nil
}

// ListAuditEvents answers audit rows, newest first.
func (s *Store) ListAuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	q := "SELECT " + auditColumns + " FROM audit_events WHERE created_at >= ?"
	args := []any{ts(f.Since)}
	switch {
	case f.UserID != "" && isASCII(f.UserID):
		q += " AND (target_user_id = ? OR actor = ?)"
		args = append(args, f.UserID, f.UserID)
	case f.UserID != "":
		q += " AND actor = ?" // target_user_id is ASCII (see ListUsers)
		args = append(args, f.UserID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	evs := []AuditEvent{}
	if err := s.rdb.SelectContext(ctx, &evs, q+" ORDER BY created_at DESC, id DESC LIMIT ?", append(args, f.Limit)...); err != nil {
		return nil, fmt.Errorf("store: list audit events: %w", err)
	}
	return evs, nil
}

// ListUsers answers one page of the users f selects, newest first, and how
// many it selects in all.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, int, error) {
	where := " WHERE 1 = 1"
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + likeEscaper.Replace(q) + "%"
		// Ids are ASCII columns: MySQL refuses to compare one with other
		// characters (illegal mix of collations), and no id has them.
		idCond := "1 = 0"
		if isASCII(q) {
			idCond = "u.id = ?"
			args = append(args, q)
		}
		where += " AND (" + idCond + " OR u.name LIKE ? ESCAPE '!' OR u.email LIKE ? ESCAPE '!' OR EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id AND (i.provider = ? OR i.email LIKE ? ESCAPE '!')))"
		args = append(args, like, like, q, like)
	}
	if f.DisabledOnly {
		where += " AND u.disabled_at IS NOT NULL"
	}
	var total int
	if err := s.rdb.GetContext(ctx, &total, "SELECT COUNT(*) FROM users u"+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	users := []User{}
	err := s.rdb.SelectContext(ctx, &users, "SELECT "+prefixed("u", userColumns)+" FROM users u"+where+" ORDER BY u.created_at DESC, u.id LIMIT ? OFFSET ?",
		append(args, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	return users, total, nil
}

// likeEscaper escapes a LIKE pattern's wildcards with '!' (ESCAPE '!': the
// same on both engines, unlike a backslash).
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// FindUsersByEmail answers the users with this email: the one whose
// verified canonical email is canonical (when not empty), else those whose
// email is exactly email (unverified emails need not be unique).
func (s *Store) FindUsersByEmail(ctx context.Context, email, canonical string) ([]User, error) {
	users := []User{}
	if canonical != "" {
		if err := s.rdb.SelectContext(ctx, &users, "SELECT "+userColumns+" FROM users WHERE email_canonical = ?", canonical); err != nil {
			return nil, fmt.Errorf("store: find users by email: %w", err)
		}
		if len(users) > 0 {
			return users, nil
		}
	}
	if err := s.rdb.SelectContext(ctx, &users, "SELECT "+userColumns+" FROM users WHERE email = ? ORDER BY created_at, id", email); err != nil {
		return nil, fmt.Errorf("store: find users by email: %w", err)
	}
	return users, nil
}

// ProviderOrphans answers the users whose only way to sign in is the
// provider: every identity of theirs is of that provider (what an operator
// strands by removing it), oldest first.
func (s *Store) ProviderOrphans(ctx context.Context, providerID string) ([]User, error) {
	users := []User{}
	err := s.rdb.SelectContext(ctx, &users, "SELECT "+prefixed("u", userColumns)+" FROM users u"+
		" WHERE EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id AND i.provider = ?)"+
		" AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id AND i.provider <> ?)"+
		" ORDER BY u.created_at, u.id", providerID, providerID)
	if err != nil {
		return nil, fmt.Errorf("store: provider orphans: %w", err)
	}
	return users, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// prefixed qualifies each of a comma-separated column list with alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = alias + "." + p
	}
	return strings.Join(parts, ", ")
}
