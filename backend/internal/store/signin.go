package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

func wrap(op string, err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

const flowColumns = "state_hash, provider, process, handoff, nonce, pkce_verifier, spa_challenge, browser_hash, user_id, created_at, expires_at, spent_at"

// CreateFlow stores a redirect flow.
func (s *Store) CreateFlow(ctx context.Context, f Flow) error {
	_, err := s.exec(ctx, "INSERT INTO auth_flows ("+flowColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
		f.StateHash, f.Provider, f.Process, f.Handoff, f.Nonce, f.PKCEVerifier, f.SPAChallenge, f.BrowserHash, f.UserID, ts(f.CreatedAt), ts(f.ExpiresAt))
	return wrap("create flow", err)
}

// SpendFlow spends the flow of a state, once.
func (s *Store) SpendFlow(ctx context.Context, stateHash []byte, now time.Time) (Flow, error) {
	var f Flow
	err := s.spend(ctx, "auth_flows", "state_hash", stateHash, now, &f, flowColumns)
	return f, wrap("spend flow", err)
}

const handoffColumns = "code_hash, user_id, provider, challenge, is_new, created_at, expires_at, spent_at"

// RedeemHandoff spends a handoff code and, when check approves the code
// (the caller's PKCE and account checks), opens sess for its user in the
// same transaction: one write instead of two for the last step of a popup
// sign-in. check may read the store and fill in sess. A code check refuses
// stays spent (single use means the first attempt, right or wrong), and
// check's error is answered. ErrNotFound: unknown, expired or spent.
func (s *Store) RedeemHandoff(ctx context.Context, codeHash []byte, now time.Time, check func(Handoff) error, sess *NewSession) (Handoff, error) {
	var h Handoff
	var refused error
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		h, refused = Handoff{}, nil
		if err := spendTx(ctx, tx, "handoff_codes", "code_hash", codeHash, now, &h, handoffColumns, ""); err != nil {
			return err
		}
		if refused = check(h); refused != nil {
			return nil // commit the spend only
		}
		return openSession(ctx, tx, sess, h.UserID)
	})
	if err != nil {
		return h, wrap("redeem handoff", err)
	}
	return h, refused
}

const ticketColumns = "ticket_hash, user_id, provider, challenge, created_at, expires_at, spent_at"

// CreateTicket stores a connect ticket.
func (s *Store) CreateTicket(ctx context.Context, t Ticket) error {
	_, err := s.exec(ctx, "INSERT INTO connect_tickets ("+ticketColumns+") VALUES (?, ?, ?, ?, ?, ?, NULL)",
		t.TicketHash, t.UserID, t.Provider, t.Challenge, ts(t.CreatedAt), ts(t.ExpiresAt))
	return wrap("create ticket", err)
}

// SpendTicket spends a connect ticket, once.
func (s *Store) SpendTicket(ctx context.Context, ticketHash []byte, now time.Time) (Ticket, error) {
	var t Ticket
	err := s.spend(ctx, "connect_tickets", "ticket_hash", ticketHash, now, &t, ticketColumns)
	return t, wrap("spend ticket", err)
}

// CreateNonce stores a credential nonce.
func (s *Store) CreateNonce(ctx context.Context, hash []byte, now, expires time.Time) error {
	_, err := s.exec(ctx, "INSERT INTO credential_nonces (nonce_hash, created_at, expires_at, spent_at) VALUES (?, ?, ?, NULL)",
		hash, ts(now), ts(expires))
	return wrap("create nonce", err)
}

const identityColumns = "id, user_id, provider, issuer, subject, email, email_canonical, email_verified, display_name, created_at, last_login_at"

func insertIdentity(ctx context.Context, tx *sqlx.Tx, i Identity) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO identities ("+identityColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		i.ID, i.UserID, i.Provider, i.Issuer, i.Subject, i.Email, i.EmailCanonical, i.EmailVerified, i.DisplayName, ts(i.CreatedAt), ts(i.LastLoginAt))
	if engine.IsDuplicate(err) {
		return ErrConflict
	}
	return err
}

func (s *Store) identityByKey(ctx context.Context, tx *sqlx.Tx, i Identity) (Identity, error) {
	var got Identity
	err := tx.GetContext(ctx, &got, "SELECT "+identityColumns+" FROM identities WHERE provider = ? AND issuer = ? AND subject = ?"+s.eng.ForUpdate,
		i.Provider, i.Issuer, i.Subject)
	if errors.Is(err, sql.ErrNoRows) {
		return Identity{}, ErrNotFound
	}
	return got, err
}

// SignIn finds the user of an identity or creates one, in one
// transaction, applying the email conflict rule. It answers the user and
// whether it was created. Two parallel first sign-ins of one identity
// create one user: the loser of the unique key retries and finds it.
func (s *Store) SignIn(ctx context.Context, p SignInParams) (User, bool, error) {
	for attempt := 0; ; attempt++ {
		u, isNew, err := s.signIn(ctx, p)
		// InnoDB gap locks make parallel first sign-ins deadlock; the
		// loser runs again and finds the winner's identity.
		if (errors.Is(err, ErrConflict) || engine.IsRetryable(err)) && attempt < maxRetries {
			s.retry(ctx, attempt)
			continue
		}
		if err != nil && !errors.Is(err, ErrUserDisabled) && !errors.Is(err, ErrDuplicateEmail) {
			err = fmt.Errorf("store: sign in: %w", err)
		}
		return u, isNew, err
	}
}

func (s *Store) signIn(ctx context.Context, p SignInParams) (User, bool, error) {
	if u, ok, err := s.signInKnown(ctx, p); ok || err != nil {
		return u, false, err
	}
	var (
		u     User
		isNew bool
	)
	// READ COMMITTED: first sign-ins of different people look up absent
	// identity keys and emails; at REPEATABLE READ those gap locks made
	// parallel sign-ups deadlock (seen under load: 16 new users at once).
	err := s.inTxReadCommitted(ctx, func(tx *sqlx.Tx) error {
		var err error
		u, isNew, err = s.signInTx(ctx, tx, p)
		if err != nil {
			return err
		}
		return afterSignIn(ctx, tx, s.eng, p, u.ID, isNew)
	})
	return u, isNew, err
}

// signInKnown is the common case, a returning identity, with the reads done
// on the read pool beside the writer: the write transaction only refreshes
// the identity and opens the session. Its UPDATE is guarded (same user, the
// user still enabled), so a concurrent change makes it report !ok and the
// caller takes the full path, which decides under the write lock.
func (s *Store) signInKnown(ctx context.Context, p SignInParams) (User, bool, error) {
	var found Identity
	err := s.rdb.GetContext(ctx, &found, "SELECT "+identityColumns+" FROM identities WHERE provider = ? AND issuer = ? AND subject = ?",
		p.Identity.Provider, p.Identity.Issuer, p.Identity.Subject)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	// The user from the 2-second cache (users change only by being
	// disabled, which drops the entry); the guard below re-checks it.
	u, err := s.GetUser(ctx, found.UserID)
	switch {
	case errors.Is(err, ErrNotFound):
		return User{}, false, nil
	case err != nil:
		return User{}, false, err
	case u.DisabledAt != nil:
		return User{}, false, ErrUserDisabled
	}
	ident := p.Identity
	guard := stmt{q: `UPDATE identities SET email = ?, email_canonical = ?, email_verified = ?, display_name = ?, last_login_at = ?
			WHERE id = ? AND user_id = ? AND EXISTS (SELECT 1 FROM users WHERE id = ? AND disabled_at IS NULL)`,
		args: []any{ident.Email, ident.EmailCanonical, ident.EmailVerified, ident.DisplayName, ts(p.Now), found.ID, u.ID, u.ID}}
	// A guard that matched no row: nothing written, the full way decides.
	ok, err := s.inTxGuarded(ctx, guard, afterSignInStmts(s.eng, p, u.ID, false))
	if err != nil || !ok {
		return User{}, false, err
	}
	return u, true, nil
}

// afterSignIn writes what p asks to store with the sign-in (afterSignInStmts).
func afterSignIn(ctx context.Context, tx *sqlx.Tx, eng engine.Engine, p SignInParams, userID string, isNew bool) error {
	return runStmts(ctx, tx, afterSignInStmts(eng, p, userID, isNew))
}

// openSession writes ns, when given, for userID in tx.
func openSession(ctx context.Context, tx *sqlx.Tx, ns *NewSession, userID string) error {
	return runStmts(ctx, tx, sessionStmts(ns, userID))
}

// signInTx applies the account rules inside tx.
func (s *Store) signInTx(ctx context.Context, tx *sqlx.Tx, p SignInParams) (u User, isNew bool, err error) {
	err = func() error {
		ident := p.Identity
		found, err := s.identityByKey(ctx, tx, ident)
		switch {
		case err == nil:
			// A known identity: refresh what the provider says now.
			if _, err := tx.ExecContext(ctx, "UPDATE identities SET email = ?, email_canonical = ?, email_verified = ?, display_name = ?, last_login_at = ? WHERE id = ?",
				ident.Email, ident.EmailCanonical, ident.EmailVerified, ident.DisplayName, ts(p.Now), found.ID); err != nil {
				return err
			}
			if err := tx.GetContext(ctx, &u, "SELECT "+userColumns+" FROM users WHERE id = ?", found.UserID); err != nil {
				return err
			}
			if u.DisabledAt != nil {
				return ErrUserDisabled
			}
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		// A new identity. Does its verified email belong to someone?
		if ident.EmailCanonical != nil {
			var owner User
			err := tx.GetContext(ctx, &owner, "SELECT "+userColumns+" FROM users WHERE email_canonical = ?"+s.eng.ForUpdate, *ident.EmailCanonical)
			switch {
			case err == nil && p.LinkByVerifiedEmail && owner.EmailVerified:
				if owner.DisabledAt != nil {
					return ErrUserDisabled
				}
				ident.ID, ident.UserID, ident.CreatedAt, ident.LastLoginAt = NewID(), owner.ID, p.Now, p.Now
				if err := insertIdentity(ctx, tx, ident); err != nil {
					return err
				}
				u = owner
				return nil
			case err == nil:
				// At READ COMMITTED the identity lookup above may predate a
				// parallel first sign-in of this same identity that has
				// committed since (its user is the owner found here): run
				// again, and it is a known identity then.
				if _, err := s.identityByKey(ctx, tx, ident); err == nil {
					return ErrConflict
				} else if !errors.Is(err, ErrNotFound) {
					return err
				}
				var providers []string
				if err := tx.SelectContext(ctx, &providers, "SELECT DISTINCT provider FROM identities WHERE user_id = ? ORDER BY provider", owner.ID); err != nil {
					return err
				}
				return &DuplicateEmailError{Providers: providers}
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		u = User{ID: NewID(), Name: p.Name, Email: ident.Email, EmailCanonical: ident.EmailCanonical,
			EmailVerified: ident.EmailCanonical != nil, AvatarURL: p.AvatarURL, CreatedAt: p.Now, UpdatedAt: p.Now}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		ident.ID, ident.UserID, ident.CreatedAt, ident.LastLoginAt = NewID(), u.ID, p.Now, p.Now
		if err := insertIdentity(ctx, tx, ident); err != nil {
			return err
		}
		isNew = true
		return nil
	}()
	return u, isNew, err
}

// Connect links an identity to userID. It never merges users: an identity
// already linked anywhere is refused.
func (s *Store) Connect(ctx context.Context, userID string, ident Identity, now time.Time) (Identity, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var u User
		err := tx.GetContext(ctx, &u, "SELECT "+userColumns+" FROM users WHERE id = ?"+s.eng.ForUpdate, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return ErrUserDisabled
		}
		found, err := s.identityByKey(ctx, tx, ident)
		switch {
		case err == nil && found.UserID == userID:
			return ErrAlreadyConnectedSelf
		case err == nil:
			return ErrAlreadyConnectedOther
		case !errors.Is(err, ErrNotFound):
			return err
		}
		ident.ID, ident.UserID, ident.CreatedAt, ident.LastLoginAt = NewID(), userID, now, now
		if err := insertIdentity(ctx, tx, ident); errors.Is(err, ErrConflict) {
			return ErrAlreadyConnectedOther
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrAlreadyConnectedSelf) && !errors.Is(err, ErrAlreadyConnectedOther) &&
		!errors.Is(err, ErrUserDisabled) && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("store: connect: %w", err)
	}
	return ident, err
}

// ListIdentities answers the user's linked identities, oldest first.
func (s *Store) ListIdentities(ctx context.Context, userID string) ([]Identity, error) {
	ids := []Identity{}
	err := s.rdb.SelectContext(ctx, &ids, "SELECT "+identityColumns+" FROM identities WHERE user_id = ? ORDER BY created_at, id", userID)
	return ids, wrap("list identities", err)
}

// DeleteIdentity unlinks one of the user's identities. The user row is
// locked first, so two parallel deletes cannot both pass the last-method
// check (guardLastMethod: a passkey counts as a method too).
func (s *Store) DeleteIdentity(ctx context.Context, userID, identityID string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id string
		if err := tx.GetContext(ctx, &id, "SELECT id FROM users WHERE id = ?"+s.eng.ForUpdate, userID); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var one int
		if err := tx.GetContext(ctx, &one, "SELECT 1 FROM identities WHERE id = ? AND user_id = ?", identityID, userID); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if err := guardLastMethod(ctx, tx, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM identities WHERE id = ? AND user_id = ?", identityID, userID)
		return err
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrLastLoginMethod) {
		return fmt.Errorf("store: delete identity: %w", err)
	}
	return err
}
