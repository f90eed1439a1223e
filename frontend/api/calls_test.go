package api

import (
	"context"
	"encoding/json"

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
		call         func(s Signed) (any, error)
		method, path string
		body         string
		signed       bool
		want         any
	}{
		{"me", `{"id":"u1","name":"Alice"}`,
			func(s Signed) (any, error) { return s.Me(ctx) },
			"GET", "/api/me", "", true, shared.User{ID: "u1", Name: "Alice"}},
		{"accounts", `{"items":[{"id":"a1","provider":"github"}]}`,
			func(s Signed) (any, error) { return s.Accounts(ctx) },
			"GET", "/api/me/accounts", "", true, []shared.LinkedAccount{{ID: "a1", Provider: "github"}}},
		{"disconnect escapes the id", "",
			func(s Signed) (any, error) { return nil, s.Disconnect(ctx, "a/1") },
			"DELETE", "/api/me/accounts/a%2F1", "", true, nil},
		{"sessions", `{"items":[{"id":"s1","current":true}]}`,
			func(s Signed) (any, error) { return s.Sessions(ctx) },
			"GET", "/api/me/sessions", "", true, []shared.Session{{ID: "s1", Current: true}}},
		{"revoke session", "",
			func(s Signed) (any, error) { return nil, s.RevokeSession(ctx, "s1") },
			"DELETE", "/api/me/sessions/s1", "", true, nil},
		{"logins", `{"items":[{"provider":"google","outcome":"success"}]}`,
			func(s Signed) (any, error) { return s.Logins(ctx) },
			"GET", "/api/me/logins", "", true, []shared.LoginEvent{{Provider: "google", Outcome: shared.OutcomeSuccess}}},
		{"pending link", `{"provider":"discord","provider_name":"Discord","email":"a@example.com"}`,
			func(s Signed) (any, error) { return s.PendingLink(ctx) },
			"GET", "/api/me/pending-link", "", true, shared.PendingLinkResponse{Provider: "discord", ProviderName: "Discord", Email: "a@example.com"}},
		{"confirm link sends the secret in the body", `{"id":"a2","provider":"discord"}`,
			func(s Signed) (any, error) { return s.ConfirmLink(ctx, "s3cret") },
			"POST", "/api/me/pending-link", `{"link":"s3cret"}`, true, shared.LinkedAccount{ID: "a2", Provider: "discord"}},
		{"discard link", "",
			func(s Signed) (any, error) { return nil, s.DiscardLink(ctx) },
			"DELETE", "/api/me/pending-link", "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{answer: tt.answer}
			got, err := tt.call(Signed{C: r})
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
