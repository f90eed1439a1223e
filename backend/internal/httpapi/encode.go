package httpapi

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/shared"
)

// maxAuthBody caps every JSON request body.
const maxAuthBody = 16 << 10

// statusOf is the one code → status map.
var statusOf = map[shared.ErrorCode]int{
	shared.CodeInvalidRequest:        http.StatusBadRequest,
	shared.CodeInvalidCredential:     http.StatusUnauthorized,
	shared.CodeInvalidState:          http.StatusBadRequest,
	shared.CodeAccessDenied:          http.StatusForbidden,
	shared.CodeProviderError:         http.StatusBadGateway,
	shared.CodeProviderUnavailable:   http.StatusServiceUnavailable,
	shared.CodeDuplicateEmail:        http.StatusConflict,
	shared.CodeEmailNotVerified:      http.StatusForbidden,
	shared.CodeEmailDomainNotAllowed: http.StatusForbidden,
	shared.CodeAlreadyConnectedSelf:  http.StatusConflict,
	shared.CodeAlreadyConnectedOther: http.StatusConflict,
	shared.CodeConnectRequiresLogin:  http.StatusUnauthorized,
	shared.CodeLastLoginMethod:       http.StatusConflict,
	shared.CodeInvalidToken:          http.StatusUnauthorized,
	shared.CodeTokenExpired:          http.StatusUnauthorized,
	shared.CodeTokenReused:           http.StatusUnauthorized,
	shared.CodeNotFound:              http.StatusNotFound,
	shared.CodeMethodNotAllowed:      http.StatusMethodNotAllowed,
	shared.CodeUnsupportedMediaType:  http.StatusUnsupportedMediaType,
	shared.CodeRequestTooLarge:       http.StatusRequestEntityTooLarge,
	shared.CodeOriginNotAllowed:      http.StatusForbidden,
	shared.CodeRateLimited:           http.StatusTooManyRequests,
	shared.CodeUnavailable:           http.StatusServiceUnavailable,
	shared.CodeInternal:              http.StatusInternalServerError,
	shared.CodeAccountDisabled:       http.StatusForbidden,
	shared.CodeLastAdmin:             http.StatusConflict,
	shared.CodeForbidden:             http.StatusForbidden,
	shared.CodeReauthRequired:        http.StatusForbidden,
	shared.CodeCannotDisableSelf:     http.StatusConflict,

	// Passkeys.
	shared.CodePasskeyNotRecognised:   http.StatusUnauthorized,
	shared.CodePasskeyCeremonyExpired: http.StatusBadRequest,
	shared.CodePasskeyInvalid:         http.StatusBadRequest,
	shared.CodePasskeyCloned:          http.StatusForbidden,

	// Pending links.
	shared.CodeLinkExpired:  http.StatusGone,
	shared.CodeLinkNotYours: http.StatusForbidden,
}

// encode writes v as JSON with status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers err with its code and message; see publicError.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := publicError(r, log, err)
	status, known := statusOf[e.Code]
	if !known {
		status = http.StatusInternalServerError
	}
	if e.Code == shared.CodeUnavailable {
		w.Header().Set("Retry-After", retryAfterUnavailable)
	}
	if status == http.StatusUnauthorized && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	encode(w, status, shared.ErrorEnvelope{Error: shared.ErrorBody{Code: e.Code, Message: e.Message}})
}

// retryAfterUnavailable is the Retry-After (seconds) of an outage answer.
const retryAfterUnavailable = "5"

// publicError is what a client is told about err, for JSON answers and
// handoff pages alike. Errors without a code are internal: logged with
// their cause, answered with a generic message; a database that cannot be
// reached is unavailable. (The process logger bounds repeated ERROR lines,
// so an outage logs about one line a second, not one per request.)
func publicError(r *http.Request, log *slog.Logger, err error) *apperr.Error {
	e, ok := apperr.As(err)
	switch {
	case !ok && (errors.Is(err, context.Canceled) || errors.Is(err, sql.ErrTxDone)) && r.Context().Err() != nil:
		// The client went away (a closed tab, the end of a load run): the
		// work was abandoned, nothing went wrong here. (database/sql rolls
		// a transaction back when its context ends, and the commit then
		// reports ErrTxDone.)
		log.DebugContext(r.Context(), "request abandoned by the client", "method", r.Method, "path", r.URL.Path, "err", err)
		return apperr.New(shared.CodeInternal, "The request was cancelled.")
	case !ok && auth.IsUnavailable(err):
		log.ErrorContext(r.Context(), "database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		return apperr.New(shared.CodeUnavailable, "The service is briefly unavailable. Try again shortly.")
	case !ok:
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		return apperr.New(shared.CodeInternal, "Something went wrong on our side. Try again.")
	case e.Err != nil:
		log.DebugContext(r.Context(), "request failed", "code", e.Code, "err", e.Err)
	}
	return e
}

// decode reads exactly one JSON object of type T: application/json only,
// at most maxAuthBody bytes of valid UTF-8, members named exactly as T's
// fields, no duplicate keys, nothing after the object. With optional, an
// empty body decodes as the zero value.
func decode[T any](w http.ResponseWriter, r *http.Request, optional bool) (T, error) {
	var v T
	if err := requireJSON(r); err != nil {
		return v, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAuthBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return v, apperr.Wrap(shared.CodeRequestTooLarge, "The request body is too large.", err)
		}
		return v, apperr.Wrap(shared.CodeInvalidRequest, "The request body could not be read.", err)
	}
	return decodeBody[T](body, optional)
}

// decodeBody is decode once the body is read.
func decodeBody[T any](body []byte, optional bool) (T, error) {
	var v T
	if len(bytes.TrimLeft(body, " \t\r\n")) == 0 {
		if optional {
			return v, nil
		}
		return v, apperr.New(shared.CodeInvalidRequest, "The request body is empty; a JSON object is required.")
	}
	if err := checkStrict(body, jsonFields(reflect.TypeFor[T]())); err != nil {
		return v, apperr.Wrap(shared.CodeInvalidRequest, "The request body is not valid JSON for this endpoint: "+jsonProblem(err), err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, apperr.Wrap(shared.CodeInvalidRequest, "The request body is not valid JSON for this endpoint: "+jsonProblem(err), err)
	}
	return v, nil
}

// requireJSON refuses bodies that are not application/json. Browsers cannot
// send that type cross-site without a CORS preflight, which is part of our
// CSRF defence on cookie endpoints.
func requireJSON(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apperr.New(shared.CodeUnsupportedMediaType, "Send the request body as application/json.")
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var strict *errStrict
	switch {
	case errors.As(err, &strict):
		return strict.problem
	case errors.As(err, &syn):
		return "malformed JSON"
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	default:
		return "malformed JSON"
	}
}
