package shared

import "time"

// TokenType is the only token_type we issue.
const TokenType = "Bearer"

// TokenPair is answered by every call that signs a user in or refreshes.
type TokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"` // seconds until the access token expires
}

// User is the signed-in user as the API shows it.
type User struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Email         string    `json:"email,omitempty"`
	EmailVerified bool      `json:"email_verified"`
	AvatarURL     string    `json:"avatar_url,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	// Roles: GET /api/me answers the roles of the caller's access token
	// ("admin" for an administrator); other answers leave it out.
	Roles []string `json:"roles,omitempty"`
}

// SignInResponse is answered by the calls that sign a user in: a token pair,
// the user, and whether this sign-in created the user.
type SignInResponse struct {
	TokenPair
	User  User `json:"user"`
	IsNew bool `json:"is_new"`
}

// RefreshResponse is answered by POST /api/auth/token/refresh.
type RefreshResponse struct {
	TokenPair
	User User `json:"user"`
}

// Kinds of sign-in method in LinkedAccount.Kind.
const (
	AccountKindProvider = "provider"
	AccountKindPasskey  = "passkey" // Provider is "passkey", DisplayName its name, LastLoginAt its last use
)

// LinkedAccount is one of the user's sign-in methods: a provider identity
// linked to the user, or a passkey.
type LinkedAccount struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Provider      string    `json:"provider"`
	ProviderName  string    `json:"provider_name"`
	Subject       string    `json:"subject"`
	Email         string    `json:"email,omitempty"`
	EmailVerified bool      `json:"email_verified"`
	DisplayName   string    `json:"display_name,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	LastLoginAt   time.Time `json:"last_login_at"`
	CloneWarning  bool      `json:"clone_warning,omitempty"` // a passkey whose signature counter once went backwards
}

// Session is one refresh-token family: a signed-in browser or client.
type Session struct {
	ID        string    `json:"id"`
	Current   bool      `json:"current"`
	UserAgent string    `json:"user_agent,omitempty"`
	IP        string    `json:"ip,omitempty"`
	Place     string    `json:"place,omitempty"` // coarse place of IP ("Taipei, TW", a country) from the server's GeoIP file; never finer than a city
	Provider  string    `json:"provider,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  time.Time `json:"last_used_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// LoginEvent is one sign-in attempt, successful or not.
type LoginEvent struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Provider  string    `json:"provider"`
	Outcome   string    `json:"outcome"` // "success", "failure" or "token_reused"
	ErrorCode ErrorCode `json:"error_code,omitempty"`
	IP        string    `json:"ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
}

// Login outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	// OutcomeTokenReused: an earlier refresh token of a session came back
	// (stolen, or a client that kept an old one); the session was ended.
	OutcomeTokenReused = "token_reused"
)

// ListResponse wraps every list the API answers, so fields can be added later.
type ListResponse[T any] struct {
	Items []T `json:"items"`
}

// ProviderInfo describes one configured sign-in provider.
type ProviderInfo struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"` // "oidc" or "oauth2"
	LoginURL  string `json:"login_url"`
	Available bool   `json:"available"`
}

// ProvidersResponse is answered by GET /api/auth/providers.
type ProvidersResponse struct {
	Providers      []ProviderInfo `json:"providers"`
	GoogleClientID string         `json:"google_client_id,omitempty"`
	// Passkeys says the server takes passkeys (its frontend origin can be
	// a relying party), so a sign-in page offers them without spending a
	// ceremony to find out.
	Passkeys bool `json:"passkeys,omitempty"`
}

// HandoffType is the type field of the popup handoff message.
const HandoffType = "authbridge:handoff"

// HandoffMessage is what the callback page posts to window.opener (popup) or
// puts in the URL fragment (redirect): a one-time code on success, an error
// otherwise. Never a token.
type HandoffMessage struct {
	Type  string     `json:"type"`
	OK    bool       `json:"ok"`
	Code  string     `json:"code,omitempty"`
	Error *ErrorBody `json:"error,omitempty"`
	// Flow echoes the SPA's PKCE challenge, so a tab accepts only the
	// result of the flow it started (a code redeemed with the wrong
	// verifier is spent).
	Flow string `json:"flow,omitempty"`
	// Process is "login" or "connect": what the finished flow did.
	Process string `json:"process,omitempty"`
	// Link, with a duplicate_email error of a popup sign-in, is the secret
	// of the pending link the server kept for the refused identity: the SPA
	// holds it in memory and confirms it (POST /api/me/pending-link) after
	// signing in with the account that owns the email. It is posted to the
	// opener only; the redirect fallback's fragment never carries it.
	Link string `json:"link,omitempty"`
}

// PendingLinkResponse is answered by GET /api/me/pending-link: what this
// browser was refused and may link after proving the email's account.
type PendingLinkResponse struct {
	Provider     string    `json:"provider"`
	ProviderName string    `json:"provider_name"`
	Email        string    `json:"email"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// PendingLinkRequest confirms a pending link (POST /api/me/pending-link).
type PendingLinkRequest struct {
	Link string `json:"link"`
}

// ExchangeRequest trades a one-time handoff code for a token pair.
type ExchangeRequest struct {
	Code     string `json:"code"`
	Verifier string `json:"verifier"`
}

// RefreshRequest carries the refresh token when it is not in the cookie.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token,omitempty"`
}

// VerifyRequest asks whether an access token is valid.
type VerifyRequest struct {
	Token string `json:"token"`
}

// VerifyResponse is answered for a valid access token.
type VerifyResponse struct {
	Active bool         `json:"active"`
	Claims AccessClaims `json:"claims"`
}

// LogoutRequest ends the caller's session, or all of them.
type LogoutRequest struct {
	All bool `json:"all,omitempty"`
}

// GoogleCredentialRequest is the ID token from the Google Identity button.
type GoogleCredentialRequest struct {
	Credential string `json:"credential"`
	Nonce      string `json:"nonce,omitempty"`
}

// NonceResponse is answered by GET /api/auth/google/nonce.
type NonceResponse struct {
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ConnectTicketRequest asks for a ticket to connect a provider.
type ConnectTicketRequest struct {
	Provider  string `json:"provider"`
	Challenge string `json:"challenge"`
}

// ConnectTicketResponse carries a single-use connect ticket.
type ConnectTicketResponse struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CodeExchangeRequest is the client-driven code exchange of POST /api/auth/{provider}/code.
type CodeExchangeRequest struct {
	Code         string `json:"code"`
	RedirectURI  string `json:"redirect_uri"`
	CodeVerifier string `json:"code_verifier"`
	Nonce        string `json:"nonce,omitempty"`
}

// PasskeyRenameRequest is the body of PATCH /api/me/passkeys/{id}.
type PasskeyRenameRequest struct {
	Name string `json:"name"`
}

// PasskeySignupRequest is the body of POST /api/auth/passkey/signup/options:
// the new account's name (AUTHBRIDGE_PASSKEY_SIGNUP).
type PasskeySignupRequest struct {
	Name string `json:"name"`
}
