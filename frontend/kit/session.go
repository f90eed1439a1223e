// Package kit is AuthBridge for go-app v10 apps: the sign-in buttons, the
// session, and a client that calls an app's own API with the session's
// token. The token rules are plain Go, so they are tested on the host:
// when to refresh, one refresh at a time, when to retry a call, and which
// popup messages to believe. The access token lives in memory only; the
// refresh token only in the HttpOnly cookie.
package kit

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
	case shared.CodeInvalidToken, shared.CodeTokenExpired, shared.CodeTokenReused, shared.CodeAccessDenied, shared.CodeAccountDisabled:
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
// tab started: exact backend origin, from our popup, our flow's challenge,
// and a well-formed message. The one message that may name no flow is
// the front's "unavailable" page (nginx's, when no replica answers the
// provider's return to the callback, whose URL carries no challenge): an
// error with no code and no link, it can only say the service is down.
func Accept(h Handoff, backendOrigin, flow string) bool {
	switch {
	case h.Origin != backendOrigin || backendOrigin == "" || backendOrigin == "null":
		return false
	case !h.FromOurPopup:
		return false
	case flow == "":
		return false
	case h.Message.Flow != flow && !(h.Message.Flow == "" && FrontUnavailable(h.Message)):
		return false
	}
	return wellFormed(h.Message)
}

// FrontUnavailable reports whether m says only that AuthBridge could not
// be reached: not OK, the unavailable code, no code, no link. The popup
// that sent it may try again (the front's page has Try again), so the
// flow stays open for its next message.
func FrontUnavailable(m shared.HandoffMessage) bool {
	return !m.OK && m.Error != nil && m.Error.Code == shared.CodeUnavailable && m.Code == "" && m.Link == ""
}

// wellFormed: the handoff type, and either a code (a connect needs none)
// or an error with its code, never both.
func wellFormed(m shared.HandoffMessage) bool {
	switch {
	case m.Type != shared.HandoffType:
		return false
	case m.Link != "":
		// A pending link comes only with the refusal that made it.
		return !m.OK && m.Error != nil && m.Error.Code == shared.CodeDuplicateEmail && m.Code == ""
	case m.OK:
		return m.Error == nil && (m.Code != "" || m.Process == "connect")
	default:
		return m.Error != nil && m.Error.Code != "" && m.Code == ""
	}
}

// MessageFields are the properties a message event's data is read for:
// those of a handoff message and of its error.
var MessageFields = []string{"type", "ok", "code", "error", "flow", "process", "message", "link"}

// ParseMessage reads a popup message event's data, given as the plain Go
// values encoding/json decodes to (map[string]any, string, bool, float64,
// nil). ok is false unless it is a well-formed handoff message whose
// fields have their JSON types: "ok" the boolean the callback page sends,
// not anything truthy.
func ParseMessage(data any) (shared.HandoffMessage, bool) {
	obj, isObj := data.(map[string]any)
	if !isObj {
		return shared.HandoffMessage{}, false
	}
	valid := true
	str := func(o map[string]any, k string) string {
		v, present := o[k]
		if !present {
			return ""
		}
		s, isStr := v.(string)
		valid = valid && isStr
		return s
	}
	okv, isBool := obj["ok"].(bool)
	m := shared.HandoffMessage{Type: str(obj, "type"), OK: okv, Code: str(obj, "code"),
		Flow: str(obj, "flow"), Process: str(obj, "process"), Link: str(obj, "link")}
	if e, present := obj["error"]; present {
		eo, isObj := e.(map[string]any)
		if !isObj {
			return shared.HandoffMessage{}, false
		}
		m.Error = &shared.ErrorBody{Code: shared.ErrorCode(str(eo, "code")), Message: str(eo, "message")}
	}
	if !valid || !isBool || !wellFormed(m) {
		return shared.HandoffMessage{}, false
	}
	return m, true
}

// ParseFragment reads a redirect-fallback result from the URL fragment
// (without the leading #). ok is false when the fragment is no well-formed
// handoff: each field at most once, ok "1" or "0", a code only when ok.
func ParseFragment(fragment string) (shared.HandoffMessage, bool) {
	v, err := url.ParseQuery(strings.TrimPrefix(fragment, "#"))
	if err != nil || v.Get("type") != shared.HandoffType {
		return shared.HandoffMessage{}, false
	}
	for _, vs := range v {
		if len(vs) != 1 {
			return shared.HandoffMessage{}, false
		}
	}
	m := shared.HandoffMessage{Type: shared.HandoffType, OK: v.Get("ok") == "1", Code: v.Get("code"),
		Flow: v.Get("flow"), Process: v.Get("process")}
	if ok := v.Get("ok"); ok != "1" && ok != "0" {
		return shared.HandoffMessage{}, false
	}
	if v.Has("error") || v.Has("message") {
		m.Error = &shared.ErrorBody{Code: shared.ErrorCode(v.Get("error")), Message: v.Get("message")}
	}
	if !wellFormed(m) {
		return shared.HandoffMessage{}, false
	}
	return m, true
}
