package kit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// TestClient calls an app's own API, on another server than AuthBridge's,
// through the session: the bearer token is added, a 401 about the token
// refreshes once at AuthBridge and the call is sent again.
func TestClient(t *testing.T) {
	tests := []struct {
		name        string
		start       string // the access token held before the call ("": signed out)
		refreshTo   string // what AuthBridge's refresh hands out ("": it refuses)
		answer401   string // the app API's 401 body for a token it does not take
		wantErr     shared.ErrorCode
		wantCalls   []string // the app API's requests: method path bearer
		wantRefresh int
	}{
		{"a live token is sent as it is", "t2", "t3", "", "",
			[]string{"POST /things Bearer t2"}, 0},
		{"an expired token is refreshed once and the call resent", "t1", "t2",
			`{"error":{"code":"token_expired","message":"expired"}}`, "",
			[]string{"POST /things Bearer t1", "POST /things Bearer t2"}, 1},
		{"an API without the error shape: any 401 counts as an invalid token", "t1", "t2", "Unauthorized", "",
			[]string{"POST /things Bearer t1", "POST /things Bearer t2"}, 1},
		{"a session gone at AuthBridge ends the call without a retry", "t1", "",
			`{"error":{"code":"token_expired","message":"expired"}}`, shared.CodeInvalidToken,
			[]string{"POST /things Bearer t1"}, 1},
		{"a token the refresh does not fix is retried once only", "t1", "t0",
			`{"error":{"code":"invalid_token","message":"no"}}`, shared.CodeInvalidToken,
			[]string{"POST /things Bearer t1", "POST /things Bearer t0"}, 1},
		{"signed out: nothing is sent", "", "t2", "", shared.CodeInvalidToken, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var calls []string
			refreshes := 0
			auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/auth/token/refresh" {
					http.NotFound(w, r)
					return
				}
				mu.Lock()
				refreshes++
				mu.Unlock()
				if tt.refreshTo == "" {
					w.WriteHeader(401)
					io.WriteString(w, `{"error":{"code":"invalid_token","message":"no session"}}`)
					return
				}
				io.WriteString(w, `{"access_token":"`+tt.refreshTo+`","expires_in":900,"user":{"id":"u1"}}`)
			}))
			defer auth.Close()
			own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls = append(calls, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
				mu.Unlock()
				if r.Header.Get("Authorization") != "Bearer t2" {
					w.WriteHeader(401)
					io.WriteString(w, tt.answer401)
					return
				}
				b, _ := io.ReadAll(r.Body)
				io.WriteString(w, `{"echo":`+string(b)+`}`)
			}))
			defer own.Close()

			m := &Manager{API: Transport{Base: auth.URL}, AfterFunc: func(time.Duration, func()) func() bool { return func() bool { return true } }}
			if tt.start != "" {
				m.Start(shared.TokenPair{AccessToken: tt.start, ExpiresIn: 900})
			}
			c := Client{API: Transport{Base: own.URL, Credentials: "omit"}, Session: m}
			var out struct {
				Echo struct {
					Name string `json:"name"`
				} `json:"echo"`
			}
			err := c.Do(context.Background(), http.MethodPost, "/things", map[string]any{"name": "kettle"}, &out)
			if tt.wantErr == "" {
				if err != nil || out.Echo.Name != "kettle" {
					t.Fatalf("Do = %v, out %+v; want the echo", err, out)
				}
			} else if e := AsError(err); e == nil || e.Code != tt.wantErr {
				t.Fatalf("Do = %v, want code %s", err, tt.wantErr)
			}
			if strings.Join(calls, "\n") != strings.Join(tt.wantCalls, "\n") || refreshes != tt.wantRefresh {
				t.Fatalf("API saw %q and %d refreshes; want %q and %d", calls, refreshes, tt.wantCalls, tt.wantRefresh)
			}
		})
	}
}
