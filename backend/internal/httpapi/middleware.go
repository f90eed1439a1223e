package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/metrics"
	"github.com/authbridge/authbridge/backend/internal/ratelimit"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// maxBearer caps the Authorization header before any parsing.
const maxBearer = 8 << 10

// requireBearer checks the access token of Authorization: Bearer, asks
// auth for its user (a deleted or disabled user is refused here, for every
// authenticated route, even while the token has not expired) and puts the
// claims and the user in the request context. Tokens are read from that
// header only, never from the query string or a cookie.
func requireBearer(log *slog.Logger, tm *token.Manager, svc *auth.Service) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			scheme, raw, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="authbridge"`)
				writeError(w, r, log, apperr.New(shared.CodeInvalidToken, "Sign in first: this call needs an access token in the Authorization header."))
				return
			}
			if len(raw) > maxBearer {
				writeError(w, r, log, apperr.New(shared.CodeInvalidToken, "The access token is not valid."))
				return
			}
			claims, err := tm.Verify(r.Context(), raw)
			if err != nil {
				writeError(w, r, log, err)
				return
			}
			u, err := svc.ActiveUser(r.Context(), claims.Subject)
			if err != nil {
				writeError(w, r, log, err)
				return
			}
			ctx := withValue(r.Context(), claimsKey, claims)
			next.ServeHTTP(w, r.WithContext(withValue(ctx, userKey, u)))
		})
	}
}

// claimsFrom returns the verified claims requireBearer stored.
func claimsFrom(r *http.Request) shared.AccessClaims {
	c, _ := r.Context().Value(claimsKey).(shared.AccessClaims)
	return c
}

// userFrom returns the active user requireBearer loaded.
func userFrom(r *http.Request) auth.User {
	u, _ := r.Context().Value(userKey).(auth.User)
	return u
}

// byIP keys a limit by group and client IP.
func byIP(ips *clientip.Resolver, group string) func(*http.Request) string {
	return func(r *http.Request) string { return group + "|ip|" + ips.ClientIP(r) }
}

// byUser keys a limit by group and the signed-in user (after requireBearer).
func byUser(group string) func(*http.Request) string {
	return func(r *http.Request) string { return group + "|user|" + claimsFrom(r).Subject }
}

// rateLimit answers 429 with Retry-After once a key exceeds its budget.
func rateLimit(l *ratelimit.Limiter, key func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, retry := l.Allow(key(r))
		if !ok {
			secs := int((retry + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			encode(w, http.StatusTooManyRequests, shared.ErrorEnvelope{Error: shared.ErrorBody{
				Code: shared.CodeRateLimited, Message: "Too many requests. Wait a moment and try again.",
			}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed reports whether the request's Origin is one we serve. Calls
// that read or set cookies require it (CSRF defence on top of SameSite).
func originAllowed(r *http.Request, allowed []string) bool {
	o := strings.ToLower(r.Header.Get("Origin"))
	if o == "" || o == "null" {
		return false
	}
	for _, a := range allowed {
		if o == a {
			return true
		}
	}
	return false
}

// apiHeaders sets the headers every API answer carries: answers hold tokens
// or personal data, so nothing is cached or sniffed.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// accessLog logs one line per request: the route pattern, never the raw
// query (it may hold codes or state), nor any header value.
func accessLog(log *slog.Logger) metrics.Observer {
	return func(r *http.Request, route string, status int, took time.Duration) {
		log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", took))
	}
}

// recoverPanics turns a panic into a 500 with the contract's envelope.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic in handler", "path", r.URL.Path, "panic", v)
				writeError(w, r, log, apperr.New(shared.CodeInternal, "Something went wrong on our side. Try again."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// handleUnmatched answers paths outside the contract with the JSON envelope:
// 405 with Allow when the path exists for other methods, else 404.
func handleUnmatched(mux *http.ServeMux) http.Handler {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			if m == r.Method {
				continue
			}
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			encode(w, http.StatusMethodNotAllowed, shared.ErrorEnvelope{Error: shared.ErrorBody{
				Code: shared.CodeMethodNotAllowed, Message: "This path does not accept " + r.Method + ".",
			}})
			return
		}
		encode(w, http.StatusNotFound, shared.ErrorEnvelope{Error: shared.ErrorBody{
			Code: shared.CodeNotFound, Message: "No such endpoint.",
		}})
	})
}
