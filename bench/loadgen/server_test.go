package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWorkloadsAgainstTheServer drives the real server, built from this
// tree and signing its virtual users in through the development identity
// provider it mounts, with every workload on each engine: every request
// answered without an error, and no family ended as a replay (no
// virtual user ever presents a token twice, so any would be wrong).
func TestWorkloadsAgainstTheServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bin := filepath.Join(t.TempDir(), "authbridge")
	// From the backend module's directory in this tree (the test runs in
	// bench/loadgen), with or without the workspace.
	build := exec.Command("go", "build", "-o", bin, "./cmd/authbridge")
	build.Dir = filepath.Join("..", "..", "backend")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, engine := range engines(t) {
		t.Run(engine, func(t *testing.T) {
			base, pid := startServer(t, bin, engine)
			var out strings.Builder
			args := []string{"-url", base, "-workload", "all", "-vus", "4", "-duration", "300ms", "-pid", fmt.Sprint(pid)}
			if err := run(context.Background(), args, func(string) string { return "" }, &out, os.Stderr); err != nil {
				t.Fatalf("loadgen: %v\n%s", err, out.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(workloads) {
				t.Fatalf("want a line per workload (%v), got:\n%s", workloads, out.String())
			}
			for i, l := range lines {
				f := strings.Fields(l)
				if len(f) < 2 || f[0] != workloads[i] || f[1] == "0" || !strings.Contains(l, "errors 0 ") ||
					!strings.Contains(l, "families revoked as replays 0 ") || !strings.Contains(l, "server RSS max") {
					t.Errorf("line %q: want %s with requests, no errors, no revocation and the server's RSS", l, workloads[i])
				}
			}
		})
	}
}

// startServer starts bin in development mode (the identity provider at
// /devidp, rate limits off) on a free loopback port and answers its base
// URL and process id once /readyz answers.
func startServer(t *testing.T, bin, engine string) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AUTHBRIDGE_ADDR="+addr, "AUTHBRIDGE_PUBLIC_URL="+base, "AUTHBRIDGE_DEV=1",
		"AUTHBRIDGE_RATE_LIMIT=0", "AUTHBRIDGE_LOG_LEVEL=warn", "AUTHBRIDGE_DATA_DIR="+t.TempDir(), "AUTHBRIDGE_DATABASE_URL=")
	if engine == "mysql" {
		cmd.Env = append(cmd.Env, "AUTHBRIDGE_DATABASE_URL="+newMySQLURL(t))
	}
	logPath := filepath.Join(t.TempDir(), "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the process has its own descriptor
	cmd.Stdout, cmd.Stderr = logFile, logFile
	logs := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("server output:\n%s", logs())
		}
	})
	ready := func() error {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("/readyz: %d", resp.StatusCode)
		}
		return nil
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := ready()
		if err == nil {
			return base, cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never became ready: %v\n%s", err, logs())
		}
	}
}
