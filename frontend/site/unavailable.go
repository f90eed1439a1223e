//go:build !wasm

package site

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
)

// UnavailablePage is the page the front (nginx) answers instead of its
// own 502/503/504 page in the sign-in popup, when no replica answers a
// sign-in's start or the provider's return (nginx/nginx.conf.template).
// Its script is a file of its own (UnavailableScript), so the page needs
// no inline script under its CSP.
const (
	UnavailablePage   = "/web/unavailable.html"
	UnavailableScript = "/web/unavailable.js"
)

// unavailableHTML says it in English until the script picks the user's
// language; Close shows only in a popup.
const unavailableHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>AuthBridge</title>
<link rel="stylesheet" href="/web/style.css"><script src="` + UnavailableScript + `" defer></script></head>
<body><main class="app" id="app" data-state="unavailable"><div class="card card-center">
<h1 class="sr-only">AuthBridge</h1>
<p id="unavailable-text" role="alert">{{MESSAGE}}</p>
<div class="unavailable-actions"><button type="button" class="btn" id="unavailable-retry">{{RETRY}}</button>
<button type="button" class="btn" id="unavailable-close" hidden>{{CLOSE}}</button></div>
</div></main></body></html>
`

// unavailableJS translates the page (the language the dashboard kept in
// localStorage, else the browser's), makes Try again reload the URL that
// failed (the sign-in's start, or the provider's return, which works
// once AuthBridge is back: its state and code are unspent), and tells
// the opener: the handoff message shape with error unavailable, posted
// to this page's exact origin (the dashboard's, behind the same front),
// naming the flow when the URL does (a start's challenge; a return has
// none). No code, no token: it only says the service is down.
const unavailableJS = `(function () {
  "use strict";
  var TEXT = /*TEXT*/{};
  var TYPE = /*TYPE*/"";
` + pickLanguageJS + `  var lang = pick(), t = TEXT[lang] || TEXT.en;
  document.documentElement.lang = lang;
  var text = document.getElementById("unavailable-text");
  var retry = document.getElementById("unavailable-retry");
  var close = document.getElementById("unavailable-close");
  text.textContent = t.message;
  retry.textContent = t.retry;
  close.textContent = t.close;
  retry.addEventListener("click", function () { location.reload(); });
  var opener = null;
  try { opener = window.opener; } catch (e) {}
  if (opener && !opener.closed) {
    close.hidden = false;
    close.addEventListener("click", function () { window.close(); });
    var msg = { type: TYPE, ok: false, error: { code: "` + string(shared.CodeUnavailable) + `", message: "" } };
    var flow = new URLSearchParams(location.search).get("challenge");
    if (flow) { msg.flow = flow; }
    try { opener.postMessage(msg, location.origin); } catch (e) {}
  }
  retry.focus();
})();
`

// writeUnavailable writes UnavailablePage and UnavailableScript into the
// site's web folder, their words from package i18n.
func writeUnavailable(web string) error {
	text := map[string]map[string]string{}
	for _, l := range i18n.Langs {
		text[string(l)] = i18n.UnavailablePage(l)
	}
	b, err := json.Marshal(text)
	if err != nil {
		return fmt.Errorf("site: unavailable page: %w", err)
	}
	typ, _ := json.Marshal(shared.HandoffType)
	js := strings.Replace(unavailableJS, "/*TEXT*/{}", string(b), 1)
	js = strings.Replace(js, `/*TYPE*/""`, string(typ), 1)
	en := i18n.UnavailablePage(i18n.EN)
	page := strings.NewReplacer("{{MESSAGE}}", html.EscapeString(en["message"]), "{{RETRY}}", html.EscapeString(en["retry"]),
		"{{CLOSE}}", html.EscapeString(en["close"])).Replace(unavailableHTML)
	for name, body := range map[string]string{UnavailablePage: page, UnavailableScript: js} {
		if err := os.WriteFile(filepath.Join(web, filepath.Base(name)), []byte(body), 0o644); err != nil {
			return fmt.Errorf("site: unavailable page: %w", err)
		}
	}
	return nil
}
