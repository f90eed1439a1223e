// Package config reads AuthBridge's AUTHBRIDGE_* environment once at start
// and validates it, reporting every problem together.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/authbridge/authbridge/backend/internal/account"
	"github.com/authbridge/authbridge/backend/internal/provider"
)

// EmailConflict policies.
const (
	ConflictReject       = "reject"
	ConflictLinkVerified = "link_verified"
)

// Config is the validated configuration of one server process.
type Config struct {
	Addr           string
	PublicURL      *url.URL
	FrontendOrigin string // scheme://host[:port], no path
	DatabaseURL    string
	DataDir        string
	// Dev mounts the development identity provider, which lets anyone sign
	// in as anyone: only ever on a plain-http loopback public URL.
	Dev bool
	// Providers are the sign-in providers configured by AUTHBRIDGE_*
	// variables (the development ones are added when Dev is set).
	Providers []provider.Config

	AllowedEmailDomains []string
	EmailConflict       string
	// GoogleRequireNonce refuses Google button credentials without a nonce
	// claim (AUTHBRIDGE_GOOGLE_REQUIRE_NONCE, default true).
	GoogleRequireNonce bool

	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	RefreshIdleTTL time.Duration
	RefreshGrace   time.Duration

	SigningKeyPEM string
	SigningAlg    string
	SecretKey     string

	TrustedProxies string
	// AllowedOrigins are the origins accepted on cookie-bearing POSTs: the
	// frontend origin, the public URL's origin and AUTHBRIDGE_ALLOWED_ORIGINS.
	AllowedOrigins []string

	// CodeRedirectURIs are the redirect_uri values the client-driven
	// POST /api/auth/{provider}/code accepts.
	CodeRedirectURIs []string

	RateLimitPerMinute int
	ShutdownTimeout    time.Duration
	ShutdownDelay      time.Duration
	LogLevel           string
	LogFormat          string
	// PprofAddr, when set, serves Go's profiler on this loopback address.
	PprofAddr string
	// MetricsAddr, when set, is the host:port of a listener of its own for
	// /metrics, which the main listener then no longer answers.
	MetricsAddr string
	// WebDir, when set, is the dashboard's static build (the frontend's
	// dist/, an absolute path) served for every path outside the API, so
	// one process runs the product without nginx. Empty: API only.
	WebDir string

	// Env keeps the raw AUTHBRIDGE_* lookup for provider configuration.
	Env func(string) string
}

// Issuer is the iss of our access tokens.
func (c Config) Issuer() string { return strings.TrimRight(c.PublicURL.String(), "/") }

// Audience is the aud of our access tokens.
func (c Config) Audience() string { return c.Issuer() + "/api" }

// Load reads the configuration through getenv. The error lists every problem.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	dur := func(name, def string, min, max time.Duration) time.Duration {
		raw := get(name, def)
		d, err := time.ParseDuration(raw)
		if err != nil {
			bad(name, "%q is not a duration like 10m or 720h", raw)
			return 0
		}
		if d < min || (max > 0 && d > max) {
			if max > 0 {
				bad(name, "%s is outside %s..%s", d, min, max)
			} else {
				bad(name, "%s is shorter than %s", d, min)
			}
		}
		return d
	}

	c := Config{Env: getenv}
	c.Addr = get("AUTHBRIDGE_ADDR", ":8080")
	c.DataDir = get("AUTHBRIDGE_DATA_DIR", "./data")

	rawPublic := get("AUTHBRIDGE_PUBLIC_URL", "http://localhost:8080")
	pu, err := url.Parse(rawPublic)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.RawQuery != "" || pu.Fragment != "" {
		bad("AUTHBRIDGE_PUBLIC_URL", "%q must be an absolute http(s) URL without query or fragment", rawPublic)
		pu, _ = url.Parse("http://localhost:8080")
	}
	c.PublicURL = pu

	c.FrontendOrigin = get("AUTHBRIDGE_FRONTEND_ORIGIN", originOf(pu))
	if o, ok := parseOrigin(c.FrontendOrigin); ok {
		c.FrontendOrigin = o
	} else {
		bad("AUTHBRIDGE_FRONTEND_ORIGIN", "%q must be an origin like https://app.example.com (scheme, host, optional port, nothing else)", c.FrontendOrigin)
	}
	c.AllowedOrigins = appendUnique(nil, c.FrontendOrigin, originOf(pu))
	for _, o := range splitList(getenv("AUTHBRIDGE_ALLOWED_ORIGINS")) {
		if po, ok := parseOrigin(o); ok {
			c.AllowedOrigins = appendUnique(c.AllowedOrigins, po)
		} else {
			bad("AUTHBRIDGE_ALLOWED_ORIGINS", "%q is not an origin", o)
		}
	}

	c.DatabaseURL = strings.TrimSpace(getenv("AUTHBRIDGE_DATABASE_URL"))
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "mysql" && u.Scheme != "sqlite") {
			// Never echo the URL: it may hold a password.
			bad("AUTHBRIDGE_DATABASE_URL", "must be mysql://user:pass@host:3306/db or sqlite:/path/file.db")
		}
	}

	pcfgs, err := provider.LoadConfigs(providerEnviron(getenv))
	if err != nil {
		errs = append(errs, err)
	}
	c.Providers = pcfgs
	// A provider setting that does not load still says "production".
	c.Dev = devMode(getenv("AUTHBRIDGE_DEV"), len(pcfgs) > 0 || err != nil, plainLoopback(pu), bad)

	for _, d := range splitList(getenv("AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS")) {
		cd, err := account.CanonicalDomain(d)
		if err != nil {
			bad("AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS", "%q is not a domain name", d)
			continue
		}
		c.AllowedEmailDomains = appendUnique(c.AllowedEmailDomains, cd)
	}

	c.EmailConflict = get("AUTHBRIDGE_EMAIL_CONFLICT", ConflictReject)
	if c.EmailConflict != ConflictReject && c.EmailConflict != ConflictLinkVerified {
		bad("AUTHBRIDGE_EMAIL_CONFLICT", "%q must be reject or link_verified", c.EmailConflict)
	}
	switch v := get("AUTHBRIDGE_GOOGLE_REQUIRE_NONCE", "true"); v {
	case "1", "true":
		c.GoogleRequireNonce = true
	case "0", "false":
	default:
		bad("AUTHBRIDGE_GOOGLE_REQUIRE_NONCE", "%q must be 1, 0, true or false", v)
	}

	// Production access tokens live 5–15 minutes; shorter values exist so
	// tests can watch a silent refresh happen.
	c.AccessTTL = dur("AUTHBRIDGE_ACCESS_TTL", "10m", 10*time.Second, 15*time.Minute)
	c.RefreshTTL = dur("AUTHBRIDGE_REFRESH_TTL", "720h", time.Minute, 0)
	c.RefreshIdleTTL = dur("AUTHBRIDGE_REFRESH_IDLE_TTL", "168h", time.Minute, 0)
	c.RefreshGrace = dur("AUTHBRIDGE_REFRESH_GRACE", "10s", 0, 10*time.Second)
	if c.RefreshIdleTTL > c.RefreshTTL && c.RefreshTTL > 0 {
		bad("AUTHBRIDGE_REFRESH_IDLE_TTL", "%s is longer than AUTHBRIDGE_REFRESH_TTL %s", c.RefreshIdleTTL, c.RefreshTTL)
	}
	if c.AccessTTL >= c.RefreshIdleTTL && c.RefreshIdleTTL > 0 {
		bad("AUTHBRIDGE_ACCESS_TTL", "must be shorter than AUTHBRIDGE_REFRESH_IDLE_TTL")
	}
	c.ShutdownTimeout = dur("AUTHBRIDGE_SHUTDOWN_TIMEOUT", "15s", 0, 5*time.Minute)
	c.ShutdownDelay = dur("AUTHBRIDGE_SHUTDOWN_DELAY", "0s", 0, time.Minute)

	c.SigningKeyPEM = getenv("AUTHBRIDGE_SIGNING_KEY")
	if c.SigningKeyPEM != "" && !strings.Contains(c.SigningKeyPEM, "-----BEGIN ") {
		bad("AUTHBRIDGE_SIGNING_KEY", "must be a PEM private key (EC P-256 or Ed25519)")
	}
	c.SigningAlg = get("AUTHBRIDGE_SIGNING_ALG", "ES256")
	if c.SigningAlg != "ES256" && c.SigningAlg != "EdDSA" {
		bad("AUTHBRIDGE_SIGNING_ALG", "%q must be ES256 or EdDSA", c.SigningAlg)
	}
	c.SecretKey = getenv("AUTHBRIDGE_SECRET_KEY")
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		bad("AUTHBRIDGE_SECRET_KEY", "must be at least 32 characters")
	}

	c.TrustedProxies = getenv("AUTHBRIDGE_TRUSTED_PROXIES")
	for _, u := range splitList(getenv("AUTHBRIDGE_CODE_REDIRECT_URIS")) {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme == "" || pu.Host == "" || pu.Fragment != "" {
			bad("AUTHBRIDGE_CODE_REDIRECT_URIS", "%q must be an absolute URL without a fragment", u)
			continue
		}
		c.CodeRedirectURIs = append(c.CodeRedirectURIs, u)
	}

	c.RateLimitPerMinute = 120
	if v := getenv("AUTHBRIDGE_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad("AUTHBRIDGE_RATE_LIMIT", "%q must be requests per minute per client, 0 to disable", v)
		}
		c.RateLimitPerMinute = n
	}

	c.LogLevel = get("AUTHBRIDGE_LOG_LEVEL", "info")
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("AUTHBRIDGE_LOG_LEVEL", "%q must be debug, info, warn or error", c.LogLevel)
	}
	if c.PprofAddr = get("AUTHBRIDGE_PPROF_ADDR", ""); c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			bad("AUTHBRIDGE_PPROF_ADDR", "%q must be a loopback host:port such as 127.0.0.1:6060 (the profiler is never public)", c.PprofAddr)
		}
	}
	if c.MetricsAddr = get("AUTHBRIDGE_METRICS_ADDR", ""); c.MetricsAddr != "" {
		if addr, ok := metricsAddr(c.MetricsAddr); ok {
			c.MetricsAddr = addr
		} else {
			bad("AUTHBRIDGE_METRICS_ADDR", "%q must be :port (127.0.0.1 is then used) or host:port", c.MetricsAddr)
		}
	}
	if c.WebDir = get("AUTHBRIDGE_WEB_DIR", ""); c.WebDir != "" {
		if dir, problem := checkWebDir(c.WebDir); problem != "" {
			bad("AUTHBRIDGE_WEB_DIR", "%q %s", c.WebDir, problem)
		} else {
			c.WebDir = dir
		}
	}
	c.LogFormat = get("AUTHBRIDGE_LOG_FORMAT", "text")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("AUTHBRIDGE_LOG_FORMAT", "%q must be text or json", c.LogFormat)
	}

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("config: %d problem(s):\n%w", len(errs), errors.Join(errs...))
	}
	return c, nil
}

// checkWebDir answers dir made absolute, or what is wrong with it as the
// dashboard's build: a directory holding index.html.
func checkWebDir(dir string) (string, string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "cannot be resolved: " + err.Error()
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", "does not exist (build the dashboard first, or leave the variable empty to serve the API only)"
	case err != nil:
		return "", "cannot be read: " + err.Error()
	case !fi.IsDir():
		return "", "is not a directory"
	}
	if fi, err := os.Stat(filepath.Join(abs, "index.html")); err != nil || !fi.Mode().IsRegular() {
		return "", "has no index.html: point it at the frontend's build output (dist/)"
	}
	return abs, ""
}

// devMode decides AUTHBRIDGE_DEV. The development identity provider lets
// anyone sign in as anyone, so it is on by itself only when nothing else
// could sign anyone in and the server answers on this machine alone, and
// never on a public URL another machine can reach. With no provider and dev
// mode off nobody could sign in: that refuses to start too.
func devMode(v string, providers, loopback bool, bad func(name, format string, args ...any)) bool {
	const name = "AUTHBRIDGE_DEV"
	switch v = strings.TrimSpace(v); v {
	case "":
		if !providers && !loopback {
			bad(name, "no sign-in provider is configured and AUTHBRIDGE_PUBLIC_URL is not a plain-http loopback URL: "+
				"configure a provider or set AUTHBRIDGE_DEV=1 on a loopback URL")
		}
		return !providers && loopback
	case "1", "true":
		if !loopback {
			bad(name, "%s needs a plain-http loopback AUTHBRIDGE_PUBLIC_URL (http://localhost, http://127.0.0.1, http://[::1], any port): "+
				"the development identity provider lets anyone sign in as anyone", v)
			return false
		}
		return true
	case "0", "false":
		if !providers {
			bad(name, "%s with no sign-in provider configured: nobody could sign in; "+
				"configure a provider (AUTHBRIDGE_<PROVIDER>_CLIENT_ID or AUTHBRIDGE_OIDC_<NAME>_*)", v)
		}
		return false
	default:
		bad(name, "%q must be 1, 0, true or false", v)
		return false
	}
}

// plainLoopback reports whether u is a plain-http URL of this machine only:
// localhost, 127.0.0.0/8 or [::1].
func plainLoopback(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback()
	}
	return strings.EqualFold(h, "localhost")
}

// providerEnviron lists the variables provider configuration reads, in
// os.Environ form: every AUTHBRIDGE_* name of the process environment, and
// every name provider.Variables knows for the built-ins and the OIDC
// providers listed in AUTHBRIDGE_OIDC_PROVIDERS (for launchers that pass
// variables without a process environment), each read through getenv.
func providerEnviron(getenv func(string) string) []string {
	names := map[string]bool{}
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "AUTHBRIDGE_") {
			names[k] = true
		}
	}
	for _, k := range provider.Variables(splitList(getenv("AUTHBRIDGE_OIDC_PROVIDERS"))) {
		names[k] = true
	}
	var out []string
	for k := range names {
		if v := getenv(k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// metricsAddr answers the address to listen on for /metrics: ":port" means
// the loopback interface (the metrics are not for the world); an explicit
// host, such as 0.0.0.0 for a scraper on a container network, is kept.
func metricsAddr(s string) (string, bool) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", false
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", false
	}
	if host == "" {
		return net.JoinHostPort("127.0.0.1", port), true
	}
	if net.ParseIP(host) == nil && !hostLabels(host) {
		return "", false
	}
	return net.JoinHostPort(host, port), true
}

// hostLabels reports whether h is a host name: dot-separated labels of
// letters, digits and hyphens.
func hostLabels(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }

// parseOrigin accepts scheme://host[:port] with nothing after it and
// returns it lower-cased.
func parseOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func appendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		found := false
		for _, x := range list {
			if x == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}
