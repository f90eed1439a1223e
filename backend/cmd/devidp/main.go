// Command devidp runs the development identity provider on its own origin:
// Google-style (with a stand-in for the Identity Services script), generic
// OIDC, GitHub-style and Discord-style APIs, with ready-made users. For
// development and tests only.
//
// Environment:
//
//	DEVIDP_ADDR      listen address (default :9090)
//	DEVIDP_BASE_URL  external URL (default http://localhost:9090)
//	DEVIDP_CLIENTS   registered clients: id:secret:redirect1|redirect2,...
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
