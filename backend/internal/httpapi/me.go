package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/shared"
)

// handleMe answers the caller, whom requireBearer has already loaded (and
// refused if deleted or disabled), with the roles of their access token.
func handleMe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := wireUser(userFrom(r))
		u.Roles = claimsFrom(r).Roles
		encode(w, http.StatusOK, u)
	})
}

func handleSessions(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := claimsFrom(r)
		ss, err := svc.Sessions(r.Context(), c.Subject, c.SessionID)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, wireList(ss, wireSession))
	})
}

func handleRevokeSession(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.RevokeSession(r.Context(), claimsFrom(r).Subject, r.PathValue("id")); err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleLogins(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := 50
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				writeError(w, r, log, apperr.New(shared.CodeInvalidRequest, "limit must be a whole number from 1 to 100."))
				return
			}
			limit = n
		}
		evs, err := svc.Logins(r.Context(), claimsFrom(r).Subject, limit)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, wireList(evs, wireLoginEvent))
	})
}
