package devidp

import (
	"html/template"
	"net/http"
	"slices"
)

// controlDeny reads (GET) or sets (POST {"on": true|false}) the deny
// switch. POST needs Content-Type: application/json, which a cross-site
// form cannot send without a CORS preflight (and the devidp answers no
// preflight here).
func (d *IDP) controlDeny(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req struct {
			On *bool `json:"on"`
		}
		if !decodeJSON(w, r, 1<<10, &req) || req.On == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
				"error_description": `send {"on": true|false} with Content-Type: application/json`})
			return
		}
		d.SetDeny(*req.On)
	}
	writeJSON(w, http.StatusOK, map[string]bool{"deny": d.denying()})
}

// controlRotate gives both issuers new signing keys (see RotateKeys).
func (d *IDP) controlRotate(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !decodeJSON(w, r, 1<<10, &req) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": "send {} with Content-Type: application/json"})
		return
	}
	if err := d.RotateKeys(); err != nil {
		d.log.Error("devidp: rotate keys", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"google_kid": d.KeyID(APIGoogle), "oidc_kid": d.KeyID(APIOIDC)})
}

var indexTmpl = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Development identity provider</title>
<meta name="referrer" content="no-referrer"><style>{{.Style}}</style></head>
<body><h1>Development identity provider</h1>
<p class="note">For development and tests only. Its keys are made at start and trusted by nothing in production.</p>
<h2>Issuers and APIs</h2>
<ul>
<li>Google-style: <code>{{.Base}}/google</code> (discovery at <code>/.well-known/openid-configuration</code>), GIS stand-in <code>{{.Base}}/gsi/client</code></li>
<li>Generic OIDC: <code>{{.Base}}/oidc</code></li>
<li>Discord-style: <code>{{.Base}}/discord/oauth2/authorize</code>, <code>/discord/api</code></li>
<li>GitHub-style: <code>{{.Base}}/github/login/oauth/authorize</code>, <code>/github/api</code></li>
</ul>
<h2>Ready users</h2>
<ul>{{range .Users}}<li><code>{{.ID}}</code>: {{.Name}} &lt;{{.Email}}&gt;{{if not .EmailVerified}} (not verified){{end}}{{if .HostedDomain}} (Workspace {{.HostedDomain}}){{end}}</li>{{end}}</ul>
<h2>Clients</h2>
<ul>{{range .Clients}}<li><code>{{.}}</code></li>{{end}}</ul>
<h2>Switches</h2>
<p>Deny switch: <b>{{if .Deny}}on{{else}}off{{end}}</b>. <code>POST {{.Base}}/control/deny</code> with <code>{"on": true}</code> refuses every authorization with <code>access_denied</code>.</p>
<p>Without a page: <code>login_hint=&lt;user&gt;&amp;prompt=none</code> (<code>login_hint=deny</code> denies).</p>
</body></html>`))

func (d *IDP) index(w http.ResponseWriter, r *http.Request) {
	var clients []string
	for id := range d.clients {
		clients = append(clients, id)
	}
	slices.Sort(clients)
	pageHeaders(w, "form-action 'none'")
	_ = indexTmpl.Execute(w, map[string]any{"Base": d.opts.BaseURL, "Users": Users(), "Clients": clients,
		"Deny": d.denying(), "Style": template.CSS(pageStyle)})
}
