package httpapi

import (
	"net/http"
	"net/http/pprof"

	"github.com/authbridge/authbridge/backend/internal/metrics"
)

// route is one entry of the contract: a Go 1.22 mux pattern and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routes lists every route the server answers. It is the one place to look;
// a test checks it against docs/openapi.yaml in both directions.
func routes(d Deps, lim limiters) []route {
	bearer := requireBearer(d.Log, d.Tokens, d.Auth)
	ip := d.IPs
	// The admin API: a bearer token of an administrator with a recent
	// sign-in (requireAdmin). Reads and changes have per-user budgets of
	// their own, counted before requireAdmin so that its database read is
	// bounded too.
	adminOnly := requireAdmin(d.Log, d.Auth)
	adminRead := func(h http.Handler) http.Handler {
		return bearer(rateLimit(lim.adminRead, byUser("admin-read"), adminOnly(h)))
	}
	adminWrite := func(h http.Handler) http.Handler {
		return bearer(rateLimit(lim.adminWrite, byUser("admin-write"), adminOnly(h)))
	}
	adm := d.Auth.Admin()
	rs := []route{
		{"GET /healthz", handleHealthz()},
		{"GET /readyz", handleReadyz(d.Log, d.Auth, d.Draining)},
		{"GET /.well-known/jwks.json", handleJWKS(d.Log, d.Tokens)},
		{"GET " + metadataPath, handleMetadata(d.Config, d.Tokens)},
		{"GET /api/openapi.yaml", handleOpenAPI()},

		{"POST /api/auth/token/refresh", rateLimit(lim.refresh, byIP(ip, "refresh"), handleRefresh(d.Log, d.Config, d.Auth, d.Metrics, ip))},
		{"POST /api/auth/token/verify", rateLimit(lim.verify, byIP(ip, "verify"), handleVerify(d.Log, d.Tokens))},
		{"POST /api/auth/logout", bearer(handleLogout(d.Log, d.Config, d.Auth))},

		{"GET /api/auth/providers", handleProviders(d.Auth)},
		{"GET /api/auth/google/nonce", rateLimit(lim.signin, byIP(ip, "nonce"), handleNonce(d.Log, d.Auth))},
		{"POST /api/auth/google/credential", rateLimit(lim.signin, byIP(ip, "credential"), handleCredential(d.Log, d.Config, d.Auth, ip))},
		{"GET /api/auth/{provider}/login", rateLimit(lim.signin, byIP(ip, "login"), handleLogin(d.Log, d.Config, d.Auth))},
		{"GET /api/auth/{provider}/callback", handleCallback(d.Log, d.Config, d.Auth, ip)},
		{"POST /api/auth/{provider}/code", rateLimit(lim.signin, byIP(ip, "code"), handleCodeExchange(d.Log, d.Config, d.Auth, ip))},
		{"POST /api/auth/exchange", rateLimit(lim.signin, byIP(ip, "exchange"), handleExchange(d.Log, d.Config, d.Auth, ip))},
		{"POST /api/auth/passkey/login/options", rateLimit(lim.signin, byIP(ip, "passkey-options"), handlePasskeyLoginOptions(d.Log, d.Config, d.Auth))},
		{"POST /api/auth/passkey/login", rateLimit(lim.signin, byIP(ip, "passkey"), handlePasskeyLogin(d.Log, d.Config, d.Auth, ip))},
		{"POST /api/auth/passkey/signup/options", rateLimit(lim.signin, byIP(ip, "passkey-signup-options"), handlePasskeySignupOptions(d.Log, d.Config, d.Auth))},
		{"POST /api/auth/passkey/signup", rateLimit(lim.signin, byIP(ip, "passkey-signup"), handlePasskeySignup(d.Log, d.Config, d.Auth, ip))},
		{"POST /api/auth/connect-ticket", bearer(rateLimit(lim.signin, byIP(ip, "ticket"), rateLimit(lim.perUser, byUser("ticket"), handleConnectTicket(d.Log, d.Auth))))},

		{"GET /api/me", bearer(handleMe())},
		{"GET /api/me/sessions", bearer(handleSessions(d.Log, d.Auth))},
		{"DELETE /api/me/sessions/{id}", bearer(handleRevokeSession(d.Log, d.Auth))},
		{"GET /api/me/logins", bearer(handleLogins(d.Log, d.Auth))},
		{"GET /api/me/accounts", bearer(handleAccounts(d.Log, d.Auth))},
		{"DELETE /api/me/accounts/{id}", bearer(handleDisconnect(d.Log, d.Auth))},
		{"GET /api/me/pending-link", bearer(handlePendingLink(d.Log, d.Auth))},
		{"POST /api/me/pending-link", bearer(handleConfirmPendingLink(d.Log, d.Config, d.Auth, ip))},
		{"DELETE /api/me/pending-link", bearer(handleDiscardPendingLink(d.Log, d.Config, d.Auth))},
		{"POST /api/me/passkeys/options", bearer(rateLimit(lim.perUser, byUser("passkey-options"), handlePasskeyOptions(d.Log, d.Auth)))},
		{"POST /api/me/passkeys", bearer(rateLimit(lim.perUser, byUser("passkey-add"), handleAddPasskey(d.Log, d.Auth)))},
		{"PATCH /api/me/passkeys/{id}", bearer(handleRenamePasskey(d.Log, d.Auth))},
		{"DELETE /api/me/passkeys/{id}", bearer(handleRemovePasskey(d.Log, d.Auth))},
		{"DELETE /api/me", bearer(rateLimit(lim.adminWrite, byUser("delete-me"), handleDeleteMe(d.Log, d.Auth, ip)))},
		{"GET /api/me/export", bearer(rateLimit(lim.export, byUser("export"), handleExport(d.Log, d.Auth)))},

		{"GET /api/admin/users", adminRead(handleAdminUsers(d.Log, adm))},
		{"GET /api/admin/users/{id}", adminRead(handleAdminUser(d.Log, adm))},
		{"DELETE /api/admin/users/{id}", adminWrite(handleAdminDelete(d.Log, adm, ip))},
		{"POST /api/admin/users/{id}/disable", adminWrite(handleAdminDisable(d.Log, adm, ip))},
		{"POST /api/admin/users/{id}/enable", adminWrite(handleAdminEnable(d.Log, adm, ip))},
		{"POST /api/admin/users/{id}/revoke-sessions", adminWrite(handleAdminRevokeSessions(d.Log, adm, ip))},
		{"GET /api/admin/users/{id}/logins", adminRead(handleAdminLogins(d.Log, adm))},
		{"GET /api/admin/events", adminRead(handleAdminEvents(d.Log, adm))},
		{"GET /api/admin/providers", adminRead(handleAdminProviders(d.Log, d.Auth))},
	}
	// With AUTHBRIDGE_METRICS_ADDR, /metrics has a listener of its own
	// (MetricsHandler) and this one answers 404.
	if d.Config.MetricsAddr == "" {
		rs = append(rs, metricsRoutes(d.Metrics)...)
	}
	return rs
}

// metricsRoutes serve the Prometheus metrics: on the main listener, or on
// AUTHBRIDGE_METRICS_ADDR alone when that is set.
func metricsRoutes(m *metrics.Metrics) []route {
	return []route{{"GET /metrics", m.Handler()}}
}

// MetricsHandler serves /metrics on a listener of its own
// (AUTHBRIDGE_METRICS_ADDR).
func MetricsHandler(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range metricsRoutes(m) {
		mux.Handle(rt.pattern, rt.handler)
	}
	return mux
}

// debugRoutes are served only on AUTHBRIDGE_PPROF_ADDR, a loopback listener
// of its own that is off by default: Go's profiler, for finding what a load
// run spends its time on.
func debugRoutes() []route {
	return []route{
		{"GET /debug/pprof/", http.HandlerFunc(pprof.Index)},
		{"GET /debug/pprof/cmdline", http.HandlerFunc(pprof.Cmdline)},
		{"GET /debug/pprof/profile", http.HandlerFunc(pprof.Profile)},
		{"GET /debug/pprof/symbol", http.HandlerFunc(pprof.Symbol)},
		{"GET /debug/pprof/trace", http.HandlerFunc(pprof.Trace)},
	}
}

// DebugHandler serves debugRoutes.
func DebugHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range debugRoutes() {
		mux.Handle(rt.pattern, rt.handler)
	}
	return mux
}
