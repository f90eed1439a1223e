//go:build !wasm

package site

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/authbridge/authbridge/frontend/i18n"
)

// LoaderScript is the path of the script that turns go-app's loading
// screen into the app's own (loaderJS).
const LoaderScript = "/web/loader.js"

// loaderJS makes go-app's loader (<aside id="app-wasm-loader">, which
// go-app's app.js fills with an English label and, when app.wasm fails,
// the raw error) the app's own: in the user's language (the one they
// chose, kept by the app in localStorage, else the browser's), themed by
// style.css, and on a failed download a translated message with Try again.
// go-app offers no other hook: this script only rewrites the label's text
// whenever app.js changes it. Its words come from package i18n, once.
const loaderJS = `(function () {
  "use strict";
  var TEXT = /*TEXT*/{};
` + pickLanguageJS + `  var lang = pick(), t = TEXT[lang] || TEXT.en;
  var loader = document.getElementById("app-wasm-loader");
  if (!loader) { return; }
  document.documentElement.lang = lang;
  var icon = document.getElementById("app-wasm-loader-icon");
  var label = document.getElementById("app-wasm-loader-label");
  loader.setAttribute("role", "status");
  if (icon) { icon.setAttribute("alt", ""); icon.setAttribute("aria-hidden", "true"); }
  var retry = null;
  function apply() {
    if (!label) { return; }
    var failed = icon && !icon.classList.contains("goapp-spin");
    if (failed) {
      // Every change here is a mutation this observer sees: change only
      // what differs, or it never stops.
      if (!loader.classList.contains("loader-failed")) { loader.classList.add("loader-failed"); }
      if (label.textContent !== t.failed) { label.textContent = t.failed; }
      if (!retry) {
        retry = document.createElement("button");
        retry.type = "button";
        retry.id = "loader-retry";
        retry.className = "btn";
        retry.textContent = t.retry;
        retry.addEventListener("click", function () { location.reload(); });
        loader.appendChild(retry);
        retry.focus();
      }
      return;
    }
    if (label.textContent !== t.loading) { label.textContent = t.loading; }
  }
  apply();
  new MutationObserver(apply).observe(loader, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["class"] });
})();
`

// writeLoader writes LoaderScript into the site's web folder.
func writeLoader(web string) error {
	text := map[string]map[string]string{}
	for _, l := range i18n.Langs {
		text[string(l)] = map[string]string{
			"loading": i18n.T(l, i18n.Loading),
			"failed":  i18n.T(l, i18n.LoadFailed),
			"retry":   i18n.T(l, i18n.TryAgain),
		}
	}
	b, err := json.Marshal(text)
	if err != nil {
		return fmt.Errorf("site: loader: %w", err)
	}
	js := strings.Replace(loaderJS, "/*TEXT*/{}", string(b), 1)
	if err := os.WriteFile(filepath.Join(web, filepath.Base(LoaderScript)), []byte(js), 0o644); err != nil {
		return fmt.Errorf("site: loader: %w", err)
	}
	return nil
}

// pickLanguageJS is the static pages' language choice (the loader's and
// the unavailable page's), before the app runs: the language the user
// chose, kept by the app in localStorage, else the browser's first
// supported one, else English — the tags mapped as package i18n maps
// them.
const pickLanguageJS = `  function pick() {
    var prefs = [];
    try { var saved = JSON.parse(localStorage.getItem("authbridge.lang") || "null"); if (saved) { prefs.push(saved); } } catch (e) {}
    prefs = prefs.concat(navigator.languages || [], navigator.language || []);
    for (var i = 0; i < prefs.length; i++) {
      var p = String(prefs[i]).toLowerCase();
      if (p === "en" || p.indexOf("en-") === 0) { return "en"; }
      if (p === "ko" || p.indexOf("ko-") === 0) { return "ko"; }
      if (p === "zh-tw" || p === "zh-hk" || p === "zh-mo" || p.indexOf("zh-hant") === 0) { return "zh-TW"; }
    }
    return "en";
  }
`
