package i18n

// The operator side's words (issue #15): the account's own data and
// deletion, the reauthentication prompt, and the Administration section.
// They join text at start; a key may live in one table only.
const (
	YourData              Key = "your_data"
	YourDataNote          Key = "your_data_note"
	DownloadData          Key = "download_data"
	DataDownloaded        Key = "data_downloaded"
	DeleteAccount         Key = "delete_account"
	DeleteAccountNote     Key = "delete_account_note"
	ConfirmDeleteMeTitle  Key = "confirm_delete_me_title"
	ConfirmDeleteMeBody   Key = "confirm_delete_me_body"
	AccountDeleted        Key = "account_deleted"
	ReauthExplain         Key = "reauth_explain"
	SignInAgainWith       Key = "sign_in_again_with"
	ReauthOtherUser       Key = "reauth_other_user"
	Admin                 Key = "admin"
	AdminUsers            Key = "admin_users"
	AdminSearch           Key = "admin_search"
	AdminSearchLabel      Key = "admin_search_label"
	AdminUsersCaption     Key = "admin_users_caption"
	ColName               Key = "col_name"
	ColEmail              Key = "col_email"
	ColStatus             Key = "col_status"
	StatusActive          Key = "status_active"
	StatusDisabled        Key = "status_disabled"
	AdminBadge            Key = "admin_badge"
	ShowUser              Key = "show_user"
	ShowUserNamed         Key = "show_user_named"
	PrevPage              Key = "prev_page"
	NextPage              Key = "next_page"
	PageOf                Key = "page_of"
	Refresh               Key = "refresh"
	UserDetail            Key = "user_detail"
	CloseDetail           Key = "close_detail"
	Identities            Key = "identities"
	RecentSignIns         Key = "recent_sign_ins"
	DisableUser           Key = "disable_user"
	EnableUser            Key = "enable_user"
	RevokeUserSessions    Key = "revoke_user_sessions"
	DeleteUser            Key = "delete_user"
	Reason                Key = "reason"
	ConfirmDisableTitle   Key = "confirm_disable_title"
	ConfirmDisableBody    Key = "confirm_disable_body"
	ConfirmEnableTitle    Key = "confirm_enable_title"
	ConfirmEnableBody     Key = "confirm_enable_body"
	ConfirmRevokeAllTitle Key = "confirm_revoke_all_title"
	ConfirmRevokeAllBody  Key = "confirm_revoke_all_body"
	ConfirmDeleteTitle    Key = "confirm_delete_title"
	ConfirmDeleteBody     Key = "confirm_delete_body"
	UserDisabledMsg       Key = "user_disabled_msg"
	UserEnabledMsg        Key = "user_enabled_msg"
	UserSessionsEnded     Key = "user_sessions_ended"
	UserDeletedMsg        Key = "user_deleted_msg"
	AuditTrail            Key = "audit_trail"
	ColActor              Key = "col_actor"
	ColAction             Key = "col_action"
	ColTarget             Key = "col_target"
	ColReason             Key = "col_reason"
	ActionUserDisable     Key = "action_user_disable"
	ActionUserEnable      Key = "action_user_enable"
	ActionUserDelete      Key = "action_user_delete"
	ActionSelfDelete      Key = "action_self_delete"
	ActionRevokeSessions  Key = "action_revoke_sessions"
	ActionAdminGrant      Key = "action_admin_grant"
	ActionAdminRevoke     Key = "action_admin_revoke"
	ProviderStatus        Key = "provider_status"
	ColAvailable          Key = "col_available"
	ColOrphans            Key = "col_orphans"
	Yes                   Key = "yes"
	No                    Key = "no"
)

var operatorText = map[Key][3]string{
	YourData: {"Your data", "你的資料", "내 데이터"},
	YourDataNote: {"Download a JSON file with your profile, linked accounts, sessions and sign-in history.",
		"下載一個 JSON 檔案，內含你的個人資料、已連結的帳號、工作階段與登入紀錄。",
		"프로필, 연결된 계정, 세션, 로그인 기록이 담긴 JSON 파일을 내려받습니다."},
	DownloadData:   {"Download my data", "下載我的資料", "내 데이터 내려받기"},
	DataDownloaded: {"Your data was downloaded.", "已下載你的資料。", "데이터를 내려받았습니다."},
	DeleteAccount:  {"Delete my account", "刪除我的帳號", "내 계정 삭제"},
	DeleteAccountNote: {"Deleting your account removes your profile, linked accounts and sessions for good.",
		"刪除帳號會永久移除你的個人資料、已連結的帳號與工作階段。",
		"계정을 삭제하면 프로필, 연결된 계정, 세션이 영구히 삭제됩니다."},
	ConfirmDeleteMeTitle: {"Delete your account?", "要刪除你的帳號嗎？", "계정을 삭제할까요?"},
	ConfirmDeleteMeBody: {"Your profile, linked accounts and sessions are removed for good, and you are signed out everywhere. Your sign-in history is kept without your name, email or IP address. This cannot be undone.",
		"你的個人資料、已連結的帳號與工作階段會被永久移除，所有裝置都會登出。登入紀錄會保留，但不含你的姓名、電子郵件或 IP 位址。此操作無法復原。",
		"프로필, 연결된 계정, 세션이 영구히 삭제되고 모든 곳에서 로그아웃됩니다. 로그인 기록은 이름, 이메일, IP 주소 없이 보관됩니다. 되돌릴 수 없습니다."},
	AccountDeleted: {"Your account was deleted. Signing in again creates a new account.",
		"你的帳號已刪除。再次登入會建立新的帳號。",
		"계정이 삭제되었습니다. 다시 로그인하면 새 계정이 만들어집니다."},
	ReauthExplain: {"For your safety this needs a recent sign-in. Sign in again in the window that opens; then it continues.",
		"為了安全起見，這項操作需要最近的登入。請在開啟的視窗中重新登入，之後會自動繼續。",
		"보안을 위해 이 작업은 최근 로그인이 필요합니다. 열리는 창에서 다시 로그인하면 이어서 진행됩니다."},
	SignInAgainWith: {"Sign in again with %s", "使用 %s 重新登入", "%s(으)로 다시 로그인"},
	ReauthOtherUser: {"You signed in as someone else, so nothing was done.", "你以其他使用者身分登入，因此未執行任何操作。", "다른 사용자로 로그인했으므로 아무 작업도 하지 않았습니다."},

	Admin:               {"Administration", "管理", "관리"},
	AdminUsers:          {"Users", "使用者", "사용자"},
	AdminSearch:         {"Search", "搜尋", "검색"},
	AdminSearchLabel:    {"Name, email, user id or provider", "姓名、電子郵件、使用者 ID 或登入服務", "이름, 이메일, 사용자 ID 또는 제공자"},
	AdminUsersCaption:   {"Users (%s in all)", "使用者（共 %s 位）", "사용자 (모두 %s명)"},
	ColName:             {"Name", "姓名", "이름"},
	ColEmail:            {"Email", "電子郵件", "이메일"},
	ColStatus:           {"Status", "狀態", "상태"},
	StatusActive:        {"Active", "使用中", "활성"},
	StatusDisabled:      {"Disabled", "已停用", "비활성화됨"},
	AdminBadge:          {"Administrator", "管理員", "관리자"},
	ShowUser:            {"Details", "詳細資料", "상세 정보"},
	ShowUserNamed:       {"Details of %s", "%s 的詳細資料", "%s 상세 정보"},
	PrevPage:            {"Previous page", "上一頁", "이전 페이지"},
	NextPage:            {"Next page", "下一頁", "다음 페이지"},
	PageOf:              {"Page %s", "第 %s 頁", "%s 페이지"},
	Refresh:             {"Refresh", "重新整理", "새로 고침"},
	UserDetail:          {"User: %s", "使用者：%s", "사용자: %s"},
	CloseDetail:         {"Close the details", "關閉詳細資料", "상세 정보 닫기"},
	Identities:          {"Sign-in methods", "登入方式", "로그인 방법"},
	RecentSignIns:       {"Recent sign-ins", "最近的登入", "최근 로그인"},
	DisableUser:         {"Disable", "停用", "비활성화"},
	EnableUser:          {"Enable", "啟用", "활성화"},
	RevokeUserSessions:  {"Sign out everywhere", "登出所有裝置", "모든 곳에서 로그아웃"},
	DeleteUser:          {"Delete", "刪除", "삭제"},
	Reason:              {"Reason (kept in the audit trail)", "原因（會記錄在稽核紀錄中）", "사유 (감사 기록에 남음)"},
	ConfirmDisableTitle: {"Disable %s?", "要停用 %s 嗎？", "%s을(를) 비활성화할까요?"},
	ConfirmDisableBody: {"They are signed out everywhere at once and cannot sign in until an administrator enables them again.",
		"對方會立即在所有裝置登出，且在管理員重新啟用前無法登入。",
		"즉시 모든 곳에서 로그아웃되며, 관리자가 다시 활성화할 때까지 로그인할 수 없습니다."},
	ConfirmEnableTitle:    {"Enable %s?", "要啟用 %s 嗎？", "%s을(를) 활성화할까요?"},
	ConfirmEnableBody:     {"They can sign in again.", "對方將可以再次登入。", "다시 로그인할 수 있게 됩니다."},
	ConfirmRevokeAllTitle: {"Sign %s out everywhere?", "要讓 %s 登出所有裝置嗎？", "%s을(를) 모든 곳에서 로그아웃할까요?"},
	ConfirmRevokeAllBody: {"Every session of theirs ends; they can sign in again.",
		"對方的所有工作階段都會結束；對方仍可再次登入。",
		"모든 세션이 종료되며, 다시 로그인할 수는 있습니다."},
	ConfirmDeleteTitle: {"Delete %s?", "要刪除 %s 嗎？", "%s을(를) 삭제할까요?"},
	ConfirmDeleteBody: {"Their profile, linked accounts and sessions are removed for good; their sign-in history is kept without name, email or IP address. This cannot be undone.",
		"對方的個人資料、已連結的帳號與工作階段會被永久移除；登入紀錄會保留，但不含姓名、電子郵件或 IP 位址。此操作無法復原。",
		"프로필, 연결된 계정, 세션이 영구히 삭제되며, 로그인 기록은 이름, 이메일, IP 주소 없이 보관됩니다. 되돌릴 수 없습니다."},
	UserDisabledMsg:   {"%s was disabled.", "已停用 %s。", "%s을(를) 비활성화했습니다."},
	UserEnabledMsg:    {"%s was enabled.", "已啟用 %s。", "%s을(를) 활성화했습니다."},
	UserSessionsEnded: {"%s was signed out everywhere.", "已讓 %s 登出所有裝置。", "%s을(를) 모든 곳에서 로그아웃했습니다."},
	UserDeletedMsg:    {"%s was deleted.", "已刪除 %s。", "%s을(를) 삭제했습니다."},

	AuditTrail:           {"Audit trail", "稽核紀錄", "감사 기록"},
	ColActor:             {"By", "執行者", "수행자"},
	ColAction:            {"Action", "操作", "작업"},
	ColTarget:            {"User", "使用者", "사용자"},
	ColReason:            {"Reason", "原因", "사유"},
	ActionUserDisable:    {"Disabled a user", "停用使用者", "사용자 비활성화"},
	ActionUserEnable:     {"Enabled a user", "啟用使用者", "사용자 활성화"},
	ActionUserDelete:     {"Deleted a user", "刪除使用者", "사용자 삭제"},
	ActionSelfDelete:     {"Deleted their own account", "刪除了自己的帳號", "본인 계정 삭제"},
	ActionRevokeSessions: {"Signed a user out everywhere", "讓使用者登出所有裝置", "사용자를 모든 곳에서 로그아웃"},
	ActionAdminGrant:     {"Made a user an administrator", "將使用者設為管理員", "사용자를 관리자로 지정"},
	ActionAdminRevoke:    {"Removed an administrator", "移除管理員", "관리자 해제"},
	ProviderStatus:       {"Sign-in providers", "登入服務", "로그인 제공자"},
	ColAvailable:         {"Reachable", "可連線", "연결 가능"},
	ColOrphans:           {"Users with no other way to sign in", "沒有其他登入方式的使用者", "다른 로그인 방법이 없는 사용자"},
	Yes:                  {"Yes", "是", "예"},
	No:                   {"No", "否", "아니요"},
}

// init adds the operator's words to text; a key in both is a mistake
// caught at start.
func init() {
	for k, v := range operatorText {
		if _, dup := text[k]; dup {
			panic("i18n: key " + string(k) + " is in two tables")
		}
		text[k] = v
	}
}
