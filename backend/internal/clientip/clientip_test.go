package clientip

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string // the trusted prefixes, in order
		wantErr []string // each must appear in the one error
	}{
		{name: "empty", in: "", want: nil},
		{name: "blanks and stray commas", in: " , ,", want: nil},
		{name: "mixed list", in: " 10.0.0.0/8 , 192.168.1.1,::1, 2001:db8::/32,",
			want: []string{"10.0.0.0/8", "192.168.1.1/32", "::1/128", "2001:db8::/32"}},
		{name: "host bits are masked", in: "10.1.2.3/8", want: []string{"10.0.0.0/8"}},
		{name: "mapped address is IPv4", in: "::ffff:192.0.2.1", want: []string{"192.0.2.1/32"}},
		{name: "mapped prefix is IPv4", in: "::ffff:10.0.0.0/104", want: []string{"10.0.0.0/8"}},
		{name: "every bad entry is reported",
			in:      "10.0.0.0/8, nope, 300.1.1.1, 10.0.0.0/33, fe80::1%eth0, 1.2.3.4:80, example.com, ::1",
			wantErr: []string{`"nope"`, `"300.1.1.1"`, `"10.0.0.0/33"`, `"fe80::1%eth0"`, `"1.2.3.4:80"`, `"example.com"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.in)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Parse(%q) = nil error", tt.in)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %s", err, w)
					}
				}
				if strings.Contains(err.Error(), `"::1"`) || strings.Contains(err.Error(), `"10.0.0.0/8"`) {
					t.Errorf("error %q names a good entry", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			var got []string
			for _, p := range r.trusted {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("trusted = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	const proxies = "10.0.0.0/8, 2001:db8:ffff::/48"
	tests := []struct {
		name    string
		trusted string
		remote  string
		xff     []string // X-Forwarded-For lines, in order
		headers map[string]string
		want    string
	}{
		// The peer alone.
		{name: "no proxies configured", trusted: "", remote: "203.0.113.7:5000", xff: []string{"1.2.3.4"}, want: "203.0.113.7"},
		{name: "trusted peer without header", trusted: proxies, remote: "10.0.0.2:5000", want: "10.0.0.2"},
		{name: "remote without port", trusted: "", remote: "203.0.113.7", want: "203.0.113.7"},
		{name: "ipv6 peer canonical", trusted: "", remote: "[2001:DB8:0:0::7]:443", want: "2001:db8::7"},
		{name: "mapped peer unmapped", trusted: "", remote: "[::ffff:203.0.113.7]:5000", want: "203.0.113.7"},

		// Spoofing.
		{name: "untrusted peer's header ignored", trusted: proxies, remote: "203.0.113.7:5000",
			xff: []string{"198.51.100.9"}, want: "203.0.113.7"},
		{name: "untrusted peer claims to be a proxy", trusted: proxies, remote: "203.0.113.7:5000",
			xff: []string{"198.51.100.9, 10.0.0.5"}, want: "203.0.113.7"},
		{name: "untrusted mapped peer is not trusted by a v4 range", trusted: "192.0.2.0/24", remote: "[::ffff:198.51.100.1]:1",
			xff: []string{"1.2.3.4"}, want: "198.51.100.1"},
		{name: "client prepends a fake address", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"1.2.3.4, 198.51.100.9"}, want: "198.51.100.9"},
		{name: "client prepends a trusted-looking address", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"10.9.9.9, 198.51.100.9"}, want: "198.51.100.9"},
		{name: "client sends its own header line first", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"1.2.3.4", "198.51.100.9"}, want: "198.51.100.9"},
		{name: "other headers are ignored", trusted: proxies, remote: "10.0.0.2:5000",
			headers: map[string]string{"X-Real-Ip": "1.2.3.4", "Forwarded": "for=1.2.3.4", "True-Client-Ip": "1.2.3.4"}, want: "10.0.0.2"},
		{name: "bare host trusts only itself", trusted: "10.0.0.1", remote: "10.0.0.2:5000",
			xff: []string{"1.2.3.4"}, want: "10.0.0.2"},

		// Walking trusted hops.
		{name: "one trusted proxy", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{"198.51.100.9"}, want: "198.51.100.9"},
		{name: "chain of trusted proxies", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"198.51.100.9, 10.0.0.7, 10.0.0.5"}, want: "198.51.100.9"},
		{name: "chain over header lines", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"1.2.3.4, 198.51.100.9", "10.0.0.7", "10.0.0.5"}, want: "198.51.100.9"},
		{name: "blanks and tabs around entries", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{" 198.51.100.9 ,\t10.0.0.5 "}, want: "198.51.100.9"},
		{name: "every hop trusted: the leftmost", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"10.0.0.9, 10.0.0.5"}, want: "10.0.0.9"},
		{name: "ipv6 chain", trusted: proxies, remote: "[2001:db8:ffff::2]:443",
			xff: []string{"2001:DB8:1::0:1, 2001:db8:ffff::3"}, want: "2001:db8:1::1"},
		{name: "mapped hop unmapped and trusted", trusted: proxies, remote: "[::ffff:10.0.0.2]:5000",
			xff: []string{"198.51.100.9, ::ffff:10.0.0.5"}, want: "198.51.100.9"},
		{name: "mapped client unmapped", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"::ffff:198.51.100.9"}, want: "198.51.100.9"},
		{name: "mapped CIDR trusts the v4 peer", trusted: "::ffff:10.0.0.0/104", remote: "10.0.0.2:5000",
			xff: []string{"198.51.100.9"}, want: "198.51.100.9"},
		{name: "zoned link-local peer", trusted: "fe80::/10", remote: "[fe80::1%eth0]:5000",
			xff: []string{"198.51.100.9"}, want: "198.51.100.9"},

		// Malformed entries stop the walk at the last trusted hop.
		{name: "malformed rightmost: the peer", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"198.51.100.9, junk"}, want: "10.0.0.2"},
		{name: "malformed behind a trusted hop: that hop", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"198.51.100.9, junk, 10.0.0.5"}, want: "10.0.0.5"},
		{name: "malformed left of the client: ignored", trusted: proxies, remote: "10.0.0.2:5000",
			xff: []string{"junk, 198.51.100.9"}, want: "198.51.100.9"},
		{name: "empty header", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{""}, want: "10.0.0.2"},
		{name: "empty entry", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{"198.51.100.9,,10.0.0.5"}, want: "10.0.0.5"},
		{name: "only commas", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{", ,"}, want: "10.0.0.2"},
		{name: "entry with a port", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{"198.51.100.9:4711"}, want: "10.0.0.2"},
		{name: "bracketed ipv6", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{"[2001:db8::1]"}, want: "10.0.0.2"},
		{name: "zoned entry", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{"fe80::1%eth0"}, want: "10.0.0.2"},
		{name: "host name", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{"localhost"}, want: "10.0.0.2"},
		{name: "unknown", trusted: proxies, remote: "10.0.0.2:5000", xff: []string{"unknown"}, want: "10.0.0.2"},
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
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			if got := r.ClientIP(req); got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNilResolverTrustsNobody(t *testing.T) {
	var r *Resolver
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "10.0.0.2:5000"
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	if got := r.ClientIP(req); got != "10.0.0.2" {
		t.Fatalf("ClientIP = %q, want the peer", got)
	}
}

func BenchmarkClientIP(b *testing.B) {
	r, err := Parse("10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16")
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "10.0.0.2:5000"
	req.Header.Set("X-Forwarded-For", "1.2.3.4, 198.51.100.9, 10.0.0.7")
	b.ReportAllocs()
	for b.Loop() {
		r.ClientIP(req)
	}
}
