package store

import (
	"errors"
	"time"
)

// Errors of the account rules.
var (
	ErrAlreadyConnectedSelf  = errors.New("store: identity already linked to this user")
	ErrAlreadyConnectedOther = errors.New("store: identity linked to another user")
	ErrLastLoginMethod       = errors.New("store: last login method")
)

// DuplicateEmailError: a new identity's verified email belongs to an
// existing user. Providers lists how that user can sign in.
type DuplicateEmailError struct {
	Providers []string
}

func (e *DuplicateEmailError) Error() string { return "store: verified email belongs to another user" }

// Is makes errors.Is(err, ErrDuplicateEmail) work.
func (e *DuplicateEmailError) Is(target error) bool { return target == ErrDuplicateEmail }

// ErrDuplicateEmail matches every *DuplicateEmailError.
var ErrDuplicateEmail = errors.New("store: duplicate email")

// Flow is a row of auth_flows: one redirect sign-in in progress, keyed by
// the hash of its state.
type Flow struct {
	StateHash    []byte     `db:"state_hash"`
	Provider     string     `db:"provider"`
	Process      string     `db:"process"`
	Handoff      string     `db:"handoff"`
	Nonce        string     `db:"nonce"`
	PKCEVerifier string     `db:"pkce_verifier"`
	SPAChallenge string     `db:"spa_challenge"`
	BrowserHash  []byte     `db:"browser_hash"`
	UserID       *string    `db:"user_id"`
	CreatedAt    time.Time  `db:"created_at"`
	ExpiresAt    time.Time  `db:"expires_at"`
	SpentAt      *time.Time `db:"spent_at"`
}

// Handoff is a row of handoff_codes: the one-time code the SPA redeems.
type Handoff struct {
	CodeHash  []byte     `db:"code_hash"`
	UserID    string     `db:"user_id"`
	Provider  string     `db:"provider"`
	Challenge string     `db:"challenge"`
	IsNew     bool       `db:"is_new"`
	CreatedAt time.Time  `db:"created_at"`
	ExpiresAt time.Time  `db:"expires_at"`
	SpentAt   *time.Time `db:"spent_at"`
}

// Ticket is a row of connect_tickets.
type Ticket struct {
	TicketHash []byte     `db:"ticket_hash"`
	UserID     string     `db:"user_id"`
	Provider   string     `db:"provider"`
	Challenge  string     `db:"challenge"`
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	SpentAt    *time.Time `db:"spent_at"`
}

// Identity is a row of identities: a provider account linked to a user,
// keyed by (provider, issuer, subject).
type Identity struct {
	ID             string    `db:"id"`
	UserID         string    `db:"user_id"`
	Provider       string    `db:"provider"`
	Issuer         string    `db:"issuer"`
	Subject        string    `db:"subject"`
	Email          string    `db:"email"`
	EmailCanonical *string   `db:"email_canonical"`
	EmailVerified  bool      `db:"email_verified"`
	DisplayName    string    `db:"display_name"`
	CreatedAt      time.Time `db:"created_at"`
	LastLoginAt    time.Time `db:"last_login_at"`
}

// SignInParams is one sign-in with a provider identity.
type SignInParams struct {
	Identity  Identity // ID and UserID are filled by SignIn
	Name      string
	AvatarURL string
	// LinkByVerifiedEmail: a new identity whose verified email belongs to a
	// user with a verified email is linked to that user instead of being
	// refused with a DuplicateEmailError.
	LinkByVerifiedEmail bool
	Now                 time.Time
	// Session, when set, opens a session for the signed-in user in the
	// sign-in's own transaction: one commit instead of two, and never a
	// user without the session it was created for.
	Session *NewSession
	// Handoff, when set, stores the one-time handoff code of a redirect
	// flow for the signed-in user in the same transaction (UserID and
	// IsNew are filled in).
	Handoff *Handoff
	// Events are login events written with the sign-in (UserID filled in).
	Events []LoginEvent
	// Credential, when set, is the button credential signing in: it is
	// remembered and its nonce spent in the same transaction, and a second
	// use fails the whole sign-in (ErrCredentialUsed, ErrNonceNotLive).
	Credential *CredentialUse
}

// NewSession is a refresh family opened together with a sign-in; its
// Secret and Generation are those of the first refresh token.
type NewSession struct {
	Family Family       // UserID is filled by SignIn
	Events []LoginEvent // UserID is filled by SignIn
}
