package main

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/geoip/geoiptest"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
)

// TestUsersShowPlaces: with AUTHBRIDGE_GEOIP_FILE set, users show names
// each session's coarse place (text beside the IP, JSON "place"); without
// it, or for an IP the file does not know, there is none; an unreadable
// file is refused.
func TestUsersShowPlaces(t *testing.T) {
	file := geoiptest.Write(t, "GeoLite2-City", 6, map[string]geoiptest.Place{
		"192.0.2.0/24": {City: "Testville", CountryCode: "ZZ", Country: "Testland"},
	})
	other := geoiptest.Write(t, "GeoLite2-City", 6, map[string]geoiptest.Place{
		"2001:db8::/32": {CountryCode: "KR", Country: "South Korea"},
	})
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env, users := cliDB(t, engine) // every session from 192.0.2.1
			for _, c := range []struct {
				name, file, place string
				code              int
			}{
				{"with a GeoIP file", file, "Testville, ZZ", exitOK},
				{"an IP the file does not know", other, "", exitOK},
				{"without", "", "", exitOK},
				{"an unreadable file", t.TempDir() + "/none.mmdb", "", exitFailed},
			} {
				t.Run(c.name, func(t *testing.T) {
					e := maps.Clone(env)
					e["AUTHBRIDGE_GEOIP_FILE"] = c.file
					code, out, errOut := cli(t, e, "", "users", "show", users["ada"].ID)
					if code != c.code {
						t.Fatalf("exit %d, want %d: %s", code, c.code, errOut)
					}
					if code != exitOK {
						return
					}
					if got := strings.Contains(out, "192.0.2.1 ("+c.place+")"); got != (c.place != "") {
						t.Fatalf("text names the place %q: %v\n%s", c.place, got, out)
					}
					_, out, _ = cli(t, e, "", "users", "show", users["ada"].ID, "--json")
					var v struct {
						Sessions []map[string]any `json:"sessions"`
					}
					if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Sessions) != 1 {
						t.Fatalf("json: %v\n%s", err, out)
					}
					if p, ok := v.Sessions[0]["place"]; (c.place == "" && ok) || (c.place != "" && p != c.place) {
						t.Fatalf("json place = %v, want %q", p, c.place)
					}
				})
			}
		})
	}
}

// TestOperatorLastAdminByEmail: an administrator by AUTHBRIDGE_ADMIN_EMAILS
// counts for the CLI's last-administrator guard: alone, they can be
// neither disabled nor deleted (exit 1, last_admin); once someone is
// granted, they can.
func TestOperatorLastAdminByEmail(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env, users := cliDB(t, engine)
			env["AUTHBRIDGE_ADMIN_EMAILS"] = "cy@example.net"
			cy := users["cy"].ID
			for _, s := range []struct {
				name string
				args []string
				code int
				out  string
			}{
				{"disable the only administrator", []string{"users", "disable", cy, "--json"}, exitFailed, `"last_admin"`},
				{"delete the only administrator", []string{"users", "delete", "--yes", cy, "--json"}, exitFailed, `"last_admin"`},
				{"grant another", []string{"admin", "grant", users["ada"].ID}, exitOK, "is an administrator"},
				{"disable one of two", []string{"users", "disable", cy}, exitOK, "disabled"},
			} {
				code, out, errOut := cli(t, env, "", s.args...)
				if code != s.code || !strings.Contains(out, s.out) {
					t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
				}
			}
		})
	}
}
