package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// fixturePath is a small page the harness adds to the site, on the nginx
// origin and under its CSP, to check the topology without the dashboard:
// it loads the GIS stand-in from the devidp, signs in with it through
// nginx, refreshes with the cookie and reads /api/me.
const fixturePath = "/e2e-harness/index.html"

const fixtureHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AuthBridge e2e harness check</title></head>
<body><main id="app" data-state="loading">
<div id="gis-button"></div>
<ul id="providers"></ul>
<p id="user-name"></p>
<p id="alert" hidden></p>
</main>
<script src="harness.js"></script></body></html>
`

// fixtureJS keeps its tokens in memory, as the dashboard must.
const fixtureJS = `(function () {
  "use strict";
  var GIS_SRC = /*GIS_SRC*/"";
  var app = document.getElementById("app");
  var access = "";
  function fail(code) {
    var a = document.getElementById("alert");
    a.hidden = false;
    a.setAttribute("data-kind", "error");
    a.setAttribute("data-code", code);
    a.textContent = code;
  }
  function call(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (access) { headers["Authorization"] = "Bearer " + access; }
    return fetch(path, { method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) }).then(function (resp) {
      return resp.json().then(function (data) {
        if (!resp.ok) { throw new Error((data && data.error && data.error.code) || ("status " + resp.status)); }
        return data;
      });
    });
  }
  Promise.all([call("GET", "/api/auth/providers"), call("GET", "/api/auth/google/nonce")]).then(function (r) {
    var providers = r[0], nonce = r[1].nonce;
    var list = document.getElementById("providers");
    providers.providers.forEach(function (p) {
      var li = document.createElement("li");
      li.setAttribute("data-id", p.id);
      li.textContent = p.name;
      list.appendChild(li);
    });
    var s = document.createElement("script");
    s.src = GIS_SRC;
    s.onerror = function () { fail("gis_script_blocked"); };
    s.onload = function () {
      google.accounts.id.initialize({ client_id: providers.google_client_id, nonce: nonce, callback: function (resp) {
        call("POST", "/api/auth/google/credential", { credential: resp.credential, nonce: nonce }).then(function (signin) {
          if (signin.refresh_token) { throw new Error("refresh_token_in_body"); }
          access = signin.access_token;
          return call("POST", "/api/auth/token/refresh", {});
        }).then(function (pair) {
          access = pair.access_token;
          return call("GET", "/api/me");
        }).then(function (me) {
          document.getElementById("user-name").textContent = me.name;
          app.setAttribute("data-state", "signed-in");
        }).catch(function (e) { fail(e.message); });
      } });
      google.accounts.id.renderButton(document.getElementById("gis-button"), { theme: "outline" });
      app.setAttribute("data-state", "signed-out");
      app.setAttribute("data-ready", "1");
    };
    document.head.appendChild(s);
  }).catch(function (e) { fail(e.message); });
})();
`

// writeFixtures adds the harness check page to the site.
func writeFixtures(dist, idpURL string) error {
	dir := filepath.Join(dist, filepath.FromSlash(strings.Trim(path.Dir(fixturePath), "/")))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fixtures: %w", err)
	}
	src, _ := json.Marshal(idpURL + "/gsi/client")
	files := map[string]string{
		"index.html": fixtureHTML,
		"harness.js": strings.Replace(fixtureJS, `/*GIS_SRC*/""`, string(src), 1),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return fmt.Errorf("fixtures: %w", err)
		}
	}
	return nil
}
