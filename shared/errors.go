package shared

// ErrorCode is a stable, machine-readable error code. Clients branch on it;
// the message next to it is for people and may change.
type ErrorCode string

// The stable error codes of the contract.
const (
	CodeInvalidRequest        ErrorCode = "invalid_request"
	CodeInvalidCredential     ErrorCode = "invalid_credential"
	CodeInvalidState          ErrorCode = "invalid_state"
	CodeAccessDenied          ErrorCode = "access_denied"
	CodeAccountDisabled       ErrorCode = "account_disabled" // an operator disabled the account
	CodeProviderError         ErrorCode = "provider_error"
	CodeProviderUnavailable   ErrorCode = "provider_unavailable"
	CodeDuplicateEmail        ErrorCode = "duplicate_email"
	CodeEmailNotVerified      ErrorCode = "email_not_verified"
	CodeEmailDomainNotAllowed ErrorCode = "email_domain_not_allowed"
	CodeAlreadyConnectedSelf  ErrorCode = "already_connected_self"
	CodeAlreadyConnectedOther ErrorCode = "already_connected_other"
	CodeConnectRequiresLogin  ErrorCode = "connect_requires_login"
	CodeLastLoginMethod       ErrorCode = "last_login_method"
	CodeLastAdmin             ErrorCode = "last_admin"          // the change would leave no enabled administrator
	CodeForbidden             ErrorCode = "forbidden"           // signed in, but not allowed (not an administrator)
	CodeReauthRequired        ErrorCode = "reauth_required"     // the call needs a more recent sign-in
	CodeCannotDisableSelf     ErrorCode = "cannot_disable_self" // an administrator may not disable their own account
	CodeInvalidToken          ErrorCode = "invalid_token"
	CodeTokenExpired          ErrorCode = "token_expired"
	CodeTokenReused           ErrorCode = "token_reused"
	CodeNotFound              ErrorCode = "not_found"
	CodeMethodNotAllowed      ErrorCode = "method_not_allowed"
	CodeUnsupportedMediaType  ErrorCode = "unsupported_media_type"
	CodeRequestTooLarge       ErrorCode = "request_too_large"
	CodeOriginNotAllowed      ErrorCode = "origin_not_allowed"
	CodeRateLimited           ErrorCode = "rate_limited"
	CodeUnavailable           ErrorCode = "unavailable"
	CodeInternal              ErrorCode = "internal_error"
	// Passkeys (WebAuthn).
	CodePasskeyNotRecognised   ErrorCode = "passkey_not_recognised"   // no passkey here has this credential id
	CodePasskeyCeremonyExpired ErrorCode = "passkey_ceremony_expired" // the challenge is unknown, expired or spent
	CodePasskeyInvalid         ErrorCode = "passkey_invalid"          // the response did not verify (origin, rp id, user verification, signature)
	CodePasskeyCloned          ErrorCode = "passkey_cloned"           // the signature counter did not move forward: refused
	// Pending links ("proof, then link" after duplicate_email).
	CodeLinkExpired  ErrorCode = "link_expired"   // the pending link is unknown, expired, used, or from another browser
	CodeLinkNotYours ErrorCode = "link_not_yours" // the signed-in account's verified email is not the one that conflicted
)

// AllErrorCodes lists every code, in the order of the contract. The dashboard
// keeps a message for each one; a test checks that none is missing.
var AllErrorCodes = []ErrorCode{
	CodeInvalidRequest, CodeInvalidCredential, CodeInvalidState, CodeAccessDenied,
	CodeProviderError, CodeProviderUnavailable, CodeDuplicateEmail, CodeEmailNotVerified,
	CodeEmailDomainNotAllowed, CodeAlreadyConnectedSelf, CodeAlreadyConnectedOther,
	CodeConnectRequiresLogin, CodeLastLoginMethod, CodeInvalidToken, CodeTokenExpired,
	CodeTokenReused, CodeNotFound, CodeMethodNotAllowed, CodeUnsupportedMediaType,
	CodeRequestTooLarge, CodeOriginNotAllowed, CodeRateLimited, CodeUnavailable, CodeInternal,
	CodeAccountDisabled, CodeLastAdmin, CodeForbidden, CodeReauthRequired, CodeCannotDisableSelf,
	CodePasskeyNotRecognised, CodePasskeyCeremonyExpired, CodePasskeyInvalid, CodePasskeyCloned,
	CodeLinkExpired, CodeLinkNotYours,
}

// ErrorBody is the inner object of an error response.
type ErrorBody struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

// ErrorEnvelope is every error response: {"error": {"code": "...", "message": "..."}}.
type ErrorEnvelope struct {
	Error ErrorBody `json:"error"`
}
