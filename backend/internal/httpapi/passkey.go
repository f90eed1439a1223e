package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/shared"
)

// PasskeyCookie binds a passkey sign-in to the browser that asked for its
// options, as FlowCookie binds a redirect flow. Strict: the answer is a
// same-site fetch.
const PasskeyCookie = "__Host-authbridge_passkey"

// maxWebAuthnBody bounds a WebAuthn response body (credential ids, keys,
// attestation and client data, base64url).
const maxWebAuthnBody = 64 << 10

// readWebAuthn reads a WebAuthn response object for the library's parser:
// application/json, bounded, valid UTF-8 without duplicate keys (two
// parsers must not disagree on what it says).
func readWebAuthn(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := requireJSON(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebAuthnBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apperr.Wrap(shared.CodeRequestTooLarge, "The request body is too large.", err)
		}
		return nil, apperr.Wrap(shared.CodeInvalidRequest, "The request body could not be read.", err)
	}
	if err := checkStrict(body, nil); err != nil {
		return nil, apperr.Wrap(shared.CodeInvalidRequest, "The request body is not valid JSON for this endpoint: "+jsonProblem(err), err)
	}
	return body, nil
}

// passkeyCookieRequest holds a request that reads or sets the passkey
// cookie to the rule of every cookie endpoint: a JSON body (an empty one
// for the options calls) and an allowed Origin, so that no other site can
// start or finish a ceremony in the user's browser.
func passkeyCookieRequest(r *http.Request, cfg config.Config) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	if !originAllowed(r, cfg.AllowedOrigins) {
		return apperr.New(shared.CodeOriginNotAllowed, "This origin may not use passkeys here.")
	}
	return nil
}

// writeOptions answers a ceremony's options exactly as
// navigator.credentials.create or .get takes them (a publicKey member).
func writeOptions(w http.ResponseWriter, opts []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(opts)
}

// beginCeremony and finishCeremony are the two steps every sign-in
// ceremony shares (login and signup): the same cookie request check, the
// browser binding cookie, the options as the browser takes them, and the
// sign-in answer. The use case is what differs.
type beginCeremony func(w http.ResponseWriter, r *http.Request, browser string) (auth.PasskeyStarted, error)

type finishCeremony func(ctx context.Context, body []byte, browser string, m auth.Meta) (auth.SignedIn, error)

func handleCeremonyOptions(log *slog.Logger, cfg config.Config, begin beginCeremony) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := passkeyCookieRequest(r, cfg); err != nil {
			writeError(w, r, log, err)
			return
		}
		st, err := begin(w, r, passkeyBrowser(r))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		setPasskeyCookie(w, st.Browser)
		writeOptions(w, st.Options)
	})
}

func handleCeremonyFinish(log *slog.Logger, cfg config.Config, ips *clientip.Resolver, finish finishCeremony) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := passkeyCookieRequest(r, cfg); err != nil {
			writeError(w, r, log, err)
			return
		}
		body, err := readWebAuthn(w, r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		res, err := finish(r.Context(), body, passkeyBrowser(r), meta(r, ips))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		answerSignIn(w, r, cfg, res)
	})
}

// handlePasskeyLoginOptions starts a passkey sign-in; its body is empty.
func handlePasskeyLoginOptions(log *slog.Logger, cfg config.Config, svc *auth.Service) http.Handler {
	return handleCeremonyOptions(log, cfg, func(w http.ResponseWriter, r *http.Request, browser string) (auth.PasskeyStarted, error) {
		if _, err := decode[struct{}](w, r, true); err != nil {
			return auth.PasskeyStarted{}, err
		}
		return svc.BeginLogin(r.Context(), browser)
	})
}

func handlePasskeyLogin(log *slog.Logger, cfg config.Config, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return handleCeremonyFinish(log, cfg, ips, svc.FinishLogin)
}

func handlePasskeyOptions(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := svc.BeginRegistration(r.Context(), claimsFrom(r).Subject)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeOptions(w, st.Options)
	})
}

func handleAddPasskey(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readWebAuthn(w, r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		a, err := svc.FinishRegistration(r.Context(), claimsFrom(r).Subject, body)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusCreated, wireAccount(a))
	})
}

func handleRenamePasskey(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.PasskeyRenameRequest](w, r, false)
		if err == nil {
			err = svc.RenamePasskey(r.Context(), claimsFrom(r).Subject, r.PathValue("id"), req.Name)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleRemovePasskey(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.RemovePasskey(r.Context(), claimsFrom(r).Subject, r.PathValue("id")); err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// passkeyBrowser is the binding value in the passkey cookie, if any.
func passkeyBrowser(r *http.Request) string {
	if c, err := r.Cookie(PasskeyCookie); err == nil {
		return c.Value
	}
	return ""
}

func setPasskeyCookie(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: PasskeyCookie, Value: value, Path: "/", MaxAge: int(auth.PasskeyTTL / time.Second),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

// handlePasskeySignupOptions starts a passkey-only sign-up for a name.
func handlePasskeySignupOptions(log *slog.Logger, cfg config.Config, svc *auth.Service) http.Handler {
	return handleCeremonyOptions(log, cfg, func(w http.ResponseWriter, r *http.Request, browser string) (auth.PasskeyStarted, error) {
		req, err := decode[shared.PasskeySignupRequest](w, r, false)
		if err != nil {
			return auth.PasskeyStarted{}, err
		}
		return svc.BeginSignup(r.Context(), req.Name, browser)
	})
}

func handlePasskeySignup(log *slog.Logger, cfg config.Config, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return handleCeremonyFinish(log, cfg, ips, svc.FinishSignup)
}
