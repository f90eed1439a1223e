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
	"github.com/authbridge/authbridge/backend/internal/geoip"
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
	// PasskeySignup lets a passkey alone create an account
	// (AUTHBRIDGE_PASSKEY_SIGNUP, default false: a passkey is added to an
	// account that signed in with a provider first).
	PasskeySignup bool

	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	RefreshIdleTTL time.Duration
	RefreshGrace   time.Duration
	// LoginHistoryRetention: login events older than this are deleted by
	// the housekeeping (AUTHBRIDGE_LOGIN_HISTORY_RETENTION); the audit
	// trail is kept.
	LoginHistoryRetention time.Duration
	// AdminEmails are canonical emails (account.CanonicalEmail) whose
	// verified owners are administrators, besides the CLI's grants
	// (AUTHBRIDGE_ADMIN_EMAILS).
	AdminEmails []string
	// AdminReauth is how recent a sign-in the admin API and deleting one's
	// own account need (AUTHBRIDGE_ADMIN_REAUTH).
	AdminReauth time.Duration

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
	// GeoIPFile, when set, is a MaxMind-format City or Country database
	// (AUTHBRIDGE_GEOIP_FILE), opened once at start, that names the coarse
	// place of each session's IP. Empty: sessions show no place.
	GeoIPFile string

	// Env keeps the raw AUTHBRIDGE_* lookup for provider configuration.
	Env func(string) string
}

// Issuer is the iss of our access tokens.
func (c Config) Issuer() string { return strings.TrimRight(c.PublicURL.String(), "/") }

// Audience is the aud of our access tokens.
func (c Config) Audience() string { return c.Issuer() + "/api" }

// Load reads the configuration through getenv. The error lists every problem.
func Load(getenv func(string) string) (Config, error) {
	l := &loading{Config: Config{Env: getenv}}
	for _, v := range variables {
		raw := getenv(v.name)
		if !v.raw {
			raw = strings.TrimSpace(raw)
		}
		if raw == "" {
			raw = v.def
		}
		v.set(l, raw, func(format string, args ...any) { l.bad(v.name, format, args...) })
	}
	for _, ch := range checks {
		ch.run(l)
	}
	if len(l.errs) > 0 {
		return Config{}, fmt.Errorf("config: %d problem(s):\n%w", len(l.errs), errors.Join(l.errs...))
	}
	return l.Config, nil
}

// loading is a Config being read: the table's rows write it, and keep the
// few values that only the cross-field checks read.
type loading struct {
	Config
	extraOrigins []string // AUTHBRIDGE_ALLOWED_ORIGINS, validated
	dev          string   // AUTHBRIDGE_DEV as given
	oidcNames    []string // AUTHBRIDGE_OIDC_PROVIDERS
	errs         []error
}

func (l *loading) bad(name, format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// problem reports what is wrong with the value of the variable at hand.
type problem func(format string, args ...any)

// variable is one row of the configuration table: one AUTHBRIDGE_* name,
// its default, and how its value is checked and written into the Config.
type variable struct {
	name string
	def  string
	// raw keeps the value as given; otherwise it is trimmed first. Either
	// way an empty value means def.
	raw bool
	set func(l *loading, v string, bad problem)
}

// variables is every AUTHBRIDGE_* variable Load reads itself (the
// providers' own are provider.Variables), each read once, in this order.
var variables = []variable{
	{name: "AUTHBRIDGE_ADDR", def: ":8080", set: func(l *loading, v string, _ problem) { l.Addr = v }},
	{name: "AUTHBRIDGE_DATA_DIR", def: "./data", set: func(l *loading, v string, _ problem) { l.DataDir = v }},
	{name: "AUTHBRIDGE_PUBLIC_URL", def: "http://localhost:8080", set: setPublicURL},
	// Empty: the public URL's origin, filled in by the origins check.
	{name: "AUTHBRIDGE_FRONTEND_ORIGIN", set: func(l *loading, v string, bad problem) {
		l.FrontendOrigin = v
		if v != "" {
			l.FrontendOrigin = checkFrontendOrigin(v, bad)
		}
	}},
	{name: "AUTHBRIDGE_ALLOWED_ORIGINS", raw: true, set: func(l *loading, v string, bad problem) {
		for _, o := range splitList(v) {
			if po, ok := parseOrigin(o); ok {
				l.extraOrigins = append(l.extraOrigins, po)
			} else {
				bad("%q is not an origin", o)
			}
		}
	}},
	{name: "AUTHBRIDGE_DATABASE_URL", set: func(l *loading, v string, bad problem) {
		l.DatabaseURL = v
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "mysql" && u.Scheme != "sqlite") {
				// Never echo the URL: it may hold a password.
				bad("must be mysql://user:pass@host:3306/db or sqlite:/path/file.db")
			}
		}
	}},
	{name: "AUTHBRIDGE_OIDC_PROVIDERS", raw: true, set: func(l *loading, v string, _ problem) { l.oidcNames = splitList(v) }},
	// Decided by the dev-mode check, which knows the providers.
	{name: "AUTHBRIDGE_DEV", set: func(l *loading, v string, _ problem) { l.dev = v }},
	{name: "AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS", raw: true, set: func(l *loading, v string, bad problem) {
		for _, d := range splitList(v) {
			cd, err := account.CanonicalDomain(d)
			if err != nil {
				bad("%q is not a domain name", d)
				continue
			}
			l.AllowedEmailDomains = appendUnique(l.AllowedEmailDomains, cd)
		}
	}},
	{name: "AUTHBRIDGE_ADMIN_EMAILS", raw: true, set: func(l *loading, v string, bad problem) {
		for _, e := range splitList(v) {
			ce, err := account.CanonicalEmail(e)
			if err != nil {
				bad("%q is not an email address", e)
				continue
			}
			l.AdminEmails = appendUnique(l.AdminEmails, ce)
		}
	}},
	oneOf("AUTHBRIDGE_EMAIL_CONFLICT", ConflictReject, func(c *Config) *string { return &c.EmailConflict }, ConflictReject, ConflictLinkVerified),
	{name: "AUTHBRIDGE_GOOGLE_REQUIRE_NONCE", def: "true", set: func(l *loading, v string, bad problem) {
		switch v {
		case "1", "true":
			l.GoogleRequireNonce = true
		case "0", "false":
		default:
			bad("%q must be 1, 0, true or false", v)
		}
	}},
	{name: "AUTHBRIDGE_PASSKEY_SIGNUP", def: "false", set: func(l *loading, v string, bad problem) {
		switch v {
		case "1", "true":
			l.PasskeySignup = true
		case "0", "false":
		default:
			bad("%q must be 1, 0, true or false", v)
		}
	}},
	// Production access tokens live 5–15 minutes; shorter values exist so
	// tests can watch a silent refresh happen.
	duration("AUTHBRIDGE_ACCESS_TTL", "10m", 10*time.Second, 15*time.Minute, func(c *Config) *time.Duration { return &c.AccessTTL }),
	duration("AUTHBRIDGE_REFRESH_TTL", "720h", time.Minute, 0, func(c *Config) *time.Duration { return &c.RefreshTTL }),
	duration("AUTHBRIDGE_REFRESH_IDLE_TTL", "168h", time.Minute, 0, func(c *Config) *time.Duration { return &c.RefreshIdleTTL }),
	duration("AUTHBRIDGE_REFRESH_GRACE", "10s", 0, 10*time.Second, func(c *Config) *time.Duration { return &c.RefreshGrace }),
	// 90 days, as the seed template kept it; at least a day, so the
	// history a user looks at is never empty after an hour.
	duration("AUTHBRIDGE_LOGIN_HISTORY_RETENTION", "2160h", 24*time.Hour, 0, func(c *Config) *time.Duration { return &c.LoginHistoryRetention }),
	// At least a minute: a shorter window would send an administrator
	// back to the sign-in popup between two clicks.
	duration("AUTHBRIDGE_ADMIN_REAUTH", "15m", time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.AdminReauth }),
	duration("AUTHBRIDGE_SHUTDOWN_TIMEOUT", "15s", 0, 5*time.Minute, func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
	duration("AUTHBRIDGE_SHUTDOWN_DELAY", "0s", 0, time.Minute, func(c *Config) *time.Duration { return &c.ShutdownDelay }),
	{name: "AUTHBRIDGE_SIGNING_KEY", raw: true, set: func(l *loading, v string, bad problem) {
		l.SigningKeyPEM = v
		if v != "" && !strings.Contains(v, "-----BEGIN ") {
			bad("must be a PEM private key (EC P-256 or Ed25519)")
		}
	}},
	oneOf("AUTHBRIDGE_SIGNING_ALG", "ES256", func(c *Config) *string { return &c.SigningAlg }, "ES256", "EdDSA"),
	{name: "AUTHBRIDGE_SECRET_KEY", raw: true, set: func(l *loading, v string, bad problem) {
		l.SecretKey = v
		if v != "" && len(v) < 32 {
			bad("must be at least 32 characters")
		}
	}},
	{name: "AUTHBRIDGE_TRUSTED_PROXIES", raw: true, set: func(l *loading, v string, _ problem) { l.TrustedProxies = v }},
	{name: "AUTHBRIDGE_CODE_REDIRECT_URIS", raw: true, set: func(l *loading, v string, bad problem) {
		for _, u := range splitList(v) {
			pu, err := url.Parse(u)
			if err != nil || pu.Scheme == "" || pu.Host == "" || pu.Fragment != "" {
				bad("%q must be an absolute URL without a fragment", u)
				continue
			}
			l.CodeRedirectURIs = append(l.CodeRedirectURIs, u)
		}
	}},
	{name: "AUTHBRIDGE_RATE_LIMIT", def: "120", raw: true, set: func(l *loading, v string, bad problem) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad("%q must be requests per minute per client, 0 to disable", v)
		}
		l.RateLimitPerMinute = n
	}},
	oneOf("AUTHBRIDGE_LOG_LEVEL", "info", func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error"),
	{name: "AUTHBRIDGE_PPROF_ADDR", set: func(l *loading, v string, bad problem) {
		l.PprofAddr = v
		if v == "" {
			return
		}
		host, _, err := net.SplitHostPort(v)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			bad("%q must be a loopback host:port such as 127.0.0.1:6060 (the profiler is never public)", v)
		}
	}},
	{name: "AUTHBRIDGE_METRICS_ADDR", set: func(l *loading, v string, bad problem) {
		l.MetricsAddr = v
		if v == "" {
			return
		}
		if addr, ok := metricsAddr(v); ok {
			l.MetricsAddr = addr
		} else {
			bad("%q must be :port (127.0.0.1 is then used) or host:port", v)
		}
	}},
	{name: "AUTHBRIDGE_WEB_DIR", set: func(l *loading, v string, bad problem) {
		l.WebDir = v
		if v == "" {
			return
		}
		if dir, why := checkWebDir(v); why != "" {
			bad("%q %s", v, why)
		} else {
			l.WebDir = dir
		}
	}},
	{name: "AUTHBRIDGE_GEOIP_FILE", set: func(l *loading, v string, bad problem) {
		l.GeoIPFile = v
		if v == "" {
			return
		}
		// Opened here so that a file that cannot answer places stops the
		// start with the other problems, not at the first session list.
		db, err := geoip.Open(v)
		if err != nil {
			bad("%v", err)
			return
		}
		db.Close()
	}},
	oneOf("AUTHBRIDGE_LOG_FORMAT", "text", func(c *Config) *string { return &c.LogFormat }, "text", "json"),
}

// check is a rule across variables, run once every row has been read.
type check struct {
	name string
	run  func(l *loading)
}

var checks = []check{
	{"origins", func(l *loading) {
		// The frontend defaults to the public URL's origin, which must
		// pass as an origin too.
		if l.FrontendOrigin == "" {
			l.FrontendOrigin = checkFrontendOrigin(originOf(l.PublicURL), func(format string, args ...any) {
				l.bad("AUTHBRIDGE_FRONTEND_ORIGIN", format, args...)
			})
		}
		l.AllowedOrigins = appendUnique(nil, l.FrontendOrigin, originOf(l.PublicURL))
		l.AllowedOrigins = appendUnique(l.AllowedOrigins, l.extraOrigins...)
	}},
	{"providers and dev mode", func(l *loading) {
		pcfgs, err := provider.LoadConfigs(providerEnviron(l.Env, l.oidcNames))
		if err != nil {
			l.errs = append(l.errs, err)
		}
		l.Providers = pcfgs
		// A provider setting that does not load still says "production".
		l.Dev = devMode(l.dev, len(pcfgs) > 0 || err != nil, plainLoopback(l.PublicURL), l.bad)
	}},
	{"passkey sign-up", func(l *loading) {
		// A passkey carries no email, so its accounts could never pass a
		// domain allowlist.
		if l.PasskeySignup && len(l.AllowedEmailDomains) > 0 {
			l.bad("AUTHBRIDGE_PASSKEY_SIGNUP", "true with AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS set: a passkey carries no email, so its accounts could never pass the allowlist")
		}
	}},
	{"session lifetimes", func(l *loading) {
		// A zero lifetime did not parse, and has been reported already.
		if l.RefreshIdleTTL > l.RefreshTTL && l.RefreshTTL > 0 {
			l.bad("AUTHBRIDGE_REFRESH_IDLE_TTL", "%s is longer than AUTHBRIDGE_REFRESH_TTL %s", l.RefreshIdleTTL, l.RefreshTTL)
		}
		if l.AccessTTL >= l.RefreshIdleTTL && l.RefreshIdleTTL > 0 {
			l.bad("AUTHBRIDGE_ACCESS_TTL", "must be shorter than AUTHBRIDGE_REFRESH_IDLE_TTL")
		}
	}},
}

func setPublicURL(l *loading, v string, bad problem) {
	pu, err := url.Parse(v)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.RawQuery != "" || pu.Fragment != "" {
		bad("%q must be an absolute http(s) URL without query or fragment", v)
		// The checks after the table still need a URL.
		pu, _ = url.Parse("http://localhost:8080")
	}
	l.PublicURL = pu
}

// checkFrontendOrigin answers o as an origin, or o itself after reporting it.
// Its host is the passkeys' relying-party id, which browsers refuse as an
// IP address: a loopback address is let through (the server runs with
// passkeys off, for local runs), any other IP address is refused.
func checkFrontendOrigin(o string, bad problem) string {
	if po, ok := parseOrigin(o); ok {
		u, _ := url.Parse(po)
		if ip := net.ParseIP(u.Hostname()); ip != nil && !ip.IsLoopback() {
			bad("%q: the host is an IP address, which cannot be the passkeys' relying-party id; use a domain name", o)
		}
		return po
	}
	bad("%q must be an origin like https://app.example.com (scheme, host, optional port, nothing else)", o)
	return o
}

// oneOf is a variable that takes one of a few words.
func oneOf(name, def string, field func(*Config) *string, words ...string) variable {
	list := strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
	return variable{name: name, def: def, set: func(l *loading, v string, bad problem) {
		*field(&l.Config) = v
		for _, w := range words {
			if v == w {
				return
			}
		}
		bad("%q must be %s", v, list)
	}}
}

// duration is a variable holding a time.Duration within min..max (max 0:
// no upper bound). A value that does not parse is stored as 0.
func duration(name, def string, min, max time.Duration, field func(*Config) *time.Duration) variable {
	return variable{name: name, def: def, set: func(l *loading, v string, bad problem) {
		d, err := time.ParseDuration(v)
		if err != nil {
			bad("%q is not a duration like 10m or 720h", v)
			return
		}
		if d < min || (max > 0 && d > max) {
			if max > 0 {
				bad("%s is outside %s..%s", d, min, max)
			} else {
				bad("%s is shorter than %s", d, min)
			}
		}
		*field(&l.Config) = d
	}}
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
// providers listed in AUTHBRIDGE_OIDC_PROVIDERS, oidcNames (for launchers
// that pass variables without a process environment), each read through
// getenv.
func providerEnviron(getenv func(string) string, oidcNames []string) []string {
	names := map[string]bool{}
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "AUTHBRIDGE_") {
			names[k] = true
		}
	}
	for _, k := range provider.Variables(oidcNames) {
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
