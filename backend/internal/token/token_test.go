package token_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const (
	issuer   = "https://auth.example"
	audience = "https://auth.example/api"
	ttl      = 10 * time.Minute
)

var algs = []string{token.AlgES256, token.AlgEdDSA}

// clock is the injected clock; safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// memStore is a KeyStore in memory with the store's semantics, plus a
// count of reads and an injectable failure.
type memStore struct {
	mu       sync.Mutex
	rows     []store.SigningKey
	lists    int
	failList error
}

func newMemStore() *memStore { return &memStore{} }

func newestFirst(rows []store.SigningKey) {
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].SignsFrom.Equal(rows[j].SignsFrom) {
			return rows[i].SignsFrom.After(rows[j].SignsFrom)
		}
		return rows[i].KID > rows[j].KID
	})
}

func (s *memStore) ListSigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	if s.failList != nil {
		return nil, s.failList
	}
	var out []store.SigningKey
	for _, r := range s.rows {
		if r.RetiredAt == nil {
			r.PrivateKey = append([]byte(nil), r.PrivateKey...)
			out = append(out, r)
		}
	}
	newestFirst(out)
	return out, nil
}

func (s *memStore) InsertSigningKey(ctx context.Context, k store.SigningKey, retire []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertLocked(k, retire)
}

func (s *memStore) InsertFirstSigningKey(ctx context.Context, k store.SigningKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rows {
		if r.Alg == k.Alg && r.RetiredAt == nil {
			return store.ErrConflict
		}
	}
	return s.insertLocked(k, nil)
}

func (s *memStore) insertLocked(k store.SigningKey, retire []string) error {
	for _, r := range s.rows {
		if r.KID == k.KID {
			return store.ErrConflict
		}
	}
	k.PrivateKey = append([]byte(nil), k.PrivateKey...)
	s.rows = append(s.rows, k)
	for i := range s.rows {
		for _, kid := range retire {
			if s.rows[i].KID == kid && s.rows[i].RetiredAt == nil {
				at := k.CreatedAt
				s.rows[i].RetiredAt = &at
			}
		}
	}
	return nil
}

func (s *memStore) listCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

func (s *memStore) setFail(err error) {
	s.mu.Lock()
	s.failList = err
	s.mu.Unlock()
}

// backend opens a fresh KeyStore: the in-memory one, and the real store of
// every engine storetest offers (SQLite always, MySQL when configured).
type backend struct {
	name string
	open func(tb testing.TB) token.KeyStore
}

func backends(tb testing.TB) []backend {
	tb.Helper()
	bs := []backend{{"memory", func(testing.TB) token.KeyStore { return newMemStore() }}}
	for _, engine := range storetest.Engines(tb) {
		bs = append(bs, backend{engine, func(tb testing.TB) token.KeyStore { return storetest.New(tb, engine) }})
	}
	return bs
}

// eachBackend runs f as a subtest per backend.
func eachBackend(t *testing.T, f func(t *testing.T, open func(testing.TB) token.KeyStore)) {
	t.Helper()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { f(t, b.open) })
	}
}

func opts(clk *clock, alg string) token.Options {
	return token.Options{Issuer: issuer, Audience: audience, TTL: ttl, Alg: alg, Now: clk.Now}
}

func mustNew(tb testing.TB, ks token.KeyStore, o token.Options) *token.Manager {
	tb.Helper()
	m, err := token.New(context.Background(), ks, o)
	if err != nil {
		tb.Fatalf("token.New: %v", err)
	}
	return m
}

func mustSign(tb testing.TB, m *token.Manager) string {
	tb.Helper()
	s, _, err := m.Sign(context.Background(), shared.AccessClaims{Subject: "u1", SessionID: "s1"})
	if err != nil {
		tb.Fatalf("Sign: %v", err)
	}
	return s
}

// code is the apperr code of a Verify error, "" for nil. Verify must only
// ever answer *apperr.Error.
func code(tb testing.TB, err error) shared.ErrorCode {
	tb.Helper()
	if err == nil {
		return ""
	}
	e, ok := apperr.As(err)
	if !ok {
		tb.Fatalf("error %v is not an *apperr.Error", err)
	}
	return e.Code
}

type jwkJSON struct {
	KID string `json:"kid"`
	KTY string `json:"kty"`
	CRV string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

func jwks(tb testing.TB, m *token.Manager) []jwkJSON {
	tb.Helper()
	b, err := m.JWKS(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var set struct {
		Keys []jwkJSON `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		tb.Fatalf("JWKS %s: %v", b, err)
	}
	return set.Keys
}

func kids(tb testing.TB, m *token.Manager) []string {
	tb.Helper()
	var out []string
	for _, k := range jwks(tb, m) {
		out = append(out, k.KID)
	}
	return out
}

// header decodes the JOSE header of a compact JWT.
func header(tb testing.TB, tok string) map[string]any {
	tb.Helper()
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// storedSigner reads the current private key from the store (unsealed), so
// tests can forge tokens with our real key and bad claims or headers.
func storedSigner(tb testing.TB, ks token.KeyStore) (kid string, s crypto.Signer) {
	tb.Helper()
	rows, err := ks.ListSigningKeys(context.Background())
	if err != nil || len(rows) == 0 || rows[0].Encrypted {
		tb.Fatalf("stored keys: %d, %v", len(rows), err)
	}
	k, err := x509.ParsePKCS8PrivateKey(rows[0].PrivateKey)
	if err != nil {
		tb.Fatal(err)
	}
	return rows[0].KID, k.(crypto.Signer)
}

// publicFromJWK rebuilds a public key the way a relying service would.
func publicFromJWK(tb testing.TB, k jwkJSON) crypto.PublicKey {
	tb.Helper()
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			tb.Fatalf("jwk member %q: %v", s, err)
		}
		return b
	}
	switch k.KTY {
	case "EC":
		return &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(dec(k.X)), Y: new(big.Int).SetBytes(dec(k.Y))}
	case "OKP":
		return ed25519.PublicKey(dec(k.X))
	}
	tb.Fatalf("kty %q", k.KTY)
	return nil
}

// thumbprint is RFC 7638 computed independently of the package.
func thumbprint(k jwkJSON) string {
	m := map[string]string{"crv": k.CRV, "kty": k.KTY, "x": k.X}
	if k.KTY == "EC" {
		m["y"] = k.Y
	}
	b, _ := json.Marshal(m) // sorted keys, no whitespace
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		for _, alg := range algs {
			t.Run(alg, func(t *testing.T) {
				clk := newClock()
				m := mustNew(t, open(t), opts(clk, alg))
				in := shared.AccessClaims{Subject: "u1", SessionID: "fam1", Name: "Ada", Email: "ada@example.com",
					Issuer: "https://evil.example", Audience: shared.Audience{"x"}, ExpiresAt: 1, ID: "mine"}
				tok, exp, err := m.Sign(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				if !exp.Equal(t0.Add(ttl)) {
					t.Errorf("exp = %v, want %v", exp, t0.Add(ttl))
				}
				h := header(t, tok)
				if h["alg"] != alg || h["typ"] != shared.AccessTokenType || h["kid"] != m.CurrentKID() || len(h) != 3 {
					t.Errorf("header = %v", h)
				}
				c, err := m.Verify(context.Background(), tok)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				want := shared.AccessClaims{Issuer: issuer, Subject: "u1", Audience: shared.Audience{audience},
					ExpiresAt: t0.Add(ttl).Unix(), IssuedAt: t0.Unix(), ID: c.ID, SessionID: "fam1", Name: "Ada", Email: "ada@example.com"}
				if got, _ := json.Marshal(c); string(got) != string(mustJSON(t, want)) {
					t.Errorf("claims = %s\nwant     %s", got, mustJSON(t, want))
				}
				if jti, err := base64.RawURLEncoding.DecodeString(c.ID); err != nil || len(jti) != 16 {
					t.Errorf("jti %q is not 128 random bits", c.ID)
				}
				again, _ := m.Verify(context.Background(), mustSign(t, m))
				if again.ID == c.ID {
					t.Error("two tokens share a jti")
				}
				for _, bad := range []shared.AccessClaims{{SessionID: "s"}, {Subject: "u"}} {
					if _, _, err := m.Sign(context.Background(), bad); err == nil {
						t.Errorf("Sign(%+v) without sub or sid succeeded", bad)
					}
				}
			})
		}
	})
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestExpiryAndLeeway(t *testing.T) {
	exp := t0.Add(ttl)
	tests := []struct {
		name   string
		leeway time.Duration
		at     time.Time
		want   shared.ErrorCode
	}{
		{"just issued", 0, t0, ""},
		{"last second before exp", 0, exp.Add(-time.Second), ""},
		{"at exp, inside the default 30s leeway", 0, exp, ""},
		{"exp+29s", 0, exp.Add(29 * time.Second), ""},
		{"exp+30s: leeway spent", 0, exp.Add(30 * time.Second), shared.CodeTokenExpired},
		{"exp+31s", 0, exp.Add(31 * time.Second), shared.CodeTokenExpired},
		{"a day later", 0, exp.Add(24 * time.Hour), shared.CodeTokenExpired},
		{"5s leeway: exp+4s", 5 * time.Second, exp.Add(4 * time.Second), ""},
		{"5s leeway: exp+5s", 5 * time.Second, exp.Add(5 * time.Second), shared.CodeTokenExpired},
		{"verifier clock 30s behind iat", 0, t0.Add(-30 * time.Second), ""},
		{"verifier clock 31s behind iat: used before issued", 0, t0.Add(-31 * time.Second), shared.CodeInvalidToken},
		{"5s leeway: 6s behind iat", 5 * time.Second, t0.Add(-6 * time.Second), shared.CodeInvalidToken},
	}
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		for _, alg := range algs {
			// Remembered: the token was verified once at issue time, so the
			// second check may come from the verified-token cache; it must
			// answer exactly what a first verification answers.
			for _, remembered := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/remembered=%v", alg, remembered), func(t *testing.T) {
					for _, tt := range tests {
						t.Run(tt.name, func(t *testing.T) {
							clk := newClock()
							o := opts(clk, alg)
							o.Leeway = tt.leeway
							m := mustNew(t, open(t), o)
							tok := mustSign(t, m)
							if remembered {
								if _, err := m.Verify(context.Background(), tok); err != nil {
									t.Fatalf("at issue time: %v", err)
								}
							}
							clk.Set(tt.at)
							_, err := m.Verify(context.Background(), tok)
							if got := code(t, err); got != tt.want {
								t.Fatalf("Verify at %v = %v, want %q", tt.at.Sub(t0), err, tt.want)
							}
						})
					}
				})
			}
		}
	})
}

func TestOptions(t *testing.T) {
	clk := newClock()
	tests := []struct {
		name   string
		change func(*token.Options)
		want   []string // every problem is reported
	}{
		{"defaults", func(o *token.Options) { o.TTL, o.Leeway, o.Alg, o.Now = 0, 0, "", nil }, nil},
		{"no issuer nor audience", func(o *token.Options) { o.Issuer, o.Audience = "", "" }, []string{"issuer", "audience"}},
		{"leeway over 30s", func(o *token.Options) { o.Leeway = 31 * time.Second }, []string{"leeway"}},
		{"negative leeway", func(o *token.Options) { o.Leeway = -time.Second }, []string{"leeway"}},
		{"TTL over 15 min", func(o *token.Options) { o.TTL = 16 * time.Minute }, []string{"TTL"}},
		{"alg RS256, negative TTL", func(o *token.Options) { o.Alg, o.TTL = "RS256", -time.Minute }, []string{"alg", "TTL"}},
		{"alg none", func(o *token.Options) { o.Alg = "none" }, []string{"alg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts(clk, "")
			tt.change(&o)
			m, err := token.New(context.Background(), newMemStore(), o)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if m.Alg() != token.AlgES256 {
					t.Errorf("default alg = %s", m.Alg())
				}
				if _, exp, _ := m.Sign(context.Background(), shared.AccessClaims{Subject: "u", SessionID: "s"}); exp.Sub(time.Now()) > 10*time.Minute+time.Second {
					t.Errorf("default TTL: exp in %v", exp.Sub(time.Now()))
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}

func TestStoreErrors(t *testing.T) {
	clk := newClock()
	ms := newMemStore()
	ms.setFail(errors.New("database down"))
	if _, err := token.New(context.Background(), ms, opts(clk, "")); err == nil || !strings.Contains(err.Error(), "database down") {
		t.Fatalf("New with a failing store = %v", err)
	}
	ms.setFail(nil)
	m := mustNew(t, ms, opts(clk, ""))
	tok := mustSign(t, m)
	// The cache goes stale and the store fails: the cached keys still work.
	ms.setFail(errors.New("database down"))
	clk.Add(time.Minute)
	if _, err := m.Verify(context.Background(), tok); err != nil {
		t.Fatalf("Verify with the store down: %v", err)
	}
	if _, err := m.Verify(context.Background(), mustSign(t, m)); err != nil {
		t.Fatalf("Sign/Verify with the store down: %v", err)
	}
	if n := len(kids(t, m)); n != 1 {
		t.Fatalf("JWKS with the store down: %d keys", n)
	}
	if _, _, err := m.Rotate(context.Background()); err == nil {
		t.Fatal("Rotate with the store down succeeded")
	}
}
