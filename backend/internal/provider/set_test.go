package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

func TestSetRetriesFailedDiscovery(t *testing.T) {
	f := newFakeIdP(t)
	f.discStatus = 503
	s := NewSet(context.Background(), nil, Factories(), []Config{{ID: "acme", Kind: "oidc", DisplayName: "Acme",
		Issuer: f.URL, ClientID: "client-1", HTTPClient: client(t, f.srv, 0), Now: clock}})
	clk := &fakeClock{t: time.Now()}
	s.now = clk.Now
	discHits := func() int { d, _ := f.hits(); return d }

	if l := s.List(); len(l) != 1 || l[0].Available || l[0].ID != "acme" || l[0].Name != "Acme" || l[0].Kind != KindOIDC {
		t.Fatalf("List = %+v, want acme unavailable", l)
	}
	p, ok := s.Get("acme")
	if !ok {
		t.Fatal("configured provider not found")
	}
	if a, isA := p.(interface{ Available() bool }); !isA || a.Available() {
		t.Fatal("the stand-in must report unavailable")
	}
	if _, err := p.Exchange(context.Background(), ExchangeParams{}); codeOf(err) != shared.CodeProviderUnavailable {
		t.Fatalf("Exchange on an unavailable provider = %v", err)
	}
	if p.AuthURL(AuthParams{}) != "" || p.Info().ID != "acme" {
		t.Fatalf("stand-in = %+v", p.Info())
	}
	if n := discHits(); n != 1 {
		t.Fatalf("discovery tried %d times before the backoff passed", n)
	}

	clk.Add(retryMin + time.Second) // first backoff passed: Get tries again (still down)
	if p, _ := s.Get("acme"); p.AuthURL(AuthParams{}) != "" {
		t.Fatal("provider built while discovery is down")
	}
	clk.Add(retryMin + time.Second) // the backoff doubled: not yet
	s.Get("acme")
	if n := discHits(); n != 2 {
		t.Fatalf("discovery tried %d times, want 2 (backoff doubles)", n)
	}

	f.mu.Lock()
	f.discStatus = 0
	f.mu.Unlock()
	clk.Add(retryMin)
	// List retries in the background: the list recovers without a sign-in.
	deadline := time.Now().Add(10 * time.Second)
	for !s.List()[0].Available {
		if time.Now().After(deadline) {
			t.Fatal("provider did not recover")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p, _ = s.Get("acme")
	if _, isStandIn := p.(standIn); isStandIn || p.AuthURL(AuthParams{State: "s"}) == "" {
		t.Fatalf("Get after recovery = %T", p)
	}
	if _, ok := s.Get("nope"); ok {
		t.Fatal("unknown provider found")
	}
}

// stub is a provider for Set tests.
type stub struct{ info Info }

func (s stub) Info() Info                { return s.info }
func (s stub) AuthURL(AuthParams) string { return "https://idp.example/authorize" }
func (s stub) Exchange(context.Context, ExchangeParams) (Identity, error) {
	return Identity{Provider: s.info.ID}, nil
}

func TestSetConfiguration(t *testing.T) {
	ok := func(_ context.Context, c Config) (Provider, error) {
		return stub{Info{ID: c.ID, Name: c.DisplayName, Kind: KindOAuth2}}, nil
	}
	fail := func(context.Context, Config) (Provider, error) { return nil, errors.New("down") }
	s := NewSet(context.Background(), nil, map[string]Factory{"ok": ok, "google": fail, "oidc": fail}, []Config{
		{ID: "zeta", Kind: "ok", DisplayName: "Zeta", ClientID: "z"},
		{ID: "google", ClientID: "gid"}, // Kind defaults to the id
		{ID: "corp", Kind: "oidc"},
		{ID: "nokind", Kind: "missing"},
		{ID: "zeta", Kind: "ok", DisplayName: "Zeta again"},
	})
	l := s.List()
	if len(l) != 3 || l[0].ID != "zeta" || !l[0].Available || l[0].Name != "Zeta" ||
		l[1].ID != "google" || l[1].Available || l[2].ID != "corp" || l[2].Name != "corp" {
		t.Fatalf("List = %+v", l)
	}
	if _, ok := s.Get("nokind"); ok {
		t.Fatal("a config without a factory was kept")
	}
	if s.ClientID("google") != "gid" || s.ClientID("nope") != "" {
		t.Fatal("ClientID")
	}
	// An unavailable Google still has a button that answers
	// provider_unavailable rather than "no such button".
	g, _ := s.Get("google")
	cv, isCV := g.(CredentialVerifier)
	if !isCV {
		t.Fatal("unavailable Google lost its credential verifier")
	}
	if _, err := cv.VerifyCredential(context.Background(), "x"); codeOf(err) != shared.CodeProviderUnavailable {
		t.Fatalf("VerifyCredential = %v", err)
	}
	if c, _ := s.Get("corp"); c != nil {
		if _, isCV := c.(CredentialVerifier); isCV {
			t.Fatal("a generic OIDC stand-in claims a credential button")
		}
	}
}

// TestSetBuildsInParallel: slow discoveries at start don't add up. Each
// factory waits until all have started; built one after another, the
// first would give up.
func TestSetBuildsInParallel(t *testing.T) {
	const n = 3
	var started atomic.Int32
	all := make(chan struct{})
	var once sync.Once
	f := func(_ context.Context, c Config) (Provider, error) {
		if started.Add(1) == n {
			once.Do(func() { close(all) })
		}
		select {
		case <-all:
			return stub{Info{ID: c.ID}}, nil
		case <-time.After(5 * time.Second):
			return nil, errors.New("built alone")
		}
	}
	s := NewSet(context.Background(), nil, map[string]Factory{"slow": f}, []Config{
		{ID: "a", Kind: "slow"}, {ID: "b", Kind: "slow"}, {ID: "c", Kind: "slow"},
	})
	for _, info := range s.List() {
		if !info.Available {
			t.Fatalf("%s not built in parallel", info.ID)
		}
	}
}

// TestSetStandInsFromCatalogue: a provider not built yet is listed with its
// kind's catalogue kind, keeps its kind's capabilities, and the button
// (CredentialVerifier) is found by capability, not by name.
func TestSetStandInsFromCatalogue(t *testing.T) {
	fail := func(context.Context, Config) (Provider, error) { return nil, errors.New("down") }
	factories := map[string]Factory{}
	for _, e := range Catalogue {
		factories[e.ID] = fail
	}
	factories["stub"] = fail
	s := NewSet(context.Background(), nil, factories, []Config{
		{ID: "gitlab", ClientID: "gl"},
		{ID: "discord", ClientID: "d"},
		{ID: "corp", Kind: "oidc", ClientID: "c"},
		{ID: "work", Kind: "google", ClientID: "button-client"}, // a Google under another id
		{ID: "other", Kind: "stub"},
	})
	tests := []struct {
		id, kind string
		button   bool
	}{
		{"gitlab", KindOIDC, false},
		{"discord", KindOAuth2, false},
		{"corp", KindOIDC, false},
		{"work", KindOIDC, true},
		{"other", KindOIDC, false},
	}
	list := s.List()
	for i, tt := range tests {
		p, _ := s.Get(tt.id)
		_, button := p.(CredentialVerifier)
		if l := list[i]; l.ID != tt.id || l.Kind != tt.kind || l.Available || button != tt.button {
			t.Errorf("%s: listed %+v, button %v; want kind %s, button %v", tt.id, l, button, tt.kind, tt.button)
		}
	}
	if id, cid, ok := s.Button(); !ok || id != "work" || cid != "button-client" {
		t.Fatalf("Button = %q, %q, %v", id, cid, ok)
	}
	if _, _, ok := NewSet(context.Background(), nil, factories, []Config{{ID: "gitlab"}}).Button(); ok {
		t.Fatal("a button without a button kind")
	}
}
