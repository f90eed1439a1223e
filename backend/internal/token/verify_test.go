package token_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// forgery holds what an attack needs: our real key and kid (read from the
// store), so each case changes one thing and must still be refused.
type forgery struct {
	kid    string
	signer crypto.Signer
	method jwt.SigningMethod
	good   string // a token Sign issued
	other  crypto.Signer
	pub    crypto.PublicKey
}

func (f forgery) claims() jwt.MapClaims {
	return jwt.MapClaims{"iss": issuer, "aud": audience, "sub": "u1", "sid": "s1", "jti": "j1",
		"iat": t0.Unix(), "exp": t0.Add(ttl).Unix()}
}

func (f forgery) header() map[string]any {
	return map[string]any{"typ": shared.AccessTokenType, "kid": f.kid}
}

// sign makes a compact JWT; jwt sets alg from method.
func sign(tb testing.TB, method jwt.SigningMethod, h map[string]any, c jwt.MapClaims, key any) string {
	tb.Helper()
	t := &jwt.Token{Header: h, Claims: c, Method: method}
	h["alg"] = method.Alg()
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatalf("forge: %v", err)
	}
	return s
}

// ours signs with our real key after changing the claims and header.
func (f forgery) ours(tb testing.TB, edit func(h map[string]any, c jwt.MapClaims)) string {
	tb.Helper()
	h, c := f.header(), f.claims()
	edit(h, c)
	return sign(tb, f.method, h, c, f.signer)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func seg(tb testing.TB, v any) string { return b64(mustJSON(tb, v)) }

func otherKey(tb testing.TB, alg string) crypto.Signer {
	tb.Helper()
	if alg == token.AlgEdDSA {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		return k
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func rawPublic(pub crypto.PublicKey) []byte {
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		b, _ := k.Bytes()
		return b
	}
	return pub.(ed25519.PublicKey)
}

func TestVerifyRejects(t *testing.T) {
	tests := []struct {
		name string
		raw  func(t *testing.T, f forgery) string
		want shared.ErrorCode // invalid_token unless set
	}{
		{"control: a forged-in-test good token verifies", func(t *testing.T, f forgery) string {
			return f.ours(t, func(map[string]any, jwt.MapClaims) {})
		}, "ok"},
		{"alg none", func(t *testing.T, f forgery) string {
			return sign(t, jwt.SigningMethodNone, f.header(), f.claims(), jwt.UnsafeAllowNoneSignatureType)
		}, ""},
		{"alg none, upper case, signature kept", func(t *testing.T, f forgery) string {
			h := f.header()
			h["alg"] = "NONE"
			parts := strings.Split(f.good, ".")
			return seg(t, h) + "." + parts[1] + "." + parts[2]
		}, ""},
		{"HS256 keyed with the public key PEM", func(t *testing.T, f forgery) string {
			der, _ := x509.MarshalPKIXPublicKey(f.pub)
			return sign(t, jwt.SigningMethodHS256, f.header(), f.claims(), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		}, ""},
		{"HS256 keyed with the public key DER", func(t *testing.T, f forgery) string {
			der, _ := x509.MarshalPKIXPublicKey(f.pub)
			return sign(t, jwt.SigningMethodHS256, f.header(), f.claims(), der)
		}, ""},
		{"HS256 keyed with the raw public key", func(t *testing.T, f forgery) string {
			return sign(t, jwt.SigningMethodHS256, f.header(), f.claims(), rawPublic(f.pub))
		}, ""},
		{"HS256 keyed with the JWK x member", func(t *testing.T, f forgery) string {
			return sign(t, jwt.SigningMethodHS256, f.header(), f.claims(), []byte(b64(rawPublic(f.pub))))
		}, ""},
		{"the other asymmetric alg, other key, our kid", func(t *testing.T, f forgery) string {
			if f.method == jwt.SigningMethodES256 {
				_, k, _ := ed25519.GenerateKey(rand.Reader)
				return sign(t, jwt.SigningMethodEdDSA, f.header(), f.claims(), k)
			}
			return sign(t, jwt.SigningMethodES256, f.header(), f.claims(), otherKey(t, token.AlgES256))
		}, ""},
		{"ES384", func(t *testing.T, f forgery) string {
			k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
			return sign(t, jwt.SigningMethodES384, f.header(), f.claims(), k)
		}, ""},
		{"another key, our kid", func(t *testing.T, f forgery) string {
			return sign(t, f.method, f.header(), f.claims(), f.other)
		}, ""},
		{"unknown kid", func(t *testing.T, f forgery) string {
			h := f.header()
			h["kid"] = b64(make([]byte, 32))
			return sign(t, f.method, h, f.claims(), f.other)
		}, ""},
		{"unknown kid, our key", func(t *testing.T, f forgery) string {
			return f.ours(t, func(h map[string]any, _ jwt.MapClaims) { h["kid"] = "k1" })
		}, ""},
		{"embedded jwk of the attacker", func(t *testing.T, f forgery) string {
			h := f.header()
			h["kid"] = "attacker"
			h["jwk"] = map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(rawPublic(f.other.Public()))}
			return sign(t, f.method, h, f.claims(), f.other)
		}, ""},
		{"no kid", func(t *testing.T, f forgery) string {
			return f.ours(t, func(h map[string]any, _ jwt.MapClaims) { delete(h, "kid") })
		}, ""},
		{"kid is a number", func(t *testing.T, f forgery) string {
			return f.ours(t, func(h map[string]any, _ jwt.MapClaims) { h["kid"] = 1 })
		}, ""},
		{"typ JWT (an ID token, say)", func(t *testing.T, f forgery) string {
			return f.ours(t, func(h map[string]any, _ jwt.MapClaims) { h["typ"] = "JWT" })
		}, ""},
		{"no typ", func(t *testing.T, f forgery) string {
			return f.ours(t, func(h map[string]any, _ jwt.MapClaims) { delete(h, "typ") })
		}, ""},
		{"wrong aud", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["aud"] = "https://other.example" })
		}, ""},
		{"aud array without ours", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["aud"] = []string{"a", "b"} })
		}, ""},
		{"no aud", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { delete(c, "aud") })
		}, ""},
		{"wrong iss", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["iss"] = "https://accounts.google.com" })
		}, ""},
		{"no iss", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { delete(c, "iss") })
		}, ""},
		{"no exp", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { delete(c, "exp") })
		}, ""},
		{"exp is a string", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["exp"] = "2099-01-01" })
		}, ""},
		{"no sub", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { delete(c, "sub") })
		}, ""},
		{"no sid", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { delete(c, "sid") })
		}, ""},
		{"no jti", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { delete(c, "jti") })
		}, ""},
		{"iat a minute ahead", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["iat"] = t0.Add(time.Minute).Unix() })
		}, ""},
		{"nbf a minute ahead", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["nbf"] = t0.Add(time.Minute).Unix() })
		}, ""},
		{"expired: the only fault", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["exp"] = t0.Add(-time.Hour).Unix() })
		}, shared.CodeTokenExpired},
		{"expired and wrong aud", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) {
				c["exp"], c["aud"] = t0.Add(-time.Hour).Unix(), "https://other.example"
			})
		}, ""},
		{"expired and no sid", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["exp"] = t0.Add(-time.Hour).Unix(); delete(c, "sid") })
		}, ""},
		{"expired, signed by another key", func(t *testing.T, f forgery) string {
			c := f.claims()
			c["exp"] = t0.Add(-time.Hour).Unix()
			return sign(t, f.method, f.header(), c, f.other)
		}, ""},
		{"tampered payload (sub changed)", func(t *testing.T, f forgery) string {
			parts := strings.Split(f.good, ".")
			p, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var c map[string]any
			json.Unmarshal(p, &c)
			c["sub"] = "admin"
			return parts[0] + "." + seg(t, c) + "." + parts[2]
		}, ""},
		{"tampered header (member added)", func(t *testing.T, f forgery) string {
			parts := strings.Split(f.good, ".")
			return seg(t, map[string]any{"alg": f.method.Alg(), "typ": shared.AccessTokenType, "kid": f.kid, "x": 1}) + "." + parts[1] + "." + parts[2]
		}, ""},
		{"signature of another token", func(t *testing.T, f forgery) string {
			parts := strings.Split(f.good, ".")
			other := strings.Split(f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["sub"] = "u2" }), ".")
			return parts[0] + "." + parts[1] + "." + other[2]
		}, ""},
		{"signature bits flipped", func(t *testing.T, f forgery) string {
			s := []byte(f.good)
			i := len(s) - 10
			s[i] ^= 1
			return string(s)
		}, ""},
		{"non-canonical base64 in the signature", func(t *testing.T, f forgery) string {
			// 64 bytes take 86 chars: the last carries 4 unused bits. Lax
			// decoders ignore them, so the signature would still verify.
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			last := strings.IndexByte(alphabet, f.good[len(f.good)-1])
			return f.good[:len(f.good)-1] + string(alphabet[last|1])
		}, ""},
		{"padded signature", func(t *testing.T, f forgery) string { return f.good + "==" }, ""},
		{"no signature", func(t *testing.T, f forgery) string {
			return f.good[:strings.LastIndexByte(f.good, '.')+1]
		}, ""},
		{"four segments", func(t *testing.T, f forgery) string { return f.good + ".e30" }, ""},
		{"empty", func(*testing.T, forgery) string { return "" }, ""},
		{"garbage", func(*testing.T, forgery) string { return "a.b.c" }, ""},
		{"larger than 8 KiB", func(t *testing.T, f forgery) string {
			return f.ours(t, func(_ map[string]any, c jwt.MapClaims) { c["name"] = strings.Repeat("a", token.MaxTokenSize) })
		}, ""},
	}
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		for _, alg := range algs {
			t.Run(alg, func(t *testing.T) {
				clk := newClock()
				ks := open(t)
				m := mustNew(t, ks, opts(clk, alg))
				f := forgery{good: mustSign(t, m), other: otherKey(t, alg)}
				f.kid, f.signer = storedSigner(t, ks)
				f.pub = f.signer.Public()
				f.method = jwt.SigningMethodES256
				if alg == token.AlgEdDSA {
					f.method = jwt.SigningMethodEdDSA
				}
				if f.kid != m.CurrentKID() {
					t.Fatalf("stored kid %s, manager signs with %s", f.kid, m.CurrentKID())
				}
				for _, tt := range tests {
					t.Run(tt.name, func(t *testing.T) {
						raw := tt.raw(t, f)
						c, err := m.Verify(context.Background(), raw)
						want := tt.want
						if want == "" {
							want = shared.CodeInvalidToken
						}
						if want == "ok" {
							if err != nil {
								t.Fatalf("Verify = %v", err)
							}
							return
						}
						t.Logf("refused: %v", err) // the hidden cause, to check the reason
						if got := code(t, err); got != want {
							t.Fatalf("Verify = %v, want %s", err, want)
						}
						if c.Subject != "" {
							t.Fatalf("a refused token answered claims %+v", c)
						}
					})
				}
			})
		}
	})
}

// An unknown kid makes the Manager read the store again, at most once per
// few seconds however many junk kids arrive, and never for a kid that
// cannot be a thumbprint.
func TestUnknownKIDReloadThrottled(t *testing.T) {
	clk := newClock()
	ms := newMemStore()
	m := mustNew(t, ms, opts(clk, ""))
	f := forgery{kid: b64(make([]byte, 32))}
	attacker := otherKey(t, token.AlgES256)
	forged := func(kid string) string {
		h := f.header()
		h["kid"] = kid
		return sign(t, jwt.SigningMethodES256, h, f.claims(), attacker)
	}
	verify := func(raw string) {
		t.Helper()
		if _, err := m.Verify(context.Background(), raw); code(t, err) != shared.CodeInvalidToken {
			t.Fatalf("Verify = %v", err)
		}
	}
	base := ms.listCount()
	verify(forged("short"))
	if n := ms.listCount() - base; n != 0 {
		t.Fatalf("a kid that is no thumbprint read the store %d times", n)
	}
	for i := 0; i < 20; i++ {
		verify(forged(b64(append(make([]byte, 31), byte(i)))))
	}
	if n := ms.listCount() - base; n != 1 {
		t.Fatalf("20 unknown kids within a second read the store %d times, want 1", n)
	}
	clk.Add(5 * time.Second)
	verify(forged(f.kid))
	verify(forged(f.kid))
	if n := ms.listCount() - base; n != 2 {
		t.Fatalf("after 5s: %d reads, want 2", n)
	}
}
