package token

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// hkdfInfo separates this use of AUTHBRIDGE_SECRET_KEY from any other.
const hkdfInfo = "authbridge signing keys v1"

// sealer encrypts private keys at rest with AES-256-GCM under a key derived
// from AUTHBRIDGE_SECRET_KEY with HKDF-SHA-256. The kid is the additional
// data, so a sealed key cannot be moved to another row.
type sealer struct{ aead cipher.AEAD }

// newSealer answers nil when no secret is set: keys are stored in the clear.
func newSealer(secret string) (*sealer, error) {
	if secret == "" {
		return nil, nil
	}
	k, err := hkdf.Key(sha256.New, []byte(secret), nil, hkdfInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("token: derive key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("token: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token: cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal answers nonce || ciphertext || tag. Nonces are random: a handful of
// keys are sealed over a deployment's life, far from GCM's limits.
func (s *sealer) seal(plain []byte, kid string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("token: random: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(kid)), nil
}

func (s *sealer) open(sealed []byte, kid string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errors.New("token: sealed key too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], []byte(kid))
}
