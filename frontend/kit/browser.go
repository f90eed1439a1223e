package kit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// newPKCE makes a verifier the tab keeps and its S256 challenge, which
// travels with the flow and binds the one-time code to this tab.
func newPKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// windowOrigin is the page's origin ("" on the host).
func windowOrigin() string {
	if !app.IsClient {
		return ""
	}
	return app.Window().Get("location").Get("origin").String()
}

// webLock runs fn holding the origin-wide Web Lock "authbridge-refresh",
// so tabs take turns spending the refresh cookie. Without Web Locks (old
// browsers) fn just runs. It blocks: call it from an action goroutine.
func webLock(ctx context.Context, fn func()) {
	if !app.IsClient {
		fn()
		return
	}
	locks := app.Window().Get("navigator").Get("locks")
	if !locks.Truthy() {
		fn()
		return
	}
	acquired := make(chan struct{})
	failed := make(chan struct{})
	var resolve app.Value
	executor := app.FuncOf(func(_ app.Value, args []app.Value) any {
		resolve = args[0]
		return nil
	})
	granted := app.FuncOf(func(_ app.Value, _ []app.Value) any {
		p := app.Window().Get("Promise").New(executor)
		close(acquired)
		return p
	})
	rejected := app.FuncOf(func(_ app.Value, _ []app.Value) any {
		select {
		case <-acquired:
		default:
			close(failed)
		}
		return nil
	})
	defer func() { executor.Release(); granted.Release(); rejected.Release() }()
	abort := app.Window().Get("AbortController").New()
	locks.Call("request", "authbridge-refresh", map[string]any{"signal": abort.Get("signal")}, granted).Call("then", app.Null(), rejected)
	select {
	case <-acquired:
	case <-failed:
		fn() // the lock manager refused (e.g. an opaque origin): go on alone
		return
	case <-ctx.Done():
		abort.Call("abort")
		return
	}
	defer resolve.Invoke()
	fn()
}
