package token

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// A refresh token names its family and generation and proves them with a
// MAC, so the server keeps one row per family however often it rotates:
//
//	base64url(version | family id (16 bytes) | generation (uint64, big endian) | MAC (32 bytes))
//
// 57 bytes, 76 characters. 57 is a multiple of 3, so the encoding has no
// padding and no spare bits: each token has exactly one spelling.
//
// MAC = HMAC-SHA256(K, version | family id | generation | family secret),
// where the family secret is 32 random bytes kept in the family's row and
// K is derived from AUTHBRIDGE_SECRET_KEY (HKDF-SHA256). Without
// AUTHBRIDGE_SECRET_KEY, K is the family secret itself: the tokens are then
// as safe as the database (a copy of it can mint them); with it, a copy of
// the database alone yields no usable refresh token. Changing
// AUTHBRIDGE_SECRET_KEY (setting, changing or removing it) ends every
// session.
const (
	refreshVersion    = 1
	refreshFamilyLen  = 16
	refreshMACLen     = sha256.Size
	refreshRawLen     = 1 + refreshFamilyLen + 8 + refreshMACLen
	refreshEncodedLen = refreshRawLen / 3 * 4 // no padding: refreshRawLen % 3 == 0
	// RefreshSecretLen is the length of a family's random secret.
	RefreshSecretLen = 32
)

// refreshHKDFInfo separates this use of AUTHBRIDGE_SECRET_KEY from any other.
const refreshHKDFInfo = "authbridge refresh tokens v1"

// ErrMalformedRefresh: the string is not a refresh token of a known
// version. Nothing was looked up.
var ErrMalformedRefresh = errors.New("token: malformed refresh token")

// Refresh is a parsed refresh token: a claim to (FamilyID, Generation)
// that only Verify, with the family's secret, can confirm.
type Refresh struct {
	FamilyID   string // 32 lower-case hex digits (store.NewID)
	Generation uint64
	mac        [refreshMACLen]byte
}

// ParseRefresh checks the shape of s (length, alphabet, version) before
// any lookup, so junk is refused cheaply. It verifies nothing.
func ParseRefresh(s string) (Refresh, error) {
	if len(s) != refreshEncodedLen {
		return Refresh{}, ErrMalformedRefresh
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		// The decoder skips \r and \n; the alphabet check refuses them first.
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return Refresh{}, ErrMalformedRefresh
		}
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) != refreshRawLen || raw[0] != refreshVersion {
		return Refresh{}, ErrMalformedRefresh
	}
	var r Refresh
	r.FamilyID = hex.EncodeToString(raw[1 : 1+refreshFamilyLen])
	r.Generation = binary.BigEndian.Uint64(raw[1+refreshFamilyLen:])
	copy(r.mac[:], raw[1+refreshFamilyLen+8:])
	return r, nil
}

// String is the token's one spelling.
func (r Refresh) String() string {
	fam, err := familyBytes(r.FamilyID)
	if err != nil {
		return ""
	}
	raw := make([]byte, 0, refreshRawLen)
	raw = append(raw, refreshVersion)
	raw = append(raw, fam...)
	raw = binary.BigEndian.AppendUint64(raw, r.Generation)
	raw = append(raw, r.mac[:]...)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// RefreshKey formats and verifies refresh tokens.
type RefreshKey struct {
	key []byte // nil: each family's secret is the MAC key
}

// NewRefreshKey derives the MAC key from AUTHBRIDGE_SECRET_KEY; an empty
// secret key means the family secrets alone key the MACs.
func NewRefreshKey(secretKey string) (*RefreshKey, error) {
	if secretKey == "" {
		return &RefreshKey{}, nil
	}
	k, err := hkdf.Key(sha256.New, []byte(secretKey), nil, refreshHKDFInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("token: derive refresh key: %w", err)
	}
	return &RefreshKey{key: k}, nil
}

// NewRefreshSecret makes a family's random secret.
func NewRefreshSecret() ([]byte, error) {
	b := make([]byte, RefreshSecretLen)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("token: random: %w", err)
	}
	return b, nil
}

// Format answers the token of generation gen of the family with this id
// and secret. The same inputs always give the same token.
func (k *RefreshKey) Format(familyID string, gen uint64, secret []byte) (string, error) {
	if len(secret) != RefreshSecretLen {
		return "", errors.New("token: refresh: family secret of the wrong length")
	}
	if _, err := familyBytes(familyID); err != nil {
		return "", err
	}
	r := Refresh{FamilyID: familyID, Generation: gen}
	r.mac = k.mac(r, secret)
	return r.String(), nil
}

// Verify reports, in constant time, whether r was made by Format with
// this key and the family's secret.
func (k *RefreshKey) Verify(r Refresh, secret []byte) bool {
	if len(secret) != RefreshSecretLen {
		return false
	}
	if _, err := familyBytes(r.FamilyID); err != nil {
		return false
	}
	want := k.mac(r, secret)
	return hmac.Equal(want[:], r.mac[:])
}

func (k *RefreshKey) mac(r Refresh, secret []byte) [refreshMACLen]byte {
	key := k.key
	if key == nil {
		key = secret
	}
	fam, _ := familyBytes(r.FamilyID) // checked by the callers
	m := hmac.New(sha256.New, key)
	m.Write([]byte{refreshVersion})
	m.Write(fam)
	m.Write(binary.BigEndian.AppendUint64(nil, r.Generation))
	m.Write(secret)
	var out [refreshMACLen]byte
	m.Sum(out[:0])
	return out
}

// familyBytes decodes a family id, which must be in its one spelling
// (lower-case hex of 16 bytes), so a token names exactly one row.
func familyBytes(id string) ([]byte, error) {
	b, err := hex.DecodeString(id)
	if err != nil || len(b) != refreshFamilyLen || hex.EncodeToString(b) != id {
		return nil, errors.New("token: refresh: the family id is not 32 lower-case hex digits")
	}
	return b, nil
}
