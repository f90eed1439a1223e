package devidp

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
)

//go:embed gsi_client.js
var gsiClientJS string

// gsiClient serves the stand-in for https://accounts.google.com/gsi/client.
// The ready users and the base URL are filled in as JSON literals
// (json.Marshal escapes <, > and & so they cannot end a script element).
func (d *IDP) gsiClient(w http.ResponseWriter, r *http.Request) {
	type option struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	}
	var users []option
	for _, u := range Users() {
		label := u.Name + " <" + u.Email + ">"
		if !u.EmailVerified {
			label += " (unverified)"
		}
		if u.HostedDomain != "" {
			label += " (Workspace " + u.HostedDomain + ")"
		}
		users = append(users, option{u.ID, label})
	}
	usersJSON, _ := json.Marshal(users)
	baseJSON, _ := json.Marshal(d.opts.BaseURL)
	js := strings.Replace(gsiClientJS, "/*USERS*/[]", string(usersJSON), 1)
	js = strings.Replace(js, `/*BASE*/""`, string(baseJSON), 1)
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	// Pages load it as a cross-origin script, as they do Google's.
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	_, _ = w.Write([]byte(js))
}

// gsiCredential mints the ID token the button hands to the page, as
// Google's would: issuer <base>/google, aud and azp the registered client,
// the page's nonce, email/profile claims, hd for Workspace users, RS256.
// The answer carries no cookie, so any origin may read it (CORS *).
func (d *IDP) gsiCredential(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.Header().Set("Access-Control-Max-Age", "600")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var req struct {
		ClientID string `json:"client_id"`
		Nonce    string `json:"nonce"`
		User     string `json:"user"`
	}
	if !decodeJSON(w, r, 4<<10, &req) || len(req.Nonce) > maxParam {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": `send JSON {"client_id", "nonce", "user"} with Content-Type: application/json`})
		return
	}
	if _, ok := d.client(req.ClientID); !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client"})
		return
	}
	u, ok := d.user(req.User)
	if !ok || d.denying() {
		d.log.Info("devidp: gsi credential", "client", req.ClientID, "outcome", "access_denied")
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied"})
		return
	}
	tok, err := d.idToken(idTokenParams{api: APIGoogle, clientID: req.ClientID, nonce: req.Nonce, user: u, gsi: true})
	if err != nil {
		d.log.Error("devidp: gsi credential", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	d.log.Debug("devidp: gsi credential", "client", req.ClientID, "user", u.ID, "outcome", "issued")
	writeJSON(w, http.StatusOK, map[string]string{"credential": tok, "select_by": "btn"})
}
