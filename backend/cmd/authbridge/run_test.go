package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store/storetest"
)

// lineWriter hands every line written to it to a channel.
type lineWriter struct {
	mu    sync.Mutex
	lines chan string
	buf   strings.Builder
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	s := w.buf.String()
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		select {
		case w.lines <- s[:i]:
		default:
		}
		s = s[i+1:]
	}
	w.buf.Reset()
	w.buf.WriteString(s)
	return len(p), nil
}

// startRun starts run() on port 0 with env and returns its base URL, after
// /readyz answers 200.
func startRun(t *testing.T, env map[string]string) (string, context.CancelFunc, chan error) {
	t.Helper()
	return startRunLogging(t, env, io.Discard)
}

// startRunLogging is startRun with the server's log written to stderr.
func startRunLogging(t *testing.T, env map[string]string, stderr io.Writer) (string, context.CancelFunc, chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 16)}
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() { done <- run(ctx, nil, getenv, out, stderr) }()

	var base string
	select {
	case line := <-out.lines:
		_, addr, ok := strings.Cut(line, "listening on ")
		if !ok {
			t.Fatalf("unexpected first line %q", line)
		}
		base = addr
	case err := <-done:
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run did not start listening")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never answered 200 (last error %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return base, cancel, done
}

func TestRunSmoke(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{"AUTHBRIDGE_ADDR": "127.0.0.1:0", "AUTHBRIDGE_DATA_DIR": t.TempDir()}
			if engine == "mysql" {
				env["AUTHBRIDGE_DATABASE_URL"] = storetest.NewURL(t)
			}
			base, cancel, done := startRun(t, env)

			for _, path := range []string{"/healthz", "/.well-known/jwks.json", "/api/openapi.yaml", "/metrics"} {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("GET %s = %d", path, resp.StatusCode)
				}
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run returned %v after shutdown", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("run did not stop")
			}
		})
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	env := map[string]string{"AUTHBRIDGE_ACCESS_TTL": "2h", "AUTHBRIDGE_EMAIL_CONFLICT": "merge"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "AUTHBRIDGE_ACCESS_TTL") || !strings.Contains(err.Error(), "AUTHBRIDGE_EMAIL_CONFLICT") {
		t.Fatalf("run error = %v; want both problems listed", err)
	}
}

func TestRunRotateKeys(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"AUTHBRIDGE_DATA_DIR": dir}
	var out strings.Builder
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := run(context.Background(), []string{"rotate-keys"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
			t.Fatalf("rotate-keys: %v", err)
		}
		if !strings.Contains(out.String(), "is published now and signs from") {
			t.Fatalf("rotate-keys printed %q", out.String())
		}
	}
	base, cancel, done := startRun(t, map[string]string{"AUTHBRIDGE_ADDR": "127.0.0.1:0", "AUTHBRIDGE_DATA_DIR": dir})
	defer func() { cancel(); <-done }()
	resp, err := http.Get(base + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(bufio.NewReader(resp.Body))
	// Rotation publishes ahead: the first key still signs, and both new
	// ones are already in the JWKS.
	if n := strings.Count(string(b), `"kid"`); n != 3 {
		t.Fatalf("after two rotations JWKS has %d keys, want the current one and the two published ahead: %s", n, b)
	}
}

// TestShutdownFailsReadinessFirst: on cancel, /readyz answers 503 while the
// server still serves (the drain delay), then run returns cleanly.
func TestShutdownFailsReadinessFirst(t *testing.T) {
	env := map[string]string{"AUTHBRIDGE_ADDR": "127.0.0.1:0", "AUTHBRIDGE_DATA_DIR": t.TempDir(), "AUTHBRIDGE_SHUTDOWN_DELAY": "2s"}
	base, cancel, done := startRun(t, env)
	cancel()
	sawDraining := false
	for i := 0; i < 100 && !sawDraining; i++ {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("the server stopped answering before the drain delay ended: %v", err)
		}
		resp.Body.Close()
		sawDraining = resp.StatusCode == http.StatusServiceUnavailable
		time.Sleep(10 * time.Millisecond)
	}
	if !sawDraining {
		t.Fatal("/readyz never failed during shutdown")
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("during the drain /healthz = %v, %v", resp, err)
	}
	resp.Body.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
}
