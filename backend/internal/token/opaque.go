package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// opaqueLen is the length of a refresh token: 32 random bytes, base64url.
const opaqueLen = 43

// NewOpaque makes a refresh token: 256 random bits. Only its hash is stored.
func NewOpaque() (plain string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("token: random: %w", err)
	}
	plain = base64.RawURLEncoding.EncodeToString(b)
	return plain, HashOpaque(plain), nil
}

// HashOpaque is the SHA-256 kept at rest.
func HashOpaque(plain string) []byte {
	h := sha256.Sum256([]byte(plain))
	return h[:]
}

// ValidOpaque checks the shape of a refresh token before any lookup, so
// junk is refused cheaply.
func ValidOpaque(plain string) bool {
	if len(plain) != opaqueLen {
		return false
	}
	for i := 0; i < len(plain); i++ {
		c := plain[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
