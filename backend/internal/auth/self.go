package auth

// Self-service: a user deletes their own account or downloads their data.

import (
	"context"
	"time"
)

// DeleteSelf deletes the caller's account, as Admin.Delete does for an
// operator: it needs a recent sign-in (RecentSignIn), the last enabled
// administrator cannot (last_admin), and the audit row's actor is the user
// themself (actor = target marks a self-deletion).
func (s *Service) DeleteSelf(ctx context.Context, userID string, authTime int64, ip string) error {
	if err := s.RecentSignIn(authTime); err != nil {
		return err
	}
	return s.Admin().Delete(ctx, Actor{ID: userID, IP: ip}, userID, "")
}

// Export is everything AuthBridge keeps about a user, as they download it.
type Export struct {
	ExportedAt time.Time
	User       User
	Identities []Account
	Sessions   []Session // active ones
	Logins     []LoginEvent
}

// exportLogins bounds the login history of an export; the retention
// (90 days by default) keeps far fewer for anyone but a bot.
const exportLogins = 10000

// Export answers the user's data: the user, linked identities, active
// sessions and login history (as far as the retention keeps it).
func (s *Service) Export(ctx context.Context, userID, currentSession string) (Export, error) {
	u, err := s.ActiveUser(ctx, userID)
	if err != nil {
		return Export{}, err
	}
	e := Export{ExportedAt: s.Now(), User: u}
	if e.Identities, err = s.Accounts(ctx, userID); err != nil {
		return Export{}, err
	}
	if e.Sessions, err = s.Sessions(ctx, userID, currentSession); err != nil {
		return Export{}, err
	}
	if e.Logins, err = s.Logins(ctx, userID, exportLogins); err != nil {
		return Export{}, err
	}
	return e, nil
}
