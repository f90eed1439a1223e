package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/authbridge/authbridge/shared"
)

// The operator's paths (issue #15): the admin API and the caller's own
// deletion and export, each written once.
const (
	pathAdminUsers     = "/api/admin/users"
	pathAdminEvents    = "/api/admin/events"
	pathAdminProviders = "/api/admin/providers"
	pathExport         = "/api/me/export"
)

// UserQuery selects a page of GET /api/admin/users.
type UserQuery struct {
	Query string // part of a name or email, a user id or a provider id ("": everyone)
	Page  int    // from 1 (0: the first)
	Limit int    // per page (0: the server's default)
}

// path is the query's URL path with its parameters.
func (q UserQuery) path() string {
	v := url.Values{}
	if q.Query != "" {
		v.Set("query", q.Query)
	}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if len(v) == 0 {
		return pathAdminUsers
	}
	return pathAdminUsers + "?" + v.Encode()
}

// adminUser is the path of one user in the admin API.
func adminUser(id string) string { return pathAdminUsers + "/" + url.PathEscape(id) }

// reasonBody is an admin action's body: none without a reason, so a plain
// call sends no JSON at all.
func reasonBody(reason string) any {
	if reason == "" {
		return nil
	}
	return shared.AdminActionRequest{Reason: reason}
}

// AdminUsers is one page of users (administrators only).
func (s Signed) AdminUsers(ctx context.Context, q UserQuery) (shared.AdminUserPage, error) {
	var out shared.AdminUserPage
	err := s.C.Call(ctx, http.MethodGet, q.path(), nil, &out)
	return out, err
}

// AdminUser is one user in detail: identities, active sessions, latest
// sign-ins.
func (s Signed) AdminUser(ctx context.Context, id string) (shared.AdminUserDetail, error) {
	var out shared.AdminUserDetail
	err := s.C.Call(ctx, http.MethodGet, adminUser(id), nil, &out)
	return out, err
}

// DisableUser disables user id (every session ends) for reason.
func (s Signed) DisableUser(ctx context.Context, id, reason string) (shared.AdminActionResponse, error) {
	var out shared.AdminActionResponse
	err := s.C.Call(ctx, http.MethodPost, adminUser(id)+"/disable", reasonBody(reason), &out)
	return out, err
}

// EnableUser lets user id sign in again.
func (s Signed) EnableUser(ctx context.Context, id, reason string) error {
	return s.C.Call(ctx, http.MethodPost, adminUser(id)+"/enable", reasonBody(reason), nil)
}

// RevokeUserSessions ends every session of user id.
func (s Signed) RevokeUserSessions(ctx context.Context, id, reason string) (shared.AdminActionResponse, error) {
	var out shared.AdminActionResponse
	err := s.C.Call(ctx, http.MethodPost, adminUser(id)+"/revoke-sessions", reasonBody(reason), &out)
	return out, err
}

// DeleteUser deletes user id and their personal data.
func (s Signed) DeleteUser(ctx context.Context, id, reason string) error {
	return s.C.Call(ctx, http.MethodDelete, adminUser(id), reasonBody(reason), nil)
}

// AdminUserLogins is user id's latest sign-ins (limit 0: the server's
// default).
func (s Signed) AdminUserLogins(ctx context.Context, id string, limit int) ([]shared.LoginEvent, error) {
	p := adminUser(id) + "/logins"
	if limit > 0 {
		p += "?limit=" + strconv.Itoa(limit)
	}
	var out shared.ListResponse[shared.LoginEvent]
	err := s.C.Call(ctx, http.MethodGet, p, nil, &out)
	return out.Items, err
}

// AuditEvents is the audit trail, newest first: about user ("": everyone),
// at most limit rows (0: the server's default).
func (s Signed) AuditEvents(ctx context.Context, user string, limit int) ([]shared.AuditEvent, error) {
	v := url.Values{}
	if user != "" {
		v.Set("user", user)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	p := pathAdminEvents
	if len(v) > 0 {
		p += "?" + v.Encode()
	}
	var out shared.ListResponse[shared.AuditEvent]
	err := s.C.Call(ctx, http.MethodGet, p, nil, &out)
	return out.Items, err
}

// ProviderStatus lists the configured providers with their orphan counts.
func (s Signed) ProviderStatus(ctx context.Context) ([]shared.ProviderStatus, error) {
	var out shared.ListResponse[shared.ProviderStatus]
	err := s.C.Call(ctx, http.MethodGet, pathAdminProviders, nil, &out)
	return out.Items, err
}

// DeleteMe deletes the signed-in user's own account (it needs a recent
// sign-in: reauth_required otherwise). The session ends with it.
func (s Signed) DeleteMe(ctx context.Context) error {
	return s.C.Call(ctx, http.MethodDelete, pathMe, nil, nil)
}

// Export is everything kept about the signed-in user, as the JSON the
// server sent (saved as a file as is).
func (s Signed) Export(ctx context.Context) ([]byte, error) {
	var out json.RawMessage
	err := s.C.Call(ctx, http.MethodGet, pathExport, nil, &out)
	return out, err
}
