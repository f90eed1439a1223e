// Command notes-api is the example's API: GET and POST /notes, each user's
// notes in memory, for AuthBridge access tokens only.
//
//	notes-api -addr 127.0.0.1:8081 -issuer http://localhost:8080
//
// The issuer is AuthBridge's AUTHBRIDGE_PUBLIC_URL (the tokens' iss); the
// verifier reads its metadata and keys from there at start. /healthz
// answers without a token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/authbridge/authbridge/examples/notes/notes"
	"github.com/authbridge/authbridge/verify"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	issuer := flag.String("issuer", "http://localhost:8080", "AuthBridge's public URL (AUTHBRIDGE_PUBLIC_URL)")
	flag.Parse()
	if err := run(*addr, *issuer); err != nil {
		fmt.Fprintln(os.Stderr, "notes-api:", err)
		os.Exit(1)
	}
}

func run(addr, issuer string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start, cancel := context.WithTimeout(ctx, 15*time.Second)
	v, err := verify.New(start, issuer)
	cancel()
	if err != nil {
		return fmt.Errorf("verifier for %s: %w", issuer, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.Handle("/notes", v.Middleware(notes.Handler(&notes.Store{})))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	slog.Info("notes-api listening", "addr", addr, "issuer", v.Issuer())
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
