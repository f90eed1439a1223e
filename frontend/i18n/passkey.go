package i18n

// The passkeys' words. They are a catalogue of their own (beside text,
// the same three languages in the same order) joined into T's at start,
// so T, Alert and the key tests treat them like every other key.
const (
	PasskeySignIn       Key = "passkey_sign_in"
	PasskeyAdd          Key = "passkey_add"
	PasskeyAddHint      Key = "passkey_add_hint"
	PasskeyAdded        Key = "passkey_added"
	PasskeyAddedOn      Key = "passkey_added_on" // date
	PasskeyRename       Key = "passkey_rename"
	PasskeyRenameNamed  Key = "passkey_rename_named" // name
	PasskeyName         Key = "passkey_name"
	PasskeySave         Key = "passkey_save"
	PasskeyRenamed      Key = "passkey_renamed" // name
	PasskeyRemove       Key = "passkey_remove"
	PasskeyRemoveNamed  Key = "passkey_remove_named"  // name
	PasskeyRemoveTitle  Key = "passkey_remove_title"  // name
	PasskeyRemoveBody   Key = "passkey_remove_body"   // name
	PasskeyRemoved      Key = "passkey_removed"       // name
	PasskeyLastReason   Key = "passkey_last_reason"   // the last method is a passkey
	PasskeyCancelled    Key = "passkey_cancelled"     // the browser's dialog closed without one
	PasskeyExists       Key = "passkey_exists"        // the authenticator has one of this account
	PasskeyUnsupported  Key = "passkey_unsupported"   // no WebAuthn here
	PasskeyCloneWarning Key = "passkey_clone_warning" // its counter went backwards once
)

var passkeyText = map[Key][3]string{
	PasskeySignIn: {"Sign in with a passkey", "使用密碼金鑰登入", "패스키로 로그인"},
	PasskeyAdd:    {"Add a passkey", "新增密碼金鑰", "패스키 추가"},
	PasskeyAddHint: {"Sign in with your device's screen lock or a security key, without a provider.",
		"不必透過登入服務，改用裝置的螢幕鎖定或安全金鑰登入。",
		"제공자 없이 기기의 화면 잠금이나 보안 키로 로그인합니다."},
	PasskeyAdded:       {"Passkey added. You can now sign in with it.", "已新增密碼金鑰，現在可以用它登入。", "패스키가 추가되었습니다. 이제 패스키로 로그인할 수 있습니다."},
	PasskeyAddedOn:     {"added %s", "新增於 %s", "%s 추가됨"},
	PasskeyRename:      {"Rename", "重新命名", "이름 변경"},
	PasskeyRenameNamed: {"Rename passkey %s", "重新命名密碼金鑰 %s", "패스키 %s 이름 변경"},
	PasskeyName:        {"Passkey name", "密碼金鑰名稱", "패스키 이름"},
	PasskeySave:        {"Save", "儲存", "저장"},
	PasskeyRenamed:     {"Passkey renamed to %s.", "密碼金鑰已重新命名為 %s。", "패스키 이름을 %s(으)로 변경했습니다."},
	PasskeyRemove:      {"Remove", "移除", "삭제"},
	PasskeyRemoveNamed: {"Remove passkey %s", "移除密碼金鑰 %s", "패스키 %s 삭제"},
	PasskeyRemoveTitle: {"Remove passkey %s?", "要移除密碼金鑰 %s 嗎？", "패스키 %s을(를) 삭제할까요?"},
	PasskeyRemoveBody: {"You will no longer be able to sign in with %s. Your device may still list it until you delete it there.",
		"之後將無法使用 %s 登入。在你從裝置上刪除之前，裝置可能仍會列出它。",
		"더 이상 %s(으)로 로그인할 수 없습니다. 기기에서 삭제하기 전까지는 기기에 계속 표시될 수 있습니다."},
	PasskeyRemoved: {"Passkey %s removed.", "已移除密碼金鑰 %s。", "패스키 %s을(를) 삭제했습니다."},
	PasskeyLastReason: {"Your only way to sign in: connect a provider or add another passkey before removing this one.",
		"這是你唯一的登入方式：請先連結登入服務或新增其他密碼金鑰，再移除這個。",
		"유일한 로그인 방법입니다: 삭제하기 전에 제공자를 연결하거나 다른 패스키를 추가하세요."},
	PasskeyCancelled:   {"No passkey was used. You can try again.", "未使用密碼金鑰。你可以再試一次。", "패스키를 사용하지 않았습니다. 다시 시도할 수 있습니다."},
	PasskeyExists:      {"This device already has a passkey for your account.", "這部裝置已經有你帳號的密碼金鑰。", "이 기기에는 이미 계정의 패스키가 있습니다."},
	PasskeyUnsupported: {"This browser cannot use passkeys here. Sign in another way.", "這個瀏覽器無法在此使用密碼金鑰，請改用其他方式登入。", "이 브라우저에서는 여기서 패스키를 사용할 수 없습니다. 다른 방법으로 로그인하세요."},
	PasskeyCloneWarning: {"This passkey was refused once because it may have been copied. Remove it if you do not recognise that.",
		"這個密碼金鑰曾因可能遭複製而被拒絕。如果你不認得這件事，請移除它。",
		"이 패스키는 복제되었을 수 있어 한 번 거부되었습니다. 기억나지 않는다면 삭제하세요."},
}

// init joins the passkeys' words into T's catalogue; a key in both would
// be a mistake, caught at start.
func init() {
	for k, words := range passkeyText {
		if _, dup := text[k]; dup {
			panic("i18n: passkey key " + string(k) + " is in text too")
		}
		text[k] = words
	}
}
