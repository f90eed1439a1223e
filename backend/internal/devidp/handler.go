package devidp

import (
	"crypto/subtle"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const codeTTL = 60 * time.Second

// Handler serves every devidp endpoint under the base URL's path.
func (d *IDP) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, api := range []string{APIGoogle, APIOIDC} {
		mux.HandleFunc("GET /"+api+"/.well-known/openid-configuration", d.discovery(api))
		mux.HandleFunc("GET /"+api+"/jwks", d.jwks)
		mux.HandleFunc("/"+api+"/authorize", d.authorize(api))
		mux.HandleFunc("POST /"+api+"/token", d.token(api))
		mux.HandleFunc("GET /"+api+"/userinfo", d.userAPI(api, "userinfo"))
	}
	mux.HandleFunc("/github/login/oauth/authorize", d.authorize(APIGitHub))
	mux.HandleFunc("POST /github/login/oauth/access_token", d.token(APIGitHub))
	mux.HandleFunc("GET /github/api/user", d.userAPI(APIGitHub, "user"))
	mux.HandleFunc("GET /github/api/user/emails", d.userAPI(APIGitHub, "emails"))
	mux.HandleFunc("/discord/oauth2/authorize", d.authorize(APIDiscord))
	mux.HandleFunc("POST /discord/api/oauth2/token", d.token(APIDiscord))
	mux.HandleFunc("GET /discord/api/users/@me", d.userAPI(APIDiscord, "me"))
	mux.HandleFunc("GET /gsi/client", d.gsiScript)
	mux.HandleFunc("POST /gsi/credential", d.gsiCredential)
	mux.HandleFunc("OPTIONS /gsi/credential", d.gsiCredential)
	mux.HandleFunc("POST /control/deny", d.controlDeny)
	prefix := strings.TrimRight(d.base.Path, "/")
	if prefix == "" {
		return mux
	}
	return http.StripPrefix(prefix, mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (d *IDP) discovery(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		iss := d.Issuer(api)
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                iss,
			"authorization_endpoint":                iss + "/authorize",
			"token_endpoint":                        iss + "/token",
			"userinfo_endpoint":                     iss + "/userinfo",
			"jwks_uri":                              iss + "/jwks",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"code_challenge_methods_supported":      []string{"S256"},
			"scopes_supported":                      []string{"openid", "email", "profile"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		})
	}
}

func (d *IDP) jwks(w http.ResponseWriter, r *http.Request) {
	pub := d.key.PublicKey
	e := big2b64(int64(pub.E))
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": d.kid,
		"n": b64(pub.N.Bytes()), "e": e,
	}}})
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Development sign-in</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto">
<h1 style="font-size:1.3rem">{{.API}} (development)</h1>
<p><b>{{.Client}}</b> asks who you are. Pick a ready-made user.</p>
<form method="post" action="">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
{{range .Users}}<p><button type="submit" name="user" value="{{.ID}}" id="user-{{.ID}}">{{.Name}} &lt;{{.Email}}&gt;{{if not .EmailVerified}} (email not verified){{end}}</button></p>{{end}}
<p><button type="submit" name="decision" value="deny" id="deny">Deny</button></p>
</form></body></html>`))

// authorize is the authorization endpoint. GET shows a consent page (or
// approves at once with login_hint + prompt=none); POST is the consent.
func (d *IDP) authorize(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		q := r.Form
		client, ok := d.client(q.Get("client_id"))
		if !ok {
			http.Error(w, "devidp: unknown client_id; nothing is redirected", http.StatusBadRequest)
			return
		}
		redirect := q.Get("redirect_uri")
		if !contains(client.RedirectURIs, redirect) {
			http.Error(w, "devidp: redirect_uri is not registered for this client (exact match required); nothing is redirected", http.StatusBadRequest)
			return
		}
		back := func(v url.Values) {
			if s := q.Get("state"); s != "" {
				v.Set("state", s)
			}
			u, _ := url.Parse(redirect)
			qq := u.Query()
			for k, vs := range v {
				qq[k] = vs
			}
			u.RawQuery = qq.Encode()
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, u.String(), http.StatusFound)
		}
		fail := func(code, desc string) { back(url.Values{"error": {code}, "error_description": {desc}}) }
		switch {
		case q.Get("response_type") != "code":
			fail("unsupported_response_type", "response_type must be code")
			return
		case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
			fail("invalid_request", "PKCE with code_challenge_method=S256 is required")
			return
		case (api == APIGoogle || api == APIOIDC) && !strings.Contains(" "+q.Get("scope")+" ", " openid "):
			fail("invalid_scope", "scope must include openid")
			return
		}
		d.mu.Lock()
		deny := d.deny
		d.mu.Unlock()
		userID := q.Get("user")
		if r.Method == http.MethodGet && q.Get("prompt") == "none" {
			userID = q.Get("login_hint")
		}
		if deny || q.Get("decision") == "deny" || userID == "deny" {
			fail("access_denied", "the user denied the request")
			return
		}
		if userID == "" {
			if q.Get("prompt") == "none" {
				fail("login_required", "no login_hint")
				return
			}
			hidden := map[string]string{}
			for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
				if v := q.Get(k); v != "" {
					hidden[k] = v
				}
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "+originOf(redirect)+"; frame-ancestors 'none'")
			w.Header().Set("Cache-Control", "no-store")
			_ = consentPage.Execute(w, map[string]any{"API": strings.ToUpper(api[:1]) + api[1:], "Client": client.ID, "Hidden": hidden, "Users": Users()})
			return
		}
		user, ok := d.users[userID]
		if !ok {
			fail("access_denied", "unknown user")
			return
		}
		code := randomString(32)
		d.mu.Lock()
		d.codes[hashOf(code)] = &grant{api: api, client: client.ID, redirect: redirect, challenge: q.Get("code_challenge"),
			nonce: q.Get("nonce"), user: user, expires: d.opts.Now().Add(codeTTL)}
		d.mu.Unlock()
		back(url.Values{"code": {code}})
	}
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "'none'"
	}
	return u.Scheme + "://" + u.Host
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// token redeems a code: client authentication, exact redirect_uri, PKCE
// verifier, single use, 60 s.
func (d *IDP) token(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		f := r.PostForm
		oauthErr := func(status int, code string) {
			// GitHub answers 200 with an error body; the others 400/401.
			if api == APIGitHub {
				status = http.StatusOK
			}
			writeJSON(w, status, map[string]string{"error": code})
		}
		id, secret, basic := r.BasicAuth()
		if !basic {
			id, secret = f.Get("client_id"), f.Get("client_secret")
		}
		client, ok := d.client(id)
		if !ok || subtle.ConstantTimeCompare([]byte(client.Secret), []byte(secret)) != 1 {
			oauthErr(http.StatusUnauthorized, "invalid_client")
			return
		}
		if f.Get("grant_type") != "authorization_code" && api != APIGitHub {
			oauthErr(http.StatusBadRequest, "unsupported_grant_type")
			return
		}
		d.mu.Lock()
		g, found := d.codes[hashOf(f.Get("code"))]
		valid := found && !g.used && g.api == api && g.client == client.ID && g.redirect == f.Get("redirect_uri") &&
			d.opts.Now().Before(g.expires)
		if found {
			g.used = true // the first redemption spends it, right or wrong
		}
		if valid && s256(f.Get("code_verifier")) != g.challenge {
			valid = false
		}
		var access string
		if valid {
			access = randomString(32)
			d.tokens[hashOf(access)] = g
		}
		d.mu.Unlock()
		if !valid {
			if api == APIGitHub {
				oauthErr(0, "bad_verification_code")
				return
			}
			oauthErr(http.StatusBadRequest, "invalid_grant")
			return
		}
		resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": "openid email profile"}
		if api == APIGoogle || api == APIOIDC {
			idt, err := d.idToken(api, client.ID, g.user, g.nonce)
			if err != nil {
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
				return
			}
			resp["id_token"] = idt
		}
		if api == APIGitHub {
			resp["token_type"] = "bearer"
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

// idToken signs an ID token like Google's: RS256 with a kid.
func (d *IDP) idToken(api, clientID string, u User, nonce string) (string, error) {
	now := d.opts.Now()
	c := jwt.MapClaims{
		"iss": d.Issuer(api), "aud": clientID, "azp": clientID, "sub": subject(api, u),
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"email": u.Email, "email_verified": u.EmailVerified, "name": u.Name,
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	if u.HostedDomain != "" && api == APIGoogle {
		c["hd"] = u.HostedDomain
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = d.kid
	return t.SignedString(d.key)
}

// userAPI answers the user behind a bearer access token, shaped like the
// real API.
func (d *IDP) userAPI(api, what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		d.mu.Lock()
		g := d.tokens[hashOf(tok)]
		d.mu.Unlock()
		if !ok || g == nil || g.api != api {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
			return
		}
		u := g.user
		switch what {
		case "userinfo":
			writeJSON(w, http.StatusOK, map[string]any{"sub": subject(api, u), "email": u.Email, "email_verified": u.EmailVerified, "name": u.Name})
		case "user":
			writeJSON(w, http.StatusOK, map[string]any{"id": 9000 + u.Index, "login": u.ID, "name": u.Name,
				"avatar_url": "", "email": u.Email})
		case "emails":
			writeJSON(w, http.StatusOK, []map[string]any{
				{"email": u.ID + "@users.noreply.dev", "primary": false, "verified": true, "visibility": nil},
				{"email": u.Email, "primary": true, "verified": u.EmailVerified, "visibility": "private"},
			})
		case "me":
			writeJSON(w, http.StatusOK, map[string]any{"id": subject(api, u), "username": u.ID, "global_name": u.Name,
				"avatar": nil, "email": u.Email, "verified": u.EmailVerified})
		}
	}
}

func (d *IDP) controlDeny(w http.ResponseWriter, r *http.Request) {
	var req struct {
		On bool `json:"on"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "send {\"on\": true|false}"})
		return
	}
	d.SetDeny(req.On)
	writeJSON(w, http.StatusOK, map[string]bool{"deny": req.On})
}
