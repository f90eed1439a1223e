package devidp

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

// Transport answers requests for the devidp's own URLs in process, and
// sends everything else over the network. The server uses it for its
// calls to a devidp it mounts itself, so they work before it listens and
// behind any proxy.
func (d *IDP) Transport() http.RoundTripper {
	h := d.Handler()
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if !strings.HasPrefix(r.URL.String(), d.opts.BaseURL+"/") {
			return http.DefaultTransport.RoundTrip(r)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
