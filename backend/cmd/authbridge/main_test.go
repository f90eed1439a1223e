package main

import "testing"

func TestMemProfileRate(t *testing.T) {
	tests := []struct {
		name  string
		pprof string
		want  int
	}{
		{"profiler off: no samples", "", 0},
		{"profiler served: Go's default", "127.0.0.1:6060", 512 * 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "AUTHBRIDGE_PPROF_ADDR" {
					return tt.pprof
				}
				return ""
			}
			if got := memProfileRate(getenv, 512*1024); got != tt.want {
				t.Fatalf("memProfileRate = %d, want %d", got, tt.want)
			}
		})
	}
}
