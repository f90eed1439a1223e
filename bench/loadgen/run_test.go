package main

import (
	"context"
	"io"
	"os"
	"runtime"
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
	if _, err := stepFor("nope", newClient(1), "http://x", "http://x/devidp"); err == nil {
		t.Error("unknown workload accepted")
	}
}

// TestDriveCountsAndSamples: drive runs the step from every virtual user
// until the deadline and counts errors.
func TestDriveCountsAndSamples(t *testing.T) {
	var calls atomic.Int64
	r := drive(context.Background(), 4, 100*time.Millisecond, nil, func(ctx context.Context, _ *user) error {
		if calls.Add(1)%2 == 0 {
			return io.EOF
		}
		return nil
	}, nil)
	if r.n == 0 || r.errs == 0 || r.errs >= r.n || r.firstErr == nil || len(r.lat) != r.n {
		t.Fatalf("drive = n %d errs %d lat %d first %v", r.n, r.errs, len(r.lat), r.firstErr)
	}
}

// TestParseProcStat reads the machine's CPU line of /proc/stat and
// refuses what is not one.
func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want cpuTimes
		ok   bool
	}{
		{"kernel 6 line", "cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\n", cpuTimes{busy: 160, steal: 10, total: 990}, true},
		{"no guest columns", "cpu 1 2 3 4 5 6 7 8\n", cpuTimes{busy: 19, steal: 8, total: 36}, true},
		{"per-CPU line first", "cpu0 1 2 3 4 5 6 7 8\n", cpuTimes{}, false},
		{"too few fields", "cpu 1 2 3 4 5 6 7\n", cpuTimes{}, false},
		{"not a number", "cpu 1 2 3 x 5 6 7 8\n", cpuTimes{}, false},
		{"negative", "cpu 1 2 3 -4 5 6 7 8\n", cpuTimes{}, false},
		{"empty", "", cpuTimes{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseProcStat(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("parseProcStat = %+v %v, want %+v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestMachineCPU reads this machine's /proc/stat (the load runs are on Linux).
func TestMachineCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/stat is Linux's")
	}
	a, ok := machineCPU()
	if !ok || a.total <= 0 || a.busy <= 0 {
		t.Fatalf("machineCPU = %+v %v", a, ok)
	}
}

// TestResultMachineLine: the machine's share is printed when it was read.
func TestResultMachineLine(t *testing.T) {
	r := result{n: 10, took: time.Second, lat: make([]time.Duration, 10), machine: cpuTimes{busy: 150, steal: 20, total: 200}}
	if got := r.String(); !strings.Contains(got, "machine busy 75% steal 10%") {
		t.Fatalf("line %q lacks the machine's CPU", got)
	}
	r.machine = cpuTimes{}
	if got := r.String(); strings.Contains(got, "machine") {
		t.Fatalf("line %q names the machine without having read it", got)
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
