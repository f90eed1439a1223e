package kit

import (
	"testing"

	"github.com/authbridge/authbridge/shared"
)

func TestFlowLoginURL(t *testing.T) {
	p := shared.ProviderInfo{ID: "github", LoginURL: "/api/auth/github/login"}
	got := loginURL("", p, "connect", "popup", "chal", "tick")
	want := "/api/auth/github/login?challenge=chal&handoff=popup&process=connect&ticket=tick"
	if got != want {
		t.Fatalf("loginURL = %q, want %q", got, want)
	}
	if got := loginURL("https://api.example", shared.ProviderInfo{ID: "dev"}, "login", "redirect", "c", ""); got != "https://api.example/api/auth/dev/login?challenge=c&handoff=redirect&process=login" {
		t.Fatalf("loginURL without LoginURL = %q", got)
	}
}

func TestPKCE(t *testing.T) {
	v1, c1 := newPKCE()
	v2, _ := newPKCE()
	if len(v1) != 43 || len(c1) != 43 || v1 == v2 || v1 == c1 {
		t.Fatalf("verifier %q challenge %q second %q", v1, c1, v2)
	}
}
