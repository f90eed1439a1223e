package token

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
)

// key is one signing key in memory.
type key struct {
	kid    string
	alg    string
	signer crypto.Signer
	public crypto.PublicKey
	jwk    map[string]string
}

func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	default:
		return nil, fmt.Errorf("token: unsupported alg %q", alg)
	}
}

func algOf(s crypto.Signer) (string, error) {
	switch k := s.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return "", errors.New("token: EC keys must use P-256")
		}
		return "ES256", nil
	case ed25519.PrivateKey:
		return "EdDSA", nil
	default:
		return "", fmt.Errorf("token: unsupported key type %T", s)
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// newKey derives kid (RFC 7638 thumbprint) and the public JWK.
func newKey(s crypto.Signer) (*key, error) {
	alg, err := algOf(s)
	if err != nil {
		return nil, err
	}
	var members, jwk map[string]string
	switch pub := s.Public().(type) {
	case *ecdsa.PublicKey:
		ecdh, err := pub.ECDH()
		if err != nil {
			return nil, err
		}
		raw := ecdh.Bytes() // 0x04 || X || Y
		x, y := b64(raw[1:33]), b64(raw[33:65])
		members = map[string]string{"crv": "P-256", "kty": "EC", "x": x, "y": y}
	case ed25519.PublicKey:
		members = map[string]string{"crv": "Ed25519", "kty": "OKP", "x": b64(pub)}
	}
	// RFC 7638: the required members, lexicographic order, no spaces;
	// encoding/json sorts map keys.
	canon, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(canon)
	kid := b64(sum[:])
	jwk = map[string]string{"kid": kid, "alg": alg, "use": "sig"}
	for k, v := range members {
		jwk[k] = v
	}
	return &key{kid: kid, alg: alg, signer: s, public: s.Public(), jwk: jwk}, nil
}

// parsePEM reads a PKCS#8 or SEC1 private key.
func parsePEM(data string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(data))
	if block == nil {
		return nil, errors.New("token: signing key: no PEM block")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, errors.New("token: signing key: not a signing key")
		}
		return s, nil
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, errors.New("token: signing key: want a PKCS#8 or SEC1 EC P-256 / Ed25519 private key")
}

// sealer encrypts private keys at rest with AES-256-GCM under a key derived
// from AUTHBRIDGE_SECRET_KEY.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret string) (*sealer, error) {
	if secret == "" {
		return nil, nil
	}
	k, err := hkdf.Key(sha256.New, []byte(secret), nil, "authbridge signing keys v1", 32)
	if err != nil {
		return nil, fmt.Errorf("token: derive key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain []byte, kid string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("token: crypto/rand failed: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(kid))
}

func (s *sealer) open(sealed []byte, kid string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("token: sealed key too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], []byte(kid))
}
