package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/metrics"
	"github.com/authbridge/authbridge/backend/internal/webapp"
)

// withDashboard answers the handler for "/": the API server alone, or, with
// AUTHBRIDGE_WEB_DIR, the API server for the backend's paths and the
// dashboard's static build for every other path (what nginx does in
// production, for running without it).
func withDashboard(cfg config.Config, log *slog.Logger, m *metrics.Metrics, api http.Handler) (http.Handler, error) {
	if cfg.WebDir == "" {
		return api, nil
	}
	site, err := webapp.Handler(cfg.WebDir, webapp.Options{Log: log})
	if err != nil {
		return nil, fmt.Errorf("AUTHBRIDGE_WEB_DIR: %w", err)
	}
	log.Info("serving the dashboard", "dir", cfg.WebDir)
	return splitBackend(api, m.Middleware("dashboard", site)), nil
}

// splitBackend sends the backend's paths to api, everything else to site.
// Unknown /api paths thus keep the API's JSON 404, never index.html.
func splitBackend(api, site http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if backendPath(r.URL.Path) {
			api.ServeHTTP(w, r)
			return
		}
		site.ServeHTTP(w, r)
	})
}

// backendPath reports whether the backend answers p: the API, the key set
// and discovery, health, metrics, and the development identity provider
// (mounted on its own when AUTHBRIDGE_DEV=1; otherwise the API's 404).
func backendPath(p string) bool {
	switch p {
	case "/api", "/healthz", "/readyz", "/metrics", "/devidp":
		return true
	}
	for _, prefix := range []string{"/api/", "/.well-known/", "/devidp/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}
