package geoip_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/geoip"
	"github.com/authbridge/authbridge/backend/internal/geoip/geoiptest"
)

func open(t *testing.T, path string) *geoip.DB {
	t.Helper()
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPlace(t *testing.T) {
	tw := geoiptest.Place{City: "Taipei", CountryCode: "TW", Country: "Taiwan"}
	networks := map[string]geoiptest.Place{
		"127.0.0.0/8":     {City: "Testville", CountryCode: "ZZ", Country: "Testland"},
		"203.0.113.0/24":  tw,
		"198.51.100.0/24": {CountryCode: "KR", Country: "South Korea"}, // no city known
		"192.0.2.0/25":    {CountryCode: "FR"},                         // no names at all
		"192.0.2.128/25":  {City: "Nowhere"},                           // a city without a country
		"2001:db8::/32":   {City: "Seoul", CountryCode: "KR", Country: "South Korea"},
	}
	city := open(t, geoiptest.Write(t, "GeoLite2-City", 6, networks))
	// A Country database's records have no city.
	countries := map[string]geoiptest.Place{}
	for n, p := range networks {
		p.City = ""
		countries[n] = p
	}
	country := open(t, geoiptest.Write(t, "GeoLite2-Country", 6, countries))
	v4 := open(t, geoiptest.Write(t, "DBIP-City-Lite", 4, map[string]geoiptest.Place{"203.0.113.0/24": tw}))

	tests := []struct {
		name string
		db   *geoip.DB
		ip   string
		want string
	}{
		{"city db: city and code", city, "203.0.113.7", "Taipei, TW"},
		{"city db: loopback mapped by the file", city, "127.0.0.1", "Testville, ZZ"},
		{"city db: no city, the country's name", city, "198.51.100.1", "South Korea"},
		{"city db: no names, the country code", city, "192.0.2.1", "FR"},
		{"city db: a city alone", city, "192.0.2.200", "Nowhere"},
		{"city db: IPv6", city, "2001:db8::1", "Seoul, KR"},
		{"city db: IPv4-mapped IPv6", city, "::ffff:203.0.113.7", "Taipei, TW"},
		{"city db: unknown IP", city, "8.8.8.8", ""},
		{"city db: unknown IPv6", city, "2606:4700::1", ""},
		{"city db: private address the file lacks", city, "10.0.0.1", ""},
		{"city db: not an address", city, "not-an-ip", ""},
		{"city db: empty", city, "", ""},
		{"country db: the country only", country, "203.0.113.7", "Taiwan"},
		{"country db: IPv6", country, "2001:db8::1", "South Korea"},
		{"IPv4-only db: IPv4", v4, "203.0.113.7", "Taipei, TW"},
		{"IPv4-only db: IPv6 has no place", v4, "2001:db8::1", ""},
		{"no db", nil, "203.0.113.7", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.db.Place(tc.ip); got != tc.want {
				t.Errorf("Place(%q) = %q, want %q", tc.ip, got, tc.want)
			}
		})
	}
}

// TestOpenRefuses: a configured file that cannot answer places stops the
// server at start, with an error naming the file and what is wrong.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.mmdb")
	if err := os.WriteFile(text, []byte("this is not a MaxMind database\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.mmdb")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	asn := geoiptest.Write(t, "GeoLite2-ASN", 6, map[string]geoiptest.Place{"203.0.113.0/24": {CountryCode: "TW"}})
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "absent.mmdb"), "no such file"},
		{"a directory", dir, "open " + dir},
		{"empty", empty, "empty"},
		{"not an mmdb", text, "invalid MaxMind DB"},
		{"wrong database type", asn, `"GeoLite2-ASN" database; want a City or Country one`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := geoip.Open(tc.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%s) accepted it", tc.path)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("Open(%s) = %v, want it to name the file and say %q", tc.path, err, tc.want)
			}
		})
	}
}

func TestOpenAccepts(t *testing.T) {
	for _, typ := range []string{"GeoLite2-City", "GeoIP2-City", "GeoLite2-Country", "GeoIP2-Country", "GeoIP2-Enterprise", "DBIP-City-Lite", "DBIP-Country-Lite"} {
		t.Run(typ, func(t *testing.T) {
			open(t, geoiptest.Write(t, typ, 6, map[string]geoiptest.Place{"203.0.113.0/24": {CountryCode: "TW"}}))
		})
	}
}
