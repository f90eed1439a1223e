package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
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

func TestRunServesDiscovery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuf{}
	env := map[string]string{"DEVIDP_ADDR": "127.0.0.1:0", "DEVIDP_CLIENTS": "app:secret:http://127.0.0.1:1/cb|http://127.0.0.1:2/cb"}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, out, io.Discard) }()
	var addr string
	for i := 0; i < 200 && addr == ""; i++ {
		if _, rest, ok := strings.Cut(out.String(), "listening on "); ok {
			addr = strings.Fields(rest)[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" {
		t.Fatal("devidp did not start")
	}
	resp, err := http.Get(addr + "/oidc/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc map[string]any
	json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc["issuer"] != "http://localhost:9090/oidc" {
		t.Fatalf("discovery = %v", disc)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestParseClients(t *testing.T) {
	tests := []struct {
		in      string
		n       int
		wantErr bool
	}{
		{"", 0, false},
		{"a:s:https://x/cb", 1, false},
		{"a:s:https://x/cb|https://y/cb, b::http://z/cb", 2, false},
		{"broken", 0, true},
	}
	for _, tt := range tests {
		got, err := parseClients(tt.in)
		if (err != nil) != tt.wantErr || len(got) != tt.n {
			t.Errorf("parseClients(%q) = %v, %v", tt.in, got, err)
		}
	}
}
