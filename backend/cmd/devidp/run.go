package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/authbridge/authbridge/backend/internal/devidp"
)

// run serves the devidp until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devidp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", orDefault(getenv("DEVIDP_ADDR"), ":9090"), "listen address (DEVIDP_ADDR)")
	base := fs.String("base-url", getenv("DEVIDP_BASE_URL"), "external URL (DEVIDP_BASE_URL; default http://<listen address>)")
	clientsSpec := fs.String("clients", getenv("DEVIDP_CLIENTS"), "registered clients, id:secret:redirect1|redirect2,... (DEVIDP_CLIENTS)")
	oidcAlg := fs.String("oidc-alg", orDefault(getenv("DEVIDP_OIDC_ALG"), devidp.AlgRS256),
		"ID-token algorithm of the generic OIDC issuer, RS256 or ES256; Google stays RS256 (DEVIDP_OIDC_ALG)")
	logLevel := fs.String("log-level", orDefault(getenv("DEVIDP_LOG_LEVEL"), "debug"),
		"debug (every approval and token), info, warn or error (DEVIDP_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	// Debug by default: a development tool shows every approval and token
	// it gives. A load run turns that down.
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level %q: want debug, info, warn or error", *logLevel)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	clients, errs := parseClients(*clientsSpec)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("listen on %q: %w", *addr, err))...)
	}
	listenURL := "http://" + displayAddr(ln.Addr())
	if *base == "" {
		*base = listenURL
	}
	idp, err := devidp.New(devidp.Options{BaseURL: *base, Clients: clients, Logger: log, OIDCAlg: *oidcAlg})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		ln.Close()
		return errors.Join(errs...)
	}
	if len(clients) == 0 {
		log.Warn("no client registered (DEVIDP_CLIENTS): every authorization will be refused")
	}

	mux := http.NewServeMux()
	// The handler serves the base URL's path; a root base mounts it at /.
	mux.Handle(basePath(*base)+"/", idp.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	ids := make([]string, len(clients))
	for i, c := range clients {
		ids[i] = c.ID
	}
	fmt.Fprintf(stdout, "devidp listening on %s (base URL %s; clients: %s; oidc signs %s)\n", listenURL, strings.TrimRight(*base, "/"),
		strings.Join(ids, ", "), *oidcAlg)

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// displayAddr is a listener's address as a browser would reach it:
// localhost for a wildcard address.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// basePath is the path of the base URL, without a trailing slash ("" at
// the root).
func basePath(base string) string {
	rest, ok := strings.CutPrefix(base, "http://")
	if !ok {
		rest, _ = strings.CutPrefix(base, "https://")
	}
	_, path, _ := strings.Cut(rest, "/")
	path, _, _ = strings.Cut(path, "?")
	if path = strings.TrimRight(path, "/"); path == "" {
		return ""
	}
	return "/" + path
}

// parseClients reads id:secret:redirect1|redirect2,... Redirect URIs hold
// colons, so only the first two colons split; a redirect URI with a comma
// cannot be registered this way. Every problem is reported; a secret never
// appears in an error.
func parseClients(s string) ([]devidp.Client, []error) {
	var (
		out  []devidp.Client
		errs []error
	)
	for i, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		parts := strings.SplitN(item, ":", 3)
		if len(parts) != 3 || parts[0] == "" || strings.TrimSpace(parts[2]) == "" {
			errs = append(errs, fmt.Errorf("DEVIDP_CLIENTS entry %d (client %q) must be id:secret:redirect1|redirect2", i+1, parts[0]))
			continue
		}
		var redirects []string
		for _, r := range strings.Split(parts[2], "|") {
			if r = strings.TrimSpace(r); r != "" {
				redirects = append(redirects, r)
			}
		}
		out = append(out, devidp.Client{ID: parts[0], Secret: parts[1], RedirectURIs: redirects})
	}
	return out, errs
}
