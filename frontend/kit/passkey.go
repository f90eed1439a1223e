package kit

// Passkeys (WebAuthn) as the contract carries them: the server answers a
// ceremony's options as JSON with binary members in base64url, and takes
// the browser's credential back as JSON with the same encoding. The
// browser's navigator.credentials wants (and gives) ArrayBuffers instead;
// the conversion both ways is plain Go here, tested on the host, and
// passkey_browser.go only copies bytes across.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/authbridge/authbridge/shared"
)

const (
	pathPasskeyLoginOptions = "/api/auth/passkey/login/options"
	pathPasskeyLogin        = "/api/auth/passkey/login"
	pathPasskeys            = "/api/me/passkeys"
	pathPasskeyOptions      = "/api/me/passkeys/options"
)

// CodePasskeyCancelled is the code of an Error for a ceremony the browser
// ended without a credential: the user cancelled, the dialog timed out,
// or another ceremony took its place (NotAllowedError, AbortError). It is
// no failure to report: offer the button again.
const CodePasskeyCancelled shared.ErrorCode = "passkey_cancelled"

// CodePasskeyUnsupported is the code of an Error when the browser has no
// WebAuthn (or refuses it here: an insecure origin).
const CodePasskeyUnsupported shared.ErrorCode = "passkey_unsupported"

// CodePasskeyExists is the code of an Error when the authenticator holds
// a passkey of this account already (InvalidStateError on create).
const CodePasskeyExists shared.ErrorCode = "passkey_exists"

// PasskeyLoginOptions starts a passkey sign-in: the options for
// navigator.credentials.get ({"publicKey": …}); the answer also sets the
// cookie that binds the ceremony to this browser.
func (p Public) PasskeyLoginOptions(ctx context.Context) (json.RawMessage, error) {
	var out json.RawMessage
	err := p.D.Do(ctx, http.MethodPost, pathPasskeyLoginOptions, "", struct{}{}, &out)
	return out, err
}

// PasskeyLogin finishes a passkey sign-in with the browser's assertion
// (credentialJSON's encoding).
func (p Public) PasskeyLogin(ctx context.Context, assertion json.RawMessage) (shared.SignInResponse, error) {
	var out shared.SignInResponse
	err := p.D.Do(ctx, http.MethodPost, pathPasskeyLogin, "", assertion, &out)
	return out, err
}

// PasskeyOptions starts adding a passkey to the signed-in user: the
// options for navigator.credentials.create.
func (s Signed) PasskeyOptions(ctx context.Context) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.C.Call(ctx, http.MethodPost, pathPasskeyOptions, struct{}{}, &out)
	return out, err
}

// AddPasskey finishes adding a passkey with the browser's new credential;
// the answer is the new sign-in method.
func (s Signed) AddPasskey(ctx context.Context, credential json.RawMessage) (shared.LinkedAccount, error) {
	var out shared.LinkedAccount
	err := s.C.Call(ctx, http.MethodPost, pathPasskeys, credential, &out)
	return out, err
}

// RenamePasskey renames the user's passkey id.
func (s Signed) RenamePasskey(ctx context.Context, id, name string) error {
	return s.C.Call(ctx, http.MethodPatch, pathPasskeys+"/"+url.PathEscape(id), shared.PasskeyRenameRequest{Name: name}, nil)
}

// RemovePasskey removes the user's passkey id (last_login_method when it
// is their only way to sign in).
func (s Signed) RemovePasskey(ctx context.Context, id string) error {
	return s.C.Call(ctx, http.MethodDelete, pathPasskeys+"/"+url.PathEscape(id), nil, nil)
}

// b64 is the contract's base64url: unpadded, though padding is accepted
// on the way in.
var b64 = base64.RawURLEncoding

func unb64(s string) ([]byte, error) { return b64.DecodeString(strings.TrimRight(s, "=")) }

// publicKeyOptions reads a ceremony's options ({"publicKey": …}) into the
// value navigator.credentials takes as its publicKey member: JSON values,
// with every binary member (the challenge, the user id, the credential
// ids) as []byte. create says which ceremony's members are binary.
func publicKeyOptions(raw []byte, create bool) (map[string]any, error) {
	var opts struct {
		PublicKey map[string]any `json:"publicKey"`
	}
	if err := json.Unmarshal(raw, &opts); err != nil {
		return nil, fmt.Errorf("passkey options: %w", err)
	}
	pk := opts.PublicKey
	if pk == nil {
		return nil, fmt.Errorf("passkey options: no publicKey")
	}
	if err := binaryMember(pk, "challenge", true); err != nil {
		return nil, err
	}
	list := "allowCredentials"
	if create {
		user, _ := pk["user"].(map[string]any)
		if user == nil {
			return nil, fmt.Errorf("passkey options: no user")
		}
		if err := binaryMember(user, "id", true); err != nil {
			return nil, err
		}
		list = "excludeCredentials"
	}
	creds, _ := pk[list].([]any)
	for _, c := range creds {
		d, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("passkey options: %s: not an object", list)
		}
		if err := binaryMember(d, "id", true); err != nil {
			return nil, err
		}
	}
	return pk, nil
}

// binaryMember turns m[key]'s base64url string into its bytes.
func binaryMember(m map[string]any, key string, required bool) error {
	v, ok := m[key]
	if !ok && !required {
		return nil
	}
	s, isString := v.(string)
	if !isString {
		return fmt.Errorf("passkey options: %s: not a base64url string", key)
	}
	b, err := unb64(s)
	if err != nil {
		return fmt.Errorf("passkey options: %s: %w", key, err)
	}
	m[key] = b
	return nil
}

// Credential is what navigator.credentials gave back, its ArrayBuffers as
// bytes: an attestation (create) or an assertion (get).
type Credential struct {
	ID         string
	RawID      []byte
	Type       string
	Attachment string // authenticatorAttachment ("": not said)

	ClientDataJSON []byte
	// create
	AttestationObject []byte
	Transports        []string
	// get
	AuthenticatorData []byte
	Signature         []byte
	UserHandle        []byte // nil: none
}

// credentialJSON is c as the server takes it (the WebAuthn JSON
// encoding: binary members in base64url).
func credentialJSON(c Credential, create bool) (json.RawMessage, error) {
	resp := map[string]any{"clientDataJSON": b64.EncodeToString(c.ClientDataJSON)}
	if create {
		resp["attestationObject"] = b64.EncodeToString(c.AttestationObject)
		if c.Transports != nil {
			resp["transports"] = c.Transports
		}
	} else {
		resp["authenticatorData"] = b64.EncodeToString(c.AuthenticatorData)
		resp["signature"] = b64.EncodeToString(c.Signature)
		if c.UserHandle != nil {
			resp["userHandle"] = b64.EncodeToString(c.UserHandle)
		}
	}
	out := map[string]any{
		"id": c.ID, "rawId": b64.EncodeToString(c.RawID), "type": c.Type,
		"response": resp, "clientExtensionResults": map[string]any{},
	}
	if c.Attachment != "" {
		out["authenticatorAttachment"] = c.Attachment
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("passkey credential: %w", err)
	}
	return b, nil
}

// domError is the Error for a navigator.credentials rejection, by the
// DOMException's name.
func domError(name, message string) *Error {
	switch name {
	case "NotAllowedError", "AbortError":
		return &Error{Code: CodePasskeyCancelled, Message: message}
	case "InvalidStateError":
		return &Error{Code: CodePasskeyExists, Message: message}
	case "NotSupportedError", "SecurityError":
		return &Error{Code: CodePasskeyUnsupported, Message: message}
	}
	return &Error{Code: CodePasskeyUnsupported, Message: name + ": " + message}
}
