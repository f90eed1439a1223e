// Command loadgen drives a running AuthBridge server with virtual users and
// reports throughput, latency percentiles, errors and the server's RSS. It
// starts nothing itself: `make bench` starts the server (and the ceiling).
//
//	loadgen -url http://127.0.0.1:8080 -workload me -vus 16 -duration 5s [-pid N[,N...]] [-ceiling http://127.0.0.1:9999]
//	loadgen ceiling -addr 127.0.0.1:9999   # a bare net/http JSON handler, the ceiling to compare with
//
// Workloads: me (authenticated read), refresh (rotation, always the newest
// token), credential (Google-button sign-in: a nonce, a credential the
// devidp mints for it, the sign-in; a credential signs in once), popup
// (full redirect round trip), mix; -workload takes one, several separated by commas, or all.
// The virtual users sign in through the development identity provider
// (AUTHBRIDGE_DEV=1 mounts it at /devidp; -idp names one of its own), and
// the server must run with AUTHBRIDGE_RATE_LIMIT=0. -pid takes several
// process ids when a server is several processes.
//
// -api simplejwt|pocketbase drives a reference system instead (make
// compare): me and refresh only, its users load-N signed in with the
// password in LOADGEN_PASSWORD.
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
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		os.Exit(1)
	}
}
