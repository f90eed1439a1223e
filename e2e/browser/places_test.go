package browser

import (
	"fmt"
	"net"
	"os"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// testPlace is where the suite's browser is, for the replicas' GeoIP file:
// every request comes from 127.0.0.1, which placesFile maps here.
const testPlace = "Testville, ZZ"

// writePlaces writes a GeoLite2-City-layout database mapping 127.0.0.0/8 to
// testPlace, for AUTHBRIDGE_GEOIP_FILE (reserved networks allowed: a real
// database has no loopback record).
func writePlaces(path string) error {
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", IncludeReservedNetworks: true, RecordSize: 24})
	if err != nil {
		return fmt.Errorf("geoip file: %w", err)
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	if err := w.Insert(loopback, mmdbtype.Map{
		"city":    mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Testville")}},
		"country": mmdbtype.Map{"iso_code": mmdbtype.String("ZZ"), "names": mmdbtype.Map{"en": mmdbtype.String("Testland")}},
	}); err != nil {
		return fmt.Errorf("geoip file: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("geoip file: %w", err)
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("geoip file: %w", err)
	}
	return f.Close()
}
