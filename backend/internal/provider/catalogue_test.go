package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestCatalogue: the table is consistent, and each kind's Impl is what its
// factory builds, so capabilities asked of Impl (before a provider is
// built) are those of the built provider.
func TestCatalogue(t *testing.T) {
	ids, named := map[string]bool{}, 0
	for _, e := range Catalogue {
		if ids[e.ID] || e.ID == "" || e.New == nil || e.Impl == nil || (e.Kind != KindOIDC && e.Kind != KindOAuth2) {
			t.Errorf("entry %+v: duplicate id, or lacks a factory, an Impl or a kind", e)
		}
		ids[e.ID] = true
		if e.Named {
			named++
		} else if e.Name == "" {
			t.Errorf("%s: a built-in needs a display name", e.ID)
		}
		for _, o := range Catalogue {
			if o.ID != e.ID && strings.HasPrefix(o.prefix(), e.prefix()) {
				t.Errorf("%s's variables (%s*) would be read as %s's", o.ID, o.prefix(), e.ID)
			}
		}
	}
	if named != 1 {
		t.Errorf("%d Named kinds, want 1 (AUTHBRIDGE_OIDC_<NAME>_*)", named)
	}

	f, mf := newFakeIdP(t), newMicrosoftIdP(t)
	for _, e := range Catalogue {
		t.Run(e.ID, func(t *testing.T) {
			cfg := Config{ID: e.ID, Kind: e.ID, ClientID: "client-1", ClientSecret: "secret-1", Issuer: f.URL,
				HTTPClient: client(t, f.srv, 0), Now: clock}
			if e.ID == "microsoft" {
				cfg.Issuer, cfg.HTTPClient = mf.URL, client(t, mf.srv, 0)
			}
			p, err := e.New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.TypeOf(p) != reflect.TypeOf(e.Impl) {
				t.Fatalf("factory builds %T, Impl is %T", p, e.Impl)
			}
			if p.Info().Kind != e.Kind {
				t.Fatalf("Info().Kind = %q, catalogue says %q", p.Info().Kind, e.Kind)
			}
			if got, ok := Lookup(e.ID); !ok || got.ID != e.ID {
				t.Fatal("Lookup")
			}
		})
	}
	if _, ok := Lookup("nope"); ok {
		t.Fatal("Lookup of an unknown kind")
	}
	// The capability, not the name: Google's is the only button today.
	for _, e := range Catalogue {
		if e.VerifiesCredential() != (e.ID == "google") {
			t.Errorf("%s: VerifiesCredential = %v", e.ID, e.VerifiesCredential())
		}
	}
	if got := len(Factories()); got != len(Catalogue) {
		t.Errorf("Factories has %d kinds, the catalogue %d", got, len(Catalogue))
	}
}
