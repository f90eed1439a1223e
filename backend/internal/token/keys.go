package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/backend/internal/store"
)

// The signing algorithms we issue. Both are asymmetric: replicas and
// services verify with the published public keys only.
const (
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
)

// kidLen is the length of every kid: a base64url SHA-256 thumbprint.
const kidLen = 43

// key is one decoded signing key. It is never modified once built, so
// callers may keep a pointer without holding the Manager's lock.
type key struct {
	kid       string
	alg       string
	created   time.Time // published from here
	signsFrom time.Time // signs from here (zero: a configured key, always)
	signer    crypto.Signer
	public    crypto.PublicKey
	method    jwt.SigningMethod
	jwk       jwk
}

// jwk is a public key as the JWKS publishes it (RFC 7517, 7518, 8037).
type jwk struct {
	KID string `json:"kid"`
	KTY string `json:"kty"`
	CRV string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y,omitempty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// generate makes a fresh private key for alg.
func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case AlgES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case AlgEdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	default:
		return nil, fmt.Errorf("token: unsupported alg %q", alg)
	}
}

// newKey derives the alg, the public JWK and the kid of s. The kid is the
// RFC 7638 thumbprint, so the same key always gets the same kid on every
// replica, and a kid cannot be reused for another key.
func newKey(s crypto.Signer, created time.Time) (*key, error) {
	k := &key{signer: s, public: s.Public(), created: created}
	var canon string
	switch pub := s.Public().(type) {
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() {
			return nil, errors.New("token: EC keys must use P-256")
		}
		ecdh, err := pub.ECDH()
		if err != nil {
			return nil, fmt.Errorf("token: EC key: %w", err)
		}
		raw := ecdh.Bytes() // 0x04 || X || Y, each 32 bytes (RFC 7518 §6.2.1.2)
		k.alg, k.method = AlgES256, jwt.SigningMethodES256
		k.jwk = jwk{KTY: "EC", CRV: "P-256", X: b64(raw[1:33]), Y: b64(raw[33:65])}
		// RFC 7638 §3.2: required members only, sorted, no whitespace.
		canon = `{"crv":"P-256","kty":"EC","x":"` + k.jwk.X + `","y":"` + k.jwk.Y + `"}`
	case ed25519.PublicKey:
		k.alg, k.method = AlgEdDSA, jwt.SigningMethodEdDSA
		k.jwk = jwk{KTY: "OKP", CRV: "Ed25519", X: b64(pub)}
		canon = `{"crv":"Ed25519","kty":"OKP","x":"` + k.jwk.X + `"}` // RFC 8037 §2
	default:
		return nil, fmt.Errorf("token: unsupported key type %T (want EC P-256 or Ed25519)", pub)
	}
	sum := sha256.Sum256([]byte(canon))
	k.kid = b64(sum[:])
	k.jwk.KID, k.jwk.Alg, k.jwk.Use = k.kid, k.alg, "sig"
	return k, nil
}

// parsePEM reads a PKCS#8 (EC P-256 or Ed25519) or SEC1 (EC) private key.
// Its errors never quote the input: it is a secret.
func parsePEM(data string) (*key, error) {
	block, _ := pem.Decode([]byte(data))
	if block == nil {
		return nil, errors.New("token: AUTHBRIDGE_SIGNING_KEY: no PEM block")
	}
	var s crypto.Signer
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		var ok bool
		if s, ok = k.(crypto.Signer); !ok {
			return nil, errors.New("token: AUTHBRIDGE_SIGNING_KEY: not a signing key")
		}
	} else if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		s = k
	} else {
		return nil, errors.New("token: AUTHBRIDGE_SIGNING_KEY: want a PKCS#8 or SEC1 private key (EC P-256 or Ed25519)")
	}
	k, err := newKey(s, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("token: AUTHBRIDGE_SIGNING_KEY: %w", err)
	}
	return k, nil
}

// row encodes k for the store: PKCS#8 DER, sealed when a secret is set.
func (k *key) row(sl *sealer) (store.SigningKey, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.signer)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("token: encode key: %w", err)
	}
	r := store.SigningKey{KID: k.kid, Alg: k.alg, PrivateKey: der, CreatedAt: k.created, SignsFrom: k.signsFrom, PublicJWK: k.jwk.json()}
	if sl != nil {
		if r.PrivateKey, err = sl.seal(der, k.kid); err != nil {
			return store.SigningKey{}, err
		}
		r.Encrypted = true
	}
	return r, nil
}

// decodeRow opens and parses a stored key and checks that the row's kid
// and alg belong to it.
func decodeRow(r store.SigningKey, sl *sealer) (*key, error) {
	der := r.PrivateKey
	if r.Encrypted {
		if sl == nil {
			return nil, fmt.Errorf("token: signing key %s is encrypted: set AUTHBRIDGE_SECRET_KEY to the secret it was sealed with", r.KID)
		}
		var err error
		if der, err = sl.open(r.PrivateKey, r.KID); err != nil {
			return nil, fmt.Errorf("token: signing key %s does not open with AUTHBRIDGE_SECRET_KEY (wrong secret?)", r.KID)
		}
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("token: signing key %s: %w", r.KID, err)
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("token: signing key %s: not a signing key", r.KID)
	}
	k, err := newKey(s, r.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("token: signing key %s: %w", r.KID, err)
	}
	k.signsFrom = r.SignsFrom
	if k.kid != r.KID || k.alg != r.Alg {
		return nil, fmt.Errorf("token: signing key %s: the row's kid or alg does not match its key", r.KID)
	}
	return k, nil
}

func (j jwk) json() string {
	b, _ := json.Marshal(j) // strings only: cannot fail
	return string(b)
}
