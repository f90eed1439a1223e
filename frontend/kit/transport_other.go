//go:build !js

package kit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// Transport calls the API with net/http on the host (tests, tools). Base is
// the server's origin.
type Transport struct {
	Base string
	HTTP *http.Client // nil: http.DefaultClient
	// Credentials is the browser's fetch mode (see the js build); the
	// host sends what HTTP's cookie jar holds whatever it says.
	Credentials string
}

// Do implements Doer.
func (c Transport) Do(ctx context.Context, method, path, bearer string, in, out any) error {
	body, err := encodeBody(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return unreachable()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return unreachable()
	}
	return decode(resp.StatusCode, b, out)
}
