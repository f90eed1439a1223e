package session

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

func TestRefreshIn(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{10 * time.Minute, 9 * time.Minute},
		{5 * time.Minute, 4 * time.Minute},
		{30 * time.Second, 24 * time.Second},
		{time.Second, time.Second},
		{0, time.Second},
	}
	for _, tt := range tests {
		if got := RefreshIn(tt.in); got != tt.want {
			t.Errorf("RefreshIn(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestRetryAndSignedOut(t *testing.T) {
	tests := []struct {
		status    int
		code      shared.ErrorCode
		retry     bool
		signedOut bool
	}{
		{401, shared.CodeTokenExpired, true, true},
		{401, shared.CodeInvalidToken, true, true},
		{401, shared.CodeTokenReused, false, true},
		{403, shared.CodeAccessDenied, false, true},
		{503, shared.CodeUnavailable, false, false},
		{429, shared.CodeRateLimited, false, false},
	}
	for _, tt := range tests {
		if got := RetryAfterRefresh(tt.status, tt.code); got != tt.retry {
			t.Errorf("RetryAfterRefresh(%d, %s) = %v", tt.status, tt.code, got)
		}
		if got := SignedOut(tt.code); got != tt.signedOut {
			t.Errorf("SignedOut(%s) = %v", tt.code, got)
		}
	}
}

func TestFlightRunsOnce(t *testing.T) {
	var f Flight[int]
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make(chan int, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _ := f.Do(context.Background(), func(context.Context) (int, error) {
				runs.Add(1)
				<-release
				return 42, nil
			})
			results <- v
		}()
	}
	// Finish the one run only once the other four have joined it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		f.mu.Lock()
		joined := f.joined
		f.mu.Unlock()
		if joined == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d callers joined the running refresh", joined)
		}
	}
	close(release)
	wg.Wait()
	close(results)
	for v := range results {
		if v != 42 {
			t.Fatalf("a caller got %d", v)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d refreshes ran for 5 concurrent callers, want 1", n)
	}
	if v, _ := f.Do(context.Background(), func(context.Context) (int, error) { return 7, nil }); v != 7 {
		t.Fatal("a later call must run again")
	}
}

func TestAccept(t *testing.T) {
	const backend, flow = "https://app.example", "challenge-1"
	ok := shared.HandoffMessage{Type: shared.HandoffType, OK: true, Code: "c", Flow: flow}
	errMsg := shared.HandoffMessage{Type: shared.HandoffType, Error: &shared.ErrorBody{Code: shared.CodeAccessDenied}, Flow: flow}
	tests := []struct {
		name string
		h    Handoff
		want bool
	}{
		{"our result", Handoff{backend, true, ok}, true},
		{"our error", Handoff{backend, true, errMsg}, true},
		{"foreign origin", Handoff{"https://evil.example", true, ok}, false},
		{"origin prefix trick", Handoff{"https://app.example.evil.net", true, ok}, false},
		{"not from our popup", Handoff{backend, false, ok}, false},
		{"another flow", Handoff{backend, true, func() shared.HandoffMessage { m := ok; m.Flow = "other"; return m }()}, false},
		{"wrong type", Handoff{backend, true, func() shared.HandoffMessage { m := ok; m.Type = "x"; return m }()}, false},
		{"ok without code", Handoff{backend, true, func() shared.HandoffMessage { m := ok; m.Code = ""; return m }()}, false},
		{"connect ok without code", Handoff{backend, true, func() shared.HandoffMessage { m := ok; m.Code = ""; m.Process = "connect"; return m }()}, true},
		{"error with a code", Handoff{backend, true, func() shared.HandoffMessage { m := errMsg; m.Code = "c"; return m }()}, false},
	}
	for _, tt := range tests {
		if got := Accept(tt.h, backend, flow); got != tt.want {
			t.Errorf("%s: Accept = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseFragment(t *testing.T) {
	m, ok := ParseFragment("#type=authbridge%3Ahandoff&ok=1&code=abc&flow=f&process=login")
	if !ok || !m.OK || m.Code != "abc" || m.Flow != "f" {
		t.Fatalf("ParseFragment = %+v, %v", m, ok)
	}
	m, ok = ParseFragment("type=authbridge%3Ahandoff&ok=0&error=duplicate_email&message=Use+GitHub&flow=f")
	if !ok || m.OK || m.Error == nil || m.Error.Code != shared.CodeDuplicateEmail || m.Error.Message != "Use GitHub" {
		t.Fatalf("ParseFragment = %+v, %v", m, ok)
	}
	if _, ok := ParseFragment("#section-2"); ok {
		t.Fatal("an ordinary fragment parsed as a handoff")
	}
}
