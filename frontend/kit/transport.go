// The transport: one JSON call to an HTTP API. In the browser it goes
// through window.fetch (keeping net/http, 5 MiB of it, out of app.wasm);
// on the host it uses net/http, so it is tested against a real server.
// Both decode the AuthBridge contract's error shape into *Error.

package kit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/authbridge/authbridge/shared"
)

// Doer sends one JSON call: method and path (relative to the API base),
// an optional bearer token, an optional body, and where to decode a
// success answer (nil: ignore it).
type Doer interface {
	Do(ctx context.Context, method, path, bearer string, in, out any) error
}

// CodeNetwork is the code of a failure that is no answer of AuthBridge's
// and no unreachable server either: a context that ended, a lock the
// browser refused. (A call that reaches no server, or only a proxy's own
// error page, is shared.CodeUnavailable: see decode.)
const CodeNetwork shared.ErrorCode = "network"

// Error is a failed call: the status (0 when no answer came), the
// contract's error code and its message ("" when no AuthBridge answered:
// a proxy's page or the browser's reason is nothing to show a user).
type Error struct {
	Status  int
	Code    shared.ErrorCode
	Message string
	// Link, with duplicate_email from a popup, is the pending link's
	// secret: keep it in memory only, and confirm it once the user has
	// signed in with the account that owns the email.
	Link string
	// From names the sign-in that failed when it is no popup's
	// (FromGoogleButton; "": a popup's, or no sign-in), so that a Try
	// again redoes that one rather than the last popup's.
	From string
}

// FromGoogleButton is Error.From for the Google button's sign-in: its
// credential or the nonce it needs. Kit.RetryGoogle redoes it.
const FromGoogleButton = "google_button"

// fromGoogleButton is err said as the Google button's failure.
func fromGoogleButton(err error) *Error {
	e := *AsError(err)
	e.From = FromGoogleButton
	return &e
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("authbridge: %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("authbridge: %d %s: %s", e.Status, e.Code, e.Message)
}

// AsError finds the *Error in err. Anything else (a context ending, a
// bug) is reported as a network failure so the UI always has a code.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	// A type assertion, not errors.As: the client never wraps its errors,
	// and errors.As links 30 KB of reflection into app.wasm.
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Code: CodeNetwork, Message: err.Error()}
}

// unreachable is the Error of a call that got no answer at all (the
// server is down, the connection failed): the contract's unavailable, so
// an app shows the same "try again shortly" as for a 503.
func unreachable() *Error { return &Error{Code: shared.CodeUnavailable} }

// decode turns a finished call into the result: out filled on success,
// *Error otherwise. A non-JSON error body (a proxy's HTML page: nginx's
// 502 when no replica answers) keeps its status with a code that matches
// it, and no message.
func decode(status int, body []byte, out any) error {
	if status >= 200 && status < 300 {
		if out == nil || len(body) == 0 {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return &Error{Status: status, Code: shared.CodeInternal, Message: "unreadable answer: " + err.Error()}
		}
		return nil
	}
	var eb struct {
		Error shared.ErrorBody `json:"error"`
	}
	if err := json.Unmarshal(body, &eb); err == nil && eb.Error.Code != "" {
		return &Error{Status: status, Code: eb.Error.Code, Message: eb.Error.Message}
	}
	return &Error{Status: status, Code: codeForStatus(status)}
}

func codeForStatus(status int) shared.ErrorCode {
	switch {
	case status == 401:
		return shared.CodeInvalidToken
	case status == 404:
		return shared.CodeNotFound
	case status == 429:
		return shared.CodeRateLimited
	case status == 502 || status == 503 || status == 504:
		return shared.CodeUnavailable
	case status >= 500:
		return shared.CodeInternal
	default:
		return shared.CodeInvalidRequest
	}
}

func encodeBody(in any) ([]byte, error) {
	if in == nil {
		return nil, nil
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("api: encode request: %w", err)
	}
	return b, nil
}
