package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/shared"
)

// The pending-link routes ("proof, then link" after duplicate_email): the
// bearer token says who is signed in, the flow cookie which browser was
// refused; the link secret itself travels only in a POST body.

// flowBrowser is the browser-binding value of the flow cookie, "" without one.
func flowBrowser(r *http.Request) string {
	if c, err := r.Cookie(FlowCookie); err == nil {
		return c.Value
	}
	return ""
}

// setFlowCookie binds this browser (sign-in flows, pending links) for
// seconds more.
func setFlowCookie(w http.ResponseWriter, value string, seconds int) {
	http.SetCookie(w, &http.Cookie{
		Name: FlowCookie, Value: value, Path: "/", MaxAge: seconds,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// errCookieOrigin refuses a cookie-reading write from a foreign origin.
func errCookieOrigin() error {
	return apperr.New(shared.CodeOriginNotAllowed, "This origin may not use the sign-in cookie.")
}

func handlePendingLink(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, err := svc.PendingLinkFor(r.Context(), flowBrowser(r))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusOK, shared.PendingLinkResponse{Provider: l.Provider, ProviderName: l.ProviderName, Email: l.Email, ExpiresAt: l.ExpiresAt})
	})
}

func handleConfirmPendingLink(log *slog.Logger, cfg config.Config, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.PendingLinkRequest](w, r, false)
		if err == nil && !originAllowed(r, cfg.AllowedOrigins) {
			err = errCookieOrigin()
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		a, err := svc.ConfirmPendingLink(r.Context(), claimsFrom(r).Subject, req.Link, flowBrowser(r), meta(r, ips))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, wireAccount(a))
	})
}

func handleDiscardPendingLink(log *slog.Logger, cfg config.Config, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !originAllowed(r, cfg.AllowedOrigins) {
			writeError(w, r, log, errCookieOrigin())
			return
		}
		if err := svc.DiscardPendingLinks(r.Context(), flowBrowser(r)); err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
