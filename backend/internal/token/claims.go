package token

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

// claims adapts shared.AccessClaims (shared is stdlib-only) to jwt.Claims.
// A zero time means the claim is absent, which the parser's options then
// accept or refuse (exp is required).
type claims struct{ shared.AccessClaims }

var _ jwt.Claims = claims{}
var _ jwt.ClaimsValidator = claims{}

func date(sec int64) (*jwt.NumericDate, error) {
	if sec == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(sec, 0)), nil
}

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) { return date(c.ExpiresAt) }
func (c claims) GetIssuedAt() (*jwt.NumericDate, error)       { return date(c.IssuedAt) }
func (c claims) GetNotBefore() (*jwt.NumericDate, error)      { return date(c.NotBefore) }
func (c claims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c claims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c claims) GetAudience() (jwt.ClaimStrings, error)       { return jwt.ClaimStrings(c.Audience), nil }

var (
	errNoSub = errors.New("sub claim is required")
	errNoSID = errors.New("sid claim is required")
	errNoJTI = errors.New("jti claim is required")
)

// Validate requires the claims jwt has no option for. The parser calls it
// after the signature checked out, with the time-based checks.
func (c claims) Validate() error {
	var errs []error
	for _, r := range []struct {
		v   string
		err error
	}{{c.Subject, errNoSub}, {c.SessionID, errNoSID}, {c.ID, errNoJTI}} {
		if r.v == "" {
			errs = append(errs, r.err)
		}
	}
	return errors.Join(errs...)
}
