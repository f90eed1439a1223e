package store

import (
	"errors"
	"time"
)

// Errors the store answers. Callers compare with errors.Is.
var (
	// ErrNotFound: no row matched (unknown id, or a row of another user).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique key already holds this value.
	ErrConflict = errors.New("store: conflict")
	// ErrTokenReused: an earlier generation of a family's refresh token
	// was presented outside the grace window; the family has been revoked
	// (and that revocation committed, with its login event).
	ErrTokenReused = errors.New("store: refresh token reused")
	// ErrFamilyRevoked: the token's family was revoked (logout, reuse, admin).
	ErrFamilyRevoked = errors.New("store: session revoked")
	// ErrFamilyExpired: the family is past its absolute or idle lifetime.
	ErrFamilyExpired = errors.New("store: session expired")
	// ErrUserDisabled: the family's user is disabled; no tokens for them.
	ErrUserDisabled = errors.New("store: user disabled")
)

// User is a row of users. EmailCanonical is set only when the email is
// verified; it is unique, so one verified email belongs to one user.
type User struct {
	ID             string     `db:"id"`
	Name           string     `db:"name"`
	Email          string     `db:"email"`
	EmailCanonical *string    `db:"email_canonical"`
	EmailVerified  bool       `db:"email_verified"`
	AvatarURL      string     `db:"avatar_url"`
	DisabledAt     *time.Time `db:"disabled_at"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
}

// SigningKey is a row of signing_keys. PrivateKey is PKCS#8 DER, sealed with
// AES-GCM when Encrypted is true. A key is published from CreatedAt and
// signs from SignsFrom (later, so verifiers that cache the JWKS learn it
// first); it stops signing when a newer key's SignsFrom passes and stays
// published until the tokens it signed have expired. The token package
// decides all of this from these times; RetiredAt only marks rows no longer
// worth reading.
type SigningKey struct {
	KID        string     `db:"kid"`
	Alg        string     `db:"alg"`
	PrivateKey []byte     `db:"private_key"`
	Encrypted  bool       `db:"encrypted"`
	PublicJWK  string     `db:"public_jwk"`
	CreatedAt  time.Time  `db:"created_at"`
	SignsFrom  time.Time  `db:"signs_from"`
	RetiredAt  *time.Time `db:"retired_at"`
}

// Family is a row of refresh_families: one signed-in session. ExpiresAt is
// the absolute lifetime, fixed at sign-in and never extended. A family
// keeps one row however often it rotates: Generation counts its
// rotations, and its refresh token is recomputed from (ID, Generation,
// Secret) by the token package, never stored.
type Family struct {
	ID           string     `db:"id"`
	UserID       string     `db:"user_id"`
	Provider     string     `db:"provider"`
	UserAgent    string     `db:"user_agent"`
	IP           string     `db:"ip"`
	CreatedAt    time.Time  `db:"created_at"`
	LastUsedAt   time.Time  `db:"last_used_at"`
	ExpiresAt    time.Time  `db:"expires_at"`
	RevokedAt    *time.Time `db:"revoked_at"`
	RevokeReason string     `db:"revoke_reason"`
	// Read only by GetFamily and RotateRefresh (listings leave them zero).
	Generation uint64     `db:"generation"` // the live token's generation
	Secret     []byte     `db:"secret"`     // random, per family; keys the token's MAC
	RotatedAt  *time.Time `db:"rotated_at"` // when Generation last moved; nil before the first rotation
}

// RotateParams says how RotateRefresh judges a presented refresh token.
type RotateParams struct {
	FamilyID   string // the family the token names
	Generation uint64 // the generation it names
	// Verify reports whether the token's MAC holds for the family's
	// secret (token.RefreshKey.Verify). A pure check: it never touches
	// the store.
	Verify  func(secret []byte) bool
	Now     time.Time     // injected clock
	IdleTTL time.Duration // family expires when unused this long
	Grace   time.Duration // the previous generation is answered with the current one this long after the rotation
	IP      string        // recorded as the family's last IP
	// Sign runs once the rules accept the token and before anything is
	// written, outside any transaction (it may run again after a lost
	// race). When it fails nothing is written and the token stays live.
	// The session service signs the access token here.
	Sign func(f Family, u User) error
	// Reuse is the login event written, in the revocation's transaction,
	// when the token turns out reused (UserID and Provider are filled in
	// from the family).
	Reuse LoginEvent
}

// Rotation is what RotateRefresh answers: the family and its user, and the
// generation whose token the caller gets (the next one after a rotation,
// the current one for a replay inside the grace window).
type Rotation struct {
	Family     Family
	User       User
	Generation uint64
	Rotated    bool // false: a grace-window replay, nothing written
}

// LoginEvent is a row of login_events: one sign-in attempt.
type LoginEvent struct {
	ID        string    `db:"id"`
	UserID    *string   `db:"user_id"`
	Provider  string    `db:"provider"`
	Outcome   string    `db:"outcome"`
	ErrorCode string    `db:"error_code"`
	IP        string    `db:"ip"`
	UserAgent string    `db:"user_agent"`
	CreatedAt time.Time `db:"created_at"`
}

// Clip cuts s to at most n bytes on a rune boundary, so a value always fits
// its column and stays valid UTF-8.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
