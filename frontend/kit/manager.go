package kit

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// RetryDelay is how long a scheduled refresh that failed for a passing
// reason (network, 5xx) waits before it tries again.
const RetryDelay = 10 * time.Second

// ErrSignedOut is answered by calls made while no session is held.
var ErrSignedOut = &Error{Status: http.StatusUnauthorized, Code: shared.CodeInvalidToken, Message: "not signed in"}

// Manager holds one tab's session: the access token in memory (never in
// storage), a refresh scheduled before it expires, one refresh at a time
// (across tabs too, through Lock), and one retry of a call the server
// refused because the token had just expired. The refresh token itself
// stays in the HttpOnly cookie, out of reach of this code.
type Manager struct {
	API Doer
	// AfterFunc schedules f after d; the default is time.AfterFunc.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// Lock runs fn while holding a lock shared by every tab of the
	// origin (the browser's Web Locks), so two tabs never spend the
	// refresh cookie at once. nil: no cross-tab lock.
	Lock func(ctx context.Context, fn func())
	// OnRefreshed is told about every scheduled refresh that succeeded.
	OnRefreshed func(shared.RefreshResponse)
	// OnSignedOut is told when a scheduled refresh finds the session gone,
	// and when a call finds its user disabled (account_disabled): that
	// session is over for good, however long its token would still live.
	// It is told once per session.
	OnSignedOut func(code shared.ErrorCode)

	flight Flight[shared.RefreshResponse]

	mu     sync.Mutex
	access string
	epoch  int // bumped by Clear: results of older refreshes are dropped
	stop   func() bool
	told   int // 1 + the epoch whose end OnSignedOut was told (0: none)
}

// Token is the access token held now ("" when signed out).
func (m *Manager) Token() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.access
}

// Start holds a new token pair (after a sign-in or a refresh) and
// schedules its refresh.
func (m *Manager) Start(p shared.TokenPair) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.startLocked(p, m.epoch)
}

func (m *Manager) startLocked(p shared.TokenPair, epoch int) {
	if epoch != m.epoch {
		return
	}
	m.access = p.AccessToken
	m.schedule(RefreshIn(time.Duration(p.ExpiresIn) * time.Second))
}

// schedule (m.mu held) replaces the pending refresh with one after d.
func (m *Manager) schedule(d time.Duration) {
	if m.stop != nil {
		m.stop()
	}
	after := m.AfterFunc
	if after == nil {
		after = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	epoch := m.epoch
	m.stop = after(d, func() { m.scheduled(epoch) })
}

// scheduled is the timer's refresh.
func (m *Manager) scheduled(epoch int) {
	m.mu.Lock()
	current := epoch == m.epoch
	m.mu.Unlock()
	if !current {
		return
	}
	res, err := m.Refresh(context.Background()) // fetch fails by itself when the network does
	switch {
	case err == nil:
		if m.OnRefreshed != nil {
			m.OnRefreshed(res)
		}
	case SignedOut(AsError(err).Code):
		m.ended(epoch, AsError(err).Code)
	default:
		m.mu.Lock()
		if epoch == m.epoch {
			m.schedule(RetryDelay)
		}
		m.mu.Unlock()
	}
}

// ended forgets the session held at epoch, if this tab still holds it
// or a refusal just ended it (and no other began), and tells OnSignedOut
// once.
func (m *Manager) ended(epoch int, code shared.ErrorCode) {
	m.mu.Lock()
	switch {
	case m.epoch == epoch:
		m.clearLocked()
	case m.epoch != epoch+1 || m.access != "":
		m.mu.Unlock()
		return // a later session is held, or was: not this one's news
	}
	tell := m.told != epoch+1
	m.told = epoch + 1
	m.mu.Unlock()
	if tell && m.OnSignedOut != nil {
		m.OnSignedOut(code)
	}
}

// Clear forgets the session in this tab: the token, the pending refresh,
// and the result of any refresh still running.
func (m *Manager) Clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearLocked()
}

// clearLocked is Clear with m.mu held.
func (m *Manager) clearLocked() {
	m.epoch++
	m.access = ""
	if m.stop != nil {
		m.stop()
		m.stop = nil
	}
}

// Refresh spends the refresh cookie for a new pair. Callers that arrive
// while a refresh runs share its result. A refusal that means the
// session is gone clears it.
func (m *Manager) Refresh(ctx context.Context) (shared.RefreshResponse, error) {
	return m.flight.Do(ctx, func(ctx context.Context) (shared.RefreshResponse, error) {
		m.mu.Lock()
		epoch := m.epoch
		m.mu.Unlock()
		var res shared.RefreshResponse
		var err error
		ran := false
		call := func() {
			ran = true
			res, err = Public{D: m.API}.Refresh(ctx)
		}
		if m.Lock != nil {
			m.Lock(ctx, call)
		} else {
			call()
		}
		if !ran { // Lock gave up (the context ended) without running call
			err = &Error{Code: CodeNetwork, Message: "refresh lock not granted"}
		}
		if err != nil {
			if SignedOut(AsError(err).Code) {
				m.mu.Lock()
				if epoch == m.epoch {
					m.clearLocked()
				}
				m.mu.Unlock()
			}
			return res, err
		}
		m.mu.Lock()
		stale := epoch != m.epoch
		m.startLocked(res.TokenPair, epoch)
		m.mu.Unlock()
		if stale {
			return res, ErrSignedOut
		}
		return res, nil
	})
}

// Call makes an authenticated call to AuthBridge. When the server says
// the token has expired or is invalid, it refreshes once and sends the
// call again.
func (m *Manager) Call(ctx context.Context, method, path string, in, out any) error {
	return m.CallVia(ctx, m.API, method, path, in, out)
}

// CallVia is Call sent through d: an app's own API (see Client), which
// takes the same access token. A 401 about the token refreshes once and
// sends the call again, as Call does.
//
// A call (or its refresh) answered account_disabled ends the session
// (OnSignedOut), as the scheduled refresh would have a little later.
func (m *Manager) CallVia(ctx context.Context, d Doer, method, path string, in, out any) error {
	m.mu.Lock()
	tok, epoch := m.access, m.epoch
	m.mu.Unlock()
	if tok == "" {
		return ErrSignedOut
	}
	err := m.callVia(ctx, d, tok, method, path, in, out)
	if e, ok := err.(*Error); ok && e.Code == shared.CodeAccountDisabled {
		m.ended(epoch, e.Code)
	}
	return err
}

func (m *Manager) callVia(ctx context.Context, d Doer, tok, method, path string, in, out any) error {
	err := d.Do(ctx, method, path, tok, in, out)
	e, ok := err.(*Error)
	if !ok || !RetryAfterRefresh(e.Status, e.Code) {
		return err
	}
	if m.Token() == tok { // nobody refreshed meanwhile
		if _, rerr := m.Refresh(ctx); rerr != nil {
			return rerr
		}
	}
	if tok = m.Token(); tok == "" {
		return ErrSignedOut
	}
	return d.Do(ctx, method, path, tok, in, out)
}

// SignOut ends the session on the server (all: every session of the
// user) and forgets it here, even when the server could not be told.
func (m *Manager) SignOut(ctx context.Context, all bool) error {
	err := Signed{C: m}.Logout(ctx, all)
	m.Clear()
	if err != nil && SignedOut(AsError(err).Code) {
		return nil // already gone: the wanted outcome
	}
	return err
}
