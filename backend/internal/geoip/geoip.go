// Package geoip answers a coarse place ("Taipei, TW" or "Taiwan") for an IP
// address from a MaxMind-format database (GeoLite2/GeoIP2 City or Country,
// or DB-IP's lite files, which share the layout), so a user can tell two
// signed-in devices apart. It never answers anything finer than the city.
package geoip

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DB is an open database. A nil *DB answers no place, so callers need no
// check of their own when no file is configured. Safe for concurrent use.
type DB struct {
	r *maxminddb.Reader
}

// Open opens the database at path and refuses a file that is not a
// MaxMind DB or whose records are not of the City or Country layout (an ASN
// or ISP database would answer no place at all, which an operator who set
// the file would not expect).
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: open %s: %w", path, err)
	}
	if !placeLayout(r.Metadata.DatabaseType) {
		r.Close()
		return nil, fmt.Errorf("geoip: %s is a %q database; want a City or Country one (GeoLite2-City, GeoLite2-Country, DB-IP's City or Country Lite)", path, r.Metadata.DatabaseType)
	}
	return &DB{r: r}, nil
}

// placeLayout reports whether a database type names the City/Country
// record layout: MaxMind's GeoIP2/GeoLite2 -City and -Country (and the
// Enterprise superset), DB-IP's DBIP-City-Lite and DBIP-Country-Lite.
func placeLayout(dbType string) bool {
	t := strings.ToLower(dbType)
	return strings.Contains(t, "city") || strings.Contains(t, "country") || strings.Contains(t, "enterprise")
}

// Close releases the database; a nil *DB has nothing to release.
func (db *DB) Close() error {
	if db == nil {
		return nil
	}
	if err := db.r.Close(); err != nil {
		return fmt.Errorf("geoip: close: %w", err)
	}
	return nil
}

// record is the part of a City or Country record we read: English names
// and the country code, nothing finer than the city (no subdivision, postal
// code or coordinates are decoded).
type record struct {
	City struct {
		Names struct {
			EN string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
		Names   struct {
			EN string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"country"`
}

// Place answers the coarse place of ip: "City, CC" when the database knows
// the city (the city alone when the record has no country), else the
// country's English name (its ISO code when the name is missing), else "". Private and loopback addresses are looked up like any
// other: public databases hold no record for them, so they answer "".
// Addresses that do not parse answer "" too: a place is a hint, never an
// error.
func (db *DB) Place(ip string) string {
	if db == nil {
		return ""
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	var rec record
	res := db.r.Lookup(addr.Unmap().WithZone(""))
	if !res.Found() {
		return ""
	}
	if err := res.Decode(&rec); err != nil {
		return ""
	}
	return rec.place()
}

func (rec record) place() string {
	city, cc, country := clean(rec.City.Names.EN), clean(rec.Country.ISOCode), clean(rec.Country.Names.EN)
	switch {
	case city != "" && cc != "":
		return city + ", " + cc
	case city != "" && country != "":
		return city + ", " + country
	case city != "":
		return city
	case country != "":
		return country
	default:
		return cc
	}
}

// clean keeps a name fit for one line of the dashboard: control characters
// dropped, spaces trimmed, at most 64 bytes (names in the real databases are
// far shorter; a crafted file gets no more).
func clean(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s))
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "")
	}
	return s
}
