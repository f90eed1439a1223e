// Package softauthn is a software WebAuthn authenticator and client for
// tests: it answers the options of navigator.credentials.create and .get
// (the JSON our server sends) with the JSON a browser would post back, a
// P-256 key, attestation "none". Every field a test may want wrong is a
// plain field, read at each call.
package softauthn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// Authenticator flag bits (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// Authenticator holds one credential once Create has run.
type Authenticator struct {
	Origin string // the clientDataJSON origin
	RPID   string // hashed into the authenticator data; empty: the options' rp id
	// NoUV leaves the user-verified flag out (a user who was only present).
	NoUV bool
	// Counter is the signature counter: Get adds one before it signs.
	Counter uint32
	// Challenge, when set, replaces the options' challenge in the client data.
	Challenge string

	CredentialID []byte
	UserHandle   []byte
	key          *ecdsa.PrivateKey
}

// New answers an authenticator at origin without a credential yet.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin} }

var b64 = base64.RawURLEncoding

type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func (a *Authenticator) clientData(kind string, o options) []byte {
	ch := o.PublicKey.Challenge
	if a.Challenge != "" {
		ch = a.Challenge
	}
	cd, _ := json.Marshal(map[string]any{"type": kind, "challenge": ch, "origin": a.Origin, "crossOrigin": false})
	return cd
}

func (a *Authenticator) authData(rpID string, flags byte, extra []byte) []byte {
	if a.RPID != "" {
		rpID = a.RPID
	}
	h := sha256.Sum256([]byte(rpID))
	if !a.NoUV {
		flags |= flagUV
	}
	out := append(h[:], flags|flagUP|flagBE)
	out = binary.BigEndian.AppendUint32(out, a.Counter)
	return append(out, extra...)
}

// Create makes a new credential for the creation options (the JSON of
// {"publicKey": PublicKeyCredentialCreationOptions}) and answers the
// registration response JSON.
func (a *Authenticator) Create(optionsJSON []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, fmt.Errorf("softauthn: creation options: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	a.key = key
	a.CredentialID = make([]byte, 32)
	if _, err := rand.Read(a.CredentialID); err != nil {
		return nil, err
	}
	if a.UserHandle, err = b64.DecodeString(o.PublicKey.User.ID); err != nil {
		return nil, fmt.Errorf("softauthn: user id: %w", err)
	}
	// attestedCredentialData: AAGUID (zero), id length, id, COSE key.
	att := make([]byte, 16)
	att = binary.BigEndian.AppendUint16(att, uint16(len(a.CredentialID)))
	att = append(att, a.CredentialID...)
	att = append(att, a.coseKey()...)
	ad := a.authData(o.PublicKey.RP.ID, flagAT, att)
	// {"fmt": "none", "attStmt": {}, "authData": ad}
	obj := []byte{0xa3}
	obj = append(obj, cborText("fmt")...)
	obj = append(obj, cborText("none")...)
	obj = append(obj, cborText("attStmt")...)
	obj = append(obj, 0xa0)
	obj = append(obj, cborText("authData")...)
	obj = append(obj, cborBytes(ad)...)
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.CredentialID), "rawId": b64.EncodeToString(a.CredentialID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o)),
			"attestationObject": b64.EncodeToString(obj),
			"transports":        []string{"internal", "hybrid"},
		},
		"clientExtensionResults": map[string]any{},
	})
}

// Get signs an assertion for the request options (the JSON of
// {"publicKey": PublicKeyCredentialRequestOptions}) with the credential
// Create made, and answers the authentication response JSON.
func (a *Authenticator) Get(optionsJSON []byte) ([]byte, error) {
	if a.key == nil {
		return nil, errors.New("softauthn: no credential yet")
	}
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, fmt.Errorf("softauthn: request options: %w", err)
	}
	a.Counter++
	ad := a.authData(o.PublicKey.RPID, 0, nil)
	cd := a.clientData("webauthn.get", o)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.CredentialID), "rawId": b64.EncodeToString(a.CredentialID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(ad),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(a.UserHandle),
		},
		"clientExtensionResults": map[string]any{},
	})
}

// coseKey is the credential's public key as a COSE_Key map: kty EC2,
// alg ES256, crv P-256, x, y.
func (a *Authenticator) coseKey() []byte {
	pub, err := a.key.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		panic("softauthn: public key: " + err.Error())
	}
	out := []byte{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21}
	out = append(out, cborBytes(pub[1:33])...)
	out = append(out, 0x22)
	return append(out, cborBytes(pub[33:65])...)
}

// cborHead is a CBOR item head of major type mt for length n.
func cborHead(mt byte, n int) []byte {
	switch {
	case n < 24:
		return []byte{mt<<5 | byte(n)}
	case n < 256:
		return []byte{mt<<5 | 24, byte(n)}
	default:
		return binary.BigEndian.AppendUint16([]byte{mt<<5 | 25}, uint16(n))
	}
}

func cborBytes(b []byte) []byte { return append(cborHead(2, len(b)), b...) }
func cborText(s string) []byte  { return append(cborHead(3, len(s)), s...) }
