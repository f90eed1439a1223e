//go:build !wasm

package site

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
)

// TestUnavailablePage: the popup's unavailable page has no inline script
// (its CSP allows 'self' only), names its script, says the English words
// until it runs, and the script carries every language's words and the
// handoff message's type.
func TestUnavailablePage(t *testing.T) {
	web := t.TempDir()
	if err := writeUnavailable(web); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(web, "unavailable.html"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(web, "unavailable.js"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	if strings.Count(html, "<script") != 1 || !strings.Contains(html, `<script src="`+UnavailableScript+`" defer></script>`) {
		t.Errorf("the page's only script must be %s:\n%s", UnavailableScript, html)
	}
	en := i18n.UnavailablePage(i18n.EN)
	for _, w := range []string{en["message"], en["retry"], `id="unavailable-retry"`, `id="unavailable-close" hidden`, `role="alert"`, "<main"} {
		if !strings.Contains(html, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	script := string(js)
	typ, _ := json.Marshal(shared.HandoffType)
	for _, w := range []string{"var TYPE = " + string(typ), `code: "unavailable"`, "postMessage(msg, location.origin)", `get("challenge")`} {
		if !strings.Contains(script, w) {
			t.Errorf("script lacks %q", w)
		}
	}
	for _, l := range i18n.Langs {
		for k, w := range i18n.UnavailablePage(l) {
			b, _ := json.Marshal(w)
			if !strings.Contains(script, string(b)) {
				t.Errorf("script lacks %s's %s: %s", l, k, w)
			}
		}
	}
	if strings.Contains(script, "token") || strings.Contains(script, `code: msg`) {
		t.Error("the page must carry no token or code")
	}
}
