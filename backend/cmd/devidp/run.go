package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/authbridge/authbridge/backend/internal/devidp"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	addr := getenv("DEVIDP_ADDR")
	if addr == "" {
		addr = ":9090"
	}
	base := getenv("DEVIDP_BASE_URL")
	if base == "" {
		base = "http://localhost:9090"
	}
	clients, err := parseClients(getenv("DEVIDP_CLIENTS"))
	if err != nil {
		return err
	}
	idp, err := devidp.New(devidp.Options{BaseURL: base, Clients: clients, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: idp.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "devidp listening on http://%s (base URL %s)\n", ln.Addr(), base)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// parseClients reads id:secret:redirect1|redirect2,... ; redirect URIs
// contain colons, so only the first two colons split.
func parseClients(s string) ([]devidp.Client, error) {
	var out []devidp.Client
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		parts := strings.SplitN(item, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
			return nil, fmt.Errorf("DEVIDP_CLIENTS: %q must be id:secret:redirect1|redirect2", parts[0])
		}
		out = append(out, devidp.Client{ID: parts[0], Secret: parts[1], RedirectURIs: strings.Split(parts[2], "|")})
	}
	return out, nil
}
