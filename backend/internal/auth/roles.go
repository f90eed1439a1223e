package auth

// Who is an administrator, and what the administrator's calls require: the
// rule the access token's roles claim, the admin API and the self-service
// deletion all use.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// isAdministrator is the one rule of who is an administrator: a user the
// CLI granted it (the admins table: granted), or one whose verified
// canonical email is in emails (AUTHBRIDGE_ADMIN_EMAILS, canonicalised by
// config). Whether the user is enabled is ActiveUser's rule.
func isAdministrator(emails []string, u store.User, granted bool) bool {
	return granted || (u.EmailVerified && u.EmailCanonical != nil && slices.Contains(emails, *u.EmailCanonical))
}

// administrator answers isAdministrator for u, reading the grant only when
// the email does not decide it.
func administrator(ctx context.Context, st *store.Store, emails []string, u store.User) (bool, error) {
	if isAdministrator(emails, u, false) {
		return true, nil
	}
	ok, err := st.IsAdmin(ctx, u.ID)
	if err != nil {
		return false, fmt.Errorf("auth: is admin: %w", err)
	}
	return isAdministrator(emails, u, ok), nil
}

// adminRule is isAdministrator as the store's last-administrator guard
// counts by it: disabling, deleting or revoking (admin API, CLI, or
// DELETE /api/me) the last enabled administrator, granted or listed by a
// verified email, is refused (last_admin).
func adminRule(emails []string) store.AdminRule {
	return store.AdminRule{Emails: emails, Is: func(u store.User, granted bool) bool { return isAdministrator(emails, u, granted) }}
}

// roles answers the access token's roles claim for u.
func (s *Service) roles(ctx context.Context, u store.User) ([]string, error) {
	ok, err := administrator(ctx, s.store, s.opts.AdminEmails, u)
	if err != nil || !ok {
		return nil, err
	}
	return []string{shared.RoleAdmin}, nil
}

// RecentSignIn refuses (reauth_required) a session whose sign-in, the
// access token's auth_time, is older than the reauthentication window
// (AUTHBRIDGE_ADMIN_REAUTH): the admin API and deleting one's own account
// need it. A token without auth_time is never recent.
func (s *Service) RecentSignIn(authTime int64) error {
	if authTime <= 0 || s.Now().Sub(time.Unix(authTime, 0)) > s.opts.reauth() {
		return apperr.New(shared.CodeReauthRequired, "This needs a recent sign-in. Sign in again, then retry.")
	}
	return nil
}

// RequireAdmin lets an administrator with a recent sign-in through:
// anyone else gets forbidden, an administrator whose sign-in is older than
// the window reauth_required. It asks the database, not the token's roles,
// so a revoked grant counts at once.
func (s *Service) RequireAdmin(ctx context.Context, userID string, authTime int64) error {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("auth: require admin: %w", err)
	}
	ok, err := administrator(ctx, s.store, s.opts.AdminEmails, u)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(shared.CodeForbidden, "Only administrators may do this.")
	}
	return s.RecentSignIn(authTime)
}

// DefaultAdminReauth is the reauthentication window when Options leave it
// zero (AUTHBRIDGE_ADMIN_REAUTH's default).
const DefaultAdminReauth = 15 * time.Minute

func (o Options) reauth() time.Duration {
	if o.AdminReauth <= 0 {
		return DefaultAdminReauth
	}
	return o.AdminReauth
}
