package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// readyProbe records, in the page's own clock, when the dashboard becomes
// interactive: performance.now() (milliseconds since the navigation
// started) at the first main#app[data-ready="1"], the marker the suite
// waits on everywhere (the app knows whether someone is signed in and shows
// the matching controls: the sign-in buttons, or the account).
//
// It also times WebAssembly.instantiateStreaming (app.js's download and
// compile of the wasm): from its call to its instance.
const readyProbe = `(function () {
  var stream = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = function () {
    var t0 = performance.now();
    return stream.apply(WebAssembly, arguments).then(function (r) { window.__e2eWasmMs = performance.now() - t0; return r; });
  };
  function ready() { return !!document.querySelector('main#app[data-ready="1"]'); }
  new MutationObserver(function (_, o) {
    if (window.__e2eReadyAt === undefined && ready()) { window.__e2eReadyAt = performance.now(); o.disconnect(); }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"]});
})();`

// hashedWasm is the content-hashed wasm's path (frontend/site.WasmName).
var hashedWasm = regexp.MustCompile(`^/web/app\.[0-9a-f]{16}\.wasm$`)

// loadFigures is one load of the dashboard as the page measured it.
type loadFigures struct {
	ReadyMs float64 // navigation start → main#app[data-ready="1"]
	WasmMs  float64 // instantiateStreaming: the wasm fetched and compiled
	Wasm    []struct {
		Name         string  // the URL
		TransferSize float64 // 0: from the HTTP cache, nothing on the network
		BodySize     float64 // encodedBodySize: the (brotli) bytes cached or received
	}
}

// TestWarmLoad checks that a repeat visit does not wait on the wasm: the
// dashboard loads once in a fresh browser profile (cold), then again in the
// same one (warm). The wasm is fetched under its content-hashed name with
// Cache-Control immutable (as nginx sends it), and the warm load takes it
// from the HTTP cache without a request on the network (Resource Timing
// transferSize 0, not even a 304). Both times are reported, never
// asserted (the handbook forbids timed assertions).
func TestWarmLoad(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	tb := h.newBrowserContext(t, "warm-load")

	// The wasm's answers as the network saw them (CDP), by URL path.
	var mu sync.Mutex
	cacheControl := map[string][]string{}
	chromedp.ListenTarget(tb.ctx, func(ev any) {
		if ev, ok := ev.(*network.EventResponseReceived); ok && ev.Type == network.ResourceTypeFetch {
			if p := pathOf(ev.Response.URL); hashedWasm.MatchString(p) {
				mu.Lock()
				cacheControl[p] = append(cacheControl[p], header(ev.Response.Headers, "Cache-Control"))
				mu.Unlock()
			}
		}
	})
	tb.run(t, waitShort, "install the ready probe", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(readyProbe).Do(ctx)
		return err
	}))

	load := func(what string) loadFigures {
		t.Helper()
		tb.run(t, waitLong, what, chromedp.Navigate(h.origin+"/"))
		tb.waitState(t, "signed-out")
		var f loadFigures
		tb.eval(t, `({ReadyMs: window.__e2eReadyAt === undefined ? -1 : window.__e2eReadyAt, WasmMs: window.__e2eWasmMs || -1,
		  Wasm: performance.getEntriesByType("resource")
		    .filter(function (e) { return /\/web\/app\.[0-9a-f]{16}\.wasm$/.test(new URL(e.name).pathname); })
		    .map(function (e) { return {Name: e.name, TransferSize: e.transferSize, BodySize: e.encodedBodySize}; })})`, &f)
		if f.ReadyMs < 0 {
			tb.fail(t, "%s: the ready probe did not see main#app[data-ready=\"1\"]", what)
		}
		if len(f.Wasm) != 1 {
			tb.fail(t, "%s: %d requests for a web/app.<hash>.wasm, want 1: %+v", what, len(f.Wasm), f.Wasm)
		}
		return f
	}

	cold := load("cold load")
	if cold.Wasm[0].TransferSize == 0 {
		tb.fail(t, "cold load: the wasm came from a cache in a fresh profile: %+v", cold.Wasm[0])
	}
	wasmPath := pathOf(cold.Wasm[0].Name)
	mu.Lock()
	got := cacheControl[wasmPath]
	mu.Unlock()
	if len(got) != 1 || got[0] != "public, max-age=31536000, immutable" {
		tb.fail(t, "cold load: %s answered with Cache-Control %q, want one answer, immutable", wasmPath, got)
	}

	warm := load("warm load")
	if w := warm.Wasm[0]; pathOf(w.Name) != wasmPath || w.TransferSize != 0 || w.BodySize == 0 {
		tb.fail(t, "warm load: wasm %+v, want %s from the HTTP cache (transferSize 0, nothing revalidated)", w, wasmPath)
	}
	tb.shot(t, "warm-load-signed-out")

	line := fmt.Sprintf("warm load: %.2f s to interactive (cold %.2f s; of which the wasm's fetch and compile %.2f s warm, %.2f s cold; %s, %.2f MiB brotli, %.0f bytes over the network when warm)",
		warm.ReadyMs/1000, cold.ReadyMs/1000, warm.WasmMs/1000, cold.WasmMs/1000, wasmPath, cold.Wasm[0].BodySize/(1<<20), warm.Wasm[0].TransferSize)
	t.Log(line)
	// go test hides a passing package's output: make test prints this
	// file after the run, so the figure is in every CI log.
	report := filepath.Join(h.artifacts, "warm-load.txt")
	if err := os.WriteFile(report, []byte(line+"\n"), 0o644); err != nil {
		t.Errorf("write %s: %v", report, err)
	}
}

// pathOf is the path of an absolute URL ("" when it is not one).
func pathOf(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return "/"
	}
	p, _, _ := strings.Cut(rest[i:], "?")
	return p
}

// header is a response header's value, its name matched in any case.
func header(hs network.Headers, name string) string {
	for k, v := range hs {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}
