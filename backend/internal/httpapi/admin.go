package httpapi

// The admin API under /api/admin/ (issue #15) and the caller's own
// deletion and export. Every admin route passes requireBearer, then
// requireAdmin; the use cases and their rules are auth's (auth.Admin).

import (
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/shared"
)

// requireAdmin lets through an administrator whose session's sign-in is
// recent (auth.RequireAdmin): anyone else gets 403 forbidden, a stale
// sign-in 403 reauth_required. It runs after requireBearer.
func requireAdmin(log *slog.Logger, svc *auth.Service) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := claimsFrom(r)
			if err := svc.RequireAdmin(r.Context(), c.Subject, c.AuthTime); err != nil {
				writeError(w, r, log, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// actor is the administrator behind a request, and from where.
func actor(r *http.Request, ips *clientip.Resolver) auth.Actor {
	return auth.Actor{ID: claimsFrom(r).Subject, IP: ips.ClientIP(r)}
}

// idRE: user ids as the store makes them (and a little room); anything
// else names no user, and never reaches a query.
var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// pathUser answers the {id} of the path, or not_found.
func pathUser(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		return "", apperr.New(shared.CodeNotFound, "There is no such user.")
	}
	return id, nil
}

// intParam reads a whole-number query parameter in lo..hi; def when absent.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, apperr.New(shared.CodeInvalidRequest, name+" must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+".")
	}
	return n, nil
}

// actionBody reads an admin action's optional body ({reason}); a request
// without a body and without a Content-Type (a plain DELETE) has none.
func actionBody(w http.ResponseWriter, r *http.Request) (shared.AdminActionRequest, error) {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return shared.AdminActionRequest{}, nil
	}
	return decode[shared.AdminActionRequest](w, r, true)
}

func handleAdminUsers(log *slog.Logger, adm *auth.Admin) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := auth.UserQuery{Query: r.URL.Query().Get("query")}
		switch r.URL.Query().Get("disabled") {
		case "", "false", "0":
		case "true", "1":
			q.DisabledOnly = true
		default:
			writeError(w, r, log, apperr.New(shared.CodeInvalidRequest, "disabled must be true or false."))
			return
		}
		var err error
		if q.Page, err = intParam(r, "page", 1, 1, 1_000_000); err == nil {
			q.Limit, err = intParam(r, "limit", 50, 1, 200)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		page, err := adm.ListUsers(r.Context(), q)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		out := shared.AdminUserPage{Items: make([]shared.AdminUser, 0, len(page.Users)), Total: page.Total, Page: page.Page, Limit: page.Limit}
		for _, u := range page.Users {
			out.Items = append(out.Items, wireAdminUser(u))
		}
		encode(w, http.StatusOK, out)
	})
}

func handleAdminUser(log *slog.Logger, adm *auth.Admin) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathUser(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		d, err := adm.UserDetail(r.Context(), id)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, shared.AdminUserDetail{
			User:       wireAdminUser(d.User),
			Admin:      d.Admin,
			Identities: wireList(d.Identities, wireAccount).Items,
			Sessions:   wireList(d.Sessions, wireSession).Items,
			Logins:     wireList(d.Logins, wireLoginEvent).Items,
		})
	})
}

// adminAction is the shape of the four admin actions on one user: read
// {id} and the reason, act as the caller, answer the sessions ended (or
// 204 when the action ends none).
func adminAction(log *slog.Logger, ips *clientip.Resolver, act func(r *http.Request, a auth.Actor, id, reason string) (int, bool, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathUser(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		body, err := actionBody(w, r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		n, counted, err := act(r, actor(r, ips), id, body.Reason)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if !counted {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		encode(w, http.StatusOK, shared.AdminActionResponse{SessionsRevoked: n})
	})
}

func handleAdminDisable(log *slog.Logger, adm *auth.Admin, ips *clientip.Resolver) http.Handler {
	return adminAction(log, ips, func(r *http.Request, a auth.Actor, id, reason string) (int, bool, error) {
		n, err := adm.Disable(r.Context(), a, id, reason)
		return n, true, err
	})
}

func handleAdminEnable(log *slog.Logger, adm *auth.Admin, ips *clientip.Resolver) http.Handler {
	return adminAction(log, ips, func(r *http.Request, a auth.Actor, id, reason string) (int, bool, error) {
		return 0, false, adm.Enable(r.Context(), a, id, reason)
	})
}

func handleAdminRevokeSessions(log *slog.Logger, adm *auth.Admin, ips *clientip.Resolver) http.Handler {
	return adminAction(log, ips, func(r *http.Request, a auth.Actor, id, reason string) (int, bool, error) {
		n, err := adm.RevokeSessions(r.Context(), a, id, reason)
		return n, true, err
	})
}

func handleAdminDelete(log *slog.Logger, adm *auth.Admin, ips *clientip.Resolver) http.Handler {
	return adminAction(log, ips, func(r *http.Request, a auth.Actor, id, reason string) (int, bool, error) {
		return 0, false, adm.Delete(r.Context(), a, id, reason)
	})
}

func handleAdminLogins(log *slog.Logger, adm *auth.Admin) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathUser(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		limit, err := intParam(r, "limit", 50, 1, 100)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		evs, err := adm.Logins(r.Context(), id, limit)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, wireList(evs, wireLoginEvent))
	})
}

func handleAdminEvents(log *slog.Logger, adm *auth.Admin) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := auth.EventQuery{UserID: r.URL.Query().Get("user")}
		if q.UserID != "" && !idRE.MatchString(q.UserID) {
			writeError(w, r, log, apperr.New(shared.CodeInvalidRequest, "user must be a user id."))
			return
		}
		if v := r.URL.Query().Get("since"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(w, r, log, apperr.New(shared.CodeInvalidRequest, "since must be an RFC 3339 time such as 2026-11-30T00:00:00Z."))
				return
			}
			q.Since = t
		}
		var err error
		if q.Limit, err = intParam(r, "limit", 100, 1, 1000); err != nil {
			writeError(w, r, log, err)
			return
		}
		evs, err := adm.Events(r.Context(), q)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, wireList(evs, wireAuditEvent))
	})
}

func handleAdminProviders(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps, err := svc.ProviderStatus(r.Context())
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, wireList(ps, func(p auth.ProviderStatus) shared.ProviderStatus {
			return shared.ProviderStatus{ID: p.ID, Name: p.Name, Kind: p.Kind, Available: p.Available, Orphans: p.Orphans}
		}))
	})
}

// handleDeleteMe deletes the caller's account (auth.DeleteSelf: a recent
// sign-in, the last-admin rule) and clears the refresh cookie.
func handleDeleteMe(log *slog.Logger, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := claimsFrom(r)
		if err := svc.DeleteSelf(r.Context(), c.Subject, c.AuthTime, ips.ClientIP(r)); err != nil {
			writeError(w, r, log, err)
			return
		}
		clearRefreshCookie(w)
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleExport answers the caller's data as a JSON download.
func handleExport(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := claimsFrom(r)
		e, err := svc.Export(r.Context(), c.Subject, c.SessionID)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="authbridge-export.json"`)
		encode(w, http.StatusOK, shared.AccountExport{
			ExportedAt: e.ExportedAt,
			User:       wireUser(e.User),
			Identities: wireList(e.Identities, wireAccount).Items,
			Sessions:   wireList(e.Sessions, wireSession).Items,
			Logins:     wireList(e.Logins, wireLoginEvent).Items,
		})
	})
}
