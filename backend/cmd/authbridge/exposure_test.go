package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// logBuffer collects the server's log; safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestRunDevMode: the development identity provider is mounted, with a WARN
// line, only when dev mode is on; generic OIDC providers alone keep it off.
func TestRunDevMode(t *testing.T) {
	oidc := map[string]string{
		"AUTHBRIDGE_OIDC_PROVIDERS":      "corp",
		"AUTHBRIDGE_OIDC_CORP_ISSUER":    "http://127.0.0.1:1/corp", // discovery fails: the server starts anyway
		"AUTHBRIDGE_OIDC_CORP_CLIENT_ID": "corp-client",
	}
	withOIDC := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for k, v := range oidc {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		dev  bool
	}{
		{"nothing configured on loopback", nil, true},
		{"generic OIDC only", oidc, false},
		{"generic OIDC and AUTHBRIDGE_DEV=1", withOIDC("AUTHBRIDGE_DEV", "1"), true},
		{"generic OIDC and AUTHBRIDGE_DEV=0", withOIDC("AUTHBRIDGE_DEV", "0"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"AUTHBRIDGE_ADDR": "127.0.0.1:0", "AUTHBRIDGE_DATA_DIR": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			var log logBuffer
			base, cancel, done := startRunLogging(t, env, &log)
			defer func() { cancel(); <-done }()

			warned := regexp.MustCompile(`(?m)^.*level=WARN.*development identity provider.*$`).MatchString(log.String())
			if warned != tt.dev {
				t.Errorf("WARN line about the development identity provider: %v, want %v; log:\n%s", warned, tt.dev, log.String())
			}
			want := http.StatusNotFound
			if tt.dev {
				want = http.StatusOK
			}
			if got := status(t, base+"/devidp/gsi/client"); got != want {
				t.Errorf("GET /devidp/gsi/client = %d, want %d", got, want)
			}
		})
	}
}

// TestRunRefusesExposedDevMode: configurations that would expose the
// development identity provider, or leave nobody able to sign in, stop
// run before it listens.
func TestRunRefusesExposedDevMode(t *testing.T) {
	tests := []struct {
		name, want string
		env        map[string]string
	}{
		{"nothing configured, public https", "configure a provider or set AUTHBRIDGE_DEV=1 on a loopback URL",
			map[string]string{"AUTHBRIDGE_PUBLIC_URL": "https://auth.example.com"}},
		{"AUTHBRIDGE_DEV=1 on a public URL", "plain-http loopback",
			map[string]string{"AUTHBRIDGE_PUBLIC_URL": "https://auth.example.com", "AUTHBRIDGE_DEV": "1",
				"AUTHBRIDGE_GITHUB_CLIENT_ID": "c", "AUTHBRIDGE_GITHUB_CLIENT_SECRET": "s"}},
		{"AUTHBRIDGE_DEV=0 and no provider", "nobody could sign in", map[string]string{"AUTHBRIDGE_DEV": "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["AUTHBRIDGE_ADDR"] = "127.0.0.1:0"
			tt.env["AUTHBRIDGE_DATA_DIR"] = t.TempDir()
			err := run(context.Background(), nil, func(k string) string { return tt.env[k] }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "AUTHBRIDGE_DEV:") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run = %v, want an AUTHBRIDGE_DEV problem saying %q", err, tt.want)
			}
		})
	}
}

// TestRunMetricsListener: with AUTHBRIDGE_METRICS_ADDR, /metrics is served
// on that listener only.
func TestRunMetricsListener(t *testing.T) {
	tests := []struct {
		name        string
		metricsAddr string
		onMain      int
	}{
		{"unset: on the main listener", "", http.StatusOK},
		{"set: on its own listener only", "127.0.0.1:0", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"AUTHBRIDGE_ADDR": "127.0.0.1:0", "AUTHBRIDGE_DATA_DIR": t.TempDir(), "AUTHBRIDGE_METRICS_ADDR": tt.metricsAddr}
			var log logBuffer
			base, cancel, done := startRunLogging(t, env, &log)
			defer func() { cancel(); <-done }()
			if got := status(t, base+"/metrics"); got != tt.onMain {
				t.Errorf("main listener GET /metrics = %d, want %d", got, tt.onMain)
			}
			m := regexp.MustCompile(`msg="metrics listening" addr=(\S+)`).FindStringSubmatch(log.String())
			if tt.metricsAddr == "" {
				if m != nil {
					t.Errorf("a metrics listener started without AUTHBRIDGE_METRICS_ADDR: %s", m[0])
				}
				return
			}
			if m == nil {
				t.Fatalf("no metrics listener in the log:\n%s", log.String())
			}
			resp, err := http.Get("http://" + m[1] + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "authbridge_store_retries_total") {
				t.Errorf("metrics listener GET /metrics = %d %.200q", resp.StatusCode, body)
			}
			if got := status(t, "http://"+m[1]+"/readyz"); got != http.StatusNotFound {
				t.Errorf("metrics listener GET /readyz = %d: it serves /metrics only", got)
			}
		})
	}
}
