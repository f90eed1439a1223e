package config

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/account"
)

// FuzzConfig loads fuzzed values of the variables that decide what the
// server exposes. Load either fails or answers a configuration that keeps
// the rules: dev mode only on a plain-http loopback public URL and never
// against AUTHBRIDGE_DEV=0, a provider whenever dev mode is off, metrics
// on loopback unless a host is named, canonical allowlist domains,
// bounded lifetimes; and no error repeats the database password.
func FuzzConfig(f *testing.F) {
	f.Add("", "", "", "", "", "", "", "", "", "", "pw")
	f.Add("https://auth.example.com", "1", "", "", "", "", "", "", "", "", "pw")
	f.Add("https://auth.example.com", "", "", ":9090", "", "example.com", "corp", "https://id.example.com", "", "5m", "hunter2hunter2")
	f.Add("http://127.0.0.1:8080", "0", "http://localhost:3000", "0.0.0.0:1", "127.0.0.1:6060", "bücher.example", "", "", "gh", "10s", "pw")
	f.Add("http://[::1]:1/", "true", "", "", "", "", "A-B", "http://idp", "", "", "pw")
	f.Fuzz(func(t *testing.T, public, dev, frontend, metrics, pprof, domains, oidcName, oidcIssuer, github, access, password string) {
		password = "pw-" + password // never empty, so the leak check means something
		vars := map[string]string{
			"AUTHBRIDGE_PUBLIC_URL":            public,
			"AUTHBRIDGE_DEV":                   dev,
			"AUTHBRIDGE_FRONTEND_ORIGIN":       frontend,
			"AUTHBRIDGE_METRICS_ADDR":          metrics,
			"AUTHBRIDGE_PPROF_ADDR":            pprof,
			"AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS": domains,
			"AUTHBRIDGE_ACCESS_TTL":            access,
			"AUTHBRIDGE_DATABASE_URL":          "mysql://u:" + password + "@db:3306/authbridge",
		}
		if oidcName != "" {
			vars["AUTHBRIDGE_OIDC_PROVIDERS"] = oidcName
			vars["AUTHBRIDGE_OIDC_"+strings.ToUpper(oidcName)+"_ISSUER"] = oidcIssuer
			vars["AUTHBRIDGE_OIDC_"+strings.ToUpper(oidcName)+"_CLIENT_ID"] = "client"
		}
		if github != "" {
			vars["AUTHBRIDGE_GITHUB_CLIENT_ID"] = github
			vars["AUTHBRIDGE_GITHUB_CLIENT_SECRET"] = "secret"
		}
		c, err := Load(func(k string) string { return vars[k] })
		if err != nil {
			echoed := false
			for k, v := range vars {
				if k != "AUTHBRIDGE_DATABASE_URL" && strings.Contains(k+v, password) {
					echoed = true // another variable carries the same text
				}
			}
			if !echoed && strings.Contains(err.Error(), password) {
				t.Fatalf("the error repeats the database password: %v", err)
			}
			return
		}
		u := c.PublicURL
		if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("public URL %v", u)
		}
		if c.Dev {
			ip := net.ParseIP(u.Hostname())
			if u.Scheme != "http" || !(ip != nil && ip.IsLoopback() || strings.EqualFold(u.Hostname(), "localhost")) {
				t.Fatalf("dev mode on public URL %q", u)
			}
			if d := strings.TrimSpace(dev); d == "0" || d == "false" {
				t.Fatalf("dev mode with AUTHBRIDGE_DEV=%q", dev)
			}
		} else if len(c.Providers) == 0 {
			t.Fatal("dev mode off and no provider: nobody could sign in")
		}
		if o, ok := parseOrigin(c.FrontendOrigin); !ok || o != c.FrontendOrigin {
			t.Fatalf("frontend origin %q", c.FrontendOrigin)
		}
		if u, _ := url.Parse(c.FrontendOrigin); net.ParseIP(u.Hostname()) != nil && !net.ParseIP(u.Hostname()).IsLoopback() {
			t.Fatalf("frontend origin %q: a relying-party id cannot be an IP address", c.FrontendOrigin)
		}
		if m := strings.TrimSpace(metrics); m == "" {
			if c.MetricsAddr != "" {
				t.Fatalf("metrics address %q from nothing", c.MetricsAddr)
			}
		} else {
			host, _, err := net.SplitHostPort(c.MetricsAddr)
			if err != nil || host == "" || (strings.HasPrefix(m, ":") && host != "127.0.0.1") {
				t.Fatalf("metrics %q -> %q", metrics, c.MetricsAddr)
			}
		}
		for _, d := range c.AllowedEmailDomains {
			if cd, err := account.CanonicalDomain(d); err != nil || cd != d {
				t.Fatalf("allowlist domain %q is not canonical (%q, %v)", d, cd, err)
			}
		}
		if c.AccessTTL < 10*time.Second || c.AccessTTL > 15*time.Minute || c.AccessTTL >= c.RefreshIdleTTL {
			t.Fatalf("access lifetime %s", c.AccessTTL)
		}
	})
}
