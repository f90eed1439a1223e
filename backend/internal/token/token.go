// Package token signs and verifies AuthBridge access tokens (JWTs with
// golang-jwt v5), keeps the signing keys in the database so every replica
// shares them, publishes the JWKS, and makes opaque refresh tokens.
package token

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// KeyStore is where signing keys live; *store.Store implements it.
type KeyStore interface {
	ListSigningKeys(ctx context.Context) ([]store.SigningKey, error)
	InsertSigningKey(ctx context.Context, k store.SigningKey, keep int) error
}

// Options configure a Manager.
type Options struct {
	Issuer       string
	Audience     string
	TTL          time.Duration
	Leeway       time.Duration // ≤30s; default 30s
	Alg          string        // ES256 (default) or EdDSA
	SecretKey    string        // seals private keys at rest when set
	StaticKeyPEM string        // a fixed key from configuration; nothing stored
	Now          func() time.Time
	Logger       *slog.Logger
}

// MaxTokenSize caps a token before any parsing.
const MaxTokenSize = 8 << 10

const (
	keep          = 2                // current + previous are published
	cacheTTL      = 30 * time.Second // replicas see a rotation within this
	forcedReloads = 5 * time.Second  // unknown kid: reload at most this often
)

// Manager signs and verifies access tokens.
type Manager struct {
	ks     KeyStore
	opts   Options
	sealer *sealer
	static *key

	mu         sync.RWMutex
	keys       []*key // newest first
	byKid      map[string]*key
	jwks       []byte
	loadedAt   time.Time
	lastForced time.Time
}

// New loads the signing keys, generating the first one when there is none.
func New(ctx context.Context, ks KeyStore, opts Options) (*Manager, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Alg == "" {
		opts.Alg = "ES256"
	}
	if opts.Leeway <= 0 || opts.Leeway > 30*time.Second {
		opts.Leeway = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Minute
	}
	if opts.Issuer == "" || opts.Audience == "" {
		return nil, errors.New("token: issuer and audience are required")
	}
	m := &Manager{ks: ks, opts: opts}
	var err error
	if m.sealer, err = newSealer(opts.SecretKey); err != nil {
		return nil, err
	}
	if opts.StaticKeyPEM != "" {
		s, err := parsePEM(opts.StaticKeyPEM)
		if err != nil {
			return nil, err
		}
		if m.static, err = newKey(s); err != nil {
			return nil, err
		}
		m.setKeys([]*key{m.static})
		return m, nil
	}
	if err := m.reload(ctx); err != nil {
		return nil, err
	}
	if len(m.keys) == 0 {
		if _, err := m.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// reload reads the keys from the store.
func (m *Manager) reload(ctx context.Context) error {
	if m.static != nil {
		return nil
	}
	rows, err := m.ks.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("token: load keys: %w", err)
	}
	keys := make([]*key, 0, len(rows))
	for _, r := range rows {
		der := r.PrivateKey
		if r.Encrypted {
			if m.sealer == nil {
				return fmt.Errorf("token: signing key %s is encrypted: set AUTHBRIDGE_SECRET_KEY", r.KID)
			}
			if der, err = m.sealer.open(r.PrivateKey, r.KID); err != nil {
				return fmt.Errorf("token: signing key %s does not open with AUTHBRIDGE_SECRET_KEY (wrong secret?)", r.KID)
			}
		}
		priv, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return fmt.Errorf("token: signing key %s: %w", r.KID, err)
		}
		signer, ok := priv.(crypto.Signer)
		if !ok {
			return fmt.Errorf("token: signing key %s: not a signing key", r.KID)
		}
		s, err := newKey(signer)
		if err != nil {
			return fmt.Errorf("token: signing key %s: %w", r.KID, err)
		}
		keys = append(keys, s)
	}
	m.setKeys(keys)
	return nil
}

func (m *Manager) setKeys(keys []*key) {
	by := make(map[string]*key, len(keys))
	var pub []map[string]string
	for i, k := range keys {
		by[k.kid] = k
		if i < keep {
			pub = append(pub, k.jwk)
		}
	}
	if pub == nil {
		pub = []map[string]string{}
	}
	jwks, _ := json.Marshal(map[string]any{"keys": pub})
	m.mu.Lock()
	m.keys, m.byKid, m.jwks, m.loadedAt = keys, by, jwks, time.Now()
	m.mu.Unlock()
}

// fresh reloads the key cache when it is older than cacheTTL.
func (m *Manager) fresh(ctx context.Context) {
	m.mu.RLock()
	stale := m.static == nil && time.Since(m.loadedAt) > cacheTTL
	m.mu.RUnlock()
	if stale {
		if err := m.reload(ctx); err != nil {
			m.opts.Logger.WarnContext(ctx, "signing keys: reload failed; keeping the cached ones", "err", err)
			m.mu.Lock()
			m.loadedAt = time.Now() // retry after another cacheTTL
			m.mu.Unlock()
		}
	}
}

// Rotate makes a new key current; the previous one stays published.
func (m *Manager) Rotate(ctx context.Context) (string, error) {
	if m.static != nil {
		return "", errors.New("token: the signing key comes from AUTHBRIDGE_SIGNING_KEY; rotate it there")
	}
	s, err := generate(m.opts.Alg)
	if err != nil {
		return "", err
	}
	k, err := newKey(s)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(s)
	if err != nil {
		return "", fmt.Errorf("token: encode key: %w", err)
	}
	row := store.SigningKey{KID: k.kid, Alg: k.alg, PrivateKey: der, CreatedAt: m.opts.Now().UTC()}
	if m.sealer != nil {
		row.PrivateKey, row.Encrypted = m.sealer.seal(der, k.kid), true
	}
	jwk, _ := json.Marshal(k.jwk)
	row.PublicJWK = string(jwk)
	if err := m.ks.InsertSigningKey(ctx, row, keep); err != nil {
		return "", fmt.Errorf("token: store key: %w", err)
	}
	// Re-read: when two replicas generate at once, both settle on the newest.
	if err := m.reload(ctx); err != nil {
		return "", err
	}
	return k.kid, nil
}

// Sign issues an access token for c (sub and sid are the caller's; iss,
// aud, iat, exp and jti are filled here) and answers its expiry.
func (m *Manager) Sign(ctx context.Context, c shared.AccessClaims) (string, time.Time, error) {
	m.fresh(ctx)
	m.mu.RLock()
	var k *key
	if len(m.keys) > 0 {
		k = m.keys[0]
	}
	m.mu.RUnlock()
	if k == nil {
		return "", time.Time{}, errors.New("token: no signing key")
	}
	now := m.opts.Now()
	exp := now.Add(m.opts.TTL)
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", time.Time{}, fmt.Errorf("token: random: %w", err)
	}
	c.Issuer = m.opts.Issuer
	c.Audience = shared.Audience{m.opts.Audience}
	c.IssuedAt = now.Unix()
	c.ExpiresAt = exp.Unix()
	c.ID = b64(jti)
	t := jwt.NewWithClaims(method(k.alg), claims{c})
	t.Header["kid"] = k.kid
	t.Header["typ"] = shared.AccessTokenType
	s, err := t.SignedString(k.signer)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token: sign: %w", err)
	}
	return s, time.Unix(c.ExpiresAt, 0), nil
}

func method(alg string) jwt.SigningMethod {
	if alg == "EdDSA" {
		return jwt.SigningMethodEdDSA
	}
	return jwt.SigningMethodES256
}

var errInvalid = func() error { return apperr.New(shared.CodeInvalidToken, "The access token is not valid.") }

// Verify checks an access token and answers its claims. Every failure is
// invalid_token, except a token whose only fault is being past its exp,
// which is token_expired.
func (m *Manager) Verify(ctx context.Context, raw string) (shared.AccessClaims, error) {
	if raw == "" || len(raw) > MaxTokenSize {
		return shared.AccessClaims{}, errInvalid()
	}
	m.fresh(ctx)
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{"ES256", "EdDSA"}),
		jwt.WithIssuer(m.opts.Issuer),
		jwt.WithAudience(m.opts.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(m.opts.Leeway),
		jwt.WithTimeFunc(m.opts.Now),
	)
	var c claims
	_, err := p.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != shared.AccessTokenType {
			return nil, errors.New("typ is not at+jwt")
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid")
		}
		k := m.lookup(ctx, kid)
		if k == nil {
			return nil, errors.New("unknown kid")
		}
		if t.Method.Alg() != k.alg {
			return nil, errors.New("alg does not match the key")
		}
		return k.public, nil
	})
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, jwt.ErrTokenInvalidAudience) &&
			!errors.Is(err, jwt.ErrTokenInvalidIssuer) && !errors.Is(err, jwt.ErrTokenUsedBeforeIssued) &&
			!errors.Is(err, jwt.ErrTokenNotValidYet) && !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			return shared.AccessClaims{}, apperr.Wrap(shared.CodeTokenExpired, "The access token has expired. Refresh it.", err)
		}
		return shared.AccessClaims{}, apperr.Wrap(shared.CodeInvalidToken, "The access token is not valid.", err)
	}
	if c.Subject == "" || c.SessionID == "" || c.ID == "" {
		return shared.AccessClaims{}, errInvalid()
	}
	return c.AccessClaims, nil
}

// lookup finds kid, reloading once (throttled) when it is unknown: another
// replica may have rotated.
func (m *Manager) lookup(ctx context.Context, kid string) *key {
	m.mu.RLock()
	k := m.byKid[kid]
	canForce := m.static == nil && time.Since(m.lastForced) > forcedReloads
	m.mu.RUnlock()
	if k != nil || !canForce {
		return k
	}
	m.mu.Lock()
	m.lastForced = time.Now()
	m.mu.Unlock()
	if err := m.reload(ctx); err != nil {
		m.opts.Logger.WarnContext(ctx, "signing keys: reload for unknown kid failed", "err", err)
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.byKid[kid]
}

// JWKS answers the published public keys: current and previous.
func (m *Manager) JWKS(ctx context.Context) ([]byte, error) {
	m.fresh(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.jwks, nil
}

// CurrentKID is the kid new tokens are signed with.
func (m *Manager) CurrentKID() string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.keys) == 0 {
		return ""
	}
	return m.keys[0].kid
}

// claims adapts shared.AccessClaims (stdlib only) to jwt.Claims.
type claims struct{ shared.AccessClaims }

func date(sec int64) (*jwt.NumericDate, error) {
	if sec == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(sec, 0)), nil
}

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) { return date(c.ExpiresAt) }
func (c claims) GetIssuedAt() (*jwt.NumericDate, error)       { return date(c.IssuedAt) }
func (c claims) GetNotBefore() (*jwt.NumericDate, error)      { return date(c.NotBefore) }
func (c claims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c claims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c claims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings(c.Audience), nil }
