package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	m := New()
	h := m.Middleware("GET /api/me", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	for i := 0; i < 3; i++ {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/me?code=secret", nil))
	}
	m.SignIn("github", "success")
	m.Refresh("token_reused")
	retries := int64(7)
	m.CounterFunc("authbridge_store_retries_total", "re-runs", func() int64 { return retries })
	retries++ // read when scraped, not when registered
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	tests := []string{
		`authbridge_http_requests_total{method="GET",route="GET /api/me",status="418"} 3`,
		`authbridge_http_request_duration_seconds_count{method="GET",route="GET /api/me"} 3`,
		`authbridge_signins_total{outcome="success",provider="github"} 1`,
		`authbridge_refreshes_total{outcome="token_reused"} 1`,
		"authbridge_store_retries_total 8",
		`go_goroutines`,
	}
	for _, want := range tests {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(string(body), "secret") {
		t.Error("metrics leak the raw URL")
	}
}
