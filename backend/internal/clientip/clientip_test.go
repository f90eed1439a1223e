package clientip

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		trusted string
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: peer", "", "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"},
		{"untrusted peer spoofs xff", "10.0.0.0/8", "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"},
		{"trusted peer", "10.0.0.0/8", "10.0.0.2:5000", []string{"198.51.100.9"}, "198.51.100.9"},
		{"client-prepended spoof ignored", "10.0.0.0/8", "10.0.0.2:5000", []string{"1.2.3.4, 198.51.100.9"}, "198.51.100.9"},
		{"two trusted hops", "10.0.0.0/8", "10.0.0.2:5000", []string{"198.51.100.9, 10.0.0.5"}, "198.51.100.9"},
		{"several headers", "10.0.0.0/8", "10.0.0.2:5000", []string{"198.51.100.9", "10.0.0.5"}, "198.51.100.9"},
		{"malformed stops the walk", "10.0.0.0/8", "10.0.0.2:5000", []string{"198.51.100.9, junk"}, "10.0.0.2"},
		{"all trusted", "10.0.0.0/8", "10.0.0.2:5000", []string{"10.0.0.9"}, "10.0.0.9"},
		{"mapped ipv6 peer", "127.0.0.1", "[::ffff:127.0.0.1]:5000", []string{"198.51.100.9"}, "198.51.100.9"},
		{"ipv6", "::1/128", "[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"bare ip entry", "127.0.0.1", "127.0.0.1:1", nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.ClientIP(req); got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseReportsEveryBadEntry(t *testing.T) {
	_, err := Parse("10.0.0.0/8, nope, 300.1.1.1, ::1")
	if err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "300.1.1.1") {
		t.Fatalf("Parse error = %v", err)
	}
}
