//go:build js

package kit

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Transport calls the API with the browser's fetch. Base is the API origin
// ("" for same origin, the production setup behind nginx).
type Transport struct {
	Base string
	// Credentials is fetch's credentials mode. "" sends cookies to
	// AuthBridge (its refresh cookie): "same-origin" when Base is "",
	// "include" otherwise. An app's own API that takes only the bearer
	// token may set "omit", so it needs no Allow-Credentials.
	Credentials string
}

// Do implements Doer. Never call it on the UI goroutine or from a JS
// callback: it waits for the fetch promise.
func (c Transport) Do(ctx context.Context, method, path, bearer string, in, out any) error {
	body, err := encodeBody(in)
	if err != nil {
		return err
	}
	headers := map[string]any{"Accept": "application/json"}
	opts := map[string]any{"method": method, "headers": headers, "credentials": "same-origin", "cache": "no-store"}
	if c.Base != "" {
		opts["credentials"] = "include"
	}
	if c.Credentials != "" {
		opts["credentials"] = c.Credentials
	}
	if body != nil {
		headers["Content-Type"] = "application/json"
		opts["body"] = string(body)
	}
	if bearer != "" {
		headers["Authorization"] = "Bearer " + bearer
	}
	abort := app.Window().Get("AbortController").New()
	opts["signal"] = abort.Get("signal")

	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	status := 0
	var onResp, onText, onErr app.Func
	onErr = app.FuncOf(func(_ app.Value, a []app.Value) any {
		// fetch rejects when no answer came (the server or the network
		// is down): the reason (a TypeError) is nothing to show.
		done <- result{err: unreachable()}
		return nil
	})
	onText = app.FuncOf(func(_ app.Value, a []app.Value) any {
		done <- result{status: status, body: a[0].String()}
		return nil
	})
	onResp = app.FuncOf(func(_ app.Value, a []app.Value) any {
		status = a[0].Get("status").Int()
		a[0].Call("text").Call("then", onText, onErr)
		return nil
	})
	defer func() { onResp.Release(); onText.Release(); onErr.Release() }()
	app.Window().Call("fetch", c.Base+path, opts).Call("then", onResp, onErr)

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		abort.Call("abort")
		<-done
		return ctx.Err()
	}
	if r.err != nil {
		return r.err
	}
	return decode(r.status, []byte(r.body), out)
}
