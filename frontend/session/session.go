// Package session holds the dashboard's token rules as plain Go, so they
// are tested on the host: when to refresh, one refresh at a time, when to
// retry a call, and which popup messages to believe. The access token
// lives in memory only; the refresh token only in the HttpOnly cookie.
package session

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// RefreshIn is how long to wait before refreshing an access token that
// expires in expiresIn: a fifth of its life early, at most a minute early,
// never sooner than a second from now.
func RefreshIn(expiresIn time.Duration) time.Duration {
	lead := min(expiresIn/5, time.Minute)
	return max(expiresIn-lead, time.Second)
}

// RetryAfterRefresh reports whether a failed call should be sent once more
// after a refresh: only a 401 about the access token itself.
func RetryAfterRefresh(status int, code shared.ErrorCode) bool {
	return status == 401 && (code == shared.CodeTokenExpired || code == shared.CodeInvalidToken)
}

// SignedOut reports whether a refresh failure means the session is gone
// (as opposed to a network or server hiccup worth retrying later).
func SignedOut(code shared.ErrorCode) bool {
	switch code {
	case shared.CodeInvalidToken, shared.CodeTokenExpired, shared.CodeTokenReused, shared.CodeAccessDenied:
		return true
	}
	return false
}

// Flight runs one refresh at a time in a tab: callers that arrive while
// one is running wait for its result instead of spending the refresh token
// again.
type Flight[T any] struct {
	mu      sync.Mutex
	running *call[T]
	joined  int // callers that joined a run in progress, ever
}

type call[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// Do runs fn, or joins the run already in progress.
func (f *Flight[T]) Do(ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	f.mu.Lock()
	if c := f.running; c != nil {
		f.joined++
		f.mu.Unlock()
		select {
		case <-c.done:
			return c.val, c.err
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
	c := &call[T]{done: make(chan struct{})}
	f.running = c
	f.mu.Unlock()
	c.val, c.err = fn(ctx)
	f.mu.Lock()
	f.running = nil
	f.mu.Unlock()
	close(c.done)
	return c.val, c.err
}

// Handoff is one message event as the dashboard receives it.
type Handoff struct {
	Origin       string // event.origin
	FromOurPopup bool   // event.source === the popup this tab opened
	Message      shared.HandoffMessage
}

// Accept reports whether a popup message is the result of the flow this
// tab started: exact backend origin, from our popup, the right type, our
// flow's challenge, and either a code or an error, never both.
func Accept(h Handoff, backendOrigin, flow string) bool {
	m := h.Message
	switch {
	case h.Origin != backendOrigin || backendOrigin == "" || backendOrigin == "null":
		return false
	case !h.FromOurPopup:
		return false
	case m.Type != shared.HandoffType:
		return false
	case flow == "" || m.Flow != flow:
		return false
	case m.OK:
		return m.Error == nil && (m.Code != "" || m.Process == "connect")
	default:
		return m.Error != nil && m.Code == ""
	}
}

// ParseFragment reads a redirect-fallback result from the URL fragment
// (without the leading #). ok is false when the fragment is no handoff.
func ParseFragment(fragment string) (shared.HandoffMessage, bool) {
	v, err := url.ParseQuery(strings.TrimPrefix(fragment, "#"))
	if err != nil || v.Get("type") != shared.HandoffType {
		return shared.HandoffMessage{}, false
	}
	m := shared.HandoffMessage{Type: shared.HandoffType, OK: v.Get("ok") == "1", Code: v.Get("code"),
		Flow: v.Get("flow"), Process: v.Get("process")}
	if !m.OK {
		m.Error = &shared.ErrorBody{Code: shared.ErrorCode(v.Get("error")), Message: v.Get("message")}
	}
	return m, true
}
