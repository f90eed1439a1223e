package auth

import "time"

// The use cases answer these types; the HTTP layer maps them to the wire
// format (shared), so the contract and the rules can change apart.

// User is a person who signs in.
type User struct {
	ID            string
	Name          string
	Email         string
	EmailVerified bool
	AvatarURL     string
	CreatedAt     time.Time
}

// TokenPair is an access token and the refresh token of its session.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds until the access token expires
}

// SignedIn is the outcome of a sign-in: the first token pair of a new
// session and its user.
type SignedIn struct {
	Pair  TokenPair
	User  User
	IsNew bool // the sign-in created the user
}

// Refreshed is the outcome of a rotation.
type Refreshed struct {
	Pair    TokenPair
	User    User
	Session Session
}

// Session is one refresh-token family: a signed-in browser or client.
type Session struct {
	ID        string
	Current   bool // the session of the caller's access token
	UserAgent string
	IP        string
	Place     string // coarse place of IP (Options.Places); "" when unknown
	Provider  string
	CreatedAt time.Time
	LastUsed  time.Time
	ExpiresAt time.Time // absolute expiry, fixed at sign-in
}

// Account is one of the user's sign-in methods: an identity at a provider
// linked to the user, or a passkey (Kind says which).
type Account struct {
	ID            string
	Kind          string // shared.AccountKindProvider or AccountKindPasskey
	Provider      string
	ProviderName  string
	Subject       string
	Email         string
	EmailVerified bool
	DisplayName   string
	CreatedAt     time.Time
	LastLoginAt   time.Time // a passkey never used since it was added: CreatedAt
	CloneWarning  bool      // a passkey whose signature counter once went backwards
}

// LoginEvent is one sign-in attempt or session event of the user's history.
type LoginEvent struct {
	ID        string
	Time      time.Time
	Provider  string
	Outcome   string // shared.OutcomeSuccess, OutcomeFailure or OutcomeTokenReused
	ErrorCode string
	IP        string
	UserAgent string
}

// Expiring is a single-use value we issued (a nonce, a connect ticket).
type Expiring struct {
	Value     string
	ExpiresAt time.Time
}

// ProviderInfo describes a configured provider.
type ProviderInfo struct {
	ID        string
	Name      string
	Kind      string
	Available bool
}
