package token_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

func TestJWKS(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		for _, alg := range algs {
			t.Run(alg, func(t *testing.T) {
				clk := newClock()
				m := mustNew(t, open(t), opts(clk, alg))
				keys := jwks(t, m)
				if len(keys) != 1 {
					t.Fatalf("JWKS of a new store has %d keys", len(keys))
				}
				k := keys[0]
				wantKTY, wantCRV := "EC", "P-256"
				if alg == token.AlgEdDSA {
					wantKTY, wantCRV = "OKP", "Ed25519"
				}
				if k.KTY != wantKTY || k.CRV != wantCRV || k.Alg != alg || k.Use != "sig" || len(k.X) != 43 ||
					(alg == token.AlgES256) != (len(k.Y) == 43) {
					t.Errorf("jwk = %+v", k)
				}
				if k.KID != thumbprint(k) || k.KID != m.CurrentKID() {
					t.Errorf("kid %s, RFC 7638 thumbprint %s, current %s", k.KID, thumbprint(k), m.CurrentKID())
				}
				// A relying service verifies with the published key alone.
				tok := mustSign(t, m)
				if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return publicFromJWK(t, k), nil },
					jwt.WithValidMethods([]string{alg}), jwt.WithTimeFunc(clk.Now)); err != nil {
					t.Errorf("token does not verify with the JWKS key: %v", err)
				}
				b, _ := m.JWKS(context.Background())
				b[0] = 'X'
				if again, _ := m.JWKS(context.Background()); again[0] != '{' {
					t.Error("JWKS hands out its cache")
				}
			})
		}
	})
}

// RFC 8037 A.1 key and A.3 thumbprint, through the static-key path.
func TestThumbprintRFC8037(t *testing.T) {
	seed, _ := base64.RawURLEncoding.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	o := opts(newClock(), token.AlgEdDSA)
	o.StaticKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	m := mustNew(t, nil, o)
	keys := jwks(t, m)
	if keys[0].X != "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" || m.CurrentKID() != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Fatalf("x %s kid %s", keys[0].X, m.CurrentKID())
	}
}

func TestEncryptedKeys(t *testing.T) {
	secret := strings.Repeat("s", 32)
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		for _, alg := range algs {
			t.Run(alg, func(t *testing.T) {
				ctx := context.Background()
				clk := newClock()
				ks := open(t)
				o := opts(clk, alg)
				o.SecretKey = secret
				m := mustNew(t, ks, o)
				if _, _, err := m.Rotate(ctx); err != nil {
					t.Fatal(err)
				}
				rows, err := ks.ListSigningKeys(ctx)
				if err != nil || len(rows) != 2 {
					t.Fatalf("stored keys: %d, %v", len(rows), err)
				}
				for i, r := range rows {
					if !r.Encrypted {
						t.Fatalf("row %d is not marked encrypted", i)
					}
					if _, err := x509.ParsePKCS8PrivateKey(r.PrivateKey); err == nil {
						t.Fatalf("row %d: the stored private key parses in the clear", i)
					}
					i := slices.IndexFunc(jwks(t, m), func(k jwkJSON) bool { return k.KID == r.KID })
					if i < 0 {
						t.Fatalf("stored key %s is not published", r.KID)
					}
					pub := publicFromJWK(t, jwks(t, m)[i])
					if bytes.Contains(r.PrivateKey, rawPublic(pub)) {
						t.Fatalf("row %d: the stored bytes contain the public key: not sealed", i)
					}
				}
				tok := mustSign(t, m)
				if _, err := mustNew(t, ks, o).Verify(ctx, tok); err != nil {
					t.Fatalf("a second manager with the secret: %v", err)
				}
				wrong := o
				wrong.SecretKey = strings.Repeat("x", 32)
				if _, err := token.New(ctx, ks, wrong); err == nil || !strings.Contains(err.Error(), "wrong secret") {
					t.Fatalf("New with a wrong secret = %v", err)
				}
				none := o
				none.SecretKey = ""
				if _, err := token.New(ctx, ks, none); err == nil || !strings.Contains(err.Error(), "AUTHBRIDGE_SECRET_KEY") {
					t.Fatalf("New without the secret = %v", err)
				}
			})
		}
	})
}

// A sealed key is bound to its kid (the GCM additional data) and to every
// byte of its ciphertext.
func TestSealedKeyTampered(t *testing.T) {
	ctx := context.Background()
	o := opts(newClock(), "")
	o.SecretKey = strings.Repeat("s", 32)
	for name, edit := range map[string]func(r *store.SigningKey){
		"byte flipped":       func(r *store.SigningKey) { r.PrivateKey[len(r.PrivateKey)-1] ^= 1 },
		"truncated":          func(r *store.SigningKey) { r.PrivateKey = r.PrivateKey[:10] },
		"moved to other kid": func(r *store.SigningKey) { r.KID = strings.Repeat("A", 43) },
	} {
		t.Run(name, func(t *testing.T) {
			ms := newMemStore()
			mustNew(t, ms, o)
			edit(&ms.rows[0])
			if _, err := token.New(ctx, ms, o); err == nil {
				t.Fatal("New opened a tampered key")
			}
		})
	}
}

// Keys already stored in the clear still load once a secret is set; new
// ones are sealed.
func TestSecretAddedLater(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	ms := newMemStore()
	plain := mustNew(t, ms, opts(clk, ""))
	tok := mustSign(t, plain)
	o := opts(clk, "")
	o.SecretKey = strings.Repeat("s", 32)
	m := mustNew(t, ms, o)
	if _, err := m.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _ := ms.ListSigningKeys(ctx)
	if !rows[0].Encrypted || rows[1].Encrypted {
		t.Fatalf("encrypted flags: new %v, old %v", rows[0].Encrypted, rows[1].Encrypted)
	}
}

// Switching the alg: the stored keys of the old alg are ignored (tokens are
// pinned to one alg) and a key of the new one is generated.
func TestAlgSwitch(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	ms := newMemStore()
	es := mustNew(t, ms, opts(clk, token.AlgES256))
	esTok := mustSign(t, es)
	ed := mustNew(t, ms, opts(clk, token.AlgEdDSA))
	if got := jwks(t, ed); len(got) != 1 || got[0].Alg != token.AlgEdDSA {
		t.Fatalf("EdDSA manager publishes %+v", got)
	}
	if _, err := ed.Verify(ctx, mustSign(t, ed)); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Verify(ctx, esTok); code(t, err) != shared.CodeInvalidToken {
		t.Fatalf("EdDSA manager verifying an ES256 token = %v", err)
	}
}

func pemOf(tb testing.TB, typ string, der []byte, err error) string {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestStaticKey(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	pkcs8 := func(k any) string {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		return pemOf(t, "PRIVATE KEY", der, err)
	}
	sec1 := func(k *ecdsa.PrivateKey) string {
		der, err := x509.MarshalECPrivateKey(k)
		return pemOf(t, "EC PRIVATE KEY", der, err)
	}
	tests := []struct {
		name, pem, optAlg, wantAlg string
	}{
		{"EC P-256 PKCS8", pkcs8(ec), token.AlgES256, token.AlgES256},
		{"EC P-256 SEC1", sec1(ec), token.AlgES256, token.AlgES256},
		{"Ed25519 PKCS8", pkcs8(ed), token.AlgEdDSA, token.AlgEdDSA},
		{"Ed25519 with the default alg: the key decides", pkcs8(ed), "", token.AlgEdDSA},
		{"Ed25519 with ES256 configured: the key decides", pkcs8(ed), token.AlgES256, token.AlgEdDSA},
	}
	eachBackend(t, func(t *testing.T, open func(testing.TB) token.KeyStore) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				clk := newClock()
				ks := open(t)
				o := opts(clk, tt.optAlg)
				o.StaticKeyPEM = tt.pem
				m := mustNew(t, ks, o)
				tok := mustSign(t, m)
				if h := header(t, tok); h["alg"] != tt.wantAlg || h["kid"] != m.CurrentKID() {
					t.Fatalf("header %v", h)
				}
				if _, err := m.Verify(ctx, tok); err != nil {
					t.Fatal(err)
				}
				if _, err := mustNew(t, nil, o).Verify(ctx, tok); err != nil {
					t.Fatalf("another replica with the same PEM: %v", err)
				}
				if got := jwks(t, m); len(got) != 1 || got[0].KID != m.CurrentKID() || got[0].Alg != tt.wantAlg {
					t.Fatalf("JWKS = %+v", got)
				}
				if rows, _ := ks.ListSigningKeys(ctx); len(rows) != 0 {
					t.Fatal("a configured key was stored")
				}
				if _, _, err := m.Rotate(ctx); err == nil {
					t.Fatal("Rotate with a configured key succeeded")
				}
				// A generated key of the store is not ours.
				gen := mustNew(t, ks, opts(clk, tt.wantAlg))
				if _, err := m.Verify(ctx, mustSign(t, gen)); code(t, err) != shared.CodeInvalidToken {
					t.Fatalf("token of a stored key verified against the static one: %v", err)
				}
				clk.Add(time.Hour) // the static set never reloads
				if got := kids(t, m); len(got) != 1 {
					t.Fatalf("JWKS after an hour = %v", got)
				}
			})
		}
	})
}

func TestStaticKeyRefused(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := x509.MarshalPKIXPublicKey(p256.Public())
	der := func(k any) []byte { b, _ := x509.MarshalPKCS8PrivateKey(k); return b }
	for name, p := range map[string]string{
		"not PEM":        "-----BEGIN nothing",
		"RSA":            pemOf(t, "PRIVATE KEY", der(rsaKey), nil),
		"EC P-384":       pemOf(t, "PRIVATE KEY", der(p384), nil),
		"public key":     pemOf(t, "PUBLIC KEY", pub, nil),
		"garbage in PEM": pemOf(t, "PRIVATE KEY", []byte("garbage"), nil),
	} {
		t.Run(name, func(t *testing.T) {
			o := opts(newClock(), "")
			o.StaticKeyPEM = p
			_, err := token.New(context.Background(), nil, o)
			if err == nil || !strings.Contains(err.Error(), "AUTHBRIDGE_SIGNING_KEY") {
				t.Fatalf("New = %v", err)
			}
		})
	}
}
