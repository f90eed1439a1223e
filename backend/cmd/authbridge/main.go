// Command authbridge is the AuthBridge server: social sign-in for single-page
// apps, answered with our own JWTs.
//
// Usage:
//
//	authbridge              serve (configuration from AUTHBRIDGE_* variables)
//	authbridge rotate-keys  make a new signing key current; the previous one
//	                        stays published until the tokens it signed expire
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
		fmt.Fprintf(os.Stderr, "authbridge: %v\n", err)
		os.Exit(1)
	}
}
