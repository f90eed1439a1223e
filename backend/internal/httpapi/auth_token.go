package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/metrics"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// RefreshCookie holds the refresh token in browsers: HttpOnly, so page
// scripts never see it; __Host- so it is Secure, host-only and Path=/.
const RefreshCookie = "__Host-authbridge_refresh"

func setRefreshCookie(w http.ResponseWriter, value string, expires time.Time, now time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     RefreshCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   max(int(expires.Sub(now)/time.Second), 1),
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
}

func clearRefreshCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: RefreshCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

// handleRefresh rotates a refresh token taken from the body or, for
// browsers, from the HttpOnly cookie. Cookie in, cookie out: a browser never
// sees the refresh token in a body.
func handleRefresh(log *slog.Logger, cfg config.Config, svc *auth.Service, m *metrics.Metrics, ips *clientip.Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.RefreshRequest](w, r, true)
		if err != nil {
			m.Refresh(string(apperr.CodeOf(err)))
			writeError(w, r, log, err)
			return
		}
		raw, fromCookie := req.RefreshToken, false
		if raw == "" {
			c, err := r.Cookie(RefreshCookie)
			if err != nil || c.Value == "" {
				m.Refresh(string(shared.CodeInvalidToken))
				writeError(w, r, log, apperr.New(shared.CodeInvalidToken, "Not signed in: no refresh token in the body or the session cookie."))
				return
			}
			if !originAllowed(r, cfg.AllowedOrigins) {
				m.Refresh(string(shared.CodeOriginNotAllowed))
				writeError(w, r, log, apperr.New(shared.CodeOriginNotAllowed, "This origin may not use the session cookie."))
				return
			}
			raw, fromCookie = c.Value, true
		}
		res, err := svc.Refresh(r.Context(), raw, auth.Meta{IP: ips.ClientIP(r), UserAgent: r.UserAgent()})
		if err != nil {
			code := apperr.CodeOf(err)
			m.Refresh(string(code))
			if fromCookie && code != shared.CodeInternal && code != shared.CodeUnavailable {
				clearRefreshCookie(w)
			}
			writeError(w, r, log, err)
			return
		}
		m.Refresh("success")
		if fromCookie {
			setRefreshCookie(w, res.Pair.RefreshToken, res.Session.ExpiresAt, svc.Now())
			res.Pair.RefreshToken = ""
		}
		encode(w, http.StatusOK, shared.RefreshResponse{TokenPair: wirePair(res.Pair), User: wireUser(res.User)})
	})
}

// handleVerify tells a service whether an access token is valid.
func handleVerify(log *slog.Logger, tm *token.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.VerifyRequest](w, r, false)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if req.Token == "" {
			writeError(w, r, log, apperr.New(shared.CodeInvalidRequest, "Send the access token as {\"token\": \"...\"}."))
			return
		}
		claims, err := tm.Verify(r.Context(), req.Token)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, shared.VerifyResponse{Active: true, Claims: claims})
	})
}

// handleLogout ends the caller's session (or, with all, every session of the
// user) and clears the refresh cookie. The access token itself stays valid
// until its exp: it is short-lived by design.
func handleLogout(log *slog.Logger, cfg config.Config, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.LogoutRequest](w, r, true)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		_, cookieErr := r.Cookie(RefreshCookie)
		hasCookie := !errors.Is(cookieErr, http.ErrNoCookie)
		if hasCookie && !originAllowed(r, cfg.AllowedOrigins) {
			writeError(w, r, log, apperr.New(shared.CodeOriginNotAllowed, "This origin may not use the session cookie."))
			return
		}
		c := claimsFrom(r)
		if err := svc.Logout(r.Context(), c.Subject, c.SessionID, req.All); err != nil {
			writeError(w, r, log, err)
			return
		}
		if hasCookie {
			clearRefreshCookie(w)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
