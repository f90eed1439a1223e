package api

import (
	"context"
	"reflect"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

func TestOperatorCalls(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name         string
		answer       string
		call         func(s Signed) (any, error)
		method, path string
		body         string
		want         any
	}{
		{"users: the first page of everyone", `{"items":[{"id":"u1"}],"total":1,"page":1,"limit":50}`,
			func(s Signed) (any, error) { return s.AdminUsers(ctx, UserQuery{}) },
			"GET", "/api/admin/users", "",
			shared.AdminUserPage{Items: []shared.AdminUser{{User: shared.User{ID: "u1"}}}, Total: 1, Page: 1, Limit: 50}},
		{"users: a search is escaped", `{"items":[]}`,
			func(s Signed) (any, error) { return s.AdminUsers(ctx, UserQuery{Query: "a&b c", Page: 2, Limit: 20}) },
			"GET", "/api/admin/users?limit=20&page=2&query=a%26b+c", "", shared.AdminUserPage{Items: []shared.AdminUser{}}},
		{"user detail escapes the id", `{"user":{"id":"u/1"},"admin":true}`,
			func(s Signed) (any, error) { return s.AdminUser(ctx, "u/1") },
			"GET", "/api/admin/users/u%2F1", "", shared.AdminUserDetail{User: shared.AdminUser{User: shared.User{ID: "u/1"}}, Admin: true}},
		{"disable with a reason", `{"sessions_revoked":2}`,
			func(s Signed) (any, error) { return s.DisableUser(ctx, "u1", "stolen laptop") },
			"POST", "/api/admin/users/u1/disable", `{"reason":"stolen laptop"}`, shared.AdminActionResponse{SessionsRevoked: 2}},
		{"disable without a reason sends no body", `{"sessions_revoked":0}`,
			func(s Signed) (any, error) { return s.DisableUser(ctx, "u1", "") },
			"POST", "/api/admin/users/u1/disable", "", shared.AdminActionResponse{}},
		{"enable", "",
			func(s Signed) (any, error) { return nil, s.EnableUser(ctx, "u1", "found it") },
			"POST", "/api/admin/users/u1/enable", `{"reason":"found it"}`, nil},
		{"revoke sessions", `{"sessions_revoked":3}`,
			func(s Signed) (any, error) { return s.RevokeUserSessions(ctx, "u1", "") },
			"POST", "/api/admin/users/u1/revoke-sessions", "", shared.AdminActionResponse{SessionsRevoked: 3}},
		{"delete a user", "",
			func(s Signed) (any, error) { return nil, s.DeleteUser(ctx, "u1", "asked by mail") },
			"DELETE", "/api/admin/users/u1", `{"reason":"asked by mail"}`, nil},
		{"a user's logins", `{"items":[{"provider":"github","outcome":"success"}]}`,
			func(s Signed) (any, error) { return s.AdminUserLogins(ctx, "u1", 20) },
			"GET", "/api/admin/users/u1/logins?limit=20", "", []shared.LoginEvent{{Provider: "github", Outcome: shared.OutcomeSuccess}}},
		{"the audit trail", `{"items":[{"id":"e1","action":"user.disable","target_user_id":"u1"}]}`,
			func(s Signed) (any, error) { return s.AuditEvents(ctx, "", 0) },
			"GET", "/api/admin/events", "", []shared.AuditEvent{{ID: "e1", Action: "user.disable", Target: "u1"}}},
		{"one user's audit trail", `{"items":[]}`,
			func(s Signed) (any, error) { return s.AuditEvents(ctx, "u1", 10) },
			"GET", "/api/admin/events?limit=10&user=u1", "", []shared.AuditEvent{}},
		{"provider status", `{"items":[{"id":"github","orphans":4,"available":true}]}`,
			func(s Signed) (any, error) { return s.ProviderStatus(ctx) },
			"GET", "/api/admin/providers", "", []shared.ProviderStatus{{ID: "github", Orphans: 4, Available: true}}},
		{"delete me", "",
			func(s Signed) (any, error) { return nil, s.DeleteMe(ctx) },
			"DELETE", "/api/me", "", nil},
		{"export keeps the server's JSON", `{"user":{"id":"u1"}}`,
			func(s Signed) (any, error) { b, err := s.Export(ctx); return string(b), err },
			"GET", "/api/me/export", "", `{"user":{"id":"u1"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{answer: tt.answer}
			got, err := tt.call(Signed{C: r})
			if err != nil {
				t.Fatal(err)
			}
			if r.method != tt.method || r.path != tt.path || r.body != tt.body || !r.signed {
				t.Fatalf("sent %s %s body %q signed %v; want %s %s body %q signed",
					r.method, r.path, r.body, r.signed, tt.method, tt.path, tt.body)
			}
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
