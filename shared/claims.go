package shared

import (
	"encoding/json"
	"errors"
)

// AccessTokenType is the JOSE "typ" header of our access tokens (RFC 9068).
const AccessTokenType = "at+jwt"

// Audience is the "aud" claim: a JSON string or an array of strings.
type Audience []string

// MarshalJSON writes a single audience as a plain string.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON accepts a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud: want a string or an array of strings")
	}
	*a = many
	return nil
}

// Contains reports whether aud is one of the audiences.
func (a Audience) Contains(aud string) bool {
	for _, v := range a {
		if v == aud {
			return true
		}
	}
	return false
}

// AccessClaims are the claims of an AuthBridge access token. Times are Unix
// seconds (JWT NumericDate).
type AccessClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"` // user id
	Audience  Audience `json:"aud"`
	ExpiresAt int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf,omitempty"`
	ID        string   `json:"jti"`
	SessionID string   `json:"sid"` // the refresh-token family
	Name      string   `json:"name,omitempty"`
	Email     string   `json:"email,omitempty"`
	// AuthTime is when the user signed in to this session (OIDC auth_time):
	// the creation of the refresh-token family, carried across refreshes.
	// Calls that need a recent sign-in compare it with their window.
	AuthTime int64 `json:"auth_time,omitempty"`
	// Roles the user holds when the token was signed: "admin" for an
	// administrator (RoleAdmin). For display and for other services; the
	// server itself checks the current grant on every admin call.
	Roles []string `json:"roles,omitempty"`
}

// RoleAdmin is the administrator's role in AccessClaims.Roles.
const RoleAdmin = "admin"
