// Package i18n holds the dashboard's words in English, Traditional Chinese
// (zh-TW) and Korean, including a human message for every error code of
// the contract. It is plain Go, shared by the WASM app and its tests.
package i18n

import (
	"strings"

	"github.com/authbridge/authbridge/shared"
)

// Lang is a supported language.
type Lang string

// The supported languages.
const (
	EN   Lang = "en"
	ZHTW Lang = "zh-TW"
	KO   Lang = "ko"
)

// Langs lists the languages in the order the switcher shows them.
var Langs = []Lang{EN, ZHTW, KO}

// Name is a language's name in itself.
func (l Lang) Name() string {
	switch l {
	case ZHTW:
		return "繁體中文"
	case KO:
		return "한국어"
	default:
		return "English"
	}
}

// Detect picks the first supported language from the browser's list
// (navigator.languages); any Chinese except Simplified maps to zh-TW.
func Detect(preferred []string) Lang {
	for _, p := range preferred {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "en" || strings.HasPrefix(p, "en-"):
			return EN
		case p == "ko" || strings.HasPrefix(p, "ko-"):
			return KO
		case p == "zh-tw" || p == "zh-hk" || p == "zh-mo" || strings.HasPrefix(p, "zh-hant"):
			return ZHTW
		}
	}
	return EN
}

// errorText is every code's message per language.
var errorText = map[shared.ErrorCode][3]string{
	shared.CodeInvalidRequest:        {"The request was not valid. Reload the page and try again.", "請求無效。請重新整理頁面後再試一次。", "요청이 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도하세요."},
	shared.CodeInvalidCredential:     {"That sign-in could not be verified. Please sign in again.", "無法驗證這次登入，請重新登入。", "로그인을 확인할 수 없습니다. 다시 로그인하세요."},
	shared.CodeInvalidState:          {"This sign-in expired or was started elsewhere. Please start again.", "這次登入已過期或是在其他地方開始的，請重新開始。", "이 로그인은 만료되었거나 다른 곳에서 시작되었습니다. 다시 시작하세요."},
	shared.CodeAccessDenied:          {"Sign-in was cancelled or refused.", "登入已取消或遭拒絕。", "로그인이 취소되었거나 거부되었습니다."},
	shared.CodeProviderError:         {"The sign-in provider returned an error. Please try again.", "登入服務提供者回傳錯誤，請再試一次。", "로그인 제공자가 오류를 반환했습니다. 다시 시도하세요."},
	shared.CodeProviderUnavailable:   {"The sign-in provider cannot be reached right now. Try again in a minute.", "目前無法連線到登入服務提供者，請稍後再試。", "지금은 로그인 제공자에 연결할 수 없습니다. 잠시 후 다시 시도하세요."},
	shared.CodeDuplicateEmail:        {"An account with this email already exists. Sign in with the provider you used before, then connect this one.", "已有使用此電子郵件的帳號。請先用之前的登入方式登入，再連結這個帳號。", "이 이메일을 쓰는 계정이 이미 있습니다. 이전에 쓰던 방법으로 로그인한 뒤 이 계정을 연결하세요."},
	shared.CodeEmailNotVerified:      {"Your email address is not verified with this provider.", "此服務提供者尚未驗證你的電子郵件地址。", "이 제공자에서 이메일 주소가 인증되지 않았습니다."},
	shared.CodeEmailDomainNotAllowed: {"Accounts from this email domain may not sign in here.", "此電子郵件網域的帳號不能在這裡登入。", "이 이메일 도메인의 계정은 여기에서 로그인할 수 없습니다."},
	shared.CodeAlreadyConnectedSelf:  {"This account is already connected to you.", "這個帳號已經連結到你的帳號。", "이 계정은 이미 연결되어 있습니다."},
	shared.CodeAlreadyConnectedOther: {"This account belongs to another user.", "這個帳號屬於其他使用者。", "이 계정은 다른 사용자의 것입니다."},
	shared.CodeConnectRequiresLogin:  {"Sign in first, then connect another account.", "請先登入，再連結其他帳號。", "먼저 로그인한 뒤 다른 계정을 연결하세요."},
	shared.CodeLastLoginMethod:       {"This is your only way to sign in, so it can't be disconnected. Connect another provider first.", "這是你唯一的登入方式，無法中斷連結。請先連結其他登入方式。", "유일한 로그인 방법이라 연결을 끊을 수 없습니다. 먼저 다른 제공자를 연결하세요."},
	shared.CodeInvalidToken:          {"Your session has ended. Please sign in again.", "你的工作階段已結束，請重新登入。", "세션이 종료되었습니다. 다시 로그인하세요."},
	shared.CodeTokenExpired:          {"Your session has expired. Please sign in again.", "你的工作階段已過期，請重新登入。", "세션이 만료되었습니다. 다시 로그인하세요."},
	shared.CodeTokenReused:           {"For your safety this session was ended. Please sign in again.", "為了你的安全，這個工作階段已結束，請重新登入。", "안전을 위해 이 세션이 종료되었습니다. 다시 로그인하세요."},
	shared.CodeNotFound:              {"That item no longer exists.", "該項目已不存在。", "해당 항목이 더 이상 없습니다."},
	shared.CodeMethodNotAllowed:      {"This action is not supported.", "不支援此操作。", "지원하지 않는 작업입니다."},
	shared.CodeUnsupportedMediaType:  {"The request was sent in a format the server does not accept.", "請求格式不被伺服器接受。", "서버가 받지 않는 형식으로 요청을 보냈습니다."},
	shared.CodeRequestTooLarge:       {"The request is too large.", "請求內容過大。", "요청이 너무 큽니다."},
	shared.CodeOriginNotAllowed:      {"This page may not use your session. Open the app from its own address.", "此頁面不能使用你的工作階段，請從應用程式本身的網址開啟。", "이 페이지는 세션을 쓸 수 없습니다. 앱 주소에서 직접 여세요."},
	shared.CodeRateLimited:           {"Too many attempts. Wait a moment and try again.", "嘗試次數過多，請稍候再試。", "시도가 너무 많습니다. 잠시 후 다시 시도하세요."},
	shared.CodeUnavailable:           {"The service is briefly unavailable. Try again shortly.", "服務暫時無法使用，請稍後再試。", "서비스를 잠시 사용할 수 없습니다. 곧 다시 시도하세요."},
	shared.CodeInternal:              {"Something went wrong on our side. Try again.", "我們這邊發生錯誤，請再試一次。", "저희 쪽에서 문제가 생겼습니다. 다시 시도하세요."},
	shared.CodeAccountDisabled:       {"This account has been disabled by an administrator.", "此帳號已被管理員停用。", "관리자가 이 계정을 비활성화했습니다."},
	shared.CodeLastAdmin:             {"This would leave no administrator. Make someone else an administrator first.", "這樣會沒有任何管理員。請先將其他人設為管理員。", "관리자가 한 명도 남지 않게 됩니다. 먼저 다른 사람을 관리자로 지정하세요."},
	shared.CodeForbidden:             {"Only administrators may do this.", "只有管理員可以執行此操作。", "관리자만 할 수 있는 작업입니다."},
	shared.CodeReauthRequired:        {"For your safety, sign in again to continue.", "為了安全起見，請重新登入後再繼續。", "보안을 위해 다시 로그인한 후 계속하세요."},
	shared.CodeCannotDisableSelf:     {"You cannot disable your own account.", "您無法停用自己的帳號。", "자신의 계정은 비활성화할 수 없습니다."},

	// Passkeys.
	shared.CodePasskeyNotRecognised:   {"This passkey is not registered here. Sign in another way, then add it from your account page.", "這個密碼金鑰未在此註冊。請改用其他方式登入，再從帳號頁面新增它。", "이 패스키는 여기에 등록되어 있지 않습니다. 다른 방법으로 로그인한 뒤 계정 페이지에서 추가하세요."},
	shared.CodePasskeyCeremonyExpired: {"This passkey request has expired or was already used. Try again.", "這個密碼金鑰請求已過期或已使用，請再試一次。", "이 패스키 요청이 만료되었거나 이미 사용되었습니다. 다시 시도하세요."},
	shared.CodePasskeyInvalid:         {"The passkey could not be verified. Try again.", "無法驗證這個密碼金鑰，請再試一次。", "패스키를 확인할 수 없습니다. 다시 시도하세요."},
	shared.CodePasskeyCloned:          {"This passkey was refused because it may have been copied. Sign in another way and check your passkeys.", "這個密碼金鑰可能已被複製，因此遭到拒絕。請改用其他方式登入並檢查你的密碼金鑰。", "이 패스키는 복제되었을 수 있어 거부되었습니다. 다른 방법으로 로그인한 뒤 패스키를 확인하세요."},
	shared.CodeLinkExpired: {"This offer to link an account has expired or was already used. Sign in with that provider again to get a new one.",
		"這個連結帳號的提議已過期或已使用。請再次用該服務登入以取得新的提議。",
		"이 계정 연결 제안은 만료되었거나 이미 사용되었습니다. 해당 제공자로 다시 로그인하면 새 제안을 받을 수 있습니다."},
	shared.CodeLinkNotYours: {"This account is not the one with that email address, so nothing was linked. Sign in with the account that has it, then link again.",
		"這個帳號不是擁有該電子郵件地址的帳號，因此沒有連結任何東西。請用擁有該地址的帳號登入後再連結。",
		"이 계정은 해당 이메일 주소를 가진 계정이 아니므로 아무것도 연결되지 않았습니다. 그 주소를 가진 계정으로 로그인한 뒤 다시 연결하세요."},
}

func index(l Lang) int {
	switch l {
	case ZHTW:
		return 1
	case KO:
		return 2
	default:
		return 0
	}
}

// ErrorMessage is the message to show for an error. The server's own
// message (English, sometimes more specific, e.g. which provider to use)
// is preferred in English; other languages show their translation. Unknown
// codes fall back to the server's message, then a generic one.
func ErrorMessage(l Lang, code shared.ErrorCode, serverMessage string) string {
	t, ok := errorText[code]
	switch {
	case ok && l == EN && serverMessage != "":
		return serverMessage
	case ok:
		return t[index(l)]
	case serverMessage != "":
		return serverMessage
	default:
		return errorText[shared.CodeInternal][index(l)]
	}
}
