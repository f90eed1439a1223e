package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/authbridge/authbridge/backend/internal/account"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
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
	if cmd != "serve" && cmd != "rotate-keys" {
		return fmt.Errorf("unknown command %q (want serve or rotate-keys)", cmd)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()

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
		return fmt.Errorf("signing keys: %w", err)
	}

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

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, tm *token.Manager, stdout io.Writer) error {
	ips, err := clientip.Parse(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("AUTHBRIDGE_TRUSTED_PROXIES: %w", err)
	}
	m := metrics.New()
	m.CounterFunc("authbridge_store_retries_total",
		"Database transactions run again after a deadlock, a lock wait timeout, a busy database or a unique-key race.", st.Retries)
	m.CounterFunc("authbridge_store_group_commits_total",
		"Batches of writes committed together (group commit: every write on SQLite).",
		func() int64 { b, _ := st.GroupCommits(); return b })
	m.CounterFunc("authbridge_store_group_commit_jobs_total",
		"Writes (rotations, transactions, statements) those batches held.",
		func() int64 { _, j := st.GroupCommits(); return j })
	pcfgs := cfg.Providers
	mux := http.NewServeMux()
	if cfg.Dev {
		dev, err := mountDevIDP(cfg, log, mux, pcfgs)
		if err != nil {
			return fmt.Errorf("development identity provider: %w", err)
		}
		pcfgs = append(pcfgs, dev...)
		log.Warn("development mode: the development identity provider is mounted at /devidp/ and lets anyone sign in as anyone; never use this mode in production",
			"public_url", cfg.PublicURL.String())
	}
	providers := provider.NewSet(ctx, log, provider.Factories(), pcfgs)
	draining := new(atomic.Bool)
	svc, err := auth.New(st, tm, providers, m, auth.Options{
		RefreshTTL:    cfg.RefreshTTL,
		IdleTTL:       cfg.RefreshIdleTTL,
		Grace:         cfg.RefreshGrace,
		SecretKey:     cfg.SecretKey,
		PublicURL:     cfg.PublicURL.String(),
		Allowlist:     account.Allowlist(cfg.AllowedEmailDomains),
		EmailConflict: cfg.EmailConflict,
		CodeRedirects: cfg.CodeRedirectURIs,
		// Flipped so that the zero value fails closed.
		CredentialNonceOptional: !cfg.GoogleRequireNonce,
		Logger:                  log,
	})
	if err != nil {
		return err
	}
	api := httpapi.NewServer(httpapi.Deps{
		Log:      log,
		Config:   cfg,
		Tokens:   tm,
		Auth:     svc,
		Metrics:  m,
		IPs:      ips,
		Draining: draining,
	})
	root, err := withDashboard(cfg, log, m, api)
	if err != nil {
		return err
	}
	mux.Handle("/", root)
	handler := http.Handler(mux)
	go housekeeping(ctx, log, st)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if cfg.PprofAddr != "" {
		pln, err := net.Listen("tcp", cfg.PprofAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen (pprof): %w", err)
		}
		psrv := &http.Server{Handler: httpapi.DebugHandler(), ReadHeaderTimeout: 10 * time.Second}
		go psrv.Serve(pln)
		defer psrv.Close()
		log.Info("profiler listening", "addr", pln.Addr().String())
	}
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen (metrics): %w", err)
		}
		msrv := &http.Server{Handler: httpapi.MetricsHandler(m), ReadHeaderTimeout: 10 * time.Second}
		go msrv.Serve(mln)
		defer msrv.Close()
		log.Info("metrics listening", "addr", mln.Addr().String())
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
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

	// Fail readiness first, give load balancers a moment to notice, then
	// let in-flight requests finish.
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

// housekeeping deletes expired single-use rows and ended sessions hourly.
func housekeeping(ctx context.Context, log *slog.Logger, st *store.Store) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := st.DeleteExpired(ctx, time.Now()); err != nil {
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
