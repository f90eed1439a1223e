package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/authbridge/authbridge/backend/internal/account"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/geoip"
	"github.com/authbridge/authbridge/backend/internal/httpapi"
	"github.com/authbridge/authbridge/backend/internal/loglimit"
	"github.com/authbridge/authbridge/backend/internal/metrics"
	"github.com/authbridge/authbridge/backend/internal/provider"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/token"
)

// run is the whole program; main only wires it to the process. Tests call it
// with their own environment and writers.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	if operatorCommands[cmd] {
		return operate(ctx, args, getenv, os.Stdin, stdout, stderr)
	}
	if cmd != "serve" && cmd != "rotate-keys" {
		return &exitError{code: exitUsage, err: fmt.Errorf("unknown command %q (want serve, rotate-keys, users, admin, events or providers)", cmd)}
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	st, tm, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	if cmd == "rotate-keys" {
		kid, signsFrom, err := tm.Rotate(ctx)
		if err != nil {
			return fmt.Errorf("rotate keys: %w", err)
		}
		fmt.Fprintf(stdout, "new signing key %s is published now and signs from %s; the current key signs until then and stays published until the tokens it signed have expired\n",
			kid, signsFrom.UTC().Format(time.RFC3339))
		return nil
	}
	return serve(ctx, cfg, log, st, tm, stdout)
}

// openStore opens the database and the signing keys kept in it. On an
// error nothing is left open.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, *token.Manager, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	tm, err := token.New(ctx, st, token.Options{
		Issuer:       cfg.Issuer(),
		Audience:     cfg.Audience(),
		TTL:          cfg.AccessTTL,
		Alg:          cfg.SigningAlg,
		SecretKey:    cfg.SecretKey,
		StaticKeyPEM: cfg.SigningKeyPEM,
		Logger:       log,
	})
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("signing keys: %w", err)
	}
	return st, tm, nil
}

// serve answers HTTP until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, tm *token.Manager, stdout io.Writer) error {
	ips, err := clientip.Parse(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("AUTHBRIDGE_TRUSTED_PROXIES: %w", err)
	}
	m := newMetrics(st)
	mux := http.NewServeMux()
	// Checked by config already; opened once for the process's life.
	var places *geoip.DB
	if cfg.GeoIPFile != "" {
		if places, err = geoip.Open(cfg.GeoIPFile); err != nil {
			return fmt.Errorf("AUTHBRIDGE_GEOIP_FILE: %w", err)
		}
		defer places.Close()
	}
	svc, err := newAuthService(ctx, cfg, log, st, tm, m, mux, places)
	if err != nil {
		return err
	}
	draining := new(atomic.Bool)
	root, err := newHandler(cfg, log, tm, svc, m, ips, draining)
	if err != nil {
		return err
	}
	mux.Handle("/", root)
	go housekeeping(ctx, log, st, store.Retention{LoginHistory: cfg.LoginHistoryRetention, SessionIdle: cfg.RefreshIdleTTL})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	closeSide, err := listenSide(cfg, log, m)
	if err != nil {
		ln.Close()
		return err
	}
	defer closeSide()
	srv := newHTTPServer(mux, log)
	log.Info("authbridge started", "addr", ln.Addr().String(), "public_url", cfg.PublicURL.String(),
		"database", st.Dialect(), "dev", cfg.Dev)
	fmt.Fprintf(stdout, "authbridge listening on http://%s\n", ln.Addr())

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return shutdown(ctx, cfg, log, srv, serveErr, draining)
}

// newMetrics is the process's metrics, with the store's counters.
func newMetrics(st *store.Store) *metrics.Metrics {
	m := metrics.New()
	m.CounterFunc("authbridge_store_retries_total",
		"Database transactions run again after a deadlock, a lock wait timeout, a busy database or a unique-key race.", st.Retries)
	m.CounterFunc("authbridge_store_group_commits_total",
		"Batches of writes committed together (group commit: every write on SQLite).",
		func() int64 { b, _ := st.GroupCommits(); return b })
	m.CounterFunc("authbridge_store_group_commit_jobs_total",
		"Writes (rotations, transactions, statements) those batches held.",
		func() int64 { _, j := st.GroupCommits(); return j })
	return m
}

// newAuthService builds the sign-in providers (in dev mode with the
// development identity provider, mounted on mux) and the auth service.
func newAuthService(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, tm *token.Manager, m *metrics.Metrics, mux *http.ServeMux, places *geoip.DB) (*auth.Service, error) {
	pcfgs := cfg.Providers
	if cfg.Dev {
		dev, err := mountDevIDP(cfg, log, mux, pcfgs)
		if err != nil {
			return nil, fmt.Errorf("development identity provider: %w", err)
		}
		pcfgs = append(pcfgs, dev...)
		log.Warn("development mode: the development identity provider is mounted at /devidp/ and lets anyone sign in as anyone; never use this mode in production",
			"public_url", cfg.PublicURL.String())
	}
	providers := provider.NewSet(ctx, log, provider.Factories(), pcfgs)
	return auth.New(st, tm, providers, m, auth.Options{
		RefreshTTL:    cfg.RefreshTTL,
		IdleTTL:       cfg.RefreshIdleTTL,
		Grace:         cfg.RefreshGrace,
		SecretKey:     cfg.SecretKey,
		PublicURL:     cfg.PublicURL.String(),
		Allowlist:     account.Allowlist(cfg.AllowedEmailDomains),
		EmailConflict: cfg.EmailConflict,
		CodeRedirects: cfg.CodeRedirectURIs,
		AdminEmails:   cfg.AdminEmails,
		AdminReauth:   cfg.AdminReauth,
		// Passkeys: the relying party is the frontend origin's host.
		FrontendOrigin: cfg.FrontendOrigin,
		PasskeySignup:  cfg.PasskeySignup,
		Places:         places,
		// Flipped so that the zero value fails closed.
		CredentialNonceOptional: !cfg.GoogleRequireNonce,
		Logger:                  log,
	})
}

// newHandler is the API, with the dashboard when AUTHBRIDGE_WEB_DIR is set.
func newHandler(cfg config.Config, log *slog.Logger, tm *token.Manager, svc *auth.Service, m *metrics.Metrics, ips *clientip.Resolver, draining *atomic.Bool) (http.Handler, error) {
	api := httpapi.NewServer(httpapi.Deps{
		Log:      log,
		Config:   cfg,
		Tokens:   tm,
		Auth:     svc,
		Metrics:  m,
		IPs:      ips,
		Draining: draining,
	})
	return withDashboard(cfg, log, m, api)
}

// listenSide starts the listeners of their own, the profiler's and the
// metrics', when configured. close stops them.
func listenSide(cfg config.Config, log *slog.Logger, m *metrics.Metrics) (close func(), err error) {
	var servers []*http.Server
	close = func() {
		for _, s := range servers {
			s.Close()
		}
	}
	side := []struct {
		what, started, addr string
		handler             func() http.Handler
	}{
		{"pprof", "profiler listening", cfg.PprofAddr, httpapi.DebugHandler},
		{"metrics", "metrics listening", cfg.MetricsAddr, func() http.Handler { return httpapi.MetricsHandler(m) }},
	}
	for _, s := range side {
		if s.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			close()
			return nil, fmt.Errorf("listen (%s): %w", s.what, err)
		}
		srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		servers = append(servers, srv)
		log.Info(s.started, "addr", ln.Addr().String())
	}
	return close, nil
}

// newHTTPServer is the main listener's server, with its timeouts and limits.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// shutdown fails readiness first, gives load balancers a moment to notice,
// then lets in-flight requests finish. serveErr is srv.Serve's answer.
func shutdown(ctx context.Context, cfg config.Config, log *slog.Logger, srv *http.Server, serveErr <-chan error, draining *atomic.Bool) error {
	draining.Store(true)
	log.Info("shutting down", "drain_delay", cfg.ShutdownDelay, "timeout", cfg.ShutdownTimeout)
	time.Sleep(cfg.ShutdownDelay)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// housekeeping deletes expired single-use rows, ended and idle sessions and
// login history past its retention, hourly.
func housekeeping(ctx context.Context, log *slog.Logger, st *store.Store, r store.Retention) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := st.DeleteExpired(ctx, time.Now())
			if err == nil {
				var m int64
				m, err = st.DeleteRetained(ctx, time.Now(), r)
				n += m
			}
			if err != nil {
				log.Warn("housekeeping failed", "err", err)
			} else if n > 0 {
				log.Info("housekeeping", "deleted_rows", n)
			}
		}
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	// An outage fails every request alike: about one ERROR line a second
	// per message, each carrying how many it stands for.
	return slog.New(loglimit.New(h, loglimit.Options{}))
}
