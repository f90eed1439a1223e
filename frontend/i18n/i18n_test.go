package i18n

import (
	"strings"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

func TestEveryCodeHasEveryLanguage(t *testing.T) {
	for _, code := range shared.AllErrorCodes {
		for _, l := range Langs {
			if msg := ErrorMessage(l, code, ""); msg == "" || msg == string(code) {
				t.Errorf("%s has no %s message", code, l)
			}
		}
	}
	if len(errorText) != len(shared.AllErrorCodes) {
		t.Errorf("catalogue has %d codes, the contract %d", len(errorText), len(shared.AllErrorCodes))
	}
}

func TestErrorMessageChoice(t *testing.T) {
	tests := []struct {
		name   string
		lang   Lang
		code   shared.ErrorCode
		server string
		want   string
	}{
		{"english prefers the server's specific message", EN, shared.CodeDuplicateEmail, "Sign in with GitHub.", "Sign in with GitHub."},
		{"korean uses the translation", KO, shared.CodeRateLimited, "Too many", "시도가 너무 많습니다. 잠시 후 다시 시도하세요."},
		{"unknown code shows the server's text", ZHTW, "brand_new_code", "New thing", "New thing"},
		{"unknown code without text is generic", EN, "brand_new_code", "", errorText[shared.CodeInternal][0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorMessage(tt.lang, tt.code, tt.server); got != tt.want {
				t.Fatalf("ErrorMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		in   []string
		want Lang
	}{
		{nil, EN},
		{[]string{"ko-KR", "en"}, KO},
		{[]string{"zh-TW"}, ZHTW},
		{[]string{"zh-Hant-HK"}, ZHTW},
		{[]string{"zh-CN", "en-US"}, EN},
		{[]string{"fr", "de"}, EN},
	}
	for _, tt := range tests {
		if got := Detect(tt.in); got != tt.want {
			t.Errorf("Detect(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEveryKeyHasEveryLanguage(t *testing.T) {
	for _, k := range Keys() {
		t.Run(string(k), func(t *testing.T) {
			en := text[k][0]
			for i, l := range Langs {
				s := text[k][i]
				if s == "" {
					t.Errorf("%s has no %s text", k, l)
				}
				if strings.Count(s, "%s") != strings.Count(en, "%s") {
					t.Errorf("%s in %s has %d placeholders, English %d", k, l, strings.Count(s, "%s"), strings.Count(en, "%s"))
				}
			}
		})
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang Lang
		key  Key
		arg  []string
		want string
	}{
		{EN, SignInWith, []string{"GitHub"}, "Sign in with GitHub"},
		{ZHTW, SignInWith, []string{"GitHub"}, "使用 GitHub 登入"},
		{KO, SignOut, nil, "로그아웃"},
		{EN, Key("missing_key"), nil, "missing_key"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.arg...); got != tt.want {
			t.Errorf("T(%s, %s) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}
