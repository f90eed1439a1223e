package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// minRefetch throttles JWKS refetches for unknown kids per issuer, so
// tokens with made-up kids cannot make us hammer the provider.
const minRefetch = 10 * time.Second

// sigAlgs are the asymmetric algorithms an ID token may use. HS* and none
// are absent: a JWKS never holds a shared secret, so symmetric tokens
// can't be verified against it (LINE's HS256 is handled on its own).
var sigAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

var errUnknownKey = errors.New("provider: no key with this kid in the JWKS")

// keySet is a provider's JWKS, cached. A token whose kid is not in the
// cache triggers a refetch — at most once per minRefetch — which picks up
// rotated keys without letting forged kids drive traffic. It implements
// oidc.KeySet (go-oidc's own RemoteKeySet refetches on every unknown kid).
type keySet struct {
	name   string // provider display name, for errors
	client *http.Client
	url    string
	every  time.Duration
	clock  func() time.Time // real time: throttling is not token time

	fetchMu sync.Mutex // one fetch at a time; verifications never wait on it with known kids

	mu      sync.Mutex
	keys    []jose.JSONWebKey
	tried   bool
	at      time.Time
	lastErr error
}

func newKeySet(name string, client *http.Client, url string) *keySet {
	return &keySet{name: name, client: client, url: url, every: minRefetch, clock: time.Now}
}

// keysFor answers the public keys that may have signed a token with this
// kid and alg, refetching the JWKS (throttled) when none is cached.
func (k *keySet) keysFor(ctx context.Context, kid, alg string) ([]any, error) {
	k.mu.Lock()
	m := match(k.keys, kid, alg)
	k.mu.Unlock()
	if len(m) > 0 {
		return m, nil
	}
	k.fetchMu.Lock()
	defer k.fetchMu.Unlock()
	k.mu.Lock()
	m = match(k.keys, kid, alg) // fetched while we waited
	tried, at, lastErr := k.tried, k.at, k.lastErr
	k.mu.Unlock()
	if len(m) > 0 {
		return m, nil
	}
	if tried && k.clock().Sub(at) < k.every {
		if lastErr != nil {
			return nil, lastErr
		}
		return nil, errUnknownKey
	}
	keys, err := k.fetch(ctx)
	k.mu.Lock()
	k.tried, k.at, k.lastErr = true, k.clock(), err
	if err == nil {
		k.keys = keys
	}
	k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if m = match(keys, kid, alg); len(m) == 0 {
		return nil, errUnknownKey
	}
	return m, nil
}

// match answers the keys for kid (every key when the token names none)
// whose declared algorithm, if any, is alg.
func match(keys []jose.JSONWebKey, kid, alg string) []any {
	var out []any
	for _, key := range keys {
		if (kid == "" || key.KeyID == kid) && (key.Algorithm == "" || key.Algorithm == alg) {
			out = append(out, key.Key)
		}
	}
	return out
}

// fetchNote carries a JWKS fetch failure out of go-oidc, which flattens
// key-set errors with %v: a provider outage must read as
// provider_unavailable, not as a bad token.
type fetchNote struct{ err error }

type fetchNoteKey struct{}

func withFetchNote(ctx context.Context) (context.Context, *fetchNote) {
	n := &fetchNote{}
	return context.WithValue(ctx, fetchNoteKey{}, n), n
}

// VerifySignature implements oidc.KeySet. go-oidc has already checked the
// algorithm against the verifier's list.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, sigAlgs)
	if err != nil {
		return nil, err
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("provider: want exactly one signature")
	}
	h := jws.Signatures[0].Header
	keys, err := k.keysFor(ctx, h.KeyID, h.Algorithm)
	if err != nil {
		if n, ok := ctx.Value(fetchNoteKey{}).(*fetchNote); ok && !errors.Is(err, errUnknownKey) {
			n.err = err
		}
		return nil, err
	}
	for _, key := range keys {
		if payload, err := jws.Verify(key); err == nil {
			return payload, nil
		}
	}
	return nil, errors.New("provider: signature does not verify")
}

func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	if k.url == "" {
		return nil, providerError(k.name, errors.New("no jwks_uri"))
	}
	// The caller giving up must not leave a failed fetch in the cache for
	// everyone else; the client's own timeout still bounds it.
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, k.url, nil)
	if err != nil {
		return nil, providerError(k.name, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, classify(k.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, classify(k.name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, statusErr(k.name, "jwks", resp.StatusCode)
	}
	// Keys are parsed one by one: a single key of a type we don't know
	// must not take the whole set down.
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, providerError(k.name, err)
	}
	var keys []jose.JSONWebKey
	for _, rawKey := range set.Keys {
		var key jose.JSONWebKey
		if key.UnmarshalJSON(rawKey) != nil || (key.Use != "" && key.Use != "sig") || !key.Valid() {
			continue
		}
		switch key.Key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return nil, providerError(k.name, errors.New("jwks has no usable signing key"))
	}
	return keys, nil
}
