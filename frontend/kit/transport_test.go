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
		{"proxy page keeps the status", "/api/html", "", nil, "", &Error{Status: 502, Code: shared.CodeUnavailable, Message: "<html>bad gateway</html>"}},
		{"unreadable success", "/api/garbage", "", nil, "", &Error{Status: 200, Code: shared.CodeInternal}},
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
			if e.Status != tt.wantErr.Status || e.Code != tt.wantErr.Code || (tt.wantErr.Message != "" && e.Message != tt.wantErr.Message) {
				t.Fatalf("err = %+v, want %+v", e, tt.wantErr)
			}
		})
	}
}

func TestNetworkFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := Transport{Base: url}.Do(context.Background(), "GET", "/api/me", "", nil, nil)
	if e := AsError(err); e.Code != CodeNetwork || e.Status != 0 {
		t.Fatalf("err = %+v, want a network error", e)
	}
	if e := AsError(context.Canceled); e.Code != CodeNetwork {
		t.Fatalf("AsError(other) = %+v", e)
	}
}
