package verify

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// metadata is what this package reads of the server metadata.
type metadata struct {
	Issuer  string   `json:"issuer"`
	JWKSURI string   `json:"jwks_uri"`
	Algs    []string `json:"access_token_signing_alg_values_supported"`
}

func fetchMetadata(ctx context.Context, c *http.Client, u string) (metadata, error) {
	var md metadata
	if _, err := getJSON(ctx, c, u, &md); err != nil {
		return md, fmt.Errorf("verify: server metadata: %w", err)
	}
	ju, err := url.Parse(md.JWKSURI)
	if err != nil || (ju.Scheme != "https" && ju.Scheme != "http") || ju.Host == "" {
		return md, fmt.Errorf("verify: server metadata: jwks_uri %q is not an absolute http(s) URL", md.JWKSURI)
	}
	return md, nil
}

// getJSON decodes the JSON answered to a GET of u into v and answers the
// response's Cache-Control header.
func getJSON(ctx context.Context, c *http.Client, u string, v any) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", u, err)
	}
	if len(b) > maxBody {
		return "", fmt.Errorf("GET %s: body larger than %d bytes", u, maxBody)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return "", fmt.Errorf("GET %s: %w", u, err)
	}
	return resp.Header.Get("Cache-Control"), nil
}

// publicKey is one usable key of the JWKS.
type publicKey struct {
	alg    string
	public crypto.PublicKey
}

// keySet is the issuer's JWKS, cached for its max-age. A kid missing from
// the cache fetches it again, at most once per refetch interval.
type keySet struct {
	client  *http.Client
	url     string
	algs    []string
	now     func() time.Time
	refetch time.Duration

	fetchMu sync.Mutex // one fetch at a time; held across it

	mu        sync.RWMutex
	keys      map[string]publicKey
	expires   time.Time // the cache lifetime ends
	attempted time.Time // the last fetch started, successful or not
	fetchErr  error     // the last fetch's error, nil once one succeeds
}

// get answers the key of kid, fetching the JWKS when the cache is past
// its lifetime or lacks kid, at most once per refetch interval (a failed
// fetch counts too, so an unreachable issuer is not hammered).
//
// An unknown kid after a fetch means the issuer never signed the token
// (it publishes keys before they sign), so it is ErrInvalid, not
// ErrKeyUnavailable, which is for fetches that fail: a forged kid must not
// make a resource server answer 503.
func (s *keySet) get(ctx context.Context, kid string) (publicKey, error) {
	now := s.now()
	if k, ok, due := s.lookup(kid, now); ok && !due {
		return k, nil
	}
	s.fetchMu.Lock()
	// Another caller may have fetched while this one waited.
	if _, _, due := s.lookup(kid, now); due {
		// The fetch serves every caller and counts against the interval,
		// so one client giving up must not cancel it.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		_ = s.load(fctx)
		cancel()
	}
	s.fetchMu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k, ok := s.keys[kid]; ok {
		// Possibly from a stale cache when the fetch failed: the issuer
		// keeps a key published until its tokens expire, so a key once
		// listed stays sound while the issuer is unreachable.
		return k, nil
	}
	if s.fetchErr != nil {
		return publicKey{}, s.fetchErr
	}
	return publicKey{}, fmt.Errorf("kid %q is not in the issuer's JWKS", kid)
}

// lookup answers the cached key of kid and whether a fetch is due: the
// cache is stale or lacks kid, and the last fetch started at least the
// refetch interval before now.
func (s *keySet) lookup(kid string, now time.Time) (publicKey, bool, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[kid]
	if ok && now.Before(s.expires) {
		return k, true, false
	}
	return k, ok, !now.Before(s.attempted.Add(s.refetch))
}

// load fetches the JWKS and replaces the cache. On failure the cached keys
// stay and the error (wrapping ErrKeyUnavailable) is kept for get.
func (s *keySet) load(ctx context.Context) error {
	now := s.now()
	s.mu.Lock()
	s.attempted = now
	s.mu.Unlock()
	keys, maxAge, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.fetchErr = fmt.Errorf("%w: %w", ErrKeyUnavailable, err)
		return s.fetchErr
	}
	s.keys, s.expires, s.fetchErr = keys, now.Add(maxAge), nil
	return nil
}

func (s *keySet) fetch(ctx context.Context) (map[string]publicKey, time.Duration, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	cc, err := getJSON(ctx, s.client, s.url, &set)
	if err != nil {
		return nil, 0, fmt.Errorf("JWKS: %w", err)
	}
	keys := make(map[string]publicKey, len(set.Keys))
	for _, raw := range set.Keys {
		// Keys of other types or algs are skipped, not fatal: an issuer
		// may publish more than this package verifies.
		if kid, k, ok := parseJWK(raw, s.algs); ok {
			keys[kid] = k
		}
	}
	if len(keys) == 0 {
		return nil, 0, errors.New("JWKS: no usable key")
	}
	return keys, maxAge(cc), nil
}

type jwk struct {
	KTY string `json:"kty"`
	CRV string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	KID string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// parseJWK answers a P-256 or Ed25519 signature key whose alg is one of
// algs.
func parseJWK(raw []byte, algs []string) (string, publicKey, bool) {
	var j jwk
	if json.Unmarshal(raw, &j) != nil || j.KID == "" || (j.Use != "" && j.Use != "sig") {
		return "", publicKey{}, false
	}
	x, errX := base64.RawURLEncoding.DecodeString(j.X)
	switch {
	case j.KTY == "EC" && j.CRV == "P-256" && (j.Alg == "" || j.Alg == "ES256") && slices.Contains(algs, "ES256"):
		y, errY := base64.RawURLEncoding.DecodeString(j.Y)
		if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			return "", publicKey{}, false
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return "", publicKey{}, false
		}
		return j.KID, publicKey{alg: "ES256", public: pub}, true
	case j.KTY == "OKP" && j.CRV == "Ed25519" && (j.Alg == "" || j.Alg == "EdDSA" || j.Alg == "Ed25519") && slices.Contains(algs, "EdDSA"):
		if errX != nil || len(x) != ed25519.PublicKeySize {
			return "", publicKey{}, false
		}
		return j.KID, publicKey{alg: "EdDSA", public: ed25519.PublicKey(x)}, true
	}
	return "", publicKey{}, false
}

// maxAge answers how long a JWKS answered with Cache-Control cc may be
// used: its max-age, at most a day; 0 for no-store or no-cache; five
// minutes when it says nothing.
func maxAge(cc string) time.Duration {
	for _, d := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			n, err := strconv.Atoi(strings.Trim(val, `"`))
			if err != nil || n < 0 {
				return 0
			}
			return min(time.Duration(n)*time.Second, maxMaxAge)
		}
	}
	return defaultMaxAge
}
