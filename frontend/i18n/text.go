package i18n

import "strings"

// Key names one piece of dashboard text.
type Key string

// The dashboard's words. A "%s" is filled by T's argument.
const (
	Tagline                Key = "tagline"
	Footer                 Key = "footer"
	SignInHeading          Key = "signin_heading"
	SignInWith             Key = "signin_with"
	Or                     Key = "or"
	Loading                Key = "loading"
	Welcome                Key = "welcome"
	SignedInAs             Key = "signed_in_as"
	Accounts               Key = "accounts"
	Connect                Key = "connect"
	Disconnect             Key = "disconnect"
	ConnectedOn            Key = "connected_on"
	Sessions               Key = "sessions"
	ThisDevice             Key = "this_device"
	LastUsed               Key = "last_used"
	FirstSeen              Key = "first_seen"
	Logins                 Key = "logins"
	ColTime                Key = "col_time"
	ColProvider            Key = "col_provider"
	ColOutcome             Key = "col_outcome"
	ColIP                  Key = "col_ip"
	ColDevice              Key = "col_device"
	OutcomeSuccess         Key = "outcome_success"
	OutcomeFailure         Key = "outcome_failure"
	OutcomeTokenReused     Key = "outcome_token_reused"
	SignOut                Key = "sign_out"
	SignOutAll             Key = "sign_out_all"
	Cancelled              Key = "cancelled"
	PopupBlocked           Key = "popup_blocked"
	Waiting                Key = "waiting"
	Cancel                 Key = "cancel"
	Connected              Key = "connected"
	Disconnected           Key = "disconnected"
	SessionRevoked         Key = "session_revoked"
	SignedOutMsg           Key = "signed_out"
	SignedOutAllMsg        Key = "signed_out_all"
	SignedOutElsewhere     Key = "signed_out_elsewhere"
	Network                Key = "network"
	NoProviders            Key = "no_providers"
	GoogleUnavailable      Key = "google_unavailable"
	Language               Key = "language"
	UnknownDevice          Key = "unknown_device"
	Dismiss                Key = "dismiss"
	Empty                  Key = "empty"
	Unverified             Key = "unverified"
	DisconnectNamed        Key = "disconnect_named"
	RevokeSessionNamed     Key = "revoke_session_named"
	LastUsedHint           Key = "last_used_hint"
	LastUsedWith           Key = "last_used_with"
	SignedInWithProvider   Key = "signed_in_with_provider"
	LastMethodReason       Key = "last_method_reason"
	ConfirmDisconnectTitle Key = "confirm_disconnect_title"
	ConfirmDisconnectBody  Key = "confirm_disconnect_body"
	DuplicateEmailNamed    Key = "duplicate_email_named"
	DeniedAtProvider       Key = "denied_at_provider"
	TryAgain               Key = "try_again"
	UnverifiedNote         Key = "unverified_note"
	ConfirmSignOutAllTitle Key = "confirm_sign_out_all_title"
	LoadFailed             Key = "load_failed"
	ConfirmSignOutAllBody  Key = "confirm_sign_out_all_body"
)

// text is every key's words in en, zh-TW, ko (the order of Langs).
var text = map[Key][3]string{
	Tagline:            {"Sign in once, keep your own tokens.", "一次登入，權杖由你掌握。", "한 번 로그인하고 토큰은 직접 관리하세요."},
	Footer:             {"AuthBridge · self-hosted sign-in", "AuthBridge · 自行架設的登入服務", "AuthBridge · 직접 운영하는 로그인"},
	SignInHeading:      {"Sign in to AuthBridge", "登入 AuthBridge", "AuthBridge에 로그인"},
	SignInWith:         {"Sign in with %s", "使用 %s 登入", "%s(으)로 로그인"},
	Or:                 {"or", "或", "또는"},
	Loading:            {"Loading…", "載入中…", "불러오는 중…"},
	Welcome:            {"Welcome, %s! Your account is ready.", "歡迎，%s！你的帳號已建立。", "환영합니다, %s님! 계정이 준비되었습니다."},
	SignedInAs:         {"Signed in as", "目前登入身分", "로그인한 사용자"},
	Accounts:           {"Linked accounts", "已連結的帳號", "연결된 계정"},
	Connect:            {"Connect %s", "連結 %s", "%s 연결"},
	Disconnect:         {"Disconnect", "中斷連結", "연결 끊기"},
	ConnectedOn:        {"connected %s", "連結於 %s", "%s 연결됨"},
	Sessions:           {"Active sessions", "使用中的工作階段", "활성 세션"},
	ThisDevice:         {"This device", "此裝置", "이 기기"},
	LastUsed:           {"last used %s", "上次使用 %s", "마지막 사용 %s"},
	FirstSeen:          {"first seen %s", "首次使用 %s", "처음 사용 %s"},
	Logins:             {"Login history", "登入紀錄", "로그인 기록"},
	ColTime:            {"Time", "時間", "시간"},
	ColProvider:        {"Provider", "登入方式", "제공자"},
	ColOutcome:         {"Outcome", "結果", "결과"},
	ColIP:              {"IP", "IP", "IP"},
	ColDevice:          {"Device", "裝置", "기기"},
	OutcomeSuccess:     {"Success", "成功", "성공"},
	OutcomeFailure:     {"Failed", "失敗", "실패"},
	OutcomeTokenReused: {"Session ended: an old refresh token was used again", "工作階段已結束：舊的更新權杖被再次使用", "세션 종료: 이전 갱신 토큰이 다시 사용됨"},
	SignOut:            {"Sign out", "登出", "로그아웃"},
	SignOutAll:         {"Sign out everywhere", "登出所有裝置", "모든 기기에서 로그아웃"},
	Cancelled:          {"Sign-in cancelled: the sign-in window was closed.", "登入已取消：登入視窗已關閉。", "로그인이 취소되었습니다: 로그인 창이 닫혔습니다."},
	PopupBlocked:       {"The sign-in window was blocked, so sign-in continues in this tab…", "登入視窗被封鎖，改在此分頁繼續登入…", "로그인 창이 차단되어 이 탭에서 계속합니다…"},
	Waiting:            {"Finish signing in with %s in the window that opened.", "請在開啟的視窗中完成 %s 登入。", "열린 창에서 %s 로그인을 마치세요."},
	Cancel:             {"Cancel", "取消", "취소"},
	Connected:          {"%s is now connected.", "已連結 %s。", "%s 계정이 연결되었습니다."},
	Disconnected:       {"%s was disconnected.", "已中斷與 %s 的連結。", "%s 연결을 끊었습니다."},
	SessionRevoked:     {"That session was signed out.", "該工作階段已登出。", "해당 세션을 로그아웃했습니다."},
	SignedOutMsg:       {"You are signed out.", "你已登出。", "로그아웃했습니다."},
	SignedOutAllMsg:    {"You are signed out on every device.", "你已在所有裝置上登出。", "모든 기기에서 로그아웃했습니다."},
	SignedOutElsewhere: {"You were signed out in another tab.", "你已在其他分頁登出。", "다른 탭에서 로그아웃되었습니다."},
	Network:            {"AuthBridge cannot be reached. Check your connection and try again.", "無法連線到 AuthBridge，請檢查網路後再試一次。", "AuthBridge에 연결할 수 없습니다. 연결을 확인한 뒤 다시 시도하세요."},
	NoProviders:        {"No sign-in providers are configured on this server.", "此伺服器尚未設定任何登入方式。", "이 서버에 설정된 로그인 제공자가 없습니다."},
	GoogleUnavailable:  {"The Google sign-in button could not be loaded. Use another provider or reload.", "無法載入 Google 登入按鈕，請改用其他方式或重新整理。", "Google 로그인 버튼을 불러올 수 없습니다. 다른 제공자를 쓰거나 새로 고치세요."},
	Language:           {"Language", "語言", "언어"},
	UnknownDevice:      {"Unknown device", "未知裝置", "알 수 없는 기기"},
	Dismiss:            {"Dismiss", "關閉", "닫기"},
	Empty:              {"Nothing yet.", "目前沒有資料。", "아직 없습니다."},
	Unverified:         {"unverified", "未驗證", "미인증"},
	// The accessible names of buttons whose visible text is short; each
	// starts with (or holds) the visible text, so speech input finds it.
	DisconnectNamed:        {"Disconnect %s", "中斷連結 %s", "%s 연결 끊기"},
	RevokeSessionNamed:     {"Sign out the session on %s", "登出 %s 上的工作階段", "%s 세션 로그아웃"},
	LastUsedHint:           {"Last used", "上次使用", "최근 사용"},
	LastUsedWith:           {"You last signed in with %s.", "你上次使用 %s 登入。", "지난번에 %s(으)로 로그인했습니다."},
	SignedInWithProvider:   {"Signed in with %s", "以 %s 登入", "%s(으)로 로그인함"},
	LastMethodReason:       {"Your only way to sign in: connect another provider before disconnecting this one.", "這是你唯一的登入方式：請先連結其他登入方式，再中斷這個。", "유일한 로그인 방법입니다: 다른 제공자를 먼저 연결한 뒤 연결을 끊으세요."},
	ConfirmDisconnectTitle: {"Disconnect %s?", "要中斷與 %s 的連結嗎？", "%s 연결을 끊을까요?"},
	// duplicate_email with the providers that own the address (first %s,
	// joined with Or) and the refused one (second %s).
	DuplicateEmailNamed: {"An account with this email already exists. Sign in with %s, then connect %s from your account page.",
		"已有使用此電子郵件的帳號。請先使用 %s 登入，再從帳號頁面連結 %s。",
		"이 이메일을 쓰는 계정이 이미 있습니다. %s(으)로 로그인한 뒤 계정 페이지에서 %s을(를) 연결하세요."},
	DeniedAtProvider: {"Sign-in with %s was not completed: access was not allowed there. You can try again.",
		"未完成 %s 登入：該服務未允許存取。你可以再試一次。",
		"%s 로그인이 완료되지 않았습니다: 그곳에서 접근이 허용되지 않았습니다. 다시 시도할 수 있습니다."},
	TryAgain: {"Try again", "再試一次", "다시 시도"},
	LoadFailed: {"AuthBridge could not be downloaded. Check your connection and try again.",
		"無法下載 AuthBridge，請檢查網路連線後再試一次。",
		"AuthBridge를 내려받지 못했습니다. 연결을 확인한 뒤 다시 시도하세요."},
	ConfirmSignOutAllTitle: {"Sign out everywhere?", "要登出所有裝置嗎？", "모든 기기에서 로그아웃할까요?"},
	ConfirmSignOutAllBody: {"Every session ends, on this device and all others, and apps using AuthBridge lose access until you sign in again.",
		"所有工作階段都會結束（包括此裝置與其他裝置），使用 AuthBridge 的應用程式在你重新登入前都無法存取。",
		"이 기기와 다른 모든 기기의 세션이 끝나고, AuthBridge를 쓰는 앱은 다시 로그인할 때까지 접근할 수 없습니다."},
	UnverifiedNote: {"Your sign-in provider has not confirmed this address, so it is never used to match or link accounts.",
		"你的登入服務尚未確認這個地址，因此不會用它來比對或連結帳號。",
		"로그인 제공자가 이 주소를 확인하지 않았으므로 계정을 찾거나 연결하는 데 쓰이지 않습니다."},
	ConfirmDisconnectBody: {"You will no longer be able to sign in with %s. You can connect it again later.", "之後將無法使用 %s 登入。你可以稍後再連結。", "더 이상 %s(으)로 로그인할 수 없습니다. 나중에 다시 연결할 수 있습니다."},
}

// Keys lists every key, for tests.
func Keys() []Key {
	keys := make([]Key, 0, len(text))
	for k := range text {
		keys = append(keys, k)
	}
	return keys
}

// T is a piece of text in l, with the first "%s" replaced by arg when
// given; the link catalogue's keys too (linkText), so an alert can say
// them. An unknown key shows itself, so a gap is visible, not blank.
func T(l Lang, k Key, arg ...string) string {
	t, ok := text[k]
	if !ok {
		t, ok = linkText[k]
	}
	if !ok {
		return string(k)
	}
	s := t[index(l)]
	if len(arg) > 0 {
		s = strings.Replace(s, "%s", arg[0], 1)
	}
	return s
}
