package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// start runs the command and answers its listening URL and a stop
// function that cancels it and answers run's error.
func start(t *testing.T, args []string, env map[string]string) (string, func() error) {
	t.Helper()
	return startLogging(t, args, env, io.Discard)
}

// startLogging is start with the command's log going to stderr.
func startLogging(t *testing.T, args []string, env map[string]string, stderr io.Writer) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuf{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, out, stderr) }()
	var listen string
	for i := 0; i < 500 && listen == ""; i++ {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run ended early: %v", err)
		default:
		}
		if _, rest, ok := strings.Cut(out.String(), "listening on "); ok {
			listen = strings.Fields(rest)[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if listen == "" {
		cancel()
		t.Fatal("devidp did not start")
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return listen, stop
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return out
}

func TestRunServesDiscovery(t *testing.T) {
	env := map[string]string{"DEVIDP_ADDR": "127.0.0.1:0", "DEVIDP_CLIENTS": "app:secret:http://127.0.0.1:1/cb|http://127.0.0.1:2/cb"}
	listen, stop := start(t, nil, env)
	if !strings.HasPrefix(listen, "http://127.0.0.1:") {
		t.Fatalf("listening URL %q", listen)
	}
	// Without DEVIDP_BASE_URL the base URL is the listening URL.
	disc := getJSON(t, listen+"/oidc/.well-known/openid-configuration")
	if disc["issuer"] != listen+"/oidc" {
		t.Fatalf("discovery = %v", disc)
	}
	if algs := disc["id_token_signing_alg_values_supported"]; fmt.Sprint(algs) != "[RS256]" {
		t.Fatalf("default ID-token algorithms %v, want [RS256]", algs)
	}
	// The registered client can run a flow.
	q := url.Values{"client_id": {"app"}, "redirect_uri": {"http://127.0.0.1:2/cb"}, "response_type": {"code"}, "state": {"s"},
		"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}, "login_hint": {"alice"}, "prompt": {"none"}}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(listen + "/github/login/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://127.0.0.1:2/cb?code=") {
		t.Fatalf("authorize: %d %q", resp.StatusCode, loc)
	}
	if err := stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := http.Get(listen + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

// TestRunBaseURLWithPath: flags override the environment, and a base URL
// with a path (behind a proxy) is served under that path.
func TestRunBaseURLWithPath(t *testing.T) {
	env := map[string]string{"DEVIDP_ADDR": "127.0.0.1:1", "DEVIDP_BASE_URL": "http://ignored.example"}
	listen, stop := start(t, []string{"-addr", "127.0.0.1:0", "-base-url", "http://idp.example/dev/idp/", "-clients", "a::com.example:/cb"}, env)
	disc := getJSON(t, listen+"/dev/idp/google/.well-known/openid-configuration")
	if disc["issuer"] != "http://idp.example/dev/idp/google" {
		t.Fatalf("issuer %v", disc["issuer"])
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestRunOIDCAlg: -oidc-alg (overriding DEVIDP_OIDC_ALG) picks the
// generic issuer's ID-token algorithm; Google stays RS256; a value other
// than RS256 or ES256 is refused.
func TestRunOIDCAlg(t *testing.T) {
	env := map[string]string{"DEVIDP_ADDR": "127.0.0.1:0", "DEVIDP_OIDC_ALG": "RS256"}
	listen, stop := start(t, []string{"-oidc-alg", "ES256"}, env)
	for api, want := range map[string]string{"oidc": "[ES256]", "google": "[RS256]"} {
		disc := getJSON(t, listen+"/"+api+"/.well-known/openid-configuration")
		if algs := disc["id_token_signing_alg_values_supported"]; fmt.Sprint(algs) != want {
			t.Errorf("%s ID-token algorithms %v, want %s", api, algs, want)
		}
	}
	keys, _ := getJSON(t, listen+"/oidc/jwks")["keys"].([]any)
	if k, _ := keys[0].(map[string]any); len(keys) != 1 || k["kty"] != "EC" || k["alg"] != "ES256" {
		t.Errorf("oidc JWKS = %v", keys)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{{"-oidc-alg", "HS256"}, {"-oidc-alg", "es256"}} {
		// The timeout ends the run should the value be accepted.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q: want RS256 or ES256", args[1])) {
			t.Errorf("%v: error %v", args, err)
		}
	}
	usage := &syncBuf{}
	if err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, usage); err != nil ||
		!strings.Contains(usage.String(), "-oidc-alg") || !strings.Contains(usage.String(), "DEVIDP_OIDC_ALG") {
		t.Errorf("usage: %v\n%s", err, usage)
	}
}

// TestRunLogLevel: -log-level (overriding DEVIDP_LOG_LEVEL) drops what is
// below it; the default shows everything; a wrong level is refused.
func TestRunLogLevel(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     string
		refusal bool // the warning of a refused authorization is logged
	}{
		{"default", nil, "", true},
		{"flag", []string{"-log-level", "error"}, "", false},
		{"environment", nil, "ERROR", false},
		{"flag over environment", []string{"-log-level", "warn"}, "error", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := &syncBuf{}
			env := map[string]string{"DEVIDP_ADDR": "127.0.0.1:0", "DEVIDP_LOG_LEVEL": tc.env}
			listen, stop := startLogging(t, tc.args, env, log)
			resp, err := http.Get(listen + "/oidc/authorize?client_id=nobody&response_type=code")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(log.String(), "authorize refused"); got != tc.refusal {
				t.Errorf("refusal logged: %v, want %v; log:\n%s", got, tc.refusal, log)
			}
		})
	}
	err := run(context.Background(), []string{"-log-level", "loud"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `-log-level "loud"`) {
		t.Errorf("a wrong level: %v", err)
	}
}

func TestRunReportsEveryProblem(t *testing.T) {
	env := map[string]string{"DEVIDP_ADDR": "127.0.0.1:0", "DEVIDP_BASE_URL": "ftp://x", "DEVIDP_CLIENTS": "broken,ok:topsecret:not-absolute"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`entry 1 (client "broken")`, "base URL", `"not-absolute"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Errorf("a secret in the error: %v", err)
	}
	if err := run(context.Background(), []string{"extra"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Error("unexpected arguments accepted")
	}
}

func TestParseClients(t *testing.T) {
	tests := []struct {
		in      string
		n       int
		errs    int
		secrets []string
	}{
		{"", 0, 0, nil},
		{"a:s:https://x/cb", 1, 0, []string{"s"}},
		{"a:s:https://x/cb|https://y/cb, b::http://z/cb", 2, 0, []string{"s", ""}},
		{"broken", 0, 1, nil},
		{"a:s:", 0, 1, nil},
		{"broken,:s:https://x/cb,c:s:https://x/cb", 1, 2, []string{"s"}},
	}
	for _, tt := range tests {
		got, errs := parseClients(tt.in)
		if len(errs) != tt.errs || len(got) != tt.n {
			t.Errorf("parseClients(%q) = %v, %v", tt.in, got, errs)
			continue
		}
		for i, c := range got {
			if c.Secret != tt.secrets[i] {
				t.Errorf("parseClients(%q)[%d] secret %q", tt.in, i, c.Secret)
			}
		}
	}
	got, _ := parseClients("a:s:https://x/cb | https://y/cb?q=1")
	if len(got) != 1 || len(got[0].RedirectURIs) != 2 || got[0].RedirectURIs[1] != "https://y/cb?q=1" {
		t.Errorf("redirect URIs = %v", got)
	}
}

func TestBasePath(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:9090": "", "http://localhost:9090/": "", "https://x/devidp": "/devidp", "https://x/a/b/": "/a/b",
	} {
		if got := basePath(in); got != want {
			t.Errorf("basePath(%q) = %q, want %q", in, got, want)
		}
	}
}
