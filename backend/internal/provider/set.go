package provider

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// retryAfter is how long a provider whose construction (discovery) failed
// waits before the next attempt.
const retryAfter = 30 * time.Second

// Set holds the configured providers. A provider whose discovery fails at
// start does not stop the server: it is listed as unavailable and built
// again on demand.
type Set struct {
	log     *slog.Logger
	order   []string
	entries map[string]*entry
}

type entry struct {
	cfg     Config
	factory Factory

	mu      sync.Mutex
	p       Provider
	lastErr error
	next    time.Time
}

// ListedInfo is a provider as the providers list shows it.
type ListedInfo struct {
	Info
	Available bool
}

// NewSet builds every configured provider; failures are logged and retried.
// A config whose Kind has no factory is skipped with an error in the log.
func NewSet(ctx context.Context, log *slog.Logger, factories map[string]Factory, cfgs []Config) *Set {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Set{log: log, entries: map[string]*entry{}}
	for _, c := range cfgs {
		f, ok := factories[c.Kind]
		if !ok {
			log.Error("provider: no factory for kind", "provider", c.ID, "kind", c.Kind)
			continue
		}
		if c.DisplayName == "" {
			c.DisplayName = c.ID
		}
		e := &entry{cfg: c, factory: f}
		s.entries[c.ID] = e
		s.order = append(s.order, c.ID)
		e.get(ctx, log)
	}
	return s
}

func (e *entry) get(ctx context.Context, log *slog.Logger) Provider {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.p != nil || time.Now().Before(e.next) {
		return e.p
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	p, err := e.factory(bctx, e.cfg)
	if err != nil {
		e.lastErr, e.next = err, time.Now().Add(retryAfter)
		log.Warn("provider unavailable; will retry", "provider", e.cfg.ID, "err", err)
		return nil
	}
	e.p, e.lastErr = p, nil
	log.Info("provider ready", "provider", e.cfg.ID)
	return p
}

// Get answers the provider with id; ok is false when it is not configured.
// A configured provider that is still unavailable answers a stand-in whose
// Available reports false.
func (s *Set) Get(id string) (Provider, bool) {
	e, ok := s.entries[id]
	if !ok {
		return nil, false
	}
	if p := e.get(context.Background(), s.log); p != nil {
		return p, true
	}
	return unavailable{e.cfg}, true
}

// List answers the providers in configuration order.
func (s *Set) List() []ListedInfo {
	out := make([]ListedInfo, 0, len(s.order))
	for _, id := range s.order {
		e := s.entries[id]
		e.mu.Lock()
		p := e.p
		e.mu.Unlock()
		info := Info{ID: id, Name: e.cfg.DisplayName, Kind: kindOf(e.cfg.Kind)}
		if p != nil {
			info = p.Info()
		}
		out = append(out, ListedInfo{Info: info, Available: p != nil})
	}
	return out
}

// ClientID answers a provider's client id (the Google button needs it).
func (s *Set) ClientID(id string) string {
	if e, ok := s.entries[id]; ok {
		return e.cfg.ClientID
	}
	return ""
}

func kindOf(k string) string {
	if k == "github" || k == "discord" {
		return "oauth2"
	}
	return "oidc"
}

// unavailable stands in for a provider whose discovery has not succeeded.
type unavailable struct{ cfg Config }

func (u unavailable) Info() Info {
	return Info{ID: u.cfg.ID, Name: u.cfg.DisplayName, Kind: kindOf(u.cfg.Kind)}
}
func (u unavailable) Available() bool           { return false }
func (u unavailable) AuthURL(AuthParams) string { return "" }
func (u unavailable) Exchange(context.Context, ExchangeParams) (Identity, error) {
	return Identity{}, classify(u.cfg.DisplayName, context.DeadlineExceeded)
}
