package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseTargets(t *testing.T) {
	tests := []struct {
		spec    string
		wantErr string // empty: accepted
	}{
		{"", ""},
		{"me=8000,me-ratio=0.6,refresh=4000,popup-p50=15ms,rss=40", ""},
		{" credential=2000 , mix=3000 ", ""},
		{"me", "not name=value"},
		{"me=", "not name=value"},
		{"=5", "not name=value"},
		{"login=5", "names no workload"},
		{"me-p99=5ms", "want <workload>"},
		{"popup-p50=fast", "want a duration"},
		{"popup-p50=-1ms", "want a duration"},
		{"me=lots", "want a positive number"},
		{"rss=0", "want a positive number"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := parseTargets(tt.spec)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
	got, err := parseTargets("me=8000,me-ratio=0.6,popup-p50=15ms,rss=40")
	if err != nil || got.rate["me"] != 8000 || got.ratio["me"] != 0.6 || got.p50["popup"] != 15*time.Millisecond || got.rssMiB != 40 {
		t.Fatalf("parseTargets = %+v, %v", got, err)
	}
}

func TestVerdict(t *testing.T) {
	goals, err := parseTargets("me=8000,me-ratio=0.6,popup-p50=15ms,rss=40")
	if err != nil {
		t.Fatal(err)
	}
	// run makes a one-second result of n requests, each taking lat.
	run := func(n int, lat time.Duration, errs int, rssMiB float64) result {
		r := result{n: n, errs: errs, took: time.Second, rssMax: int64(rssMiB * 1024)}
		for range n {
			r.lat = append(r.lat, lat)
		}
		return r
	}
	tests := []struct {
		name, workload string
		r              result
		ceil           float64
		want           string
		ok             bool
	}{
		{"all met", "me", run(9000, time.Millisecond, 0, 30), 12000, "targets met", true},
		{"rate short", "me", run(7000, time.Millisecond, 0, 30), 10000, "targets short: 7000 < 8000 req/s", false},
		{"ratio short", "me", run(9000, time.Millisecond, 0, 30), 20000, "targets short: 0.45× < 0.60× ceiling", false},
		{"no ceiling: ratio not held", "me", run(9000, time.Millisecond, 0, 30), 0, "targets met", true},
		{"p50 short", "popup", run(500, 20*time.Millisecond, 0, 30), 0, "targets short: p50 20ms > 15ms", false},
		{"rss short, errors", "refresh", run(100, time.Millisecond, 3, 41.5), 0, "targets short: RSS 41.5 > 40 MiB, 3 errors", false},
		{"only rss applies", "refresh", run(100, time.Millisecond, 0, 20), 0, "targets met", true},
		{"nothing applies without RSS", "refresh", run(100, time.Millisecond, 0, 0), 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := goals.verdict(tt.workload, tt.r, tt.ceil)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("verdict = %q %v, want %q %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
