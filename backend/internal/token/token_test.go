package token_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func opts(alg string, now *time.Time) token.Options {
	return token.Options{Issuer: "https://auth.example", Audience: "https://auth.example/api", TTL: 10 * time.Minute, Alg: alg,
		Now: func() time.Time { return *now }}
}

func newManager(t testing.TB, st *store.Store, o token.Options) *token.Manager {
	t.Helper()
	m, err := token.New(context.Background(), st, o)
	if err != nil {
		t.Fatalf("token.New: %v", err)
	}
	return m
}

func sign(t testing.TB, m *token.Manager) string {
	t.Helper()
	s, _, err := m.Sign(context.Background(), shared.AccessClaims{Subject: "u1", SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func code(err error) shared.ErrorCode {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

func kids(t testing.TB, m *token.Manager) []string {
	t.Helper()
	b, err := m.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k["kid"])
	}
	return out
}

func TestRoundTripAndExpiry(t *testing.T) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			now := t0
			m := newManager(t, storetest.New(t, "sqlite"), opts(alg, &now))
			tok := sign(t, m)
			tests := []struct {
				name    string
				advance time.Duration
				want    shared.ErrorCode
			}{
				{"fresh", 0, ""},
				{"within leeway", 10*time.Minute + 29*time.Second, ""},
				{"past leeway", 10*time.Minute + 31*time.Second, shared.CodeTokenExpired},
			}
			for _, tt := range tests {
				now = t0.Add(tt.advance)
				c, err := m.Verify(context.Background(), tok)
				if code(err) != tt.want {
					t.Fatalf("%s: Verify error %v, want %q", tt.name, err, tt.want)
				}
				if err == nil && (c.Subject != "u1" || c.SessionID != "s1" || c.ID == "" || c.Issuer != "https://auth.example") {
					t.Fatalf("%s: claims %+v", tt.name, c)
				}
			}
		})
	}
}

func TestRejections(t *testing.T) {
	now := t0
	st := storetest.New(t, "sqlite")
	m := newManager(t, st, opts("ES256", &now))
	tok := sign(t, m)
	parts := strings.Split(tok, ".")
	edOther := newManager(t, storetest.New(t, "sqlite"), opts("EdDSA", &now))
	tests := []struct {
		name string
		raw  string
	}{
		{"empty", ""},
		{"garbage", "a.b.c"},
		{"tampered payload", parts[0] + "." + parts[1][:len(parts[1])-2] + "AA." + parts[2]},
		{"no signature", parts[0] + "." + parts[1] + "."},
		{"other manager's key", sign(t, edOther)},
		{"too large", strings.Repeat("a", token.MaxTokenSize+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := m.Verify(context.Background(), tt.raw); code(err) != shared.CodeInvalidToken {
				t.Fatalf("Verify = %v, want invalid_token", err)
			}
		})
	}
}

func TestRotationAcrossReplicas(t *testing.T) {
	now := t0
	st := storetest.New(t, "sqlite")
	a := newManager(t, st, opts("ES256", &now))
	b := newManager(t, st, opts("ES256", &now))
	if a.CurrentKID() != b.CurrentKID() {
		t.Fatal("two managers on one store use different keys")
	}
	old := sign(t, a)
	first := a.CurrentKID()
	now = now.Add(time.Second)
	kid, err := a.Rotate(context.Background())
	if err != nil || kid == first {
		t.Fatalf("Rotate = %q, %v", kid, err)
	}
	if got := kids(t, a); len(got) != 2 || got[0] != kid || got[1] != first {
		t.Fatalf("JWKS after rotation = %v", got)
	}
	if _, err := a.Verify(context.Background(), old); err != nil {
		t.Fatalf("token of the previous key: %v", err)
	}
	// Replica b has not reloaded yet: an unknown kid makes it look again.
	if _, err := b.Verify(context.Background(), sign(t, a)); err != nil {
		t.Fatalf("replica verifying a token of the new key: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := a.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := kids(t, a); len(got) != 2 || got[1] != kid {
		t.Fatalf("JWKS after the second rotation = %v (the oldest must be gone)", got)
	}
}

func TestEncryptedKeys(t *testing.T) {
	now := t0
	st := storetest.New(t, "sqlite")
	o := opts("ES256", &now)
	o.SecretKey = strings.Repeat("s", 32)
	m := newManager(t, st, o)
	rows, err := st.ListSigningKeys(context.Background())
	if err != nil || len(rows) != 1 || !rows[0].Encrypted {
		t.Fatalf("stored keys = %+v, %v", rows, err)
	}
	if _, err := x509.ParsePKCS8PrivateKey(rows[0].PrivateKey); err == nil {
		t.Fatal("the stored private key parses in the clear")
	}
	tok := sign(t, m)
	if _, err := newManager(t, st, o).Verify(context.Background(), tok); err != nil {
		t.Fatalf("second manager with the secret: %v", err)
	}
	wrong := o
	wrong.SecretKey = strings.Repeat("x", 32)
	if _, err := token.New(context.Background(), st, wrong); err == nil {
		t.Fatal("a wrong secret opened the keys")
	}
	none := o
	none.SecretKey = ""
	if _, err := token.New(context.Background(), st, none); err == nil || !strings.Contains(err.Error(), "AUTHBRIDGE_SECRET_KEY") {
		t.Fatalf("no secret: %v", err)
	}
}

func TestStaticKey(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for name, k := range map[string]any{"ES256": ec, "EdDSA": ed} {
		t.Run(name, func(t *testing.T) {
			der, err := x509.MarshalPKCS8PrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			now := t0
			st := storetest.New(t, "sqlite")
			o := opts(name, &now)
			o.StaticKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
			m := newManager(t, st, o)
			if _, err := m.Verify(context.Background(), sign(t, m)); err != nil {
				t.Fatal(err)
			}
			if rows, _ := st.ListSigningKeys(context.Background()); len(rows) != 0 {
				t.Fatal("a configured key must not be stored")
			}
			if _, err := m.Rotate(context.Background()); err == nil {
				t.Fatal("Rotate with a configured key must fail")
			}
		})
	}
}

func TestOpaque(t *testing.T) {
	p, h, err := token.NewOpaque()
	if err != nil || !token.ValidOpaque(p) || string(token.HashOpaque(p)) != string(h) || len(h) != 32 {
		t.Fatalf("NewOpaque = %q, %x, %v", p, h, err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("a", 42) + "!", strings.Repeat("a", 44)} {
		if token.ValidOpaque(bad) {
			t.Errorf("ValidOpaque(%q) = true", bad)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			now := t0
			m := newManager(b, storetest.New(b, "sqlite"), opts(alg, &now))
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := m.Sign(ctx, shared.AccessClaims{Subject: "u1", SessionID: "s1"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			now := t0
			m := newManager(b, storetest.New(b, "sqlite"), opts(alg, &now))
			tok := sign(b, m)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Verify(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
