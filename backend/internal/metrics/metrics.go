// Package metrics is AuthBridge's Prometheus instrumentation, on its own
// registry so several servers (tests) never collide.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	signins   *prometheus.CounterVec
	refreshes *prometheus.CounterVec
}

// New registers every collector on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authbridge_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "authbridge_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		signins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authbridge_signins_total", Help: "Sign-in attempts by provider and outcome.",
		}, []string{"provider", "outcome"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authbridge_refreshes_total", Help: "Refresh-token rotations by outcome (success or error code).",
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.signins, m.refreshes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Observer hears about every finished request (the access log).
type Observer func(r *http.Request, route string, status int, took time.Duration)

// Middleware counts and times requests under route, the mux pattern (never
// the raw URL, so label values stay bounded), and tells each observer.
func (m *Metrics) Middleware(route string, next http.Handler, observers ...Observer) http.Handler {
	lat := m.latency.MustCurryWith(prometheus.Labels{"route": route})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		took := time.Since(start)
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
		lat.WithLabelValues(r.Method).Observe(took.Seconds())
		for _, o := range observers {
			o(r, route, rec.status, took)
		}
	})
}

// SignIn counts a sign-in attempt.
func (m *Metrics) SignIn(provider, outcome string) {
	m.signins.WithLabelValues(provider, outcome).Inc()
}

// Refresh counts a refresh by outcome.
func (m *Metrics) Refresh(outcome string) { m.refreshes.WithLabelValues(outcome).Inc() }

// CounterFunc exports a count that lives elsewhere (read when scraped),
// such as the store's transaction re-runs.
func (m *Metrics) CounterFunc(name, help string, count func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
		func() float64 { return float64(count()) }))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
