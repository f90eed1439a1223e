// Package httpapi is AuthBridge's HTTP surface: the routes of the contract,
// their handlers, and the middleware every request passes through.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/metrics"
	"github.com/authbridge/authbridge/backend/internal/ratelimit"
	"github.com/authbridge/authbridge/backend/internal/token"
)

// Deps are what the server is built from. Everything is passed in; the
// package has no globals.
type Deps struct {
	Log    *slog.Logger
	Config config.Config
	// Auth runs the use cases; Tokens verifies access tokens and
	// publishes their keys.
	Auth    *auth.Service
	Tokens  *token.Manager
	Metrics *metrics.Metrics
	IPs     *clientip.Resolver
	// Draining is set when shutdown starts: /readyz fails first so load
	// balancers stop sending traffic while in-flight requests finish.
	Draining *atomic.Bool
}

// limiters are the per-client rate limits, one per group of endpoints.
type limiters struct {
	refresh *ratelimit.Limiter
	verify  *ratelimit.Limiter
	signin  *ratelimit.Limiter // credential, exchange, code, login start, connect ticket: per IP
	perUser *ratelimit.Limiter // connect tickets: per signed-in user
	// The operator's and the account's heavier calls, per signed-in user:
	// admin API reads, admin API changes and deleting one's account, and
	// the data export (the heaviest read: every row about the user).
	adminRead  *ratelimit.Limiter
	adminWrite *ratelimit.Limiter
	export     *ratelimit.Limiter
}

// exportBurst is how many exports a user may make at once: a retried
// download or two, not a loop.
const exportBurst = 3

// exportPerMinute is the export's refill, a sixtieth of
// AUTHBRIDGE_RATE_LIMIT (2 a minute at the default), never 0 unless the
// limits are off.
func exportPerMinute(perMin int) int {
	if perMin <= 0 {
		return 0
	}
	return (perMin + 59) / 60
}

// NewServer returns the handler for every route of the contract.
func NewServer(d Deps) http.Handler {
	if d.Draining == nil {
		d.Draining = new(atomic.Bool)
	}
	perMin := d.Config.RateLimitPerMinute
	lim := limiters{
		refresh: ratelimit.New(perMin, burstFor(perMin), d.Auth.Now),
		verify:  ratelimit.New(perMin*5, burstFor(perMin*5), d.Auth.Now),
		signin:  ratelimit.New(perMin, burstFor(perMin), d.Auth.Now),
		perUser: ratelimit.New(perMin/4, burstFor(perMin/4), d.Auth.Now),

		adminRead:  ratelimit.New(perMin, burstFor(perMin), d.Auth.Now),
		adminWrite: ratelimit.New(perMin/4, burstFor(perMin/4), d.Auth.Now),
		export:     ratelimit.New(exportPerMinute(perMin), exportBurst, d.Auth.Now),
	}
	mux := http.NewServeMux()
	logged := accessLog(d.Log)
	for _, rt := range routes(d, lim) {
		mux.Handle(rt.pattern, d.Metrics.Middleware(rt.pattern, rt.handler, logged))
	}
	mux.Handle("/", d.Metrics.Middleware("unmatched", handleUnmatched(mux), logged))
	var h http.Handler = mux
	h = apiHeaders(h)
	h = recoverPanics(d.Log, h)
	return h
}

func burstFor(perMinute int) int {
	if perMinute <= 0 {
		return 0
	}
	return max(perMinute/4, 10)
}

type ctxKey int

const (
	claimsKey ctxKey = iota
	userKey
)

func withValue(ctx context.Context, k ctxKey, v any) context.Context {
	return context.WithValue(ctx, k, v)
}
