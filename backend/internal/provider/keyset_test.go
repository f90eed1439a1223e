package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

// fakeClock is a settable clock for the JWKS throttle.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// googleWithClock builds Google against f with a settable throttle clock.
func googleWithClock(t *testing.T, f *fakeIdP) (CredentialVerifier, *fakeClock) {
	t.Helper()
	p := newTestGoogle(t, f, client(t, f.srv, 0), "")
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	p.(*google).keys.clock = clk.Now
	return p.(CredentialVerifier), clk
}

// TestUnknownKidRefetchIsThrottled: tokens with kids we don't know make us
// fetch the JWKS again at most once per window, however many arrive; a
// known kid with a bad signature never refetches.
func TestUnknownKidRefetchIsThrottled(t *testing.T) {
	f := newFakeIdP(t)
	cv, clk := googleWithClock(t, f)
	c := googleClaims(f)
	delete(c, "nonce")
	good, unknownKid, forged := signRS(t, c, rsaKey, "k1"), signRS(t, c, rsaKey2, "k9"), signRS(t, c, rsaKey2, "k1")
	ctx := context.Background()
	if _, err := cv.VerifyCredential(ctx, good); err != nil {
		t.Fatal(err)
	}
	jwksHits := func() int { _, j := f.hits(); return j }
	if n := jwksHits(); n != 1 {
		t.Fatalf("first verification fetched the JWKS %d times", n)
	}
	for range 20 {
		for _, tok := range []string{unknownKid, forged} {
			if _, err := cv.VerifyCredential(ctx, tok); codeOf(err) != shared.CodeInvalidCredential {
				t.Fatalf("bad token: %v", err)
			}
		}
	}
	if n := jwksHits(); n != 1 {
		t.Fatalf("JWKS fetched %d times inside the window, want 1", n)
	}
	clk.Add(minRefetch + time.Second)
	for range 20 {
		if _, err := cv.VerifyCredential(ctx, unknownKid); codeOf(err) != shared.CodeInvalidCredential {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := jwksHits(); n != 2 {
		t.Fatalf("JWKS fetched %d times after the window, want 2", n)
	}
	if _, err := cv.VerifyCredential(ctx, good); err != nil {
		t.Fatalf("the cached keys stopped working: %v", err)
	}
}

// TestKeyRotation: a token signed with a newly published key verifies
// once the window allows a refetch.
func TestKeyRotation(t *testing.T) {
	f := newFakeIdP(t)
	cv, clk := googleWithClock(t, f)
	c := googleClaims(f)
	delete(c, "nonce")
	ctx := context.Background()
	if _, err := cv.VerifyCredential(ctx, signRS(t, c, rsaKey, "k1")); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.jwks = append(f.jwks, jwk(&rsaKey2.PublicKey, "k2", "RS256"))
	f.mu.Unlock()
	clk.Add(minRefetch)
	if _, err := cv.VerifyCredential(ctx, signRS(t, c, rsaKey2, "k2")); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
}

// TestJWKSUnavailable: a JWKS that can't be fetched is the provider's
// outage (provider_unavailable), not a bad token; the failure is cached for
// the window, then retried.
func TestJWKSUnavailable(t *testing.T) {
	f := newFakeIdP(t)
	f.jwksStatus = 503
	cv, clk := googleWithClock(t, f)
	c := googleClaims(f)
	delete(c, "nonce")
	tok := signRS(t, c, rsaKey, "k1")
	for range 3 {
		if _, err := cv.VerifyCredential(context.Background(), tok); codeOf(err) != shared.CodeProviderUnavailable {
			t.Fatalf("JWKS down: %v", err)
		}
	}
	if _, j := f.hits(); j != 1 {
		t.Fatalf("JWKS fetched %d times while down inside the window", j)
	}
	f.mu.Lock()
	f.jwksStatus = 0
	f.mu.Unlock()
	clk.Add(minRefetch)
	if _, err := cv.VerifyCredential(context.Background(), tok); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

// TestJWKSParsing: keys we can't use are skipped one by one; a set with
// none left is a provider error.
func TestJWKSParsing(t *testing.T) {
	testKeys(t)
	good, _ := json.Marshal(jwk(&rsaKey.PublicKey, "k1", "RS256"))
	enc := jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "e1", Algorithm: "RSA-OAEP", Use: "enc"}
	encJSON, _ := json.Marshal(enc)
	tests := []struct {
		name string
		body string
		want shared.ErrorCode
	}{
		{name: "one good key among junk", body: `{"keys":[{"kty":"weird","kid":"x"},{"kty":"oct","k":"c2VjcmV0","kid":"h"},` + string(good) + `]}`},
		{name: "only an encryption key", body: `{"keys":[` + string(encJSON) + `]}`, want: shared.CodeProviderError},
		{name: "not JSON", body: `<html>`, want: shared.CodeProviderError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIdP(t)
			f.extra = nil
			cv, _ := googleWithClock(t, f)
			ks := cv.(*google).keys
			ks.url = f.URL + "/custom-jwks"
			f.extra = func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) }
			c := googleClaims(f)
			delete(c, "nonce")
			_, err := cv.VerifyCredential(context.Background(), signRS(t, c, rsaKey, "k1"))
			if codeOf(err) != tt.want {
				t.Fatalf("VerifyCredential = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestLINEUnknownKidThrottled: LINE's ES256 keys share the throttle.
func TestLINEUnknownKidThrottled(t *testing.T) {
	f := newLINEIdP(t)
	p := newTestLINE(t, f, client(t, f.srv, 0))
	c := jwt.MapClaims{"iss": lineIssuer, "aud": "1656000000", "sub": "U1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": testNonce}
	for i := range 10 {
		f.set("ok", signES(t, c, ecKey, "unknown-"+string(rune('a'+i))))
		if _, err := exchange(p); codeOf(err) != shared.CodeInvalidCredential {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if _, j := f.hits(); j != 1 {
		t.Fatalf("LINE JWKS fetched %d times for 10 unknown kids, want 1", j)
	}
}
