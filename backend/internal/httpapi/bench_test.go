package httpapi

import (
	"encoding/json"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

// BenchmarkCredentialSignIn: one Google-button sign-in per op over HTTP:
// ID-token verification, user upsert, the nonce spent and the credential
// remembered, login event, session and token pair. A credential signs in
// once, so each op has its own, minted (with its nonce) before the timer
// starts: the devidp's RSA signing is not measured.
func BenchmarkCredentialSignIn(b *testing.B) {
	forEngineB(b, func(b *testing.B, engine string) {
		e := newEnv(b, engine, nil)
		g := gsi{e: e, b: e.browser()}
		// bodies answers a request body per op, taken in turn by next.
		bodies := func(b *testing.B) (next func() string) {
			b.StopTimer()
			out := make([]string, b.N)
			for i := range out {
				n := g.nonce()
				req, _ := json.Marshal(shared.GoogleCredentialRequest{Credential: g.mint("alice", n), Nonce: n})
				out[i] = string(req)
			}
			var i atomic.Int64
			b.StartTimer()
			return func() string { return out[i.Add(1)-1] }
		}
		c := e.srv.Client()
		b.Run("in-process", func(b *testing.B) {
			next := bodies(b)
			// Server work only: the handler called directly, no TLS, no client.
			h := e.srv.Config.Handler
			// Several requests in flight per core, as a server sees them: the
			// provider check of one overlaps another's write.
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					hr := httptest.NewRequest("POST", "/api/auth/google/credential", strings.NewReader(next()))
					hr.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, hr)
					if rec.Code != 200 {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		})
		b.Run("https", func(b *testing.B) {
			next := bodies(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					hr, _ := http.NewRequest("POST", e.srv.URL+"/api/auth/google/credential", strings.NewReader(next()))
					hr.Header.Set("Content-Type", "application/json")
					resp, err := c.Do(hr)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body) // keep the connection alive
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	})
}

// BenchmarkPopupRoundTrip: /login → provider authorize (devidp) →
// /callback (code exchange + user API + handoff code) → /exchange, with a
// cookie jar, per op. GitHub-style, so no provider RSA signing is in it.
func BenchmarkPopupRoundTrip(b *testing.B) {
	forEngineB(b, func(b *testing.B, engine string) {
		e := newEnv(b, engine, nil)
		br := e.browser()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			br.signInAs("github", "alice")
		}
	})
}

func forEngineB(b *testing.B, fn func(b *testing.B, engine string)) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) { fn(b, engine) })
	}
}

// BenchmarkMe: GET /api/me with a bearer token, the handler called in
// process by 8 concurrent callers: token verification, the user read and
// the JSON answer.
func BenchmarkMe(b *testing.B) {
	forEngineB(b, func(b *testing.B, engine string) {
		e := newEnv(b, engine, nil)
		pair := e.signIn(e.user("Ada", "ada@example.com"))
		h := e.srv.Config.Handler
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				hr := httptest.NewRequest("GET", "/api/me", nil)
				hr.Header.Set("Authorization", "Bearer "+pair.AccessToken)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, hr)
				if rec.Code != 200 {
					b.Errorf("status %d: %s", rec.Code, rec.Body)
					return
				}
			}
		})
	})
}

// BenchmarkRefresh: POST /api/auth/token/refresh, each of 8 concurrent
// callers always presenting its newest refresh token (rotation), in process.
func BenchmarkRefresh(b *testing.B) {
	forEngineB(b, func(b *testing.B, engine string) {
		e := newEnv(b, engine, nil)
		u := e.user("Ada", "ada@example.com")
		h := e.srv.Config.Handler
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			b.StopTimer()
			tok := e.signIn(u).RefreshToken
			b.StartTimer()
			for pb.Next() {
				body, _ := json.Marshal(shared.RefreshRequest{RefreshToken: tok})
				hr := httptest.NewRequest("POST", "/api/auth/token/refresh", strings.NewReader(string(body)))
				hr.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, hr)
				if rec.Code != 200 {
					b.Errorf("status %d: %s", rec.Code, rec.Body)
					return
				}
				var out shared.RefreshResponse
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
					b.Error(err)
					return
				}
				tok = out.RefreshToken
			}
		})
	})
}
