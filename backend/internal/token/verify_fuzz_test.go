package token_test

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// fuzzKeyPEM is a test-only Ed25519 key, so the committed corpus can hold
// tokens signed by the same key the target verifies with.
const fuzzKeyPEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJptsPqrGOU7+yfHy48PonpaapAXIqUWN28rfLJRbzuN
-----END PRIVATE KEY-----
`

// FuzzVerifyAccessToken: whatever string reaches Verify, it never panics,
// fails only with invalid_token or token_expired, answers the same when
// asked twice (the verified-token cache agrees with the full check), and
// accepts nothing but a token this test's managers signed, with exactly
// the claims they signed. Two managers: keys from a store (ES256, a new
// key in each fuzz process: only this process's tokens may pass) and a
// configured PEM (EdDSA, the same in every process: what passes must
// carry a valid signature, checked here without golang-jwt). The committed corpus holds a PEM-signed token
// from an hour before the fuzz clock (expired: a real signature that must
// still be refused) and mutations of it.
func FuzzVerifyAccessToken(f *testing.F) {
	ctx := context.Background()
	clk := newClock()
	stored := mustNew(f, newMemStore(), opts(clk, token.AlgES256))
	o := opts(clk, "")
	o.StaticKeyPEM = fuzzKeyPEM
	static := mustNew(f, nil, o)
	managers := []*token.Manager{stored, static}

	var mu sync.Mutex
	signed := map[string]shared.AccessClaims{} // token → the claims it was signed with
	for _, m := range managers {
		for _, c := range []shared.AccessClaims{
			{Subject: "u1", SessionID: "s1", Name: "Ada", Email: "ada@example.com"},
			{Subject: "u2", SessionID: "s2"},
		} {
			tok, _, err := m.Sign(ctx, c)
			if err != nil {
				f.Fatal(err)
			}
			got, err := m.Verify(ctx, tok)
			if err != nil {
				f.Fatal(err)
			}
			signed[tok] = got
			f.Add(tok)
			parts := strings.Split(tok, ".")
			f.Add(parts[0] + "." + parts[1] + ".")                             // no signature
			f.Add(`eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.` + parts[1] + ".") // alg none
			f.Add(tok[:len(tok)-1] + "A")                                      // last signature character
			f.Add(parts[0] + "." + parts[1] + "x." + parts[2])                 // payload changed
			f.Add(tok + ".")
		}
	}
	f.Add("")
	f.Add("...")
	f.Add(strings.Repeat("a", token.MaxTokenSize+1))

	f.Fuzz(func(t *testing.T, raw string) {
		for _, m := range managers {
			c, err := m.Verify(ctx, raw)
			c2, err2 := m.Verify(ctx, raw)
			if (err == nil) != (err2 == nil) || apperr.CodeOf(err) != apperr.CodeOf(err2) || !reflect.DeepEqual(c, c2) {
				t.Fatalf("Verify answered %v then %v for %q", err, err2, raw)
			}
			if err != nil {
				if code := apperr.CodeOf(err); code != shared.CodeInvalidToken && code != shared.CodeTokenExpired {
					t.Fatalf("refused with %q (%v), want invalid_token or token_expired", code, err)
				}
				continue
			}
			if m == static {
				// Same key in every fuzz process, so a token another
				// process signed is genuine too: check it independently.
				if err := genuine(raw, c, clk.Now()); err != nil {
					t.Fatalf("accepted %q: %v", raw, err)
				}
				continue
			}
			mu.Lock()
			want, ok := signed[raw]
			mu.Unlock()
			if !ok {
				t.Fatalf("accepted a token no manager of the test signed: %q", raw)
			}
			if !reflect.DeepEqual(c, want) {
				t.Fatalf("accepted %q with claims %+v, signed %+v", raw, c, want)
			}
		}
	})
}

// TestFuzzCorpusTokenIsReal keeps the committed corpus meaningful: its
// first token carries a valid signature of fuzzKeyPEM and is refused only
// because it expired.
func TestFuzzCorpusTokenIsReal(t *testing.T) {
	clk := newClock()
	o := opts(clk, "")
	o.StaticKeyPEM = fuzzKeyPEM
	m := mustNew(t, nil, o)
	tok := corpusToken(t)
	if _, err := m.Verify(context.Background(), tok); apperr.CodeOf(err) != shared.CodeTokenExpired {
		t.Fatalf("corpus token at the fuzz clock: %v, want token_expired", err)
	}
	clk.Set(t0.Add(-time.Hour))
	if _, err := m.Verify(context.Background(), tok); err != nil {
		t.Fatalf("corpus token when it was signed: %v", err)
	}
}

// corpusToken reads the signed token of the committed corpus.
func corpusToken(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzVerifyAccessToken", "signed-expired"))
	if err != nil {
		tb.Fatal(err)
	}
	_, lit, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "string("), ")"))
	if err != nil {
		tb.Fatalf("corpus file: %v", err)
	}
	return s
}

// genuine checks, without golang-jwt, that raw is a compact JWS whose
// EdDSA signature by fuzzKeyPEM covers exactly its first two segments
// (strict base64url, no padding), with our header and the claims c that
// Verify answered, live at now.
func genuine(raw string, c shared.AccessClaims, now time.Time) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%d segments", len(parts))
	}
	dec := base64.RawURLEncoding.Strict()
	var seg [3][]byte
	for i, p := range parts {
		b, err := dec.DecodeString(p)
		if err != nil {
			return fmt.Errorf("segment %d: %v", i, err)
		}
		seg[i] = b
	}
	block, _ := pem.Decode([]byte(fuzzKeyPEM))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return err
	}
	pub := k.(ed25519.PrivateKey).Public().(ed25519.PublicKey)
	if !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), seg[2]) {
		return errors.New("the signature does not verify")
	}
	var h map[string]any
	if err := json.Unmarshal(seg[0], &h); err != nil || h["alg"] != token.AlgEdDSA || h["typ"] != shared.AccessTokenType || h["kid"] == nil {
		return fmt.Errorf("header %s", seg[0])
	}
	var signedClaims shared.AccessClaims
	if err := json.Unmarshal(seg[1], &signedClaims); err != nil || !reflect.DeepEqual(signedClaims, c) {
		return fmt.Errorf("claims %s, Verify answered %+v", seg[1], c)
	}
	if c.Issuer != issuer || len(c.Audience) != 1 || c.Audience[0] != audience || !now.Before(time.Unix(c.ExpiresAt, 0).Add(leeway)) {
		return fmt.Errorf("claims %+v at %v", c, now)
	}
	return nil
}
