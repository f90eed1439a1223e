package devidp

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func big2b64(v int64) string { return b64(big.NewInt(v).Bytes()) }

// gsiScript is a stand-in for https://accounts.google.com/gsi/client with the
// same surface (google.accounts.id.initialize, renderButton, prompt,
// disableAutoSelect, cancel). Its button mints a credential at
// /gsi/credential for the picked ready-made user. No eval, no inline
// handlers: it works under a strict CSP.
const gsiScript = `(function(){
"use strict";
var script = document.currentScript;
var base = script ? script.src.replace(/\/gsi\/client(\?.*)?$/, "") : "";
var cfg = null;
var users = __USERS__;
function pick(sel){ return window.__devidpUser || (sel ? sel.value : "alice"); }
function mint(user){
  if (!cfg || typeof cfg.callback !== "function") { return; }
  fetch(base + "/gsi/credential", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({client_id: cfg.client_id, nonce: cfg.nonce || "", user: user})})
  .then(function(r){ return r.json(); })
  .then(function(j){ if (j.credential) { cfg.callback({credential: j.credential, select_by: "btn", clientId: cfg.client_id}); } });
}
var id = {
  initialize: function(c){ cfg = c; },
  renderButton: function(el, opts){
    if (!el) { return; }
    while (el.firstChild) { el.removeChild(el.firstChild); }
    var wrap = document.createElement("div");
    wrap.style.display = "flex"; wrap.style.gap = "6px"; wrap.style.alignItems = "center";
    var sel = document.createElement("select");
    sel.id = "gis-stub-user"; sel.setAttribute("aria-label", "Development user");
    users.forEach(function(u){ var o = document.createElement("option"); o.value = u.id; o.textContent = u.label; sel.appendChild(o); });
    var b = document.createElement("button");
    b.type = "button"; b.id = "gis-stub-button"; b.textContent = "Sign in with Google (dev)";
    b.style.padding = "8px 14px"; b.style.border = "1px solid #dadce0"; b.style.borderRadius = "4px";
    b.style.background = "#fff"; b.style.cursor = "pointer"; b.style.font = "500 14px system-ui, sans-serif";
    b.addEventListener("click", function(){ mint(pick(sel)); });
    wrap.appendChild(b); wrap.appendChild(sel); el.appendChild(wrap);
  },
  prompt: function(){},
  disableAutoSelect: function(){},
  cancel: function(){}
};
window.google = window.google || {};
window.google.accounts = window.google.accounts || {};
window.google.accounts.id = id;
})();
`

func (d *IDP) gsiScript(w http.ResponseWriter, r *http.Request) {
	type opt struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	}
	var us []opt
	for _, u := range Users() {
		label := u.Name + " <" + u.Email + ">"
		if !u.EmailVerified {
			label += " (unverified)"
		}
		us = append(us, opt{u.ID, label})
	}
	b, _ := json.Marshal(us)
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write([]byte(strings.Replace(gsiScript, "__USERS__", string(b), 1)))
}

// gsiCredential mints the ID token the button hands to the page, like
// Google's: aud = the registered client, the page's nonce, RS256.
func (d *IDP) gsiCredential(w http.ResponseWriter, r *http.Request) {
	// The page that loads the script may be on another origin; the answer
	// carries no cookies, so any origin may read it.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var req struct {
		ClientID string `json:"client_id"`
		Nonce    string `json:"nonce"`
		User     string `json:"user"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if _, ok := d.client(req.ClientID); !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client"})
		return
	}
	u, ok := d.users[req.User]
	d.mu.Lock()
	deny := d.deny
	d.mu.Unlock()
	if !ok || deny {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied"})
		return
	}
	tok, err := d.idToken(APIGoogle, req.ClientID, u, req.Nonce)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"credential": tok})
}
