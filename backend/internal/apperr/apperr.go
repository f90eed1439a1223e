// Package apperr is AuthBridge's one error type: a stable code from the
// contract, a message fit for the client, and a hidden cause kept for logs.
package apperr

import (
	"errors"
	"fmt"

	"github.com/authbridge/authbridge/shared"
)

// Error is an error the API may show. Only Code and Message reach the
// client; Err is logged and never sent.
type Error struct {
	Code    shared.ErrorCode
	Message string
	Err     error
}

// Error implements error. It includes the cause, so it belongs in logs only.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the hidden cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns a fresh error with a code and a client-facing message.
func New(code shared.ErrorCode, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Wrap returns a fresh error with a code, a client-facing message and a
// cause for the logs.
func Wrap(code shared.ErrorCode, message string, err error) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// As finds the first *Error in err's chain. Anything else is an internal
// error whose text must not reach the client.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the code of err, or internal_error when err carries none.
func CodeOf(err error) shared.ErrorCode {
	if e, ok := As(err); ok {
		return e.Code
	}
	return shared.CodeInternal
}
