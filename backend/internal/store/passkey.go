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

// Kinds of passkey ceremony.
const (
	CeremonyRegister = "register" // a signed-in user adds a passkey
	CeremonyLogin    = "login"
	CeremonySignup   = "signup" // a new user with a passkey alone (AUTHBRIDGE_PASSKEY_SIGNUP)
)

// ErrSignCountRegressed: a passkey sign-in presented a signature counter
// not above the stored one while another sign-in moved it meanwhile, or
// the stored counter is ahead (a cloned authenticator, or a race).
var ErrSignCountRegressed = errors.New("store: passkey sign count regressed")

// Passkey is a row of passkeys: one WebAuthn credential of a user.
type Passkey struct {
	ID             string     `db:"id"`
	UserID         string     `db:"user_id"`
	CredentialID   []byte     `db:"credential_id"`
	PublicKey      []byte     `db:"public_key"` // COSE key
	SignCount      uint32     `db:"sign_count"`
	AAGUID         []byte     `db:"aaguid"`
	Transports     string     `db:"transports"` // comma-separated
	BackupEligible bool       `db:"backup_eligible"`
	BackupState    bool       `db:"backup_state"`
	Name           string     `db:"name"`
	CreatedAt      time.Time  `db:"created_at"`
	LastUsedAt     *time.Time `db:"last_used_at"`
	CloneWarning   bool       `db:"clone_warning"`
}

// PasskeyCeremony is a row of passkey_ceremonies: a registration or a
// sign-in between its options and its answer, keyed by the hash of its
// challenge.
type PasskeyCeremony struct {
	ChallengeHash []byte     `db:"challenge_hash"`
	Kind          string     `db:"kind"`
	UserID        *string    `db:"user_id"` // the registering user; nil for a sign-in
	SessionData   string     `db:"session_data"`
	BrowserHash   []byte     `db:"browser_hash"` // empty when not bound to a browser cookie
	CreatedAt     time.Time  `db:"created_at"`
	ExpiresAt     time.Time  `db:"expires_at"`
	SpentAt       *time.Time `db:"spent_at"`
}

// PasskeySignInParams is one successful passkey assertion.
type PasskeySignInParams struct {
	PasskeyID   string
	UserID      string
	SignCount   uint32 // the assertion's counter
	BackupState bool
	Now         time.Time
	Session     *NewSession // opened for the user in the same transaction
}

const passkeyColumns = "id, user_id, credential_id, public_key, sign_count, aaguid, transports, backup_eligible, backup_state, name, created_at, last_used_at, clone_warning"

const ceremonyColumns = "challenge_hash, kind, user_id, session_data, browser_hash, created_at, expires_at, spent_at"

// CreatePasskeyCeremony stores a ceremony's session data.
func (s *Store) CreatePasskeyCeremony(ctx context.Context, c PasskeyCeremony) error {
	browser := c.BrowserHash
	if browser == nil {
		browser = []byte{}
	}
	_, err := s.exec(ctx, "INSERT INTO passkey_ceremonies ("+ceremonyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
		c.ChallengeHash, c.Kind, c.UserID, c.SessionData, browser, ts(c.CreatedAt), ts(c.ExpiresAt))
	return wrap("create passkey ceremony", err)
}

// SpendPasskeyCeremony spends the ceremony of a challenge, once.
// ErrNotFound: unknown, expired or already spent.
func (s *Store) SpendPasskeyCeremony(ctx context.Context, challengeHash []byte, now time.Time) (PasskeyCeremony, error) {
	var c PasskeyCeremony
	err := s.spend(ctx, "passkey_ceremonies", "challenge_hash", challengeHash, now, &c, ceremonyColumns)
	return c, wrap("spend passkey ceremony", err)
}

// PasskeySignUp creates u with its first passkey p and opens ns for it, in
// one transaction. ErrConflict: the credential id is registered already.
func (s *Store) PasskeySignUp(ctx context.Context, u User, p Passkey, ns *NewSession) error {
	p.UserID = u.ID
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		if err := insertPasskey(ctx, tx, p); err != nil {
			return err
		}
		return openSession(ctx, tx, ns, u.ID)
	})
	if err != nil && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("store: passkey sign-up: %w", err)
	}
	return err
}

func insertPasskey(ctx context.Context, tx *sqlx.Tx, p Passkey) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO passkeys ("+passkeyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		p.ID, p.UserID, p.CredentialID, p.PublicKey, p.SignCount, nonNil(p.AAGUID), p.Transports, p.BackupEligible, p.BackupState,
		p.Name, ts(p.CreatedAt), tsPtr(p.LastUsedAt), p.CloneWarning)
	if engine.IsDuplicate(err) {
		return ErrConflict
	}
	return err
}

// AddPasskey stores a new passkey of p.UserID, an enabled user.
// ErrConflict: the credential id is registered already (to anyone).
func (s *Store) AddPasskey(ctx context.Context, p Passkey) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		u, err := s.lockUser(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return ErrUserDisabled
		}
		return insertPasskey(ctx, tx, p)
	})
	if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUserDisabled) {
		return fmt.Errorf("store: add passkey: %w", err)
	}
	return err
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// PasskeyByCredential answers the passkey with a credential id, or ErrNotFound.
func (s *Store) PasskeyByCredential(ctx context.Context, credentialID []byte) (Passkey, error) {
	var p Passkey
	err := s.rdb.GetContext(ctx, &p, "SELECT "+passkeyColumns+" FROM passkeys WHERE credential_id = ?", credentialID)
	if errors.Is(err, sql.ErrNoRows) {
		return Passkey{}, ErrNotFound
	}
	return p, wrap("passkey by credential", err)
}

// ListPasskeys answers the user's passkeys, oldest first.
func (s *Store) ListPasskeys(ctx context.Context, userID string) ([]Passkey, error) {
	out := []Passkey{}
	err := s.rdb.SelectContext(ctx, &out, "SELECT "+passkeyColumns+" FROM passkeys WHERE user_id = ? ORDER BY created_at, id", userID)
	return out, wrap("list passkeys", err)
}

// PasskeySignIn records a verified assertion and opens p.Session for its
// user, in one transaction: the counter moves forward (a stored counter
// at or above a non-zero presented one is ErrSignCountRegressed, nothing
// written: the conditional UPDATE also settles two parallel uses of one
// counter value), and a disabled user is ErrUserDisabled.
func (s *Store) PasskeySignIn(ctx context.Context, p PasskeySignInParams) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if u, err = s.lockUser(ctx, tx, p.UserID); err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return ErrUserDisabled
		}
		n, err := rowsAffected(tx.ExecContext(ctx, `UPDATE passkeys SET sign_count = ?, backup_state = ?, last_used_at = ?
			WHERE id = ? AND user_id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))`,
			p.SignCount, p.BackupState, ts(p.Now), p.PasskeyID, p.UserID, p.SignCount, p.SignCount))
		if err != nil {
			return err
		}
		if n != 1 {
			var one int
			if err := tx.GetContext(ctx, &one, "SELECT 1 FROM passkeys WHERE id = ? AND user_id = ?", p.PasskeyID, p.UserID); errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			} else if err != nil {
				return err
			}
			return ErrSignCountRegressed
		}
		return openSession(ctx, tx, p.Session, u.ID)
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUserDisabled) && !errors.Is(err, ErrSignCountRegressed) {
		return User{}, fmt.Errorf("store: passkey sign in: %w", err)
	}
	return u, err
}

// FlagPasskeyCloned marks a passkey whose counter went backwards and writes
// the refused attempt's login event, in one transaction.
func (s *Store) FlagPasskeyCloned(ctx context.Context, passkeyID string, ev LoginEvent) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE passkeys SET clone_warning = ? WHERE id = ?", true, passkeyID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, loginEventInsert, loginEventArgs(ev)...)
		return err
	})
	return wrap("flag passkey", err)
}

// RenamePasskey renames one of the user's passkeys. ErrNotFound: no such
// passkey of this user.
func (s *Store) RenamePasskey(ctx context.Context, userID, id, name string) error {
	var n int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE passkeys SET name = ? WHERE id = ? AND user_id = ?", name, id, userID); err != nil {
			return err
		}
		// Matched rows, whatever the engine reports for an unchanged name.
		return tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM passkeys WHERE id = ? AND user_id = ?", id, userID)
	})
	if err != nil {
		return fmt.Errorf("store: rename passkey: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeletePasskey removes one of the user's passkeys; the user's last way to
// sign in is ErrLastLoginMethod (guardLastMethod).
func (s *Store) DeletePasskey(ctx context.Context, userID, id string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.lockUser(ctx, tx, userID); err != nil {
			return err
		}
		var one int
		if err := tx.GetContext(ctx, &one, "SELECT 1 FROM passkeys WHERE id = ? AND user_id = ?", id, userID); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if err := guardLastMethod(ctx, tx, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM passkeys WHERE id = ? AND user_id = ?", id, userID)
		return err
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrLastLoginMethod) {
		return fmt.Errorf("store: delete passkey: %w", err)
	}
	return err
}

// guardLastMethod is the last-method rule, for every kind of sign-in
// method: removing one of the user's methods (linked identities and
// passkeys) is ErrLastLoginMethod when it is the only one. The caller
// holds the user row's lock, so two parallel removals cannot both pass.
func guardLastMethod(ctx context.Context, tx *sqlx.Tx, userID string) error {
	var n int
	err := tx.GetContext(ctx, &n, "SELECT (SELECT COUNT(*) FROM identities WHERE user_id = ?) + (SELECT COUNT(*) FROM passkeys WHERE user_id = ?)", userID, userID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastLoginMethod
	}
	return nil
}
