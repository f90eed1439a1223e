package httpapi

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/authbridge/authbridge/backend/api"
	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers 503 while the server drains or the database is
// unreachable, so a load balancer takes the replica out first.
func handleReadyz(log *slog.Logger, svc *auth.Service, draining *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if draining.Load() {
			writeError(w, r, log, apperr.New(shared.CodeUnavailable, "The server is shutting down."))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := svc.Ready(ctx); err != nil {
			log.WarnContext(r.Context(), "readiness: database unreachable", "err", err)
			writeError(w, r, log, apperr.Wrap(shared.CodeUnavailable, "The database is unreachable.", err))
			return
		}
		encode(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// handleJWKS publishes the public keys that verify our access tokens.
// Verifiers may cache them briefly; on an unknown kid they fetch again.
func handleJWKS(log *slog.Logger, tm *token.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := tm.JWKS(r.Context())
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		// Rotation publishes keys this long before they sign (token.PrePublish).
		w.Header().Set("Cache-Control", jwksCacheControl)
		_, _ = w.Write(b)
	})
}

var jwksCacheControl = "public, max-age=" + strconv.Itoa(int(token.JWKSMaxAge/time.Second))

// handleOpenAPI serves the contract the server implements.
func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(api.OpenAPI)
	})
}
