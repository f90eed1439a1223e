package provider

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Retrying providers whose construction (discovery) failed: on demand,
// with exponential backoff between attempts.
const (
	retryMin     = 2 * time.Second
	retryMax     = 5 * time.Minute
	buildTimeout = 15 * time.Second
)

// Set holds the configured providers in configuration order. A provider
// whose discovery fails at start does not stop the server: it is listed
// as unavailable and built again on demand — synchronously by Get (a
// sign-in that would otherwise fail), in the background by List — no more
// often than the backoff allows.
type Set struct {
	log     *slog.Logger
	base    context.Context // NewSet's context values, never its cancellation
	now     func() time.Time
	order   []string
	entries map[string]*entry
}

type entry struct {
	cfg     Config
	factory Factory

	mu       sync.Mutex
	p        Provider
	building bool
	failures int
	next     time.Time // no attempt before this
}

// ListedInfo is a provider as the providers list shows it.
type ListedInfo struct {
	Info
	Available bool
}

// NewSet builds every configured provider, in parallel; it returns when
// each has succeeded or failed once. A config whose Kind (ID when Kind is
// empty) has no factory, or whose ID repeats an earlier one, is left out
// with an error in the log.
func NewSet(ctx context.Context, log *slog.Logger, factories map[string]Factory, cfgs []Config) *Set {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Set{log: log, base: context.WithoutCancel(ctx), now: time.Now, entries: map[string]*entry{}}
	for _, c := range cfgs {
		c.Kind = orStr(c.Kind, c.ID)
		f, ok := factories[c.Kind]
		switch {
		case !ok:
			log.Error("provider: no factory for this kind; left out", "provider", c.ID, "kind", c.Kind)
			continue
		case s.entries[c.ID] != nil:
			log.Error("provider: id configured twice; the second is left out", "provider", c.ID)
			continue
		}
		c.DisplayName = orStr(c.DisplayName, c.ID)
		s.entries[c.ID] = &entry{cfg: c, factory: f, building: true}
		s.order = append(s.order, c.ID)
	}
	var wg sync.WaitGroup
	for _, id := range s.order {
		wg.Go(func() { s.build(s.entries[id]) })
	}
	wg.Wait()
	return s
}

// claim reports whether the caller should build e now, and marks it.
// e.mu must be held.
func (e *entry) claim(now time.Time) bool {
	if e.p != nil || e.building || now.Before(e.next) {
		return false
	}
	e.building = true
	return true
}

// build runs the factory for an entry its caller has claimed.
func (s *Set) build(e *entry) {
	ctx, cancel := context.WithTimeout(s.base, buildTimeout)
	defer cancel()
	p, err := e.factory(ctx, e.cfg)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.building = false
	if err != nil {
		e.failures++
		wait := retryMax
		if e.failures < 20 {
			wait = min(retryMin<<(e.failures-1), retryMax)
		}
		e.next = s.now().Add(wait)
		s.log.Warn("provider unavailable; will retry", "provider", e.cfg.ID, "attempts", e.failures, "retry_in", wait, "err", err)
		return
	}
	e.p, e.failures = p, 0
	s.log.Info("provider ready", "provider", e.cfg.ID)
}

// Get answers the provider with id; ok is false when it is not configured.
// A configured provider that is still unavailable answers a stand-in whose
// Available reports false and whose calls fail with provider_unavailable.
func (s *Set) Get(id string) (Provider, bool) {
	e, ok := s.entries[id]
	if !ok {
		return nil, false
	}
	e.mu.Lock()
	p, start := e.p, e.claim(s.now())
	e.mu.Unlock()
	if start {
		s.build(e)
		e.mu.Lock()
		p = e.p
		e.mu.Unlock()
	}
	if p != nil {
		return p, true
	}
	si := standIn{info: s.info(e, nil)}
	if k, ok := Lookup(e.cfg.Kind); ok && k.VerifiesCredential() {
		return credentialStandIn{si}, true
	}
	return si, true
}

// List answers the providers in configuration order with their
// availability. Unavailable ones due for a retry are rebuilt in the
// background, so the list recovers even if nobody tries to sign in.
func (s *Set) List() []ListedInfo {
	out := make([]ListedInfo, 0, len(s.order))
	for _, id := range s.order {
		e := s.entries[id]
		e.mu.Lock()
		p, start := e.p, e.claim(s.now())
		e.mu.Unlock()
		if start {
			go s.build(e)
		}
		out = append(out, ListedInfo{Info: s.info(e, p), Available: p != nil})
	}
	return out
}

func (s *Set) info(e *entry, p Provider) Info {
	if p != nil {
		return p.Info()
	}
	kind := KindOIDC
	if k, ok := Lookup(e.cfg.Kind); ok {
		kind = k.Kind
	}
	return Info{ID: e.cfg.ID, Name: e.cfg.DisplayName, Kind: kind}
}

// Button answers the provider with a sign-in button (its kind verifies
// button credentials, see CredentialVerifier), first in configuration
// order, and its client id for the page; ok is false when there is none.
// It holds whether or not the provider is available yet.
func (s *Set) Button() (id, clientID string, ok bool) {
	for _, id := range s.order {
		e := s.entries[id]
		if k, found := Lookup(e.cfg.Kind); found && k.VerifiesCredential() {
			return id, e.cfg.ClientID, true
		}
	}
	return "", "", false
}

// ClientID answers a provider's client id (the Google button needs it).
func (s *Set) ClientID(id string) string {
	if e, ok := s.entries[id]; ok {
		return e.cfg.ClientID
	}
	return ""
}

var errNotReady = errors.New("provider: discovery has not succeeded yet")

// standIn stands in for a provider whose discovery has not succeeded.
type standIn struct{ info Info }

var _ Provider = standIn{}

// Info answers the configured id, name and kind.
func (u standIn) Info() Info { return u.info }

// Available reports false: callers check it before AuthURL, which cannot
// fail.
func (u standIn) Available() bool { return false }

func (u standIn) AuthURL(AuthParams) string { return "" }

func (u standIn) Exchange(context.Context, ExchangeParams) (Identity, error) {
	return Identity{}, unavailable(u.info.Name, errNotReady)
}

// credentialStandIn keeps a sign-in button (Google's) answering
// provider_unavailable (not "no such button") while its provider is
// unavailable.
type credentialStandIn struct{ standIn }

var _ CredentialVerifier = credentialStandIn{}

func (u credentialStandIn) VerifyCredential(context.Context, string) (Credential, error) {
	return Credential{}, unavailable(u.info.Name, errNotReady)
}
