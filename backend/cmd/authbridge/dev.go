package main

import (
	"log/slog"
	"net/http"

	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/devidp"
	"github.com/authbridge/authbridge/backend/internal/provider"
)

// mountDevIDP mounts the development identity provider at /devidp/
// (AUTHBRIDGE_DEV=1) and answers the provider configurations pointing at
// it, leaving out ids that are configured for real.
func mountDevIDP(cfg config.Config, log *slog.Logger, mux *http.ServeMux, configured []provider.Config) ([]provider.Config, error) {
	idp, all, err := devidp.ForServer(cfg.Issuer(), nil, log)
	if err != nil {
		return nil, err
	}
	mux.Handle("/devidp/", idp.Handler())
	taken := map[string]bool{}
	for _, c := range configured {
		taken[c.ID] = true
	}
	var out []provider.Config
	for _, c := range all {
		if !taken[c.ID] {
			out = append(out, c)
		}
	}
	return out, nil
}
