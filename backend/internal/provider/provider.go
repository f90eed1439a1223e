// Package provider talks to identity providers: Google (button credential
// and redirect), Microsoft Entra ID, LINE, Discord, GitHub, GitLab and any
// OIDC issuer. Each one turns an authorization code (or a credential) into
// a normalised Identity. Every kind is one line of the Catalogue;
// factories are passed in by the caller (Factories answers the
// catalogue's).
//
// Errors carry contract codes (apperr): provider_unavailable when the
// provider could not be reached, timed out or answered 5xx;
// provider_error when it answered something we cannot use (invalid_grant,
// malformed JSON); invalid_credential when an ID token fails verification.
package provider

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/oauth2"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/shared"
)

// Identity is what a provider says about the user, normalised. Its key is
// (Provider, Issuer, Subject). EmailVerified is true only when the provider
// itself verified the address; Email may hold an unverified address, which
// must never link or allowlist anything.
type Identity struct {
	Provider      string
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	AvatarURL     string
	HostedDomain  string // Google Workspace domain (hd claim)
	TenantID      string // Microsoft Entra tenant (tid claim)
}

// Provider kinds as the providers list shows them.
const (
	KindOIDC   = "oidc"
	KindOAuth2 = "oauth2"
)

// Info describes a provider for the providers list.
type Info struct {
	ID   string
	Name string
	Kind string // KindOIDC or KindOAuth2
}

// AuthParams build the authorization URL. CodeChallenge is the S256 of the
// backend-held PKCE verifier; RedirectURI comes from configuration only.
type AuthParams struct {
	RedirectURI   string
	State         string
	Nonce         string
	CodeChallenge string
}

// ExchangeParams redeem an authorization code.
type ExchangeParams struct {
	Code         string
	RedirectURI  string
	CodeVerifier string
	// Nonce is compared with the ID token's nonce. OIDC providers require
	// it: an empty Nonce fails with invalid_credential, unless NonceOptional.
	Nonce string
	// NonceOptional lets an empty Nonce through without comparing it. Only
	// the client-driven code exchange (POST /api/auth/{provider}/code) sets
	// it: the contract makes its nonce optional because the client ran the
	// redirect. Popup flows always store a nonce and pass it.
	NonceOptional bool
	// FlowStart is when the redirect flow this code answers started: an ID
	// token issued before it (less Skew) is refused. Zero: no flow of ours
	// (the client-driven code exchange), no such check.
	FlowStart time.Time
}

// Provider is the small interface every provider implements. It takes
// plain values, so the popup callback and the client-driven code endpoint
// share Exchange.
type Provider interface {
	Info() Info
	AuthURL(AuthParams) string
	Exchange(ctx context.Context, p ExchangeParams) (Identity, error)
}

// CredentialVerifier is implemented by providers with a sign-in button
// that hands the page an ID token (Google Identity Services).
// VerifyCredential checks the token and its age; whether its nonce is one
// we issued, and whether it was used before, is the caller's to decide.
type CredentialVerifier interface {
	VerifyCredential(ctx context.Context, rawIDToken string) (Credential, error)
}

// Credential is a verified button credential.
type Credential struct {
	Identity Identity
	// Nonce is the token's nonce claim, empty when it has none.
	Nonce string
	// ExpiresAt is when the verifier stops accepting the token anyway (its
	// exp or the end of its lifetime, whichever comes first): a caller
	// remembering used credentials can forget this one then.
	ExpiresAt time.Time
}

// Config configures one provider instance.
type Config struct {
	ID             string // provider id in URLs: google, github, or the lower-cased OIDC name
	Kind           string // factory key: a Catalogue entry's ID (google, gitlab, oidc, ...); empty means ID
	DisplayName    string
	ClientID       string
	ClientSecret   string
	Issuer         string // OIDC issuer; Microsoft: the login base; OAuth2: the identity issuer
	AuthURL        string
	TokenURL       string
	APIURL         string
	Tenant         string   // Microsoft: common, organizations, consumers or a tenant GUID
	AllowedTenants []string // Microsoft: tenant GUIDs allowed to sign in; empty: any
	HostedDomain   string   // Google: required Workspace domain (hd claim)
	HTTPClient     *http.Client
	Now            func() time.Time
	Logger         *slog.Logger
}

// Factory builds a provider; it may do network I/O (discovery).
type Factory func(ctx context.Context, cfg Config) (Provider, error)

// defaults fills what a factory needs and the caller left out.
func defaults(cfg *Config) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = NewHTTPClient(0)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
}

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ---- errors ----

func unavailable(name string, err error) error {
	return apperr.Wrap(shared.CodeProviderUnavailable, name+" could not be reached. Try again in a minute.", err)
}

func providerError(name string, err error) error {
	return apperr.Wrap(shared.CodeProviderError, name+" sent an answer we could not use. Start again.", err)
}

func invalidCredential(err error) error {
	return apperr.Wrap(shared.CodeInvalidCredential, "The sign-in token from the provider is not valid.", err)
}

// classify turns a transport or token-endpoint failure into a contract
// error: unreachable, timed out, 429 or 5xx → provider_unavailable;
// anything else the provider answered → provider_error.
func classify(name string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	err = shortErr{err} // a RetrieveError carries the whole response body
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil && transient(re.Response.StatusCode) {
			return unavailable(name, err)
		}
		// invalid_grant and friends, also GitHub's 200 with an "error" field.
		return apperr.Wrap(shared.CodeProviderError, name+" refused the sign-in (the code may have expired). Start again.", err)
	}
	if errors.Is(err, errTooLarge) {
		return providerError(name, err)
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return unavailable(name, err)
	}
	return providerError(name, err)
}

func transient(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

// statusError is a non-2xx answer of a provider API.
type statusError struct {
	what   string
	status int
}

func (e statusError) Error() string {
	return "provider: " + e.what + ": HTTP " + strconv.Itoa(e.status)
}

func statusErr(name, what string, status int) error {
	if transient(status) {
		return unavailable(name, statusError{what, status})
	}
	return providerError(name, statusError{what, status})
}
