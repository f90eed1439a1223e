package kit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

func TestDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/me":
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(401)
				io.WriteString(w, `{"error":{"code":"token_expired","message":"The access token has expired."}}`)
				return
			}
			io.WriteString(w, `{"id":"u1","name":"Alice"}`)
		case "/api/echo":
			if r.Header.Get("Content-Type") != "application/json" {
				w.WriteHeader(415)
				return
			}
			io.Copy(w, r.Body)
		case "/api/html":
			w.WriteHeader(502)
			io.WriteString(w, "<html>bad gateway</html>")
		case "/api/timeout":
			w.WriteHeader(504)
			io.WriteString(w, "<html>gateway time-out</html>")
		case "/api/teapot":
			w.WriteHeader(500)
			io.WriteString(w, "oops")
		case "/api/garbage":
			io.WriteString(w, "{not json")
		}
	}))
	defer srv.Close()
	c := Transport{Base: srv.URL}

	tests := []struct {
		name     string
		path     string
		bearer   string
		in       any
		wantName string
		wantErr  *Error
	}{
		{"success decodes", "/api/me", "tok", nil, "Alice", nil},
		{"contract error", "/api/me", "", nil, "", &Error{Status: 401, Code: shared.CodeTokenExpired, Message: "The access token has expired."}},
		{"body is sent as JSON", "/api/echo", "", map[string]string{"name": "Bob"}, "Bob", nil},
		// nginx's own page when no replica answers: unavailable, and its
		// HTML is no message to show.
		{"proxy's 502 page is unavailable", "/api/html", "", nil, "", &Error{Status: 502, Code: shared.CodeUnavailable}},
		{"proxy's 504 page is unavailable", "/api/timeout", "", nil, "", &Error{Status: 504, Code: shared.CodeUnavailable}},
		{"a non-JSON 500 is internal", "/api/teapot", "", nil, "", &Error{Status: 500, Code: shared.CodeInternal}},
		{"unreadable success", "/api/garbage", "", nil, "", &Error{Status: 200, Code: shared.CodeInternal,
			Message: "unreadable answer: invalid character 'n' looking for beginning of object key string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u shared.User
			err := c.Do(context.Background(), "POST", tt.path, tt.bearer, tt.in, &u)
			if tt.wantErr == nil {
				if err != nil || u.Name != tt.wantName {
					t.Fatalf("got %+v, %v; want name %q", u, err, tt.wantName)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Status != tt.wantErr.Status || e.Code != tt.wantErr.Code || e.Message != tt.wantErr.Message {
				t.Fatalf("err = %+v, want %+v", e, tt.wantErr)
			}
		})
	}
}

// TestNetworkFailure: a server that cannot be reached is the contract's
// unavailable (no status, no message), so apps show "try again shortly".
func TestNetworkFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := Transport{Base: url}.Do(context.Background(), "GET", "/api/me", "", nil, nil)
	if e := AsError(err); e.Code != shared.CodeUnavailable || e.Status != 0 || e.Message != "" {
		t.Fatalf("err = %+v, want unavailable with no status", e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Transport{Base: url}).Do(ctx, "GET", "/api/me", "", nil, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: err = %v, want context.Canceled", err)
	}
	if e := AsError(context.Canceled); e.Code != CodeNetwork {
		t.Fatalf("AsError(other) = %+v", e)
	}
}
