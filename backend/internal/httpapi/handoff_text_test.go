package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestHandoffTextFor: the page's language is the supported one the
// browser ranks highest, q-values honoured, English otherwise.
func TestHandoffTextFor(t *testing.T) {
	tests := []struct {
		header, want string
	}{
		{"", "en"},
		{"ko", "ko"},
		{"ko-KR,ko;q=0.9,en-US;q=0.8", "ko"},
		{"zh-TW", "zh-TW"},
		{"zh-Hant-TW,zh;q=0.8", "zh-TW"},
		{"zh-HK", "zh-TW"},
		{"en-GB,en;q=0.9", "en"},
		{"en;q=0.5, ko;q=0.8", "ko"},               // weights, not order
		{"ko;q=0.8, zh-TW;q=0.8", "ko"},            // a tie keeps the header's order
		{"ko;q=0, zh-TW;q=0.1", "zh-TW"},           // q=0 refuses
		{"zh-CN,zh;q=0.9,ko;q=0.5", "ko"},          // Simplified is not offered: the next choice
		{"fr-FR, de;q=0.9", "en"},                  // nothing supported: English
		{"*", "en"},                                // anything: English
		{"ko;q=abc, zh-TW;q=0.2", "zh-TW"},         // a malformed weight refuses its tag
		{" KO-kr ; Q=0.7 , en ; q=0.6", "ko"},      // case and spaces
		{"ko;q=1.5, zh-TW", "zh-TW"},               // out of range: refused
		{"en;q=0.1, zh-TW;level=1;q=0.9", "zh-TW"}, // other parameters are ignored
	}
	for _, tt := range tests {
		if got := handoffTextFor(tt.header).Lang; got != tt.want {
			t.Errorf("Accept-Language %q: %s, want %s", tt.header, got, tt.want)
		}
	}
}

// TestHandoffTextsComplete: every language has every sentence.
func TestHandoffTextsComplete(t *testing.T) {
	if handoffTexts[0].Lang != "en" {
		t.Fatalf("the default is %s, want en first", handoffTexts[0].Lang)
	}
	for _, w := range handoffTexts {
		if w.Lang == "" || w.Title == "" || w.OK == "" || w.Failed == "" || w.Close == "" || w.OK == w.Failed {
			t.Errorf("%+v is missing a sentence", w)
		}
	}
}

var (
	htmlLangRE     = regexp.MustCompile(`<html lang="([^"]*)">`)
	inlineScriptRE = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
)

// TestHandoffPageLanguage: the popup's page (after a success and after a
// denial) is in the browser's language: <html lang>, title, status and the
// close hint in the data block; the script is the constant one, still
// allowed by the CSP's hash.
func TestHandoffPageLanguage(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	tests := []struct {
		name, accept, user, lang string
		ok                       bool
	}{
		{"English signed in", "en-US,en;q=0.9", "alice", "en", true},
		{"Korean signed in", "ko-KR,ko;q=0.9,en;q=0.8", "alice", "ko", true},
		{"Traditional Chinese denied", "zh-TW", "deny", "zh-TW", false},
		{"Korean outranks English by weight, denied", "en;q=0.3,ko;q=0.7", "deny", "ko", false},
		{"no header: English", "", "deny", "en", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			_, c := pkce(t)
			cb := b.authorize(b.start("dev", "challenge="+c), tt.user)
			hdr := map[string]string{}
			if tt.accept != "" {
				hdr["Accept-Language"] = tt.accept
			}
			resp, body := b.do("GET", cb, "", hdr)
			p := parseHandoff(t, resp, body)
			if p.Message.OK != tt.ok {
				t.Fatalf("handoff = %+v, want ok %v", p.Message, tt.ok)
			}
			var want handoffText
			for _, w := range handoffTexts {
				if w.Lang == tt.lang {
					want = w
				}
			}
			if m := htmlLangRE.FindStringSubmatch(body); m == nil || m[1] != tt.lang {
				t.Errorf("<html lang> = %v, want %s", m, tt.lang)
			}
			if got := resp.Header.Get("Content-Language"); got != tt.lang {
				t.Errorf("Content-Language = %q, want %s", got, tt.lang)
			}
			status := want.Failed
			if tt.ok {
				status = want.OK
			}
			for _, s := range []string{"<title>" + want.Title + "</title>", `<p id="status">` + status + "</p>"} {
				if !strings.Contains(body, s) {
					t.Errorf("page without %q:\n%s", s, body)
				}
			}
			var data struct {
				Close string `json:"close"`
			}
			if err := json.Unmarshal([]byte(dataRE.FindStringSubmatch(body)[1]), &data); err != nil || data.Close != want.Close {
				t.Errorf("data block close = %q (%v), want %q", data.Close, err, want.Close)
			}
			m := inlineScriptRE.FindStringSubmatch(body)
			if m == nil || m[1] != handoffScript {
				t.Fatalf("the page's script is not the constant one:\n%s", body)
			}
			sum := sha256.Sum256([]byte(m[1]))
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';") {
				t.Errorf("CSP %q does not allow the page's script", csp)
			}
		})
	}
}

// TestHandoffLangsAreTheDashboards: the page speaks the dashboard's
// languages, no more, no fewer. The backend cannot import the frontend
// module, so the test reads frontend/i18n's Lang constants from source.
// (The page's sentences themselves have no counterpart in the
// frontend's catalogue to compare with: the dashboard never says them.)
func TestHandoffLangsAreTheDashboards(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../../frontend/i18n/i18n.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var front []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Lang" {
				continue
			}
			for _, val := range v.Values {
				if lit, ok := val.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					front = append(front, s)
				}
			}
		}
	}
	var page []string
	for _, w := range handoffTexts {
		page = append(page, w.Lang)
	}
	if len(front) == 0 || strings.Join(front, ",") != strings.Join(page, ",") {
		t.Fatalf("the handoff page speaks %v, the dashboard %v", page, front)
	}
}
