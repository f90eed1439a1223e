package devidp

import (
	"fmt"
	"testing"
)

// TestLoadUsers: load-1 … load-899 exist, each a verified person of their
// own with subjects in the shape of the real ones; anything else of that
// look does not.
func TestLoadUsers(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		id   string
		ok   bool
		want string // email
	}{
		{"load-1", true, "load-1@load.test"},
		{"load-42", true, "load-42@load.test"},
		{"load-899", true, "load-899@load.test"},
		{"load-0", false, ""},
		{"load-900", false, ""},
		{"load-01", false, ""},
		{"load-", false, ""},
		{"load-x", false, ""},
		{"load--1", false, ""},
		{"loadx-1", false, ""},
		{"alice", true, "alice@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			u, ok := f.idp.user(tt.id)
			if ok != tt.ok || u.Email != tt.want {
				t.Fatalf("user(%q) = %+v, %v", tt.id, u, ok)
			}
			if ok && !u.EmailVerified {
				t.Fatalf("%s is not verified", tt.id)
			}
		})
	}
	// Different people: no subject at any API is shared with another
	// load user or a ready one, and every one keeps the real shape.
	seen := map[string]string{}
	ids := []string{}
	for _, u := range Users() {
		ids = append(ids, u.ID)
	}
	for i := 1; i <= maxLoadUsers; i++ {
		ids = append(ids, fmt.Sprint("load-", i))
	}
	for _, id := range ids {
		u, ok := f.idp.user(id)
		if !ok {
			t.Fatalf("%s missing", id)
		}
		for _, api := range []string{APIGoogle, APIGitHub, APIDiscord, APIOIDC} {
			s := u.Subject(api)
			if other, dup := seen[api+s]; dup && other != id {
				t.Fatalf("%s and %s share the %s subject %s", id, other, api, s)
			}
			seen[api+s] = id
			if api == APIGoogle && len(s) != 20 || api == APIDiscord && len(s) != 17 {
				t.Fatalf("%s: %s subject %q has the wrong shape", id, api, s)
			}
		}
	}
	// And they sign in, at an OIDC issuer and with the GIS button.
	claims := f.verifyIDToken(APIOIDC, f.idTokenFor(APIOIDC, "load-7"), "app")
	if claims["email"] != "load-7@load.test" || claims["sub"] != "dev-load-7" {
		t.Fatalf("load-7's ID token: %v", claims)
	}
	resp, body := f.post(f.idp.URL("/gsi/credential"), "application/json", `{"client_id":"app","user":"load-8"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("GIS credential for load-8: %d %s", resp.StatusCode, body)
	}
}
