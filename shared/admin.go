package shared

import "time"

// The operator side of the contract: the admin API under /api/admin/ and
// the self-service export.

// AdminUser is a user as the admin API shows them.
type AdminUser struct {
	User
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

// AdminUserPage is one page of GET /api/admin/users.
type AdminUserPage struct {
	Items []AdminUser `json:"items"`
	Total int         `json:"total"` // users the query selects, on every page
	Page  int         `json:"page"`  // from 1
	Limit int         `json:"limit"` // per page
}

// AdminUserDetail is GET /api/admin/users/{id}.
type AdminUserDetail struct {
	User       AdminUser       `json:"user"`
	Admin      bool            `json:"admin"`
	Identities []LinkedAccount `json:"identities"`
	Sessions   []Session       `json:"sessions"` // active ones
	Logins     []LoginEvent    `json:"logins"`   // the latest
}

// AdminActionRequest is the body of an admin action: why (kept in the
// audit trail; at most MaxReasonBytes).
type AdminActionRequest struct {
	Reason string `json:"reason,omitempty"`
}

// MaxReasonBytes bounds AdminActionRequest.Reason.
const MaxReasonBytes = 500

// AdminActionResponse answers disable and revoke-sessions.
type AdminActionResponse struct {
	SessionsRevoked int `json:"sessions_revoked"`
}

// AuditEvent is one row of the audit trail.
type AuditEvent struct {
	ID     string    `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`  // a user id, or "cli:<os user>"; equal to target_user_id for a self-deletion
	Action string    `json:"action"` // user.disable, user.enable, user.delete, user.revoke_sessions, admin.grant, admin.revoke
	Target string    `json:"target_user_id,omitempty"`
	Reason string    `json:"reason,omitempty"`
	IP     string    `json:"ip,omitempty"`
}

// ProviderStatus is a configured provider with how many users could sign
// in with it alone (they could not sign in if it were removed).
type ProviderStatus struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Available bool   `json:"available"`
	Orphans   int    `json:"orphans"`
}

// AccountExport is GET /api/me/export: everything kept about the caller.
type AccountExport struct {
	ExportedAt time.Time       `json:"exported_at"`
	User       User            `json:"user"`
	Identities []LinkedAccount `json:"identities"`
	Sessions   []Session       `json:"sessions"`
	Logins     []LoginEvent    `json:"logins"`
}
