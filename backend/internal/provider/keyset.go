package provider

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// minRefetch throttles JWKS refetches for unknown keys per issuer, so tokens
// with made-up kids cannot make us hammer the provider.
const minRefetch = 10 * time.Second

// keySet verifies ID-token signatures with the provider's JWKS, cached, and
// refetched when a signature fails — at most once per minRefetch.
type keySet struct {
	client  *http.Client
	jwksURL string

	mu     sync.Mutex
	keys   *oidc.StaticKeySet
	last   time.Time
	probed bool
}

func newKeySet(client *http.Client, p *oidc.Provider) *keySet {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	_ = p.Claims(&meta)
	return &keySet{client: client, jwksURL: meta.JWKSURI}
}

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	// Verify outside the lock: it is the expensive part and runs in
	// parallel; the lock only guards the cached set and refetches.
	k.mu.Lock()
	keys := k.keys
	k.mu.Unlock()
	if keys != nil {
		if payload, err := keys.VerifySignature(ctx, jwt); err == nil {
			return payload, nil
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys != keys && k.keys != nil { // another caller refetched meanwhile
		if payload, err := k.keys.VerifySignature(ctx, jwt); err == nil {
			return payload, nil
		}
	}
	if k.probed && time.Since(k.last) < minRefetch {
		return nil, errors.New("provider: signature does not verify with the known keys (JWKS refetch throttled)")
	}
	k.probed, k.last = true, time.Now()
	keys, err := k.fetch(ctx)
	if err != nil {
		return nil, err
	}
	k.keys = keys
	return k.keys.VerifySignature(ctx, jwt)
}

func (k *keySet) fetch(ctx context.Context) (*oidc.StaticKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("provider: jwks: %w", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("provider: jwks: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("provider: jwks: status %d: %v", resp.StatusCode, err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("provider: jwks: %w", err)
	}
	var pubs []crypto.PublicKey
	for _, key := range set.Keys {
		if key.Use == "" || key.Use == "sig" {
			pubs = append(pubs, key.Key)
		}
	}
	return &oidc.StaticKeySet{PublicKeys: pubs}, nil
}
