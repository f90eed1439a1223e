package verify

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

// tokenClaims adapts shared.AccessClaims, plus the optional roles, to
// jwt.Claims. A zero time means the claim is absent, which the parser's
// options then accept or refuse (exp is required).
type tokenClaims struct {
	shared.AccessClaims
	Roles []string `json:"roles,omitempty"`
}

var _ jwt.ClaimsValidator = tokenClaims{}

func date(sec int64) (*jwt.NumericDate, error) {
	if sec == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(sec, 0)), nil
}

func (c tokenClaims) GetExpirationTime() (*jwt.NumericDate, error) { return date(c.ExpiresAt) }
func (c tokenClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return date(c.IssuedAt) }
func (c tokenClaims) GetNotBefore() (*jwt.NumericDate, error)      { return date(c.NotBefore) }
func (c tokenClaims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c tokenClaims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c tokenClaims) GetAudience() (jwt.ClaimStrings, error) {
	return jwt.ClaimStrings(c.Audience), nil
}

// Validate requires the claims jwt has no option for, as the issuer does.
// The parser calls it after the signature checked out.
func (c tokenClaims) Validate() error {
	var errs []error
	if c.Subject == "" {
		errs = append(errs, errNoSubject)
	}
	if c.SessionID == "" {
		errs = append(errs, errNoSession)
	}
	if c.ID == "" {
		errs = append(errs, errNoTokenID)
	}
	return errors.Join(errs...)
}
