package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
)

// JWKSMaxAge is how long verifiers may cache /.well-known/jwks.json: its
// Cache-Control max-age. Key rotation is timed from it.
const JWKSMaxAge = 5 * time.Minute

// PrePublish is how long a rotated key is in the JWKS before it signs, so a
// verifier that cached the JWKS never meets an unknown kid: the JWKS cache
// lifetime, plus cacheTTL for a replica that serves the JWKS from a key
// list read just before the rotation, plus as much again for slack (a slow
// reload, replicas' clocks).
const PrePublish = JWKSMaxAge + 2*cacheTTL

// keyView is what the keys mean at one moment: the key that signs and the
// keys published (and accepted). It holds for from ≤ now < until.
type keyView struct {
	current   *key
	published map[string]*key
	jwks      []byte
	from      time.Time
	until     time.Time
}

// forever is the until of a view no future time changes.
var forever = time.Unix(1<<62, 0)

// computeView decides, from the keys alone (latest signsFrom first) and the
// time, which key signs and which are published, so every replica and
// every restart answers the same:
//   - the key that signs is the one with the latest signsFrom not after now;
//   - a key whose signsFrom is still ahead is published already;
//   - an older key stopped signing when the next key's signsFrom came, and
//     is published until retain (access TTL + leeway) after that, when
//     every token it signed has expired.
func computeView(keys []*key, now time.Time, retain time.Duration) keyView {
	v := keyView{published: make(map[string]*key, len(keys)), from: now, until: forever}
	ci := len(keys) - 1 // a clock before every key (only an injected one): the earliest
	for i, k := range keys {
		if !k.signsFrom.After(now) {
			ci = i
			break
		}
	}
	v.current = keys[ci]
	list := []*key{v.current} // current first, then the next, then older
	for i, k := range keys {
		switch {
		case i < ci:
			list = append(list, k)
			v.until = minTime(v.until, k.signsFrom)
		case i > ci:
			end := keys[i-1].signsFrom.Add(retain)
			if !now.Before(end) {
				continue
			}
			list = append(list, k)
			v.until = minTime(v.until, end)
		}
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(list))}
	for _, k := range list {
		v.published[k.kid] = k
		set.Keys = append(set.Keys, k.jwk)
	}
	v.jwks, _ = json.Marshal(set) // strings only: cannot fail
	return v
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// sortKeys orders keys latest signsFrom first (kid breaks ties), the order
// computeView reads.
func sortKeys(keys []*key) {
	sort.SliceStable(keys, func(i, j int) bool {
		if !keys[i].signsFrom.Equal(keys[j].signsFrom) {
			return keys[i].signsFrom.After(keys[j].signsFrom)
		}
		return keys[i].kid > keys[j].kid
	})
}

// retain is how long a key stays published after it stopped signing.
func (m *Manager) retain() time.Duration { return m.opts.TTL + m.opts.Leeway }

// view answers the keys' meaning now, computing it again only when a
// boundary passed (or the keys changed).
func (m *Manager) view() keyView {
	now := m.opts.Now()
	m.mu.RLock()
	v := m.cur
	m.mu.RUnlock()
	if !now.Before(v.from) && now.Before(v.until) {
		return v
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v = m.cur; !now.Before(v.from) && now.Before(v.until) {
		return v
	}
	m.cur = computeView(m.keys, now, m.retain())
	return m.cur
}

// Rotate publishes a new key that signs from PrePublish later. Until then
// the current key signs; afterwards it stays published until the tokens it
// signed have expired. Keys that left the JWKS for good are marked retired
// in the same transaction. Other replicas read the new key within cacheTTL,
// long before it signs.
func (m *Manager) Rotate(ctx context.Context) (kid string, signsFrom time.Time, err error) {
	if m.static {
		return "", time.Time{}, errors.New("token: the signing key comes from AUTHBRIDGE_SIGNING_KEY: replace it there to rotate")
	}
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	if err := m.reloadLocked(ctx); err != nil && !errors.Is(err, errNoKeys) {
		return "", time.Time{}, fmt.Errorf("token: rotate: %w", err)
	}
	m.mu.RLock()
	loaded := m.keys // latest signsFrom first
	m.mu.RUnlock()
	now := m.opts.Now().UTC().Truncate(time.Microsecond)
	signsFrom = now.Add(PrePublish)
	// Strictly after every stored key's, so the order of keys is the
	// order of rotations even when the clock stands still or lags.
	if len(loaded) > 0 && !signsFrom.After(loaded[0].signsFrom) {
		signsFrom = loaded[0].signsFrom.UTC().Truncate(time.Microsecond).Add(time.Microsecond)
	}
	k, err := m.generate(now, signsFrom)
	if err != nil {
		return "", time.Time{}, err
	}
	row, err := k.row(m.sealer)
	if err != nil {
		return "", time.Time{}, err
	}
	var retire []string
	if len(loaded) > 0 {
		v := computeView(loaded, now, m.retain())
		for _, old := range loaded {
			if v.published[old.kid] == nil {
				retire = append(retire, old.kid)
			}
		}
	}
	if err := m.ks.InsertSigningKey(ctx, row, retire); err != nil {
		return "", time.Time{}, fmt.Errorf("token: store key: %w", err)
	}
	if err := m.reloadLocked(ctx); err != nil {
		return "", time.Time{}, err
	}
	m.opts.Logger.InfoContext(ctx, "signing key published", "kid", k.kid, "alg", k.alg, "signs_from", signsFrom, "retired", len(retire))
	return k.kid, signsFrom, nil
}

// insertFirstLocked stores the first key of our alg, which signs at once:
// no verifier can have cached a JWKS that lacks it. Replicas starting
// together settle on one such key; the losers read the winner's.
func (m *Manager) insertFirstLocked(ctx context.Context) error {
	now := m.opts.Now().UTC().Truncate(time.Microsecond)
	k, err := m.generate(now, now)
	if err != nil {
		return err
	}
	row, err := k.row(m.sealer)
	if err != nil {
		return err
	}
	if err := m.ks.InsertFirstSigningKey(ctx, row); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("token: store first key: %w", err)
	}
	if err := m.reloadLocked(ctx); err != nil {
		return err
	}
	m.opts.Logger.InfoContext(ctx, "signing key generated", "kid", m.view().current.kid, "alg", m.alg)
	return nil
}

func (m *Manager) generate(created, signsFrom time.Time) (*key, error) {
	s, err := generate(m.alg)
	if err != nil {
		return nil, err
	}
	k, err := newKey(s, created)
	if err != nil {
		return nil, err
	}
	k.signsFrom = signsFrom
	return k, nil
}
