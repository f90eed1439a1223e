// Package geoiptest writes small MaxMind-format databases for tests, with
// the record layout of GeoLite2-City and -Country, reserved networks
// allowed so 127.0.0.1 can have a place.
package geoiptest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Place is one network's record. Empty fields are left out of it.
type Place struct {
	City        string // English name
	CountryCode string // ISO 3166-1 alpha-2
	Country     string // English name
}

// Write writes a database of type dbType ("GeoLite2-City", …) holding
// networks (CIDR → place) and answers its path, in t's temporary directory.
// ipVersion is 4 or 6.
func Write(t testing.TB, dbType string, ipVersion int, networks map[string]Place) string {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            dbType,
		IPVersion:               ipVersion,
		IncludeReservedNetworks: true,
		Languages:               []string{"en"},
		RecordSize:              24,
	})
	if err != nil {
		t.Fatalf("geoiptest: new writer: %v", err)
	}
	for cidr, p := range networks {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatalf("geoiptest: %q: %v", cidr, err)
		}
		if err := w.Insert(n, p.record()); err != nil {
			t.Fatalf("geoiptest: insert %s: %v", cidr, err)
		}
	}
	path := filepath.Join(t.TempDir(), dbType+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("geoiptest: %v", err)
	}
	defer f.Close()
	if _, err := w.WriteTo(f); err != nil {
		t.Fatalf("geoiptest: write: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("geoiptest: close: %v", err)
	}
	return path
}

func (p Place) record() mmdbtype.Map {
	rec := mmdbtype.Map{}
	if p.City != "" {
		rec["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(p.City)}}
	}
	country := mmdbtype.Map{}
	if p.CountryCode != "" {
		country["iso_code"] = mmdbtype.String(p.CountryCode)
	}
	if p.Country != "" {
		country["names"] = mmdbtype.Map{"en": mmdbtype.String(p.Country)}
	}
	if len(country) > 0 {
		rec["country"] = country
	}
	return rec
}
