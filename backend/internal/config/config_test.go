package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/geoip/geoiptest"
	"github.com/authbridge/authbridge/backend/internal/provider"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"addr", c.Addr, ":8080"},
		{"public", c.PublicURL.String(), "http://localhost:8080"},
		{"frontend", c.FrontendOrigin, "http://localhost:8080"},
		{"dev without providers", c.Dev, true},
		{"conflict", c.EmailConflict, ConflictReject},
		{"access", c.AccessTTL, 10 * time.Minute},
		{"refresh", c.RefreshTTL, 720 * time.Hour},
		{"idle", c.RefreshIdleTTL, 168 * time.Hour},
		{"grace", c.RefreshGrace, 10 * time.Second},
		{"login history", c.LoginHistoryRetention, 90 * 24 * time.Hour},
		{"alg", c.SigningAlg, "ES256"},
		{"issuer", c.Issuer(), "http://localhost:8080"},
		{"no dashboard", c.WebDir, ""},
		{"no GeoIP file", c.GeoIPFile, ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"AUTHBRIDGE_PUBLIC_URL":            "https://auth.example.com/",
		"AUTHBRIDGE_FRONTEND_ORIGIN":       "https://App.Example.com",
		"AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS": "Example.com, corp.example.org.",
		"AUTHBRIDGE_GITHUB_CLIENT_ID":      "x",
		"AUTHBRIDGE_GITHUB_CLIENT_SECRET":  "y",
		"AUTHBRIDGE_EMAIL_CONFLICT":        "link_verified",
		"AUTHBRIDGE_ADMIN_EMAILS":          " Boss@Example.COM, ops@example.org,boss@example.com ",
		"AUTHBRIDGE_ADMIN_REAUTH":          "5m",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.FrontendOrigin != "https://app.example.com" {
		t.Errorf("frontend origin = %q", c.FrontendOrigin)
	}
	if got := strings.Join(c.AllowedEmailDomains, ","); got != "example.com,corp.example.org" {
		t.Errorf("domains = %q", got)
	}
	if got := strings.Join(c.AdminEmails, ","); got != "boss@example.com,ops@example.org" {
		t.Errorf("admin emails = %q, want canonical and once each", got)
	}
	if c.AdminReauth != 5*time.Minute {
		t.Errorf("admin reauth = %v", c.AdminReauth)
	}
	if c.Dev {
		t.Error("a configured provider turns dev mode off by default")
	}
	if got := strings.Join(c.AllowedOrigins, ","); got != "https://app.example.com,https://auth.example.com" {
		t.Errorf("allowed origins = %q", got)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load(env(map[string]string{
		"AUTHBRIDGE_PUBLIC_URL":              "ftp://x",
		"AUTHBRIDGE_FRONTEND_ORIGIN":         "https://app.example.com/path",
		"AUTHBRIDGE_DATABASE_URL":            "postgres://u:hunter2@h/db",
		"AUTHBRIDGE_ACCESS_TTL":              "2h",
		"AUTHBRIDGE_REFRESH_TTL":             "soon",
		"AUTHBRIDGE_EMAIL_CONFLICT":          "merge",
		"AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS":   "exa mple.com",
		"AUTHBRIDGE_SIGNING_ALG":             "HS256",
		"AUTHBRIDGE_DEV":                     "maybe",
		"AUTHBRIDGE_RATE_LIMIT":              "-1",
		"AUTHBRIDGE_SECRET_KEY":              "short",
		"AUTHBRIDGE_WEB_DIR":                 "/nonexistent/authbridge/dist",
		"AUTHBRIDGE_LOGIN_HISTORY_RETENTION": "1h",
		"AUTHBRIDGE_ADMIN_EMAILS":            "ops@example.org, not-an-email",
		"AUTHBRIDGE_ADMIN_REAUTH":            "0s",
		"AUTHBRIDGE_GEOIP_FILE":              "/nonexistent/GeoLite2-City.mmdb",
	}))
	if err == nil {
		t.Fatal("Load accepted a broken configuration")
	}
	msg := err.Error()
	for _, name := range []string{
		"AUTHBRIDGE_PUBLIC_URL", "AUTHBRIDGE_FRONTEND_ORIGIN", "AUTHBRIDGE_DATABASE_URL",
		"AUTHBRIDGE_ACCESS_TTL", "AUTHBRIDGE_REFRESH_TTL", "AUTHBRIDGE_EMAIL_CONFLICT",
		"AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS", "AUTHBRIDGE_SIGNING_ALG", "AUTHBRIDGE_DEV",
		"AUTHBRIDGE_RATE_LIMIT", "AUTHBRIDGE_SECRET_KEY", "AUTHBRIDGE_WEB_DIR",
		"AUTHBRIDGE_LOGIN_HISTORY_RETENTION", "AUTHBRIDGE_ADMIN_EMAILS", "AUTHBRIDGE_ADMIN_REAUTH",
		"AUTHBRIDGE_GEOIP_FILE",
	} {
		if !strings.Contains(msg, name+":") {
			t.Errorf("error does not name %s:\n%s", name, msg)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Error("the error leaks the database password")
	}
}

func TestPprofAddr(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"127.0.0.1:6060", true},
		{"[::1]:6060", true},
		{"localhost:0", true},
		{":6060", false}, // every interface
		{"0.0.0.0:6060", false},
		{"192.0.2.1:6060", false},
		{"example.com:6060", false},
		{"127.0.0.1", false}, // no port
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHBRIDGE_PPROF_ADDR": tt.addr}))
			if (err == nil) != tt.ok {
				t.Fatalf("Load(%q) = %v, want ok %v", tt.addr, err, tt.ok)
			}
			if err == nil && c.PprofAddr != tt.addr {
				t.Fatalf("PprofAddr = %q", c.PprofAddr)
			}
		})
	}
}

func TestWebDir(t *testing.T) {
	site := t.TempDir()
	if err := os.WriteFile(filepath.Join(site, "index.html"), []byte("<!doctype html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	file := filepath.Join(site, "index.html")
	indexDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(indexDir, "index.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A relative value is resolved against the working directory at start.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, site)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		value   string
		want    string // WebDir after Load
		problem string // part of the error, when Load must fail
	}{
		{"unset", "", "", ""},
		{"blank", "  ", "", ""},
		{"absolute", site, site, ""},
		{"relative", rel, site, ""},
		{"trailing slash", site + "/", site, ""},
		{"missing", filepath.Join(site, "nope"), "", "does not exist"},
		{"a file", file, "", "is not a directory"},
		{"no index.html", empty, "", "has no index.html"},
		{"index.html is a directory", indexDir, "", "has no index.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHBRIDGE_WEB_DIR": tt.value}))
			if tt.problem != "" {
				if err == nil {
					t.Fatalf("Load accepted AUTHBRIDGE_WEB_DIR=%q", tt.value)
				}
				if !strings.Contains(err.Error(), "AUTHBRIDGE_WEB_DIR:") || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("error %q, want AUTHBRIDGE_WEB_DIR: and %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.WebDir != tt.want {
				t.Fatalf("WebDir = %q, want %q", c.WebDir, tt.want)
			}
		})
	}
}

// TestGeoIPFile: a set file that cannot name places refuses the start
// (fail closed on an odd setting); empty is off.
func TestGeoIPFile(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "GeoLite2-City.mmdb")
	if err := os.WriteFile(text, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	city := geoiptest.Write(t, "GeoLite2-City", 6, map[string]geoiptest.Place{"203.0.113.0/24": {City: "Taipei", CountryCode: "TW"}})
	country := geoiptest.Write(t, "DBIP-Country-Lite", 6, map[string]geoiptest.Place{"203.0.113.0/24": {CountryCode: "TW"}})
	asn := geoiptest.Write(t, "GeoLite2-ASN", 6, map[string]geoiptest.Place{"203.0.113.0/24": {CountryCode: "TW"}})
	tests := []struct {
		name, value string
		want        string // GeoIPFile after Load
		problem     string // part of the error, when Load must fail
	}{
		{"unset", "", "", ""},
		{"blank", "  ", "", ""},
		{"city database", city, city, ""},
		{"country database", country, country, ""},
		{"missing", filepath.Join(dir, "absent.mmdb"), "", "no such file"},
		{"not an mmdb", text, "", "invalid MaxMind DB"},
		{"an ASN database", asn, "", `"GeoLite2-ASN" database; want a City or Country one`},
		{"a directory", dir, "", "geoip: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHBRIDGE_GEOIP_FILE": tt.value}))
			if tt.problem != "" {
				if err == nil {
					t.Fatalf("Load accepted AUTHBRIDGE_GEOIP_FILE=%q", tt.value)
				}
				if !strings.Contains(err.Error(), "AUTHBRIDGE_GEOIP_FILE:") || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("error %q, want AUTHBRIDGE_GEOIP_FILE: and %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.GeoIPFile != tt.want {
				t.Fatalf("GeoIPFile = %q, want %q", c.GeoIPFile, tt.want)
			}
		})
	}
}

func TestDevMode(t *testing.T) {
	oidc := map[string]string{
		"AUTHBRIDGE_OIDC_PROVIDERS":         "corp",
		"AUTHBRIDGE_OIDC_CORP_ISSUER":       "https://id.example.com",
		"AUTHBRIDGE_OIDC_CORP_CLIENT_ID":    "c",
		"AUTHBRIDGE_OIDC_CORP_DISPLAY_NAME": "Corp",
	}
	github := map[string]string{"AUTHBRIDGE_GITHUB_CLIENT_ID": "c", "AUTHBRIDGE_GITHUB_CLIENT_SECRET": "s"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	const public = "AUTHBRIDGE_PUBLIC_URL"
	tests := []struct {
		name    string
		env     map[string]string
		dev     bool
		problem string // part of the AUTHBRIDGE_DEV error, when Load must fail
	}{
		// Automatic: only with no provider of any kind and a plain-http
		// loopback public URL.
		{"nothing configured, default URL", nil, true, ""},
		{"nothing configured, 127.0.0.1", with(nil, public, "http://127.0.0.1:8080"), true, ""},
		{"nothing configured, 127.1.2.3", with(nil, public, "http://127.1.2.3"), true, ""},
		{"nothing configured, [::1]", with(nil, public, "http://[::1]:9000/"), true, ""},
		{"nothing configured, LOCALHOST", with(nil, public, "http://LOCALHOST:1"), true, ""},
		{"generic OIDC only", oidc, false, ""},
		{"generic OIDC only, public https", with(oidc, public, "https://auth.example.com"), false, ""},
		{"built-in only", github, false, ""},
		{"broken provider settings still mean production", with(nil, "AUTHBRIDGE_GITHUB_CLIENT_ID", "c"), false, "AUTHBRIDGE_GITHUB_CLIENT_SECRET"},
		{"nothing configured, public https", with(nil, public, "https://auth.example.com"), false, "configure a provider or set AUTHBRIDGE_DEV=1 on a loopback URL"},
		{"nothing configured, https loopback", with(nil, public, "https://127.0.0.1:8443"), false, "configure a provider"},
		{"nothing configured, public http", with(nil, public, "http://auth.example.com"), false, "configure a provider"},
		{"nothing configured, localhost look-alike", with(nil, public, "http://localhost.example.com"), false, "configure a provider"},
		{"nothing configured, 0.0.0.0", with(nil, public, "http://0.0.0.0:8080"), false, "configure a provider"},
		// Explicit.
		{"DEV=1 on loopback", with(nil, "AUTHBRIDGE_DEV", "1"), true, ""},
		{"DEV=true beside a provider", with(github, "AUTHBRIDGE_DEV", "true"), true, ""},
		{"DEV=1 on public https", with(nil, "AUTHBRIDGE_DEV", "1", public, "https://auth.example.com"), false, "plain-http loopback"},
		{"DEV=1 on public https with providers", with(oidc, "AUTHBRIDGE_DEV", "1", public, "https://auth.example.com"), false, "plain-http loopback"},
		{"DEV=1 on a LAN address", with(nil, "AUTHBRIDGE_DEV", "1", public, "http://192.168.1.10:8080"), false, "plain-http loopback"},
		{"DEV=0 wins over nothing configured", with(github, "AUTHBRIDGE_DEV", "0"), false, ""},
		{"DEV=false with generic OIDC", with(oidc, "AUTHBRIDGE_DEV", "false"), false, ""},
		// With no provider and dev mode off nobody could sign in.
		{"DEV=0 and nothing configured", with(nil, "AUTHBRIDGE_DEV", "0"), false, "nobody could sign in"},
		{"odd DEV value", with(nil, "AUTHBRIDGE_DEV", "yes"), false, "must be 1, 0, true or false"},
		{"odd DEV value, upper case", with(nil, "AUTHBRIDGE_DEV", "TRUE"), false, "must be 1, 0, true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if tt.problem != "" {
				if err == nil {
					t.Fatalf("Load accepted it (dev %v)", c.Dev)
				}
				if !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("error %q, want %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Dev != tt.dev {
				t.Fatalf("Dev = %v, want %v", c.Dev, tt.dev)
			}
			if !c.Dev && len(c.Providers) == 0 {
				t.Fatal("dev mode off and no provider: nobody could sign in")
			}
		})
	}
}

func TestProvidersLoadedOnce(t *testing.T) {
	c, err := Load(env(map[string]string{
		"AUTHBRIDGE_OIDC_PROVIDERS":      "corp",
		"AUTHBRIDGE_OIDC_CORP_ISSUER":    "https://id.example.com",
		"AUTHBRIDGE_OIDC_CORP_CLIENT_ID": "c",
		"AUTHBRIDGE_GITHUB_CLIENT_ID":    "g",
		"AUTHBRIDGE_GITHUB_SECRET":       "s",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var ids []string
	for _, p := range c.Providers {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "github,corp" {
		t.Fatalf("providers = %s, want github,corp", got)
	}
}

func TestAllowedEmailDomainsCanonical(t *testing.T) {
	c, err := Load(env(map[string]string{"AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS": "Example.COM., bücher.example, xn--bcher-kva.example"}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := strings.Join(c.AllowedEmailDomains, ","); got != "example.com,xn--bcher-kva.example" {
		t.Fatalf("domains = %q", got)
	}
}

func TestMetricsAddr(t *testing.T) {
	tests := []struct {
		addr, want string
		ok         bool
	}{
		{"", "", true},
		{":9090", "127.0.0.1:9090", true}, // no host: loopback, not every interface
		{"127.0.0.1:9090", "127.0.0.1:9090", true},
		{"[::1]:0", "[::1]:0", true},
		{"0.0.0.0:9090", "0.0.0.0:9090", true}, // explicit: a scraper on a container network
		{"metrics-net:9090", "metrics-net:9090", true},
		{"9090", "", false},
		{"127.0.0.1", "", false},
		{"127.0.0.1:http", "", false},
		{"127.0.0.1:70000", "", false},
		{"bad host:9090", "", false},
		{"http://127.0.0.1:9090", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHBRIDGE_METRICS_ADDR": tt.addr}))
			if (err == nil) != tt.ok {
				t.Fatalf("Load(%q) = %v, want ok %v", tt.addr, err, tt.ok)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "AUTHBRIDGE_METRICS_ADDR:") {
					t.Fatalf("error %q does not name AUTHBRIDGE_METRICS_ADDR", err)
				}
				return
			}
			if c.MetricsAddr != tt.want {
				t.Fatalf("MetricsAddr = %q, want %q", c.MetricsAddr, tt.want)
			}
		})
	}
}

// TestGoogleRequireNonce: on unless switched off; anything but a boolean
// stops the server.
func TestGoogleRequireNonce(t *testing.T) {
	tests := []struct {
		value   string
		want    bool
		wantErr bool
	}{
		{"", true, false},
		{"1", true, false},
		{"true", true, false},
		{"0", false, false},
		{"false", false, false},
		{"no", false, true},
		{"TRUE", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHBRIDGE_GOOGLE_REQUIRE_NONCE": tt.value}))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "AUTHBRIDGE_GOOGLE_REQUIRE_NONCE") {
					t.Fatalf("Load = %v, want an error naming the variable", err)
				}
				return
			}
			if err != nil || c.GoogleRequireNonce != tt.want {
				t.Fatalf("GoogleRequireNonce = %v, %v; want %v", c.GoogleRequireNonce, err, tt.want)
			}
		})
	}
}

// TestDevModeEveryKind: dev-mode detection counts every kind of the
// provider catalogue as a configured provider, GitLab included.
func TestDevModeEveryKind(t *testing.T) {
	for _, e := range provider.Catalogue {
		t.Run(e.ID, func(t *testing.T) {
			p := "AUTHBRIDGE_" + e.Prefix + "_"
			vars := map[string]string{p + "CLIENT_ID": "c", p + "CLIENT_SECRET": "s"}
			if e.Named {
				p += "CORP_"
				vars = map[string]string{p + "CLIENT_ID": "c", p + "ISSUER": "https://id.example.com", "AUTHBRIDGE_OIDC_PROVIDERS": "corp"}
			}
			c, err := Load(env(vars))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Dev || len(c.Providers) != 1 || c.Providers[0].Kind != e.ID {
				t.Fatalf("Dev = %v, providers %+v", c.Dev, c.Providers)
			}
		})
	}
}

// TestPasskeySettings: AUTHBRIDGE_PASSKEY_SIGNUP is a boolean, off by
// default and refused beside an email-domain allowlist; the frontend
// origin's host, the passkeys' relying-party id, is a name or a loopback
// address.
func TestPasskeySettings(t *testing.T) {
	tests := []struct {
		name, variable, value string
		wantErr               bool
		extra                 map[string]string
		signup                bool
	}{
		{name: "sign-up off by default", variable: "AUTHBRIDGE_PASSKEY_SIGNUP"},
		{name: "sign-up false", variable: "AUTHBRIDGE_PASSKEY_SIGNUP", value: "false"},
		{name: "sign-up 0", variable: "AUTHBRIDGE_PASSKEY_SIGNUP", value: "0"},
		{name: "sign-up true", variable: "AUTHBRIDGE_PASSKEY_SIGNUP", value: "true", signup: true},
		{name: "sign-up 1", variable: "AUTHBRIDGE_PASSKEY_SIGNUP", value: "1", signup: true},
		{name: "sign-up odd", variable: "AUTHBRIDGE_PASSKEY_SIGNUP", value: "yes", wantErr: true},
		{name: "sign-up beside an allowlist", variable: "AUTHBRIDGE_PASSKEY_SIGNUP", value: "true", wantErr: true,
			extra: map[string]string{"AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS": "example.com"}},
		{name: "a domain name", variable: "AUTHBRIDGE_FRONTEND_ORIGIN", value: "https://app.example.com"},
		{name: "localhost", variable: "AUTHBRIDGE_FRONTEND_ORIGIN", value: "http://localhost:3000"},
		{name: "a loopback address (passkeys off)", variable: "AUTHBRIDGE_FRONTEND_ORIGIN", value: "http://127.0.0.1:3000"},
		{name: "an IPv4 address", variable: "AUTHBRIDGE_FRONTEND_ORIGIN", value: "https://203.0.113.7", wantErr: true},
		{name: "an IPv6 address", variable: "AUTHBRIDGE_FRONTEND_ORIGIN", value: "https://[2001:db8::1]:8443", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{tt.variable: tt.value}
			for k, v := range tt.extra {
				vars[k] = v
			}
			c, err := Load(env(vars))
			if tt.wantErr != (err != nil) || (err != nil && !strings.Contains(err.Error(), tt.variable)) {
				t.Fatalf("Load = %v, want error %v naming %s", err, tt.wantErr, tt.variable)
			}
			if err == nil && c.PasskeySignup != tt.signup {
				t.Fatalf("PasskeySignup = %v, want %v", c.PasskeySignup, tt.signup)
			}
		})
	}
}
