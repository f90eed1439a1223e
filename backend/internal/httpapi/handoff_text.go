package httpapi

import (
	"sort"
	"strconv"
	"strings"
)

// handoffText is the words of the popup's handoff page in one language.
// The page shows them for the moment before it closes (or when the
// browser keeps it open), so they are the only server-rendered words a
// user reads; the dashboard says the rest in its own catalogue.
type handoffText struct {
	Lang   string // the page's <html lang>
	Title  string
	OK     string // signed in, going back
	Failed string // not signed in, going back: the dashboard says why
	Close  string // shown when the browser refuses to close the popup
}

// handoffTexts are the page's words in the dashboard's languages, English
// first (the default). The frontend's catalogue (frontend/i18n) has none
// of these sentences, so they live here alone, in its vocabulary.
var handoffTexts = []handoffText{
	{Lang: "en", Title: "Signing in…", OK: "Signed in. Returning to the app…",
		Failed: "Sign-in did not complete. Returning to the app…", Close: "You can close this window."},
	{Lang: "zh-TW", Title: "正在登入…", OK: "已登入，正在返回應用程式…",
		Failed: "登入未完成，正在返回應用程式…", Close: "你可以關閉這個視窗。"},
	{Lang: "ko", Title: "로그인 중…", OK: "로그인했습니다. 앱으로 돌아가는 중…",
		Failed: "로그인이 완료되지 않았습니다. 앱으로 돌아가는 중…", Close: "이 창을 닫아도 됩니다."},
}

// handoffTextFor picks the page's words from an Accept-Language header:
// the supported language the browser ranks highest (q-values honoured,
// q=0 refused, ties in the header's order), else English. Tags map as
// the dashboard's own detection does (i18n.Detect): en-*, ko-*, and the
// Traditional Chinese regions and script to zh-TW; Simplified Chinese is
// not offered, so it falls through to the next choice.
func handoffTextFor(acceptLanguage string) handoffText {
	type choice struct {
		tag string
		q   float64
	}
	var choices []choice
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight counts as a refusal
				}
				q = f
			}
		}
		if tag != "" && q > 0 {
			choices = append(choices, choice{tag, q})
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	for _, c := range choices {
		if i := handoffLangIndex(c.tag); i >= 0 {
			return handoffTexts[i]
		}
	}
	return handoffTexts[0]
}

// handoffLangIndex is the index in handoffTexts of a lower-case language
// tag, -1 when it is none of them.
func handoffLangIndex(tag string) int {
	switch {
	case tag == "en" || strings.HasPrefix(tag, "en-"):
		return 0
	case tag == "zh-tw" || tag == "zh-hk" || tag == "zh-mo" || strings.HasPrefix(tag, "zh-hant"):
		return 1
	case tag == "ko" || strings.HasPrefix(tag, "ko-"):
		return 2
	}
	return -1
}
