package verify

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testKey is a signing key of the test issuer.
type testKey struct {
	kid    string
	alg    string
	signer crypto.Signer
	jwk    map[string]string
}

func newECKey(tb testing.TB, kid string) *testKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	pt, err := k.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		tb.Fatal(err)
	}
	return &testKey{kid: kid, alg: "ES256", signer: k, jwk: map[string]string{
		"kty": "EC", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:]), "kid": kid, "alg": "ES256", "use": "sig"}}
}

func newEdKey(tb testing.TB, kid string) *testKey {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return &testKey{kid: kid, alg: "EdDSA", signer: priv, jwk: map[string]string{
		"kty": "OKP", "crv": "Ed25519", "x": b64(pub), "kid": kid, "alg": "EdDSA", "use": "sig"}}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// testIssuer serves server metadata and a JWKS the way AuthBridge does,
// with knobs for the tests.
type testIssuer struct {
	srv *httptest.Server

	mu           sync.Mutex
	mdIssuer     string // the issuer the metadata names; default the URL
	algs         []string
	keys         []*testKey // published
	cacheControl string
	jwksStatus   int // 0: 200

	jwksHits atomic.Int32
}

func newTestIssuer(tb testing.TB, keys ...*testKey) *testIssuer {
	tb.Helper()
	is := &testIssuer{algs: []string{"ES256"}, keys: keys, cacheControl: "public, max-age=300"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+MetadataPath, func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		defer is.mu.Unlock()
		iss := is.mdIssuer
		if iss == "" {
			iss = is.srv.URL
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "jwks_uri": is.srv.URL + "/.well-known/jwks.json",
			"access_token_signing_alg_values_supported": is.algs})
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		is.jwksHits.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		if is.jwksStatus != 0 {
			w.WriteHeader(is.jwksStatus)
			return
		}
		var set struct {
			Keys []map[string]string `json:"keys"`
		}
		for _, k := range is.keys {
			set.Keys = append(set.Keys, k.jwk)
		}
		if is.cacheControl != "" {
			w.Header().Set("Cache-Control", is.cacheControl)
		}
		_ = json.NewEncoder(w).Encode(set)
	})
	is.srv = httptest.NewServer(mux)
	tb.Cleanup(is.srv.Close)
	return is
}

func (is *testIssuer) set(f func(is *testIssuer)) {
	is.mu.Lock()
	defer is.mu.Unlock()
	f(is)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_800_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// claimsAt are valid claims of is for a token issued at now.
func (is *testIssuer) claimsAt(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": is.srv.URL, "aud": is.srv.URL + "/api", "sub": "user-1", "sid": "session-1", "jti": "token-1",
		"name": "Ada", "email": "ada@example.com", "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
}

// sign signs claims with k under AuthBridge's header; edit changes the
// header first.
func sign(tb testing.TB, k *testKey, claims jwt.MapClaims, edit func(h map[string]any)) string {
	tb.Helper()
	method := jwt.GetSigningMethod(k.alg)
	t := jwt.NewWithClaims(method, claims)
	t.Header["typ"] = "at+jwt"
	t.Header["kid"] = k.kid
	if edit != nil {
		edit(t.Header)
	}
	s, err := t.SignedString(k.signer)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func mustNew(tb testing.TB, is *testIssuer, opts ...Option) *Verifier {
	tb.Helper()
	v, err := New(context.Background(), is.srv.URL, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
