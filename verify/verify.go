// Package verify checks AuthBridge access tokens in a Go resource server:
// it discovers the issuer's keys from its server metadata (RFC 8414), caches
// the JWK set as the issuer's Cache-Control says, and verifies tokens
// offline, pinned to the issuer's algs, the at+jwt type (RFC 9068), the
// issuer and the audience. Middleware puts the claims in the request
// context.
package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

// Errors Verify answers; tell them apart with errors.Is.
var (
	// ErrInvalid: the token is malformed, badly signed, of another alg,
	// type, issuer or audience, or lacks a required claim.
	ErrInvalid = errors.New("verify: invalid token")
	// ErrExpired: the token is valid but past its exp (leeway included).
	// The client should refresh it.
	ErrExpired = errors.New("verify: token expired")
	// ErrKeyUnavailable: the issuer's keys could not be fetched, so the
	// token could not be checked. A retry may succeed.
	ErrKeyUnavailable = errors.New("verify: signing keys unavailable")
)

// MaxTokenSize caps a token before any parsing, as the server does.
const MaxTokenSize = 8 << 10

// MetadataPath is where the issuer serves its metadata, below the issuer URL.
const MetadataPath = "/.well-known/oauth-authorization-server"

const (
	defaultLeeway  = 30 * time.Second
	maxLeeway      = 30 * time.Second
	defaultRefetch = 30 * time.Second
	defaultMaxAge  = 5 * time.Minute // a JWKS answered without max-age
	maxMaxAge      = 24 * time.Hour
	maxBody        = 64 << 10 // metadata and JWKS documents
	fetchTimeout   = 10 * time.Second
)

// supportedAlgs are the algs this package verifies; the issuer's list is
// intersected with them. Never HS* (the keys are public) nor none.
var supportedAlgs = []string{"ES256", "EdDSA"}

// Claims are the claims of a verified access token.
type Claims struct {
	Subject   string   // sub: the user id
	SessionID string   // sid: the sign-in session (refresh-token family)
	Name      string   // name, when the user has one
	Email     string   // email, when the user has one
	Roles     []string // roles, when the issuer adds them
	ID        string   // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// HasRole reports whether role is one of c.Roles.
func (c *Claims) HasRole(role string) bool { return slices.Contains(c.Roles, role) }

// Option configures a Verifier.
type Option func(*config) error

type config struct {
	client   *http.Client
	audience string
	leeway   time.Duration
	refetch  time.Duration
	now      func() time.Time
	role     string
}

// WithHTTPClient sets the client that fetches the metadata and the JWKS
// (default: one with a 10 s timeout).
func WithHTTPClient(c *http.Client) Option {
	return func(o *config) error {
		if c == nil {
			return errors.New("verify: nil HTTP client")
		}
		o.client = c
		return nil
	}
}

// WithAudience sets the aud a token must contain (default <issuer>/api,
// the audience of AuthBridge's own API, which every token carries).
func WithAudience(aud string) Option {
	return func(o *config) error {
		if aud == "" {
			return errors.New("verify: empty audience")
		}
		o.audience = aud
		return nil
	}
}

// WithLeeway sets the clock skew allowed on exp and iat: default and at
// most 30 s.
func WithLeeway(d time.Duration) Option {
	return func(o *config) error {
		if d < 0 || d > maxLeeway {
			return fmt.Errorf("verify: leeway %s must be between 0 and %s", d, maxLeeway)
		}
		o.leeway = d
		return nil
	}
}

// WithRefetchInterval sets how often at most a token with an unknown kid
// makes the Verifier fetch the JWKS before its cache lifetime is over
// (default 30 s). It bounds what forged kids can cost the issuer.
func WithRefetchInterval(d time.Duration) Option {
	return func(o *config) error {
		if d < 0 {
			return fmt.Errorf("verify: negative refetch interval %s", d)
		}
		o.refetch = d
		return nil
	}
}

// WithClock sets the clock used for exp/iat and the JWKS cache (default
// time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *config) error {
		if now == nil {
			return errors.New("verify: nil clock")
		}
		o.now = now
		return nil
	}
}

// WithRole makes Middleware require role in the token's roles claim,
// answering 403 insufficient_scope without it. Verify ignores it.
func WithRole(role string) Option {
	return func(o *config) error {
		o.role = role
		return nil
	}
}

// Verifier verifies access tokens of one issuer. It is safe for concurrent
// use; make one per process and keep it.
type Verifier struct {
	issuer  string
	role    string
	algs    []string
	parser  *jwt.Parser
	now     func() time.Time
	jwksURI string
	keys    *keySet
}

// New reads the issuer's metadata at issuerURL+MetadataPath, checks that
// its issuer is exactly issuerURL (the iss of the tokens), and fetches its
// JWKS. It fails when the issuer signs with no alg this package verifies.
func New(ctx context.Context, issuerURL string, opts ...Option) (*Verifier, error) {
	cfg := config{
		client:   &http.Client{Timeout: 10 * time.Second},
		audience: issuerURL + "/api",
		leeway:   defaultLeeway,
		refetch:  defaultRefetch,
		now:      time.Now,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if issuerURL == "" || strings.HasSuffix(issuerURL, "/") {
		return nil, fmt.Errorf("verify: issuer %q must be the public URL without a trailing slash, exactly the iss of the tokens", issuerURL)
	}
	md, err := fetchMetadata(ctx, cfg.client, issuerURL+MetadataPath)
	if err != nil {
		return nil, err
	}
	if md.Issuer != issuerURL {
		return nil, fmt.Errorf("verify: the metadata names issuer %q, not %q", md.Issuer, issuerURL)
	}
	var algs []string
	for _, a := range md.Algs {
		if slices.Contains(supportedAlgs, a) && !slices.Contains(algs, a) {
			algs = append(algs, a)
		}
	}
	if len(algs) == 0 {
		return nil, fmt.Errorf("verify: the issuer signs with %q; this package verifies only %q", md.Algs, supportedAlgs)
	}
	v := &Verifier{
		issuer:  issuerURL,
		role:    cfg.role,
		algs:    algs,
		now:     cfg.now,
		jwksURI: md.JWKSURI,
		parser: jwt.NewParser(
			jwt.WithValidMethods(algs),
			jwt.WithIssuer(issuerURL),
			jwt.WithAudience(cfg.audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(cfg.leeway),
			jwt.WithTimeFunc(cfg.now),
			jwt.WithStrictDecoding(),
		),
	}
	v.keys = &keySet{client: cfg.client, url: md.JWKSURI, algs: algs, now: cfg.now, refetch: cfg.refetch}
	if err := v.keys.load(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// Issuer is the issuer this Verifier accepts tokens of.
func (v *Verifier) Issuer() string { return v.issuer }

// Algs are the algs this Verifier accepts: the issuer's, among ES256 and
// EdDSA.
func (v *Verifier) Algs() []string { return slices.Clone(v.algs) }

// Reasons a token is refused before its signature is checked.
var (
	errSize      = errors.New("token is empty or larger than MaxTokenSize")
	errType      = errors.New("typ is not " + shared.AccessTokenType)
	errNoKID     = errors.New("kid is missing")
	errAlgOfKey  = errors.New("alg does not match the key of this kid")
	errNoSubject = errors.New("sub claim is required")
	errNoSession = errors.New("sid claim is required")
	errNoTokenID = errors.New("jti claim is required")
)

// Verify checks token and answers its claims. Failures wrap ErrInvalid,
// ErrExpired (only when being past exp is the token's one fault) or
// ErrKeyUnavailable.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if token == "" || len(token) > MaxTokenSize {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errSize)
	}
	var c tokenClaims
	var keyErr error
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); !isAccessTokenType(typ) {
			return nil, errType
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errNoKID
		}
		k, err := v.keys.get(ctx, kid)
		if err != nil {
			keyErr = err
			return nil, err
		}
		if k.alg != t.Method.Alg() {
			return nil, errAlgOfKey
		}
		return k.public, nil
	})
	switch {
	case keyErr != nil && errors.Is(keyErr, ErrKeyUnavailable):
		return nil, keyErr
	case err != nil && expiredOnly(err):
		return nil, fmt.Errorf("%w: %w", ErrExpired, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return &Claims{
		Subject:   c.Subject,
		SessionID: c.SessionID,
		Name:      c.Name,
		Email:     c.Email,
		Roles:     c.Roles,
		ID:        c.ID,
		IssuedAt:  time.Unix(c.IssuedAt, 0),
		ExpiresAt: time.Unix(c.ExpiresAt, 0),
	}, nil
}

// isAccessTokenType accepts the two spellings RFC 9068 §4 allows; media
// types compare case-insensitively.
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, shared.AccessTokenType) || strings.EqualFold(typ, "application/"+shared.AccessTokenType)
}

// expiredOnly reports whether err says the token is expired and nothing
// else: jwt checks claims only after the signature, and joins every claim
// failure, so any other fault adds a leaf and the token stays invalid.
func expiredOnly(err error) bool {
	if !errors.Is(err, jwt.ErrTokenExpired) {
		return false
	}
	only := true
	leaves(err, func(e error) {
		if e != jwt.ErrTokenExpired && e != jwt.ErrTokenInvalidClaims {
			only = false
		}
	})
	return only
}

// leaves calls f with each error of err's tree that wraps nothing.
func leaves(err error, f func(error)) {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			leaves(x, f)
		}
	case interface{ Unwrap() error }:
		if x := e.Unwrap(); x != nil {
			leaves(x, f)
		} else {
			f(err)
		}
	default:
		f(err)
	}
}
