package kit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// fakeAPI answers like the server: /api/auth/token/refresh hands out
// numbered tokens (or the scripted refusal), /api/me accepts only the
// newest token.
type fakeAPI struct {
	mu         sync.Mutex
	refreshes  int
	refuse     *Error // answer to refresh when set
	current    string
	calls      []string
	gate       chan struct{} // when set, refresh waits on it
	logoutSeen *shared.LogoutRequest
}

func (f *fakeAPI) Do(ctx context.Context, method, path, bearer string, in, out any) error {
	f.mu.Lock()
	f.calls = append(f.calls, method+" "+path+" "+bearer)
	gate := f.gate
	f.mu.Unlock()
	switch path {
	case "/api/auth/token/refresh":
		if gate != nil {
			<-gate
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.refuse != nil {
			return f.refuse
		}
		f.refreshes++
		f.current = "tok" + string(rune('0'+f.refreshes))
		*out.(*shared.RefreshResponse) = shared.RefreshResponse{TokenPair: shared.TokenPair{AccessToken: f.current, ExpiresIn: 600}}
		return nil
	case "/api/me":
		f.mu.Lock()
		defer f.mu.Unlock()
		if bearer != f.current {
			return &Error{Status: 401, Code: shared.CodeTokenExpired}
		}
		return nil
	case "/api/auth/logout":
		r := in.(shared.LogoutRequest)
		f.logoutSeen = &r
		return nil
	}
	return &Error{Status: 404, Code: shared.CodeNotFound}
}

type timers struct {
	mu  sync.Mutex
	ds  []time.Duration
	fns []func()
}

func (t *timers) after(d time.Duration, f func()) func() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ds = append(t.ds, d)
	i := len(t.fns)
	t.fns = append(t.fns, f)
	return func() bool { t.mu.Lock(); t.fns[i] = nil; t.mu.Unlock(); return true }
}

func (t *timers) fire(i int) {
	t.mu.Lock()
	f := t.fns[i]
	t.mu.Unlock()
	if f != nil {
		f()
	}
}

func newManager(f *fakeAPI, tm *timers) *Manager {
	return &Manager{API: f, AfterFunc: tm.after}
}

func TestStartSchedulesRefresh(t *testing.T) {
	f, tm := &fakeAPI{}, &timers{}
	m := newManager(f, tm)
	m.Start(shared.TokenPair{AccessToken: "tok0", ExpiresIn: 600})
	if m.Token() != "tok0" || len(tm.ds) != 1 || tm.ds[0] != 9*time.Minute {
		t.Fatalf("token %q, timers %v", m.Token(), tm.ds)
	}
	var refreshed atomic.Int32
	m.OnRefreshed = func(shared.RefreshResponse) { refreshed.Add(1) }
	tm.fire(0)
	if m.Token() != "tok1" || refreshed.Load() != 1 || len(tm.ds) != 2 {
		t.Fatalf("after the timer: token %q, refreshed %d, timers %v", m.Token(), refreshed.Load(), tm.ds)
	}
}

func TestScheduledRefreshOutcomes(t *testing.T) {
	tests := []struct {
		name        string
		refuse      *Error
		wantToken   string
		wantTimers  int
		wantSignOut shared.ErrorCode
	}{
		{"success keeps going", nil, "tok1", 2, ""},
		{"reused token signs out", &Error{Status: 401, Code: shared.CodeTokenReused}, "", 1, shared.CodeTokenReused},
		{"expired refresh signs out", &Error{Status: 401, Code: shared.CodeInvalidToken}, "", 1, shared.CodeInvalidToken},
		{"network failure retries later", &Error{Code: CodeNetwork}, "tok0", 2, ""},
		{"server trouble retries later", &Error{Status: 503, Code: shared.CodeUnavailable}, "tok0", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, tm := &fakeAPI{refuse: tt.refuse}, &timers{}
			m := newManager(f, tm)
			var gone shared.ErrorCode
			m.OnSignedOut = func(c shared.ErrorCode) { gone = c }
			m.Start(shared.TokenPair{AccessToken: "tok0", ExpiresIn: 600})
			tm.fire(0)
			if m.Token() != tt.wantToken || len(tm.ds) != tt.wantTimers || gone != tt.wantSignOut {
				t.Fatalf("token %q timers %v signed out %q", m.Token(), tm.ds, gone)
			}
			if tt.wantTimers == 2 && tt.refuse != nil && tm.ds[1] != RetryDelay {
				t.Fatalf("retry after %v, want %v", tm.ds[1], RetryDelay)
			}
		})
	}
}

func TestCallRetriesOnceAfterRefresh(t *testing.T) {
	f, tm := &fakeAPI{current: "new"}, &timers{}
	m := newManager(f, tm)
	m.Start(shared.TokenPair{AccessToken: "old", ExpiresIn: 600})
	if err := m.Call(context.Background(), "GET", "/api/me", nil, nil); err != nil {
		t.Fatalf("Call: %v", err)
	}
	want := []string{"GET /api/me old", "POST /api/auth/token/refresh ", "GET /api/me tok1"}
	if len(f.calls) != len(want) {
		t.Fatalf("calls %q, want %q", f.calls, want)
	}
	for i := range want {
		if f.calls[i] != want[i] {
			t.Fatalf("calls %q, want %q", f.calls, want)
		}
	}
}

func TestCallDoesNotRetryOtherErrors(t *testing.T) {
	f, tm := &fakeAPI{}, &timers{}
	m := newManager(f, tm)
	m.Start(shared.TokenPair{AccessToken: "tok0", ExpiresIn: 600})
	err := m.Call(context.Background(), "GET", "/api/nope", nil, nil)
	if AsError(err).Code != shared.CodeNotFound || len(f.calls) != 1 {
		t.Fatalf("err %v calls %q", err, f.calls)
	}
	m.Clear()
	if err := m.Call(context.Background(), "GET", "/api/me", nil, nil); !errors.Is(err, ErrSignedOut) {
		t.Fatalf("signed-out call: %v", err)
	}
}

func TestConcurrentRefreshesShareOne(t *testing.T) {
	gate := make(chan struct{})
	f, tm := &fakeAPI{gate: gate}, &timers{}
	m := newManager(f, tm)
	var wg sync.WaitGroup
	tokens := make([]string, 5)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := m.Refresh(context.Background())
			if err == nil {
				tokens[i] = res.AccessToken
			}
		}()
	}
	// Let every caller arrive, then let the one request finish.
	for {
		m.flight.mu.Lock()
		n := m.flight.joined
		m.flight.mu.Unlock()
		if n == len(tokens)-1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	if f.refreshes != 1 {
		t.Fatalf("%d refresh requests, want 1", f.refreshes)
	}
	for _, tok := range tokens {
		if tok != "tok1" {
			t.Fatalf("tokens %q, want all tok1", tokens)
		}
	}
}

func TestCrossTabLockWrapsTheRequest(t *testing.T) {
	f, tm := &fakeAPI{}, &timers{}
	m := newManager(f, tm)
	held := false
	m.Lock = func(ctx context.Context, fn func()) {
		held = true
		fn()
		held = false
	}
	f2 := &lockCheckingAPI{fakeAPI: f, held: &held}
	m.API = f2
	if _, err := m.Refresh(context.Background()); err != nil || !f2.sawHeld {
		t.Fatalf("refresh %v, lock held during request: %v", err, f2.sawHeld)
	}
}

type lockCheckingAPI struct {
	*fakeAPI
	held    *bool
	sawHeld bool
}

func (l *lockCheckingAPI) Do(ctx context.Context, method, path, bearer string, in, out any) error {
	l.sawHeld = *l.held
	return l.fakeAPI.Do(ctx, method, path, bearer, in, out)
}

func TestClearDropsARunningRefresh(t *testing.T) {
	gate := make(chan struct{})
	f, tm := &fakeAPI{gate: gate}, &timers{}
	m := newManager(f, tm)
	done := make(chan error)
	go func() { _, err := m.Refresh(context.Background()); done <- err }()
	for {
		f.mu.Lock()
		n := len(f.calls)
		f.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	m.Clear() // signed out while the refresh was on the wire
	close(gate)
	if err := <-done; !errors.Is(err, ErrSignedOut) || m.Token() != "" || len(tm.ds) != 0 {
		t.Fatalf("err %v token %q timers %v: a sign-out was undone", err, m.Token(), tm.ds)
	}
}

func TestSignOut(t *testing.T) {
	for _, all := range []bool{false, true} {
		f, tm := &fakeAPI{current: "tok0"}, &timers{}
		m := newManager(f, tm)
		m.Start(shared.TokenPair{AccessToken: "tok0", ExpiresIn: 600})
		if err := m.SignOut(context.Background(), all); err != nil {
			t.Fatal(err)
		}
		if f.logoutSeen == nil || f.logoutSeen.All != all || m.Token() != "" || tm.fns[0] != nil {
			t.Fatalf("all=%v: logout %+v token %q", all, f.logoutSeen, m.Token())
		}
	}
}

// disabledAPI refuses every call and refresh: its user was disabled.
type disabledAPI struct {
	mu    sync.Mutex
	calls []string
	// expired: calls answer 401 token_expired first (the refresh then
	// meets the disabled user), else 403 account_disabled at once.
	expired bool
}

func (d *disabledAPI) Do(_ context.Context, method, path, bearer string, _, _ any) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, method+" "+path)
	if path != "/api/auth/token/refresh" && d.expired {
		return &Error{Status: 401, Code: shared.CodeTokenExpired}
	}
	return &Error{Status: 403, Code: shared.CodeAccountDisabled}
}

// TestDisabledUserEndsTheSession: a call answered account_disabled ends
// the session at once, by the call itself or by its refresh, and the
// observer hears of it once however many calls (or the timer) find out.
func TestDisabledUserEndsTheSession(t *testing.T) {
	for _, expired := range []bool{false, true} {
		name := map[bool]string{false: "the call is refused", true: "the call's refresh is refused"}[expired]
		t.Run(name, func(t *testing.T) {
			d, tm := &disabledAPI{expired: expired}, &timers{}
			m := &Manager{API: d, AfterFunc: tm.after}
			var told []shared.ErrorCode
			m.OnSignedOut = func(c shared.ErrorCode) { told = append(told, c) }
			m.Start(shared.TokenPair{AccessToken: "tok0", ExpiresIn: 600})
			for range 2 {
				if err := m.Call(context.Background(), "GET", "/api/me/sessions", nil, nil); AsError(err).Code != shared.CodeAccountDisabled && !errors.Is(err, ErrSignedOut) {
					t.Fatalf("Call: %v", err)
				}
			}
			tm.fire(0) // the refresh scheduled at Start: stopped
			if m.Token() != "" || len(told) != 1 || told[0] != shared.CodeAccountDisabled {
				t.Fatalf("token %q, told %v; want none, once account_disabled", m.Token(), told)
			}
		})
	}
}

// TestOtherRefusalsKeepTheSession: a refusal about the call (not the
// user) leaves the session as it was.
func TestOtherRefusalsKeepTheSession(t *testing.T) {
	f, tm := &fakeAPI{current: "tok0"}, &timers{}
	m := newManager(f, tm)
	told := 0
	m.OnSignedOut = func(shared.ErrorCode) { told++ }
	m.Start(shared.TokenPair{AccessToken: "tok0", ExpiresIn: 600})
	if err := m.Call(context.Background(), "GET", "/api/nope", nil, nil); AsError(err).Code != shared.CodeNotFound {
		t.Fatalf("Call: %v", err)
	}
	if m.Token() != "tok0" || told != 0 {
		t.Fatalf("token %q, told %d", m.Token(), told)
	}
}

// TestALaterSessionIsNotEnded: an account_disabled answer for a session
// this tab has since left (signed out, then in again) ends nothing.
func TestALaterSessionIsNotEnded(t *testing.T) {
	m := &Manager{AfterFunc: (&timers{}).after}
	told := 0
	m.OnSignedOut = func(shared.ErrorCode) { told++ }
	m.Start(shared.TokenPair{AccessToken: "old", ExpiresIn: 600})
	m.mu.Lock()
	epoch := m.epoch
	m.mu.Unlock()
	m.Clear()
	m.Start(shared.TokenPair{AccessToken: "new", ExpiresIn: 600})
	m.ended(epoch, shared.CodeAccountDisabled)
	if m.Token() != "new" || told != 0 {
		t.Fatalf("token %q, told %d", m.Token(), told)
	}
}
