package auth

// Sign-in: everything between "the user picked a provider" and "the SPA
// holds a token pair": redirect flows with state, nonce and PKCE, the
// Google credential, the one-time handoff code, connect tickets, and the
// account rules applied to every identity.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"golang.org/x/oauth2"

	"github.com/authbridge/authbridge/backend/internal/account"
	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/geoip"
	"github.com/authbridge/authbridge/backend/internal/metrics"
	"github.com/authbridge/authbridge/backend/internal/provider"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// Lifetimes of the single-use values.
const (
	FlowTTL    = 10 * time.Minute
	HandoffTTL = 60 * time.Second
	TicketTTL  = 60 * time.Second
	NonceTTL   = 10 * time.Minute
)

// Options configure the service.
type Options struct {
	RefreshTTL time.Duration // absolute lifetime of a session, fixed at sign-in
	IdleTTL    time.Duration // a session unused this long expires
	Grace      time.Duration // the previous refresh token is answered with the current one this long after a rotation (two tabs)
	// SecretKey (AUTHBRIDGE_SECRET_KEY) keys the refresh tokens' MACs;
	// empty: each family's random secret alone does (token/refresh.go).
	SecretKey string

	PublicURL     string // redirect URIs are built from it, never from request headers
	Allowlist     account.Allowlist
	EmailConflict string   // config.ConflictReject or config.ConflictLinkVerified
	CodeRedirects []string // redirect_uri values allowed on the client-driven /code exchange
	// CredentialNonceOptional accepts Google credentials without a nonce
	// claim (still once each). Off by default: such a credential was not
	// bound to a page of ours (AUTHBRIDGE_GOOGLE_REQUIRE_NONCE).
	CredentialNonceOptional bool
	// AdminEmails are canonical emails whose verified owners are
	// administrators (AUTHBRIDGE_ADMIN_EMAILS), besides the CLI's grants.
	AdminEmails []string
	// AdminReauth is how recent a sign-in the admin API and self-deletion
	// need (AUTHBRIDGE_ADMIN_REAUTH); 0: DefaultAdminReauth.
	AdminReauth time.Duration
	// FrontendOrigin (AUTHBRIDGE_FRONTEND_ORIGIN) is the passkeys' one
	// origin, its host their relying-party id (NewRelyingParty). Empty:
	// passkeys off.
	FrontendOrigin string
	// PasskeySignup lets a passkey alone create an account
	// (AUTHBRIDGE_PASSKEY_SIGNUP); off: passkeys are added by signed-in users.
	PasskeySignup bool
	// Places names each listed session's coarse place from its IP
	// (AUTHBRIDGE_GEOIP_FILE); nil: no place.
	Places *geoip.DB
	Now    func() time.Time
	Logger *slog.Logger // default discards
}

// Service runs the use cases: sign-in, sessions, accounts.
type Service struct {
	log       *slog.Logger
	store     *store.Store
	tokens    *token.Manager
	refresh   *token.RefreshKey
	providers *provider.Set
	metrics   *metrics.Metrics
	rp        *webauthn.WebAuthn // nil: passkeys off
	opts      Options
}

// New returns a Service.
func New(st *store.Store, tm *token.Manager, providers *provider.Set, m *metrics.Metrics, opts Options) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	rk, err := token.NewRefreshKey(opts.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	var rp *webauthn.WebAuthn
	if opts.FrontendOrigin != "" {
		if rp, err = NewRelyingParty(opts.FrontendOrigin); err != nil {
			return nil, err
		}
		if rp == nil {
			opts.Logger.Warn("passkeys off: the frontend origin's host is an IP address, which browsers refuse as a relying-party id (use http://localhost in development)")
		}
	}
	return &Service{log: opts.Logger, store: st, tokens: tm, refresh: rk, providers: providers, metrics: m, rp: rp, opts: opts}, nil
}

// Meta describes the browser or client behind a request.
type Meta struct {
	IP        string
	UserAgent string
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.opts.Now().UTC() }

// RedirectURI is the callback registered with provider id.
func (s *Service) RedirectURI(id string) string {
	return s.opts.PublicURL + "/api/auth/" + id + "/callback"
}

// ---- random values and hashes ----

func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hash(v string) []byte {
	h := sha256.Sum256([]byte(v))
	return h[:]
}

var (
	// challengeRE: an S256 challenge is 32 bytes, base64url without padding.
	challengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	// opaqueRE: our own random values (state, codes, tickets, nonces).
	opaqueRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	// verifierRE: RFC 7636 code_verifier.
	verifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
	// providerRE: provider ids as configured.
	providerRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
)

// ValidChallenge reports whether c is an S256 challenge (plain is refused).
func ValidChallenge(c string) bool { return challengeRE.MatchString(c) }

// ---- provider lookup ----

func (s *Service) provider(id string) (provider.Provider, error) {
	if !providerRE.MatchString(id) {
		return nil, apperr.New(shared.CodeNotFound, "There is no such sign-in provider.")
	}
	p, ok := s.providers.Get(id)
	if !ok {
		return nil, apperr.New(shared.CodeNotFound, "There is no such sign-in provider.")
	}
	return p, nil
}

// providerName is the display name used in messages.
func (s *Service) providerName(id string) string {
	for _, info := range s.providers.List() {
		if info.ID == id {
			return info.Name
		}
	}
	return id
}

// ---- account rules ----

// resolveWith applies the account rules to an identity and answers the
// user it signs in as (created when needed), writing in the same
// transaction what with asks for: a prepared session, login events, a
// handoff code.
func (s *Service) resolveWith(ctx context.Context, id provider.Identity, with store.SignInParams) (store.User, bool, error) {
	ident, err := s.identityRow(id)
	if err != nil {
		return store.User{}, false, err
	}
	u, isNew, err := s.store.SignIn(ctx, store.SignInParams{
		Identity:            ident,
		Name:                displayName(id),
		AvatarURL:           id.AvatarURL,
		LinkByVerifiedEmail: s.opts.EmailConflict == "link_verified",
		Now:                 s.Now(),
		Session:             with.Session,
		Events:              with.Events,
		Handoff:             with.Handoff,
		Credential:          with.Credential,
	})
	var dup *store.DuplicateEmailError
	switch {
	case err == nil:
		return u, isNew, nil
	case errors.As(err, &dup):
		names := make([]string, 0, len(dup.Providers))
		for _, p := range dup.Providers {
			names = append(names, s.providerName(p))
		}
		msg := "An account with this email already exists."
		if len(names) > 0 {
			msg += " Sign in with " + strings.Join(names, " or ") + ", then connect " + s.providerName(id.Provider) + " from your account page."
		}
		return store.User{}, false, apperr.Wrap(shared.CodeDuplicateEmail, msg, err)
	case errors.Is(err, store.ErrUserDisabled):
		return store.User{}, false, errDisabled(err)
	case errors.Is(err, store.ErrCredentialUsed):
		return store.User{}, false, apperr.Wrap(shared.CodeInvalidCredential, "This Google credential was already used. Sign in again.", err)
	case errors.Is(err, store.ErrNonceNotLive):
		return store.User{}, false, apperr.Wrap(shared.CodeInvalidCredential, "This Google credential's nonce is not one we issued, or it expired or was used. Sign in again.", err)
	default:
		return store.User{}, false, fmt.Errorf("auth: resolve identity: %w", err)
	}
}

// identityRow turns a provider identity into a row, enforcing the domain
// allowlist (fail closed without a verified email).
func (s *Service) identityRow(id provider.Identity) (store.Identity, error) {
	if id.Subject == "" || id.Issuer == "" {
		return store.Identity{}, apperr.New(shared.CodeProviderError, "The provider did not say who you are.")
	}
	row := store.Identity{
		Provider:      id.Provider,
		Issuer:        id.Issuer,
		Subject:       id.Subject,
		Email:         store.Clip(id.Email, 320),
		EmailVerified: false,
		DisplayName:   store.Clip(displayName(id), 200),
	}
	if id.Email != "" && id.EmailVerified {
		if canon, err := account.CanonicalEmail(id.Email); err == nil {
			row.EmailCanonical = &canon
			row.EmailVerified = true
		}
	}
	canon := ""
	if row.EmailCanonical != nil {
		canon = *row.EmailCanonical
	}
	if !s.opts.Allowlist.Allows(canon, row.EmailVerified) {
		if !row.EmailVerified {
			return store.Identity{}, apperr.New(shared.CodeEmailDomainNotAllowed,
				"This site only accepts accounts with a verified email address from an allowed domain, and "+s.providerName(id.Provider)+" did not confirm one.")
		}
		return store.Identity{}, apperr.New(shared.CodeEmailDomainNotAllowed,
			"Accounts with an email at "+account.Domain(canon)+" may not sign in here.")
	}
	return row, nil
}

func displayName(id provider.Identity) string {
	switch {
	case id.Name != "":
		return id.Name
	case id.Email != "":
		return id.Email[:max(strings.IndexByte(id.Email, '@'), 0)]
	default:
		return id.Provider + " user"
	}
}

// ---- login history ----

// event is the login history row of one attempt.
func (s *Service) event(userID, providerID string, err error, m Meta) store.LoginEvent {
	outcome, code := shared.OutcomeSuccess, ""
	if err != nil {
		outcome, code = shared.OutcomeFailure, string(apperr.CodeOf(err))
	}
	ev := store.LoginEvent{
		ID:        store.NewID(),
		Provider:  store.Clip(providerID, 64),
		Outcome:   outcome,
		ErrorCode: code,
		IP:        store.Clip(m.IP, 64),
		UserAgent: store.Clip(m.UserAgent, 512),
		CreatedAt: s.Now(),
	}
	if userID != "" {
		ev.UserID = &userID
	}
	return ev
}

// record writes one login event and counts it. It never fails the request:
// a lost history row is logged, not shown.
func (s *Service) record(ctx context.Context, userID string, providerID string, err error, m Meta) {
	ev := s.event(userID, providerID, err, m)
	if werr := s.store.InsertLoginEvent(context.WithoutCancel(ctx), ev); werr != nil {
		s.log.ErrorContext(ctx, "login history: write failed", "err", werr)
	}
	if s.metrics != nil {
		s.metrics.SignIn(ev.Provider, ev.Outcome)
	}
}

// signInAndStart resolves id and opens a session in one transaction, with
// the successful attempt's login event (and, for a button credential, its
// single use): the credential and code-exchange sign-ins, which answer the
// token pair at once.
func (s *Service) signInAndStart(ctx context.Context, id provider.Identity, providerID string, cred *store.CredentialUse, m Meta) (SignedIn, string, error) {
	pend, err := s.prepare(providerID, m, s.event("", providerID, nil, m))
	if err != nil {
		return SignedIn{}, "", err
	}
	u, isNew, err := s.resolveWith(ctx, id, store.SignInParams{Session: pend.Row, Credential: cred})
	if err != nil {
		return SignedIn{}, "", err
	}
	pair, err := s.complete(ctx, pend, u)
	if err != nil {
		return SignedIn{}, u.ID, err
	}
	if s.metrics != nil {
		s.metrics.SignIn(providerID, shared.OutcomeSuccess)
	}
	return SignedIn{Pair: pair, User: toUser(u), IsNew: isNew}, u.ID, nil
}

func toUser(u store.User) User {
	return User{
		ID:            u.ID,
		Name:          u.Name,
		Email:         u.Email,
		EmailVerified: u.EmailVerified,
		AvatarURL:     u.AvatarURL,
		CreatedAt:     u.CreatedAt,
	}
}

// s256 is the PKCE S256 transform.
func s256(verifier string) string { return oauth2.S256ChallengeFromVerifier(verifier) }

func equalConstant(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
