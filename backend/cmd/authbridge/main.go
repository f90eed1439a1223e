// Command authbridge is the AuthBridge server: social sign-in for single-page
// apps, answered with our own JWTs.
//
// Usage:
//
//	authbridge              serve (configuration from AUTHBRIDGE_* variables)
//	authbridge rotate-keys  publish a new signing key, which signs once every
//	                        JWKS cache has seen it (token.PrePublish later);
//	                        the current key stays published until the tokens
//	                        it signed expire
//	authbridge users …      the operator's commands on the configured database,
//	authbridge admin …      no server needed: users list|show|disable|enable|
//	authbridge events …     delete|revoke-sessions, admin grant|revoke|list,
//	authbridge providers …  events, providers orphans (operate.go; --json
//	                        everywhere; exit 0 ok, 1 error, 2 usage, 3 not found)
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

func main() {
	runtime.MemProfileRate = memProfileRate(os.Getenv, runtime.MemProfileRate)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "authbridge: %v\n", err)
		os.Exit(exitCode(err))
	}
}

// memProfileRate is the heap profiler's sampling rate: Go's default when
// the profiler is served (AUTHBRIDGE_PPROF_ADDR), otherwise 0. Nobody can
// read the samples then, and their table grows to about 1.7 MB of the
// process's memory. Set first thing in main, before the allocations it
// would sample.
func memProfileRate(getenv func(string) string, dflt int) int {
	if getenv("AUTHBRIDGE_PPROF_ADDR") == "" {
		return 0
	}
	return dflt
}
