package webapp

import (
	"strings"
	"testing"
)

func TestAcceptedCodings(t *testing.T) {
	tests := []struct {
		header string
		want   string // Content-Encoding values, best first
	}{
		{"", ""},
		{"identity", ""},
		{"gzip, deflate, br, zstd", "br gzip"},
		{"gzip", "gzip"},
		{"x-gzip", "gzip"},
		{"BR", "br"},
		{"br;q=0, gzip", "gzip"},
		{"br; q=0.0, gzip;q=0", ""},
		{"gzip;q=0.9, br;q=0.5", "gzip br"},
		{"gzip;q=0.5, br;q=0.5", "br gzip"},
		{"*", "br gzip"},
		{"*;q=0", ""},
		{"*, br;q=0", "gzip"},
		{"br;q=0, *", "gzip"},
		{"br;q=abc, gzip", "gzip"}, // unreadable weight: not accepted
		{"br;q=2", ""},
		{" , ;q=1, gzip ", "gzip"},
		{"br;level=5;q=0.8", "br"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			var got []string
			for _, c := range acceptedCodings(tt.header) {
				got = append(got, c.name)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("acceptedCodings(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}
