package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// activeUser loads the caller; a deleted or disabled user is refused even
// while their access token has not expired.
func activeUser(r *http.Request, st *store.Store) (store.User, error) {
	u, err := st.GetUser(r.Context(), claimsFrom(r).Subject)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, apperr.Wrap(shared.CodeInvalidToken, "This account no longer exists.", err)
	}
	if err != nil {
		return store.User{}, err
	}
	if u.DisabledAt != nil {
		return store.User{}, apperr.New(shared.CodeAccessDenied, "This account is disabled.")
	}
	return u, nil
}

func handleMe(log *slog.Logger, st *store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := activeUser(r, st)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, auth.ToUser(u))
	})
}

func handleSessions(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := claimsFrom(r)
		fams, err := svc.List(r.Context(), c.Subject)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		out := shared.ListResponse[shared.Session]{Items: make([]shared.Session, 0, len(fams))}
		for _, f := range fams {
			out.Items = append(out.Items, shared.Session{
				ID:        f.ID,
				Current:   f.ID == c.SessionID,
				UserAgent: f.UserAgent,
				IP:        f.IP,
				Provider:  f.Provider,
				CreatedAt: f.CreatedAt,
				LastUsed:  f.LastUsedAt,
				ExpiresAt: f.ExpiresAt,
			})
		}
		encode(w, http.StatusOK, out)
	})
}

func handleRevokeSession(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if len(id) == 0 || len(id) > 64 {
			writeError(w, r, log, apperr.New(shared.CodeNotFound, "No such session."))
			return
		}
		if err := svc.Revoke(r.Context(), claimsFrom(r).Subject, id); err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleLogins(log *slog.Logger, st *store.Store) http.Handler {
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
		evs, err := st.ListLoginEvents(r.Context(), claimsFrom(r).Subject, limit)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		out := shared.ListResponse[shared.LoginEvent]{Items: make([]shared.LoginEvent, 0, len(evs))}
		for _, e := range evs {
			out.Items = append(out.Items, shared.LoginEvent{
				ID:        e.ID,
				Time:      e.CreatedAt,
				Provider:  e.Provider,
				Outcome:   e.Outcome,
				ErrorCode: shared.ErrorCode(e.ErrorCode),
				IP:        e.IP,
				UserAgent: e.UserAgent,
			})
		}
		encode(w, http.StatusOK, out)
	})
}
