package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeEnv names axe-core's axe.min.js; scripts/test.sh installs axe-core
// from npm into the cache folder axeDefault names and sets it.
const axeEnv = "AUTHBRIDGE_E2E_AXE"

// axeDefault is where scripts/test.sh puts axe-core when axeEnv is unset.
func axeDefault() string {
	dir := os.Getenv("XDG_CACHE_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "authbridge", "axe", "node_modules", "axe-core", "axe.min.js")
}

var (
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
)

// axeSource is axe.min.js, or a missing requirement.
func axeSource() (string, error) {
	axeOnce.Do(func() {
		path := os.Getenv(axeEnv)
		if path == "" {
			path = axeDefault()
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeErr = missing("axe-core is not installed at %s (make test installs it with npm; or set %s)", path, axeEnv)
			return
		}
		axeSrc = string(b)
	})
	return axeSrc, axeErr
}

// axeRun runs axe-core on the page and answers its serious and critical
// violations, one readable line each (rule, impact, what it means, the
// first few elements and why they fail).
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  return r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; }).map(function (v) {
    return v.id + " (" + v.impact + "): " + v.help + "\n" + v.nodes.slice(0, 4).map(function (n) {
      return "      " + n.target.join(" ") + " — " + String(n.failureSummary || "").replace(/\s+/g, " ").slice(0, 240);
    }).join("\n");
  });
})`

// isDashboard reports whether the tab shows the ready dashboard (not the
// devidp's consent page or another app).
func (tb *tab) isDashboard() bool {
	var ok bool
	err := tb.try(waitShort, chromedp.Evaluate(fmt.Sprintf(`location.origin === %q && !!document.querySelector('main#app[data-ready="1"]')`, tb.h.origin), &ok))
	return err == nil && ok
}

// checkA11y fails t when axe-core finds a serious or critical violation
// on the page, or when the page scrolls sideways in its viewport. name
// says which state it is.
func (tb *tab) checkA11y(t *testing.T, name string) {
	t.Helper()
	if _, err := axeSource(); err != nil {
		// Not a skip: that would end the test that took the screenshot.
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Logf("%s: not checked with axe-core: %v", name, err)
		return
	}
	if found := tb.axeViolations(t); len(found) > 0 {
		tb.fail(t, "%s: axe-core found %d serious or critical violations:\n  - %s", name, len(found), strings.Join(found, "\n  - "))
	}
	if scroll, inner := tb.widths(t); scroll > inner {
		tb.fail(t, "%s: the page scrolls sideways: %d px wide in a %d px viewport", name, scroll, inner)
	}
}

// axeViolations injects axe-core (once per document) and answers its
// serious and critical violations.
func (tb *tab) axeViolations(t *testing.T) []string {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		require(t, err)
	}
	var loaded bool
	tb.eval(t, `typeof window.axe !== "undefined"`, &loaded)
	if !loaded {
		tb.run(t, waitShort, "inject axe-core", chromedp.Evaluate(src+"\n;true", nil))
	}
	var found []string
	tb.run(t, waitLong, "run axe-core", chromedp.Evaluate(axeRun, &found, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	return found
}

// widths are the page's scroll width and the viewport's.
func (tb *tab) widths(t *testing.T) (scroll, inner int) {
	t.Helper()
	var w struct{ Scroll, Inner int }
	tb.eval(t, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`, &w)
	return w.Scroll, w.Inner
}
