// Command devidp runs the development identity provider on its own
// origin: a Google-style OIDC provider with a stand-in for the Identity
// Services script, a generic OIDC provider, GitHub-style and Discord-style
// OAuth2 APIs, with ready users and a deny switch (see package
// internal/devidp). For development and tests only: its keys are made at
// start and nothing in production trusts them.
//
// Flags override the environment:
//
//	-addr      DEVIDP_ADDR      listen address (default :9090)
//	-base-url  DEVIDP_BASE_URL  external URL (default: http://<listen address>, localhost for a wildcard)
//	-clients   DEVIDP_CLIENTS   registered clients: id:secret:redirect1|redirect2,...
//	                            (an empty secret makes a public client: id::redirect)
//	-oidc-alg  DEVIDP_OIDC_ALG  ID-token algorithm of the generic OIDC issuer: RS256 (default) or ES256,
//	                            much cheaper to sign in load runs; the Google issuer stays RS256
//
// Example:
//
//	DEVIDP_CLIENTS='app:s3cret:http://localhost:8080/api/auth/dev/callback' go run ./backend/cmd/devidp
//	curl -H 'Content-Type: application/json' -d '{"on":true}' http://localhost:9090/control/deny   # refuse every authorization
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "devidp: %v\n", err)
		os.Exit(1)
	}
}
