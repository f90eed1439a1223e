package main

import (
	"context"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 51 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}}
	for _, tt := range tests {
		if got := pct(lat, tt.p); got != tt.want {
			t.Errorf("p%.0f = %s, want %s", tt.p, got, tt.want)
		}
	}
	if pct(nil, 50) != 0 {
		t.Error("empty percentile")
	}
}

func TestRunRefusesBadArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "-url is required"},
		{[]string{"-url", "http://x", "-vus", "0"}, "-vus"},
		{[]string{"-url", "http://127.0.0.1:1", "-workload", "nope", "-vus", "1"}, ""},
		{[]string{"-url", "http://x", "-cpuprofile", "/nonexistent-dir/cpu.prof"}, "cpuprofile"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%v) = %v, want an error with %q", tt.args, err, tt.want)
		}
	}
	if _, err := stepFor("nope", newClient(1), "http://x"); err == nil {
		t.Error("unknown workload accepted")
	}
}

// TestDriveCountsAndSamples: drive runs the step from every virtual user
// until the deadline and counts errors.
func TestDriveCountsAndSamples(t *testing.T) {
	var calls atomic.Int64
	r := drive(context.Background(), 4, 100*time.Millisecond, 0, func(ctx context.Context, _ *user) error {
		if calls.Add(1)%2 == 0 {
			return io.EOF
		}
		return nil
	}, nil)
	if r.n == 0 || r.errs == 0 || r.errs >= r.n || r.firstErr == nil || len(r.lat) != r.n {
		t.Fatalf("drive = n %d errs %d lat %d first %v", r.n, r.errs, len(r.lat), r.firstErr)
	}
}

// TestProcessCPU: this process's CPU time grows while it works; a process
// that does not exist answers 0.
func TestProcessCPU(t *testing.T) {
	before := processCPU(os.Getpid())
	deadline := time.Now().Add(300 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	if after := processCPU(os.Getpid()); after <= before {
		t.Fatalf("processCPU did not grow: %v then %v (spun %d times)", before, after, x)
	}
	if got := processCPU(1 << 30); got != 0 {
		t.Fatalf("processCPU(missing) = %v, want 0", got)
	}
}
