package devidp

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

func TestDiscoveryAndJWKS(t *testing.T) {
	f := newFixture(t)
	for _, api := range oidcAPIs {
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
		_, body = f.get(f.idp.URL("/" + api + "/jwks"))
		var set struct {
			Keys []map[string]string
		}
		if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 1 || set.Keys[0]["kid"] != f.idp.KeyID(api) ||
			set.Keys[0]["alg"] != "RS256" || set.Keys[0]["kty"] != "RSA" || set.Keys[0]["d"] != "" {
			t.Fatalf("%s JWKS = %s", api, body)
		}
	}
}

// TestRotateKeys: tokens signed before a rotation still verify (the
// previous key stays published); two rotations later they do not.
func TestRotateKeys(t *testing.T) {
	f := newFixture(t)
	mint := func() string {
		_, body := f.post(f.idp.URL("/gsi/credential"), "application/json", `{"client_id":"app","user":"alice"}`)
		var out struct{ Credential string }
		json.Unmarshal(body, &out)
		return out.Credential
	}
	// A fresh provider each time: go-oidc caches keys.
	verify := func(raw string) error {
		ctx := oidc.ClientContext(context.Background(), f.srv.Client())
		p, err := oidc.NewProvider(ctx, f.idp.Issuer(APIGoogle))
		if err != nil {
			return err
		}
		_, err = p.Verifier(&oidc.Config{ClientID: clientID, Now: f.clock.Now}).Verify(ctx, raw)
		return err
	}
	old := mint()
	oldKid := f.idp.KeyID(APIGoogle)
	if resp, _ := f.post(f.idp.URL("/control/rotate"), "text/plain", `{}`); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("rotate without JSON: %d", resp.StatusCode)
	}
	resp, body := f.post(f.idp.URL("/control/rotate"), "application/json", `{}`)
	if resp.StatusCode != 200 || f.idp.KeyID(APIGoogle) == oldKid || !strings.Contains(string(body), f.idp.KeyID(APIGoogle)) {
		t.Fatalf("rotate: %d %s", resp.StatusCode, body)
	}
	fresh := mint()
	if jwtHeader(t, fresh)["kid"] != f.idp.KeyID(APIGoogle) {
		t.Fatal("new tokens are not signed with the new key")
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
