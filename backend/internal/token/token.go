// Package token signs and verifies AuthBridge access tokens (JWTs, with
// golang-jwt v5), keeps the signing keys in the database so every replica
// shares them, publishes the JWKS, and makes opaque refresh tokens.
package token

import (
	"context"
	"crypto/rand"
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
	// ListSigningKeys answers the keys not retired.
	ListSigningKeys(ctx context.Context) ([]store.SigningKey, error)
	// InsertSigningKey adds k and marks the keys in retire retired, in one
	// transaction.
	InsertSigningKey(ctx context.Context, k store.SigningKey, retire []string) error
	// InsertFirstSigningKey adds k only when no unretired key of its alg
	// is stored, else answers store.ErrConflict.
	InsertFirstSigningKey(ctx context.Context, k store.SigningKey) error
}

var _ KeyStore = (*store.Store)(nil)

// Options configure a Manager.
type Options struct {
	Issuer   string        // iss of our tokens; required
	Audience string        // aud of our tokens; required
	TTL      time.Duration // token lifetime; default 10 min, at most 15 min
	Leeway   time.Duration // clock skew allowed on exp/iat/nbf; default and at most 30 s
	Alg      string        // ES256 (default) or EdDSA
	// SecretKey (AUTHBRIDGE_SECRET_KEY): when set, private keys are sealed
	// with AES-256-GCM before they are stored.
	SecretKey string
	// StaticKeyPEM (AUTHBRIDGE_SIGNING_KEY): a PKCS#8 or SEC1 EC P-256 or
	// Ed25519 private key. When set it signs and is the only published key;
	// nothing is stored, and its type decides the alg.
	StaticKeyPEM string
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // default discards
}

// MaxTokenSize caps a token before any parsing.
const MaxTokenSize = 8 << 10

const (
	defaultTTL    = 10 * time.Minute
	maxTTL        = 15 * time.Minute
	maxLeeway     = 30 * time.Second
	cacheTTL      = 30 * time.Second // replicas see another's rotation within this
	forcedEvery   = 5 * time.Second  // unknown kid: reload the store at most this often
	reloadTimeout = 5 * time.Second
)

// Manager signs and verifies access tokens. It is safe for concurrent use.
type Manager struct {
	ks     KeyStore
	opts   Options
	alg    string // the one alg accepted
	static bool
	sealer *sealer
	parser *jwt.Parser
	seen   *verifiedCache

	// reloadMu serialises reads of the store; it is held across the call.
	reloadMu   sync.Mutex
	lastForced time.Time // guarded by reloadMu

	mu       sync.RWMutex
	keys     []*key  // every stored key of our alg, latest signsFrom first
	cur      keyView // what keys mean now; see view
	loadedAt time.Time
}

// New loads the signing keys, generating and storing the first one when
// the store has none. It fails when stored keys are sealed and SecretKey is
// missing or wrong.
func New(ctx context.Context, ks KeyStore, opts Options) (*Manager, error) {
	explicitAlg := opts.Alg
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Manager{ks: ks, opts: opts, alg: opts.Alg, seen: newVerifiedCache()}
	if opts.StaticKeyPEM != "" {
		k, err := parsePEM(opts.StaticKeyPEM)
		if err != nil {
			return nil, err
		}
		if explicitAlg != "" && explicitAlg != k.alg {
			opts.Logger.WarnContext(ctx, "AUTHBRIDGE_SIGNING_KEY decides the alg; the configured alg is ignored",
				"key_alg", k.alg, "configured_alg", explicitAlg)
		}
		m.alg, m.static = k.alg, true
		m.set([]*key{k}, opts.Now())
	} else {
		if ks == nil {
			return nil, errors.New("token: no key store")
		}
		if m.sealer, err = newSealer(opts.SecretKey); err != nil {
			return nil, err
		}
		m.reloadMu.Lock()
		err := m.reloadLocked(ctx)
		if errors.Is(err, errNoKeys) {
			err = m.insertFirstLocked(ctx)
		}
		m.reloadMu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	m.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{m.alg}),
		jwt.WithIssuer(opts.Issuer),
		jwt.WithAudience(opts.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(opts.Leeway),
		jwt.WithTimeFunc(opts.Now),
		jwt.WithStrictDecoding(),
	)
	return m, nil
}

// withDefaults fills the defaults and reports every invalid option at once.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.Issuer == "" {
		errs = append(errs, errors.New("token: issuer is required"))
	}
	if o.Audience == "" {
		errs = append(errs, errors.New("token: audience is required"))
	}
	if o.TTL == 0 {
		o.TTL = defaultTTL
	}
	if o.TTL < 0 || o.TTL > maxTTL {
		errs = append(errs, fmt.Errorf("token: TTL %s must be positive and at most %s", o.TTL, maxTTL))
	}
	if o.Leeway == 0 {
		o.Leeway = maxLeeway
	}
	if o.Leeway < 0 || o.Leeway > maxLeeway {
		errs = append(errs, fmt.Errorf("token: leeway %s must be positive and at most %s", o.Leeway, maxLeeway))
	}
	if o.Alg == "" {
		o.Alg = AlgES256
	}
	if o.Alg != AlgES256 && o.Alg != AlgEdDSA && o.StaticKeyPEM == "" {
		errs = append(errs, fmt.Errorf("token: alg %q must be %s or %s", o.Alg, AlgES256, AlgEdDSA))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, errors.Join(errs...)
}

var errNoKeys = errors.New("token: the store holds no signing key of the configured alg")

// reloadLocked reads the published keys from the store. The caller holds
// reloadMu. Rows of another alg are skipped: tokens are pinned to one alg.
func (m *Manager) reloadLocked(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reloadTimeout)
	defer cancel()
	rows, err := m.ks.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("token: load keys: %w", err)
	}
	m.mu.RLock()
	known := make(map[string]*key, len(m.keys))
	for _, k := range m.keys {
		known[k.kid] = k
	}
	m.mu.RUnlock()
	keys := make([]*key, 0, len(rows))
	for _, r := range rows {
		if r.Alg != m.alg {
			continue
		}
		if k := known[r.KID]; k != nil && k.signsFrom.Equal(r.SignsFrom) { // already opened and checked
			keys = append(keys, k)
			continue
		}
		k, err := decodeRow(r, m.sealer)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return errNoKeys
	}
	m.set(keys, m.opts.Now())
	return nil
}

// set replaces the keys, loaded at now; the view is computed afresh.
func (m *Manager) set(keys []*key, now time.Time) {
	sortKeys(keys)
	m.mu.Lock()
	m.keys, m.loadedAt = keys, now
	m.cur = computeView(keys, now, m.retain())
	m.mu.Unlock()
}

// olderThan reports whether d has passed since t. A clock that went back
// (only an injected one can) counts as passed.
func olderThan(now, t time.Time, d time.Duration) bool {
	age := now.Sub(t)
	return age >= d || age < 0
}

// refresh reloads the keys when the cache is older than cacheTTL, so a
// rotation done by another replica is picked up. One caller reloads; the
// others carry on with the cached keys meanwhile. A failed reload keeps
// the cached keys and is retried a little later.
func (m *Manager) refresh(ctx context.Context) {
	if m.static {
		return
	}
	m.mu.RLock()
	loaded := m.loadedAt
	m.mu.RUnlock()
	now := m.opts.Now()
	if !olderThan(now, loaded, cacheTTL) || !m.reloadMu.TryLock() {
		return
	}
	defer m.reloadMu.Unlock()
	m.mu.RLock()
	loaded = m.loadedAt
	m.mu.RUnlock()
	if !olderThan(now, loaded, cacheTTL) { // reloaded while we got the lock
		return
	}
	if err := m.reloadLocked(ctx); err != nil {
		m.opts.Logger.WarnContext(ctx, "signing keys: reload failed; keeping the cached keys", "err", err)
		m.mu.Lock()
		m.loadedAt = now.Add(forcedEvery - cacheTTL)
		m.mu.Unlock()
	}
}

// lookup finds kid among the published keys. An unknown kid may come from
// a rotation on another replica: the store is read again, at most once per
// forcedEvery whatever the kids presented, so junk kids cannot hammer it.
func (m *Manager) lookup(ctx context.Context, kid string) *key {
	if k := m.get(kid); k != nil || m.static || len(kid) != kidLen {
		return k
	}
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	if k := m.get(kid); k != nil { // a reload we waited for found it
		return k
	}
	now := m.opts.Now()
	if !olderThan(now, m.lastForced, forcedEvery) {
		return nil
	}
	m.lastForced = now
	if err := m.reloadLocked(ctx); err != nil {
		m.opts.Logger.WarnContext(ctx, "signing keys: reload for an unknown kid failed", "err", err)
		return nil
	}
	return m.get(kid)
}

// get finds kid among the keys published now.
func (m *Manager) get(kid string) *key { return m.view().published[kid] }

// current is the key that signs now.
func (m *Manager) current() *key { return m.view().current }

// Sign issues an access token for c. The caller sets sub and sid (both
// required) and the profile claims; Sign sets iss, aud, iat, exp (now+TTL)
// and a random jti, and answers the expiry. nbf is left as given (normally
// absent: the token is valid from iat).
func (m *Manager) Sign(ctx context.Context, c shared.AccessClaims) (token string, exp time.Time, err error) {
	if c.Subject == "" || c.SessionID == "" {
		return "", time.Time{}, errors.New("token: sign: sub and sid are required")
	}
	m.refresh(ctx)
	k := m.current()
	now := m.opts.Now()
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("token: random: %w", err)
	}
	c.Issuer = m.opts.Issuer
	c.Audience = shared.Audience{m.opts.Audience}
	c.IssuedAt = now.Unix()
	c.ExpiresAt = now.Add(m.opts.TTL).Unix()
	c.ID = b64(jti[:])
	t := &jwt.Token{
		Header: map[string]any{"alg": k.alg, "typ": shared.AccessTokenType, "kid": k.kid},
		Claims: claims{c},
		Method: k.method,
	}
	s, err := t.SignedString(k.signer)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token: sign: %w", err)
	}
	return s, time.Unix(c.ExpiresAt, 0), nil
}

// Reasons a token is refused before its signature is checked; they reach
// the logs through apperr's hidden cause only.
var (
	errTooLarge    = errors.New("token is empty or larger than MaxTokenSize")
	errType        = errors.New("typ is not " + shared.AccessTokenType)
	errNoKID       = errors.New("kid is missing")
	errUnknownKID  = errors.New("kid is not one of our published keys")
	errAlgMismatch = errors.New("alg does not match the key of this kid")
)

func invalid(err error) error {
	return apperr.Wrap(shared.CodeInvalidToken, "The access token is not valid.", err)
}

// Verify checks an access token and answers its claims. Every failure is
// invalid_token (an *apperr.Error), except a token whose only fault is
// being past its exp, which is token_expired.
func (m *Manager) Verify(ctx context.Context, raw string) (shared.AccessClaims, error) {
	if raw == "" || len(raw) > MaxTokenSize {
		return shared.AccessClaims{}, invalid(errTooLarge)
	}
	m.refresh(ctx)
	digest := tokenDigest(raw)
	if c, ok := m.seen.get(digest, m.opts.Now(), m.opts.Leeway, m.published); ok {
		return c, nil
	}
	var (
		c    claims
		used *key
	)
	_, err := m.parser.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != shared.AccessTokenType {
			return nil, errType
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errNoKID
		}
		k := m.lookup(ctx, kid)
		if k == nil {
			return nil, errUnknownKID
		}
		if t.Method.Alg() != k.alg {
			return nil, errAlgMismatch
		}
		used = k
		return k.public, nil
	})
	if err != nil {
		if expiredOnly(err) {
			return shared.AccessClaims{}, apperr.Wrap(shared.CodeTokenExpired, "The access token has expired. Refresh it.", err)
		}
		return shared.AccessClaims{}, invalid(err)
	}
	m.seen.put(digest, verifiedEntry{claims: c.AccessClaims, kid: used.kid}, m.opts.Now(), m.opts.Leeway)
	return c.AccessClaims, nil
}

// published reports whether kid is still one of the keys tokens verify
// with. A kid is the key's thumbprint, so the same kid is the same key.
func (m *Manager) published(kid string) bool { return m.get(kid) != nil }

// expiredOnly reports whether err says the token is expired and nothing
// else. jwt validates claims only after the signature checked out, and
// joins every claim failure, so any other fault (wrong aud, missing sid...)
// adds a leaf here and the token stays invalid rather than expired.
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

// JWKS answers the published public keys as {"keys":[...]}: the current
// key first, then the next one (published before it signs), then older
// ones whose tokens may still be live. The bytes are cached; the caller
// gets its own copy.
func (m *Manager) JWKS(ctx context.Context) ([]byte, error) {
	m.refresh(ctx)
	return append([]byte(nil), m.view().jwks...), nil
}

// CurrentKID is the kid new tokens are signed with.
func (m *Manager) CurrentKID() string { return m.current().kid }

// Alg is the one signing alg this Manager issues and accepts.
func (m *Manager) Alg() string { return m.alg }
