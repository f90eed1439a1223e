package kit

import (
	"context"
	"encoding/json"
	"reflect"
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
		{403, shared.CodeAccountDisabled, false, true},
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
	down := shared.HandoffMessage{Type: shared.HandoffType, Error: &shared.ErrorBody{Code: shared.CodeUnavailable}}
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
		// The front's page when AuthBridge is down cannot name the flow.
		{"unavailable naming no flow", Handoff{backend, true, down}, true},
		{"unavailable naming another flow", Handoff{backend, true, func() shared.HandoffMessage { m := down; m.Flow = "other"; return m }()}, false},
		{"unavailable naming no flow, from elsewhere", Handoff{"https://evil.example", true, down}, false},
		{"unavailable naming no flow, not from our popup", Handoff{backend, false, down}, false},
		{"another error naming no flow", Handoff{backend, true, func() shared.HandoffMessage { m := errMsg; m.Flow = ""; return m }()}, false},
		{"unavailable naming no flow, with a link", Handoff{backend, true, func() shared.HandoffMessage { m := down; m.Link = "l"; return m }()}, false},
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
	refused := []string{
		"type=authbridge%3Ahandoff&ok=0&error=access_denied&code=abc&flow=f", // a code beside an error
		"type=authbridge%3Ahandoff&ok=1&code=abc&error=x&flow=f",             // an error beside a code
		"type=authbridge%3Ahandoff&ok=1&flow=f&process=login",                // ok without a code
		"type=authbridge%3Ahandoff&ok=0&flow=f",                              // failed without an error
		"type=authbridge%3Ahandoff&ok=true&code=abc&flow=f",                  // ok is 1 or 0
		"type=authbridge%3Ahandoff&ok=1&code=abc&code=def&flow=f",            // which code?
		"type=authbridge%3Ahandoff&ok=1&code=abc&flow=f&flow=g",              // which flow?
		"type=authbridge%3Ahandoff&type=x&ok=1&code=abc&flow=f",
	}
	for _, f := range refused {
		if m, ok := ParseFragment(f); ok {
			t.Errorf("ParseFragment(%q) = %+v, want refused", f, m)
		}
	}
}

func TestParseMessage(t *testing.T) {
	const typ = shared.HandoffType
	tests := []struct {
		name string
		data string
		want *shared.HandoffMessage
	}{
		{"ok", `{"type":"` + typ + `","ok":true,"code":"c","flow":"f","process":"login"}`,
			&shared.HandoffMessage{Type: typ, OK: true, Code: "c", Flow: "f", Process: "login"}},
		{"error", `{"type":"` + typ + `","ok":false,"error":{"code":"access_denied","message":"m"},"flow":"f"}`,
			&shared.HandoffMessage{Type: typ, Error: &shared.ErrorBody{Code: shared.CodeAccessDenied, Message: "m"}, Flow: "f"}},
		{"connect", `{"type":"` + typ + `","ok":true,"flow":"f","process":"connect"}`,
			&shared.HandoffMessage{Type: typ, OK: true, Flow: "f", Process: "connect"}},
		{"ok as a string is not true", `{"type":"` + typ + `","ok":"false","code":"c","flow":"f"}`, nil},
		{"ok as a number", `{"type":"` + typ + `","ok":1,"code":"c","flow":"f"}`, nil},
		{"no ok", `{"type":"` + typ + `","code":"c","flow":"f"}`, nil},
		{"code as a number", `{"type":"` + typ + `","ok":true,"code":1,"flow":"f"}`, nil},
		{"flow as an object", `{"type":"` + typ + `","ok":true,"code":"c","flow":{}}`, nil},
		{"a code beside an error", `{"type":"` + typ + `","ok":false,"code":"c","error":{"code":"x"},"flow":"f"}`, nil},
		{"error without a code", `{"type":"` + typ + `","ok":false,"error":{"message":"m"},"flow":"f"}`, nil},
		{"error as a string", `{"type":"` + typ + `","ok":false,"error":"x","flow":"f"}`, nil},
		{"another type", `{"type":"other","ok":true,"code":"c","flow":"f"}`, nil},
		{"not an object", `"` + typ + `"`, nil},
		{"an array", `["` + typ + `"]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.data), &v); err != nil {
				t.Fatal(err)
			}
			m, ok := ParseMessage(v)
			if tt.want == nil {
				if ok {
					t.Fatalf("ParseMessage accepted %s as %+v", tt.data, m)
				}
				return
			}
			if !ok || !reflect.DeepEqual(m, *tt.want) {
				t.Fatalf("ParseMessage = %+v, %v; want %+v", m, ok, *tt.want)
			}
		})
	}
}
