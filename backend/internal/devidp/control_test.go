package devidp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// TestDiscoveryAndJWKS, per OIDCAlg: discovery names each issuer's
// algorithm, and its JWKS publishes the public half of its key.
func TestDiscoveryAndJWKS(t *testing.T) {
	tests := []struct {
		oidcAlg string
		want    map[string]string // api → alg
	}{
		{"", map[string]string{APIGoogle: "RS256", APIOIDC: "RS256"}},
		{"RS256", map[string]string{APIGoogle: "RS256", APIOIDC: "RS256"}},
		{"ES256", map[string]string{APIGoogle: "RS256", APIOIDC: "ES256"}},
	}
	for _, tt := range tests {
		t.Run("OIDCAlg="+tt.oidcAlg, func(t *testing.T) {
			f := newFixtureWith(t, func(o *Options) { o.OIDCAlg = tt.oidcAlg })
			for _, api := range oidcAPIs {
				checkDiscovery(t, f, api, tt.want[api])
				checkJWK(t, f, api, tt.want[api])
			}
		})
	}
}

func checkDiscovery(t *testing.T, f *fixture, api, alg string) {
	t.Helper()
	resp, body := f.get(f.idp.URL("/" + api + "/.well-known/openid-configuration"))
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s discovery: %d %s", api, resp.StatusCode, body)
	}
	iss := f.idp.Issuer(api)
	if iss != f.srv.URL+"/devidp/"+api { // the trailing slash of BaseURL is trimmed
		t.Fatalf("issuer %q", iss)
	}
	for k, v := range map[string]string{"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
		"userinfo_endpoint": iss + "/userinfo", "jwks_uri": iss + "/jwks"} {
		if doc[k] != v {
			t.Errorf("%s %s = %v, want %s", api, k, doc[k], v)
		}
	}
	if m, _ := doc["code_challenge_methods_supported"].([]any); len(m) != 1 || m[0] != "S256" {
		t.Errorf("%s code_challenge_methods_supported = %v", api, m)
	}
	if a, _ := doc["id_token_signing_alg_values_supported"].([]any); len(a) != 1 || a[0] != alg {
		t.Errorf("%s id_token_signing_alg_values_supported = %v, want [%s]", api, a, alg)
	}
}

// checkJWK: api's JWKS holds one key, the current one, of alg's type with
// its public members only (EC coordinates of exactly 32 bytes).
func checkJWK(t *testing.T, f *fixture, api, alg string) {
	t.Helper()
	_, body := f.get(f.idp.URL("/" + api + "/jwks"))
	var set struct {
		Keys []map[string]string
	}
	if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("%s JWKS = %s", api, body)
	}
	k := set.Keys[0]
	if k["kid"] != f.idp.KeyID(api) || k["alg"] != alg || k["use"] != "sig" {
		t.Fatalf("%s JWK = %v, want alg %s and kid %s", api, k, alg, f.idp.KeyID(api))
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := k[private]; ok {
			t.Fatalf("%s JWK has the private member %q: %s", api, private, body)
		}
	}
	kty := map[string]string{"RS256": "RSA", "ES256": "EC"}[alg]
	members := map[string][]string{"RS256": {"n", "e"}, "ES256": {"crv", "x", "y"}}[alg]
	if k["kty"] != kty || len(k) != 4+len(members) { // kty, use, alg, kid and the members
		t.Fatalf("%s JWK = %v, want kty %s with exactly %v", api, k, kty, members)
	}
	for _, m := range members {
		if k[m] == "" {
			t.Fatalf("%s JWK lacks %q: %v", api, m, k)
		}
	}
	if alg != "ES256" {
		return
	}
	if k["crv"] != "P-256" {
		t.Fatalf("%s crv = %q", api, k["crv"])
	}
	for _, c := range []string{"x", "y"} {
		if b, err := base64.RawURLEncoding.DecodeString(k[c]); err != nil || len(b) != 32 {
			t.Fatalf("%s %s = %q: %d bytes, %v; want 32 in base64url without padding", api, c, k[c], len(b), err)
		}
	}
}

// TestRotateKeys: tokens signed before a rotation still verify (the
// previous key stays published); two rotations later they do not. Under
// ES256 too, where the generic issuer's keys are EC and Google's RSA.
func TestRotateKeys(t *testing.T) {
	tests := []struct {
		api, oidcAlg, alg string
	}{
		{APIGoogle, "", "RS256"},
		{APIOIDC, "ES256", "ES256"},
		{APIGoogle, "ES256", "RS256"},
	}
	for _, tt := range tests {
		t.Run(tt.api+"/OIDCAlg="+tt.oidcAlg, func(t *testing.T) {
			f := newFixtureWith(t, func(o *Options) { o.OIDCAlg = tt.oidcAlg })
			checkRotation(t, f, tt.api, tt.alg)
		})
	}
}

func checkRotation(t *testing.T, f *fixture, api, alg string) {
	t.Helper()
	// A fresh provider each time: go-oidc caches keys.
	verify := func(raw string) error {
		ctx := oidc.ClientContext(context.Background(), f.srv.Client())
		p, err := oidc.NewProvider(ctx, f.idp.Issuer(api))
		if err != nil {
			return err
		}
		_, err = p.Verifier(&oidc.Config{ClientID: clientID, Now: f.clock.Now}).Verify(ctx, raw)
		return err
	}
	old := f.idTokenFor(api, "alice")
	oldKid := f.idp.KeyID(api)
	if resp, _ := f.post(f.idp.URL("/control/rotate"), "text/plain", `{}`); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("rotate without JSON: %d", resp.StatusCode)
	}
	resp, body := f.post(f.idp.URL("/control/rotate"), "application/json", `{}`)
	if resp.StatusCode != 200 || f.idp.KeyID(api) == oldKid || !strings.Contains(string(body), f.idp.KeyID(api)) {
		t.Fatalf("rotate: %d %s", resp.StatusCode, body)
	}
	fresh := f.idTokenFor(api, "alice")
	if h := jwtHeader(t, fresh); h["kid"] != f.idp.KeyID(api) || h["alg"] != alg {
		t.Fatalf("new token header = %v, want the new key %s and %s", h, f.idp.KeyID(api), alg)
	}
	set := f.jwks(api)
	if len(set.Keys) != 2 || set.Keys[0].KeyID != f.idp.KeyID(api) || set.Keys[1].KeyID != oldKid ||
		set.Keys[0].Algorithm != alg || set.Keys[1].Algorithm != alg {
		t.Fatalf("JWKS after rotation = %+v, want the new and the previous %s key", set.Keys, alg)
	}
	if err := verify(old); err != nil {
		t.Fatalf("token of the previous key: %v", err)
	}
	if err := verify(fresh); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	if err := f.idp.RotateKeys(); err != nil {
		t.Fatal(err)
	}
	if err := verify(old); err == nil {
		t.Fatal("a token of a key two rotations old still verifies")
	}
}

func TestIndexAndHealth(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(f.idp.URL("/"))
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, "mallory") || !strings.Contains(page, "/control/deny") ||
		!strings.Contains(page, "<code>"+clientID+"</code>") || strings.Contains(page, clientSecret) || strings.Contains(strings.ToLower(page), "<script") {
		t.Fatalf("index: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := f.get(f.idp.URL("/healthz")); resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if resp, _ := f.get(f.idp.URL("/nothing")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
	// Outside the base path: not the devidp's.
	if resp, _ := f.get(f.srv.URL + "/oidc/.well-known/openid-configuration"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outside the base path: %d", resp.StatusCode)
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Options{BaseURL: "localhost:8080", Clients: []Client{
		{ID: "", RedirectURIs: []string{"https://x/cb"}},
		{ID: "a", RedirectURIs: []string{"https://x/cb#frag"}},
		{ID: "b"},
		{ID: "c", RedirectURIs: []string{"/relative"}},
		{ID: "c", RedirectURIs: []string{"https://x/cb"}},
	}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"base URL", "#1: empty id", `"a"`, `"b": no redirect URI`, `"/relative"`, `"c": registered twice`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := New(Options{BaseURL: "http://localhost:9090"}); err != nil {
		t.Fatalf("no clients: %v", err)
	}
	for _, alg := range []string{"HS256", "es256", "ES384", "none"} {
		_, err := New(Options{BaseURL: "http://localhost:9090", OIDCAlg: alg})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("OIDC signing algorithm %q: want RS256 or ES256", alg)) {
			t.Errorf("OIDCAlg %q: error %v", alg, err)
		}
	}
}

// TestLogsNoSecrets: codes, tokens, states, nonces, verifiers and
// secrets never reach the log.
func TestLogsNoSecrets(t *testing.T) {
	logBuf := &syncBuffer{}
	f := newFixtureWith(t, func(o *Options) { o.Logger = newTextLogger(logBuf) })
	v, c := pkce()
	code := f.code(APIOIDC, "alice", c)
	_, tok := f.token(APIOIDC, tokenReq{code: code, verifier: v})
	f.token(APIOIDC, tokenReq{code: code, verifier: v}) // replay
	f.token(APIOIDC, tokenReq{code: code, verifier: v, secret: "wrong-secret", client: clientID})
	f.post(f.idp.URL("/gsi/credential"), "application/json", `{"client_id":"app","nonce":"secret-nonce","user":"alice"}`)
	logs := logBuf.String()
	if !strings.Contains(logs, "token issued") {
		t.Fatalf("nothing logged: %s", logs)
	}
	for _, secret := range []string{code, v, c, tok["access_token"].(string), tok["id_token"].(string)[:40], "state-123", "nonce-456",
		"secret-nonce", clientSecret, "wrong-secret"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q:\n%s", secret, logs)
		}
	}
}
