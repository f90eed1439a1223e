package provider

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxResponse caps every provider response body.
const MaxResponse = 1 << 20

// DefaultTimeout bounds every outbound call to a provider.
const DefaultTimeout = 10 * time.Second

// maxIdlePerHost is how many idle connections to one provider host are
// kept for reuse.
const maxIdlePerHost = 64

var errTooLarge = errors.New("provider: response larger than 1 MiB")

// NewHTTPClient is the outbound client for providers: a timeout on every
// call (DefaultTimeout when timeout <= 0), a cap on every response body,
// and no redirects except for GETs (a token endpoint that redirects a POST
// is refused rather than followed with our client secret).
func NewHTTPClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.ResponseHeaderTimeout = timeout
	base.TLSHandshakeTimeout = timeout
	// Keep connections to a provider for concurrent sign-ins: the default
	// keeps 2 idle per host, so under load every other token or user-API
	// call paid for a new TCP connection and TLS handshake.
	base.MaxIdleConns = 256
	base.MaxIdleConnsPerHost = maxIdlePerHost
	return &http.Client{
		Timeout:   timeout,
		Transport: capped{base},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.Method != http.MethodGet || len(via) >= 3 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// capped limits response bodies to MaxResponse; reading past it fails
// (rather than truncating silently into a confusing JSON error).
type capped struct{ next http.RoundTripper }

func (c capped) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > MaxResponse {
		resp.Body.Close()
		return nil, fmt.Errorf("%w (Content-Length %d)", errTooLarge, resp.ContentLength)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxResponse}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more than the cap tells a body of exactly MaxResponse
		// from a longer one.
		var one [1]byte
		for i := 0; i < 100; i++ {
			n, err := l.rc.Read(one[:])
			if n > 0 {
				return 0, errTooLarge
			}
			if err != nil {
				return 0, err
			}
		}
		return 0, io.ErrNoProgress
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }
