package devidp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Transport answers requests for the devidp's own URLs in process, and
// sends everything else to http.DefaultTransport. The server uses it for
// its calls to a devidp it mounts itself, so they work before it listens
// and behind any proxy.
func (d *IDP) Transport() http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if !strings.HasPrefix(r.URL.String(), d.opts.BaseURL+"/") {
			return http.DefaultTransport.RoundTrip(r)
		}
		// A RoundTripper must not modify the request; the handler parses
		// forms into it, so it gets a copy, shaped like a server request.
		in := r.Clone(r.Context())
		in.RequestURI = r.URL.RequestURI()
		in.RemoteAddr = "127.0.0.1:0"
		if in.Body == nil {
			in.Body = http.NoBody
		}
		if ua := in.Header.Get("User-Agent"); ua == "" {
			in.Header.Set("User-Agent", "Go-http-client/1.1")
		}
		rec := httptest.NewRecorder()
		d.handler.ServeHTTP(rec, in)
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
