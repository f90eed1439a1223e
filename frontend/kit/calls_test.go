package kit

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

// recorder is both a Doer and a Caller: it keeps the one call made and
// answers with canned JSON.
type recorder struct {
	method, path, bearer string
	body                 string
	answer               string
	signed               bool
}

func (r *recorder) Do(_ context.Context, method, path, bearer string, in, out any) error {
	r.method, r.path, r.bearer = method, path, bearer
	return r.finish(in, out)
}

func (r *recorder) Call(_ context.Context, method, path string, in, out any) error {
	r.method, r.path, r.signed = method, path, true
	return r.finish(in, out)
}

func (r *recorder) finish(in, out any) error {
	if in != nil {
		b, _ := json.Marshal(in)
		r.body = string(b)
	}
	if out != nil && r.answer != "" {
		return json.Unmarshal([]byte(r.answer), out)
	}
	return nil
}

func TestTypedCalls(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name         string
		answer       string
		call         func(p Public, s Signed) (any, error)
		method, path string
		body         string
		signed       bool
		want         any
	}{
		{"providers", `{"providers":[{"id":"github","name":"GitHub"}],"google_client_id":"cid"}`,
			func(p Public, _ Signed) (any, error) { return p.Providers(ctx) },
			"GET", "/api/auth/providers", "", false,
			shared.ProvidersResponse{Providers: []shared.ProviderInfo{{ID: "github", Name: "GitHub"}}, GoogleClientID: "cid"}},
		{"google nonce", `{"nonce":"n1"}`,
			func(p Public, _ Signed) (any, error) { return p.GoogleNonce(ctx) },
			"GET", "/api/auth/google/nonce", "", false, shared.NonceResponse{Nonce: "n1"}},
		{"google credential", `{"access_token":"a","user":{"id":"u1"},"is_new":true}`,
			func(p Public, _ Signed) (any, error) { return p.GoogleCredential(ctx, "idt", "n1") },
			"POST", "/api/auth/google/credential", `{"credential":"idt","nonce":"n1"}`, false,
			shared.SignInResponse{TokenPair: shared.TokenPair{AccessToken: "a"}, User: shared.User{ID: "u1"}, IsNew: true}},
		{"exchange", `{"access_token":"a"}`,
			func(p Public, _ Signed) (any, error) { return p.Exchange(ctx, "c1", "v1") },
			"POST", "/api/auth/exchange", `{"code":"c1","verifier":"v1"}`, false,
			shared.SignInResponse{TokenPair: shared.TokenPair{AccessToken: "a"}}},
		{"refresh sends an empty object", `{"access_token":"a","user":{"id":"u1"}}`,
			func(p Public, _ Signed) (any, error) { return p.Refresh(ctx) },
			"POST", "/api/auth/token/refresh", `{}`, false,
			shared.RefreshResponse{TokenPair: shared.TokenPair{AccessToken: "a"}, User: shared.User{ID: "u1"}}},
		{"logout one", "",
			func(_ Public, s Signed) (any, error) { return nil, s.Logout(ctx, false) },
			"POST", "/api/auth/logout", `{}`, true, nil},
		{"logout all", "",
			func(_ Public, s Signed) (any, error) { return nil, s.Logout(ctx, true) },
			"POST", "/api/auth/logout", `{"all":true}`, true, nil},
		{"connect ticket", `{"ticket":"t1"}`,
			func(_ Public, s Signed) (any, error) { return s.ConnectTicket(ctx, "discord", "chal") },
			"POST", "/api/auth/connect-ticket", `{"provider":"discord","challenge":"chal"}`, true, "t1"},
		{"passkey login options send an empty object", `{"publicKey":{"challenge":"AA"}}`,
			func(p Public, _ Signed) (any, error) { return p.PasskeyLoginOptions(ctx) },
			"POST", "/api/auth/passkey/login/options", `{}`, false, json.RawMessage(`{"publicKey":{"challenge":"AA"}}`)},
		{"passkey login sends the assertion as it is", `{"access_token":"a"}`,
			func(p Public, _ Signed) (any, error) { return p.PasskeyLogin(ctx, json.RawMessage(`{"id":"x"}`)) },
			"POST", "/api/auth/passkey/login", `{"id":"x"}`, false, shared.SignInResponse{TokenPair: shared.TokenPair{AccessToken: "a"}}},
		{"passkey options", `{"publicKey":{}}`,
			func(_ Public, s Signed) (any, error) { return s.PasskeyOptions(ctx) },
			"POST", "/api/me/passkeys/options", `{}`, true, json.RawMessage(`{"publicKey":{}}`)},
		{"add passkey", `{"id":"p1","kind":"passkey"}`,
			func(_ Public, s Signed) (any, error) { return s.AddPasskey(ctx, json.RawMessage(`{"id":"x"}`)) },
			"POST", "/api/me/passkeys", `{"id":"x"}`, true, shared.LinkedAccount{ID: "p1", Kind: "passkey"}},
		{"rename passkey", "",
			func(_ Public, s Signed) (any, error) { return nil, s.RenamePasskey(ctx, "p/1", "Laptop") },
			"PATCH", "/api/me/passkeys/p%2F1", `{"name":"Laptop"}`, true, nil},
		{"remove passkey", "",
			func(_ Public, s Signed) (any, error) { return nil, s.RemovePasskey(ctx, "p1") },
			"DELETE", "/api/me/passkeys/p1", "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{answer: tt.answer}
			got, err := tt.call(Public{D: r}, Signed{C: r})
			if err != nil {
				t.Fatal(err)
			}
			if r.method != tt.method || r.path != tt.path || r.body != tt.body || r.signed != tt.signed || r.bearer != "" {
				t.Fatalf("sent %s %s body %q signed %v bearer %q; want %s %s body %q signed %v",
					r.method, r.path, r.body, r.signed, r.bearer, tt.method, tt.path, tt.body, tt.signed)
			}
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestLoginURL(t *testing.T) {
	q := url.Values{"process": {"login"}}
	if got := LoginURL("", "github", "/api/auth/github/login", q); got != "/api/auth/github/login?process=login" {
		t.Errorf("published path: %q", got)
	}
	if got := LoginURL("https://api.example", "a b", "", q); got != "https://api.example/api/auth/a%20b/login?process=login" {
		t.Errorf("default path: %q", got)
	}
}
