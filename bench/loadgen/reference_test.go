package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeReference stands in for a reference system the way its API
// behaves: Simple JWT signs in by username and rotates refresh tokens,
// refusing a rotated one (the blacklist); PocketBase signs in by email,
// reads a record only for its own token and re-signs on auth-refresh.
type fakeReference struct {
	mu       sync.Mutex
	n        int
	access   map[string]string // token → user
	refresh  map[string]string // live refresh token → user
	spent    map[string]bool
	reused   int // rotated refresh tokens presented again
	password string
}

func newFakeReference(password string) *fakeReference {
	return &fakeReference{access: map[string]string{}, refresh: map[string]string{}, spent: map[string]bool{}, password: password}
}

func (f *fakeReference) mint(m map[string]string, who string) string {
	f.n++
	t := fmt.Sprintf("tok-%d", f.n)
	m[t] = who
	return t
}

func (f *fakeReference) handler(api string) http.Handler {
	write := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	bearer := func(r *http.Request) (string, bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		who, ok := f.access[tok]
		return who, ok
	}
	mux := http.NewServeMux()
	switch api {
	case "simplejwt":
		mux.HandleFunc("POST /api/token/", func(w http.ResponseWriter, r *http.Request) {
			var in struct{ Username, Password string }
			if json.NewDecoder(r.Body).Decode(&in) != nil || !strings.HasPrefix(in.Username, "load-") || in.Password != f.password {
				write(w, 401, map[string]string{"detail": "No active account found with the given credentials"})
				return
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			write(w, 200, map[string]string{"access": f.mint(f.access, in.Username), "refresh": f.mint(f.refresh, in.Username)})
		})
		mux.HandleFunc("POST /api/token/refresh/", func(w http.ResponseWriter, r *http.Request) {
			var in struct{ Refresh string }
			json.NewDecoder(r.Body).Decode(&in)
			f.mu.Lock()
			defer f.mu.Unlock()
			who, ok := f.refresh[in.Refresh]
			if !ok {
				if f.spent[in.Refresh] {
					f.reused++
				}
				write(w, 401, map[string]string{"detail": "Token is blacklisted", "code": "token_not_valid"})
				return
			}
			delete(f.refresh, in.Refresh)
			f.spent[in.Refresh] = true
			write(w, 200, map[string]string{"access": f.mint(f.access, who), "refresh": f.mint(f.refresh, who)})
		})
		mux.HandleFunc("GET /api/me/", func(w http.ResponseWriter, r *http.Request) {
			who, ok := bearer(r)
			if !ok {
				write(w, 401, map[string]string{"detail": "Given token not valid for any token type"})
				return
			}
			write(w, 200, map[string]any{"id": 1, "username": who})
		})
	case "pocketbase":
		mux.HandleFunc("POST /api/collections/users/auth-with-password", func(w http.ResponseWriter, r *http.Request) {
			var in struct{ Identity, Password string }
			if json.NewDecoder(r.Body).Decode(&in) != nil || !strings.HasSuffix(in.Identity, "@example.com") || in.Password != f.password {
				write(w, 400, map[string]any{"message": "Failed to authenticate.", "status": 400})
				return
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			write(w, 200, map[string]any{"token": f.mint(f.access, in.Identity), "record": map[string]string{"id": "rec-" + in.Identity}})
		})
		mux.HandleFunc("GET /api/collections/users/records/{id}", func(w http.ResponseWriter, r *http.Request) {
			who, ok := bearer(r)
			if !ok || r.PathValue("id") != "rec-"+who {
				write(w, 404, map[string]any{"message": "The requested resource wasn't found.", "status": 404})
				return
			}
			write(w, 200, map[string]string{"id": r.PathValue("id"), "email": who})
		})
		mux.HandleFunc("POST /api/collections/users/auth-refresh", func(w http.ResponseWriter, r *http.Request) {
			who, ok := bearer(r)
			if !ok {
				write(w, 401, map[string]any{"message": "The request requires valid record authorization token.", "status": 401})
				return
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			write(w, 200, map[string]any{"token": f.mint(f.access, who), "record": map[string]string{"id": "rec-" + who}})
		})
	}
	return mux
}

// TestReferenceWorkloads drives each reference's fake with its workloads:
// every request succeeds, and the rotated refresh tokens are never
// presented again.
func TestReferenceWorkloads(t *testing.T) {
	for _, api := range []string{"simplejwt", "pocketbase"} {
		t.Run(api, func(t *testing.T) {
			f := newFakeReference("pw")
			srv := httptest.NewServer(f.handler(api))
			defer srv.Close()
			var out strings.Builder
			env := func(k string) string {
				if k == "LOADGEN_PASSWORD" {
					return "pw"
				}
				return ""
			}
			err := run(context.Background(), []string{"-url", srv.URL, "-api", api, "-workload", "all", "-vus", "3", "-duration", "200ms"}, env, &out, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(referenceWorkloads) {
				t.Fatalf("want a line per workload (%v), got:\n%s", referenceWorkloads, out.String())
			}
			for i, l := range lines {
				if !strings.HasPrefix(l, referenceWorkloads[i]+" ") || !strings.Contains(l, "errors 0") || strings.Contains(l, " 0 req/s") {
					t.Errorf("line %q: want %s with requests and no errors", l, referenceWorkloads[i])
				}
			}
			if f.reused != 0 {
				t.Errorf("%d rotated refresh tokens were presented again", f.reused)
			}
		})
	}
}

func TestReferenceArguments(t *testing.T) {
	withPassword := func(k string) string {
		if k == "LOADGEN_PASSWORD" {
			return "pw"
		}
		return ""
	}
	none := func(string) string { return "" }
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"unknown api", []string{"-url", "http://x", "-api", "keycloak"}, withPassword, `-api "keycloak"`},
		{"reference without a password", []string{"-url", "http://x", "-api", "simplejwt"}, none, "LOADGEN_PASSWORD"},
		{"a workload the reference lacks", []string{"-url", "http://127.0.0.1:1", "-api", "pocketbase", "-workload", "credential"}, withPassword, "no credential workload"},
		{"bad pid list", []string{"-url", "http://x", "-pid", "12,x"}, none, "-pid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, tt.env, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%v) = %v, want an error with %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParsePIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		ok   bool
	}{
		{"", nil, true},
		{"42", []int{42}, true},
		{"42, 43,44", []int{42, 43, 44}, true},
		{"42,", nil, false},
		{"0", nil, false},
		{"-1", nil, false},
		{"x", nil, false},
	}
	for _, tt := range tests {
		got, err := parsePIDs(tt.in)
		if (err == nil) != tt.ok || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("parsePIDs(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// TestProcessCPUAddsUp: the CPU of several processes is their sum.
func TestProcessCPUAddsUp(t *testing.T) {
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	one := processCPU1(os.Getpid())
	if one <= 0 {
		t.Fatalf("processCPU1(self) = %v after spinning", one)
	}
	if two := processCPU(os.Getpid(), os.Getpid()); two < 2*one {
		t.Fatalf("processCPU(p, p) = %v, want at least twice %v", two, one)
	}
}

// TestParseReused reads the replay counter from AuthBridge's /metrics.
func TestParseReused(t *testing.T) {
	const head = "# HELP authbridge_http_requests_total Requests.\n# TYPE authbridge_http_requests_total counter\nauthbridge_http_requests_total{route=\"/api/me\"} 9\n"
	tests := []struct {
		name string
		text string
		want int64
		ok   bool
	}{
		{"no replay yet", head, 0, true},
		{"other outcomes only", head + "# TYPE authbridge_refreshes_total counter\nauthbridge_refreshes_total{outcome=\"success\"} 4000\n", 0, true},
		{"replays", head + "# TYPE authbridge_refreshes_total counter\nauthbridge_refreshes_total{outcome=\"success\"} 4000\nauthbridge_refreshes_total{outcome=\"token_reused\"} 3\n", 3, true},
		{"not AuthBridge's", "# TYPE go_goroutines gauge\ngo_goroutines 8\n", 0, false},
		{"garbled count", head + "authbridge_refreshes_total{outcome=\"token_reused\"} many\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseReused(tt.text)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("parseReused = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestVerdictCountsWrongRevocations: a family revoked as a replay during a
// run no virtual user replays in is a target missed.
func TestVerdictCountsWrongRevocations(t *testing.T) {
	goals, err := parseTargets("refresh=10")
	if err != nil {
		t.Fatal(err)
	}
	r := result{n: 100, took: time.Second, lat: make([]time.Duration, 100), revoked: 2, revokedKnown: true}
	if v, ok := goals.verdict("refresh", r, 0); ok || !strings.Contains(v, "2 families wrongly revoked") {
		t.Fatalf("verdict = %q, %v", v, ok)
	}
	r.revoked = 0
	if v, ok := goals.verdict("refresh", r, 0); !ok || v != "targets met" {
		t.Fatalf("verdict = %q, %v", v, ok)
	}
	if line := r.String(); !strings.Contains(line, "families revoked as replays 0") {
		t.Fatalf("line %q lacks the revocations", line)
	}
}
