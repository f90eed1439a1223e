package i18n

import "strings"

// The words of "proof, then link" after duplicate_email. They live in a
// catalogue of their own, beside the dashboard's (text), with the same
// three languages in the same order, and each names the providers.
const (
	LinkOffer   Key = "link_offer"   // owners, owners, refused
	LinkTitle   Key = "link_title"   // refused, email
	LinkBody    Key = "link_body"    // refused
	LinkConfirm Key = "link_confirm" // the dialog's Link button
	LinkNotNow  Key = "link_not_now"
	LinkDone    Key = "link_done"    // refused
	LinkSignIn  Key = "link_sign_in" // owner: the offer's buttons
	// LinkDiscarded is Not now's result, read out in the dashboard's
	// polite live region (its alert shows link texts too: T).
	LinkDiscarded Key = "link_discarded" // refused
)

var linkText = map[Key][3]string{
	LinkOffer: {"This email already has an account with %s. Sign in with %s to link %s to it.",
		"這個電子郵件地址已經有使用 %s 的帳號。請用 %s 登入，即可將 %s 連結到該帳號。",
		"이 이메일 주소에는 이미 %s 계정이 있습니다. %s(으)로 로그인하면 %s을(를) 그 계정에 연결할 수 있습니다."},
	LinkTitle: {"Link %s (%s) to this account?", "要將 %s（%s）連結到這個帳號嗎？", "%s(%s)을(를) 이 계정에 연결할까요?"},
	LinkBody: {"You can then sign in to this account with %s too. Nothing is linked unless you choose Link.",
		"之後你也可以用 %s 登入這個帳號。除非你選擇「連結」，否則不會連結任何東西。",
		"그러면 %s(으)로도 이 계정에 로그인할 수 있습니다. 연결을 선택하지 않으면 아무것도 연결되지 않습니다."},
	LinkConfirm: {"Link", "連結", "연결"},
	LinkNotNow:  {"Not now", "暫時不要", "나중에"},
	LinkDone:    {"%s is now linked to this account.", "%s 已連結到這個帳號。", "%s이(가) 이 계정에 연결되었습니다."},
	LinkSignIn:  {"Sign in with %s", "使用 %s 登入", "%s(으)로 로그인"},
	LinkDiscarded: {"%s was not linked to this account. To link it later, sign in with it again.",
		"未將 %s 連結到這個帳號。若之後想連結，請再次用它登入。",
		"%s을(를) 이 계정에 연결하지 않았습니다. 나중에 연결하려면 그것으로 다시 로그인하세요."},
}

// TL is a "proof, then link" text in l, its "%s" filled by args in order.
func TL(l Lang, k Key, args ...string) string {
	t, ok := linkText[k]
	if !ok {
		return string(k)
	}
	s := t[index(l)]
	for _, a := range args {
		s = strings.Replace(s, "%s", a, 1)
	}
	return s
}

// DuplicateProviders reads the providers out of the server's
// duplicate_email message: the display names of the methods of the
// account that owns the email, and of the refused one.
func DuplicateProviders(serverMessage string) (owners []string, refused string, ok bool) {
	o, refused, ok := duplicateNames(serverMessage)
	if !ok {
		return nil, "", false
	}
	return strings.Split(o, " or "), refused, true
}

// OfferText is the offer after duplicate_email in l: who owns the email,
// whom to sign in with, what will be linked.
func OfferText(l Lang, owners []string, refused string) string {
	names := strings.Join(owners, " "+T(l, Or)+" ")
	return TL(l, LinkOffer, names, names, refused)
}
