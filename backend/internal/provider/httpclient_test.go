package provider

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

func TestResponseSizeCap(t *testing.T) {
	big := strings.Repeat("a", MaxResponse+10)
	tests := []struct {
		name    string
		chunked bool
		size    int
		wantErr bool
	}{
		{name: "exactly the cap", size: MaxResponse},
		{name: "over the cap, with Content-Length", size: MaxResponse + 1, wantErr: true},
		{name: "over the cap, chunked", size: MaxResponse + 1, chunked: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.chunked {
					w.Write([]byte(big[:tt.size/2]))
					w.(http.Flusher).Flush()
					w.Write([]byte(big[tt.size/2 : tt.size]))
					return
				}
				w.Header().Set("Content-Length", strconv.Itoa(tt.size))
				w.Write([]byte(big[:tt.size]))
			}))
			defer srv.Close()
			resp, err := NewHTTPClient(0).Get(srv.URL)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, errTooLarge)) {
				t.Fatalf("err = %v, want too large: %v", err, tt.wantErr)
			}
		})
	}
}

// TestOversizedProviderAnswers: a huge token response or user API answer
// is a provider_error, not a crash or a silent truncation.
func TestOversizedProviderAnswers(t *testing.T) {
	huge := `{"access_token":"at-1","x":"` + strings.Repeat("a", MaxResponse) + `"}`
	for _, path := range []string{"/token", "/user"} {
		t.Run(path, func(t *testing.T) {
			a := newFakeAPI(t)
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == path {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(huge))
					return
				}
				a.srv.Config.Handler.ServeHTTP(w, r)
			}))
			defer srv.Close()
			a.set("ok", map[string]apiAnswer{"/user": ok200(`{"id":1}`), "/user/emails": ok200(`[]`)})
			p, err := NewGitHub(context.Background(), Config{ID: "github", ClientID: "c", ClientSecret: "s",
				TokenURL: srv.URL + "/token", APIURL: srv.URL, HTTPClient: client(t, srv, 0)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := exchange(p); codeOf(err) != shared.CodeProviderError {
				t.Fatalf("Exchange = %v, want provider_error", err)
			}
		})
	}
}

// TestTokenEndpointRedirectNotFollowed: a token endpoint that redirects
// the POST (with our client secret) elsewhere is refused.
func TestTokenEndpointRedirectNotFollowed(t *testing.T) {
	var followed bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed = true
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	p, err := NewDiscord(context.Background(), Config{ID: "discord", ClientID: "c", ClientSecret: "s", TokenURL: srv.URL + "/token", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exchange(p); codeOf(err) != shared.CodeProviderError || followed {
		t.Fatalf("Exchange = %v, followed = %v", err, followed)
	}
}

// TestConcurrentCallsReuseConnections: rounds of concurrent calls to one
// provider host run over the connections the first round opened, instead
// of a new TCP connection (and TLS handshake) for most calls.
func TestConcurrentCallsReuseConnections(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // keep the round's calls in flight together
		w.Write([]byte(`{"ok":true}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := NewHTTPClient(0)
	const concurrent, rounds = 16, 5
	for range rounds {
		var wg sync.WaitGroup
		for range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}()
		}
		wg.Wait()
		time.Sleep(20 * time.Millisecond) // let the transport take the connections back
	}
	// One connection per concurrent call in the first round; the others
	// reuse them. (Keeping two idle per host, as net/http's default does,
	// opens about 14 more every round.)
	if n := opened.Load(); n > 2*concurrent {
		t.Fatalf("%d connections opened for %d rounds of %d concurrent calls", n, rounds, concurrent)
	}
}
