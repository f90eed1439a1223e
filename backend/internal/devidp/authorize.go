package devidp

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// apiNames are the APIs' display names.
var apiNames = map[string]string{APIGoogle: "Google", APIOIDC: "OIDC", APIGitHub: "GitHub", APIDiscord: "Discord"}

// knownScopes are the scopes an API accepts; anything else is invalid_scope.
// GitHub is not listed: it ignores scopes it does not know.
var knownScopes = map[string][]string{
	APIGoogle:  {"openid", "email", "profile"},
	APIOIDC:    {"openid", "email", "profile"},
	APIDiscord: {"identify", "email", "guilds", "connections", "openid"},
}

// formParams are the protocol parameters the consent forms carry along.
var formParams = []string{"client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method"}

const maxParam = 2048

// A code_challenge is the base64url SHA-256 of a verifier: 43 characters.
var challengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// authorize is the authorization endpoint of api. GET validates the
// request, then approves at once (login_hint + prompt=none) or shows the
// consent page; POST is that page's form.
func (d *IDP) authorize(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var q url.Values
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
			if err := r.ParseForm(); err != nil {
				d.errorPage(w, http.StatusBadRequest, "The form could not be read.")
				return
			}
			q = r.PostForm // the consent form; the page's query string is not trusted
		} else {
			q = r.URL.Query()
		}
		// Until the client and its redirect URI are known, nothing redirects.
		clientID, ok1 := single(q, "client_id")
		redirect, ok2 := single(q, "redirect_uri")
		client, known := d.client(clientID)
		switch {
		case !ok1 || !known:
			d.log.Warn("devidp: authorize refused", "api", api, "reason", "unknown client")
			d.errorPage(w, http.StatusBadRequest, "Unknown client_id. Nothing is redirected.")
			return
		case !ok2 || !slices.Contains(client.RedirectURIs, redirect):
			d.log.Warn("devidp: authorize refused", "api", api, "client", client.ID, "reason", "redirect_uri not registered")
			d.errorPage(w, http.StatusBadRequest, "This redirect_uri is not registered for the client (exact match required). Nothing is redirected.")
			return
		}
		state := q.Get("state")
		reply := func(v url.Values) {
			if state != "" {
				v.Set("state", state)
			}
			if api == APIOIDC {
				v.Set("iss", d.Issuer(api)) // RFC 9207
			}
			status := http.StatusFound
			if r.Method == http.MethodPost {
				status = http.StatusSeeOther
			}
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, withQuery(redirect, v), status)
		}
		fail := func(code, desc string) {
			d.log.Info("devidp: authorize", "api", api, "client", client.ID, "outcome", code)
			reply(url.Values{"error": {code}, "error_description": {desc}})
		}
		scope := q.Get("scope")
		if api == APIGitHub {
			scope = strings.ReplaceAll(scope, ",", " ") // GitHub also takes comma-separated scopes
		}
		if code, desc := checkAuthRequest(api, q, scope); code != "" {
			fail(code, desc)
			return
		}
		if d.denying() {
			fail("access_denied", "the deny switch is on")
			return
		}
		var userID string
		switch {
		case r.Method == http.MethodPost:
			if q.Get("decision") == "deny" {
				fail("access_denied", "the user denied the request")
				return
			}
			userID = q.Get("user")
		case q.Get("prompt") == "none":
			userID = q.Get("login_hint")
			if userID == "deny" {
				fail("access_denied", "the user denied the request")
				return
			}
			if _, ok := d.user(userID); !ok {
				fail("login_required", "prompt=none needs login_hint naming a ready user")
				return
			}
		default:
			d.consentPage(w, api, client, redirect, q)
			return
		}
		user, ok := d.user(userID)
		if !ok {
			fail("invalid_request", "unknown user")
			return
		}
		code := randomToken(32)
		now := d.now()
		d.mu.Lock()
		d.codes.put(now, hashOf(code), &grant{
			api: api, client: client.ID, redirect: redirect, challenge: q.Get("code_challenge"),
			nonce: q.Get("nonce"), scopes: scopeSet(scope), user: user, expires: now.Add(codeTTL),
		}, codeKeep)
		d.mu.Unlock()
		d.log.Debug("devidp: authorize", "api", api, "client", client.ID, "user", user.ID, "outcome", "approved")
		reply(url.Values{"code": {code}})
	}
}

// checkAuthRequest answers an OAuth error code and description for a bad
// request, or "" when it is acceptable.
func checkAuthRequest(api string, q url.Values, scope string) (code, desc string) {
	for k, vs := range q {
		if len(vs) > 1 {
			return "invalid_request", k + " is repeated"
		}
		if len(vs[0]) > maxParam {
			return "invalid_request", k + " is too long"
		}
	}
	oidc := api == APIGoogle || api == APIOIDC
	switch {
	case q.Get("response_type") != "code":
		return "unsupported_response_type", "response_type must be code"
	case q.Get("response_mode") != "" && q.Get("response_mode") != "query":
		return "invalid_request", "only response_mode=query is supported"
	case q.Get("code_challenge") == "":
		return "invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256"
	case q.Get("code_challenge_method") != "S256":
		return "invalid_request", "code_challenge_method must be S256 (plain is refused)"
	case !challengeRE.MatchString(q.Get("code_challenge")):
		return "invalid_request", "code_challenge must be the 43-character base64url S256 of the verifier"
	case q.Get("state") == "":
		return "invalid_request", "state is required"
	case oidc && !scopeSet(scope).has("openid"), oidc && scope == "":
		return "invalid_scope", "scope must include openid"
	case oidc && q.Get("nonce") == "":
		return "invalid_request", "nonce is required"
	}
	if known, ok := knownScopes[api]; ok {
		for _, s := range strings.Fields(scope) {
			if !slices.Contains(known, s) {
				return "invalid_scope", "unknown scope " + s
			}
		}
	}
	return "", ""
}

// single answers a parameter that must appear exactly once.
func single(q url.Values, k string) (string, bool) {
	vs := q[k]
	if len(vs) != 1 || vs[0] == "" || len(vs[0]) > maxParam {
		return "", false
	}
	return vs[0], true
}

// withQuery adds v to raw's query, keeping the query it already has.
func withQuery(raw string, v url.Values) string {
	u, err := url.Parse(raw)
	if err != nil { // registered URIs were parsed in New
		return raw
	}
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// pageStyle is the pages' only CSS, allowed by its hash: no inline
// styles, no scripts.
const pageStyle = `body{font:15px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#202124}
h1{font-size:1.3rem}form{margin:.4rem 0}button{font:inherit;padding:.45rem .9rem;border:1px solid #dadce0;border-radius:4px;background:#fff;cursor:pointer;min-width:18rem;text-align:left}
button.deny{min-width:0;color:#b3261e}.note{color:#5f6368;font-size:.85rem}code{font-size:.85rem}`

var pageStyleCSP = func() string {
	h := sha256.Sum256([]byte(pageStyle))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}()

var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to {{.Client}} with {{.API}} (development)</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<style>{{.Style}}</style></head>
<body>
<h1>{{.API}} (development identity provider)</h1>
<p><b>{{.Client}}</b> asks who you are{{if .Scope}} (scopes: <code>{{.Scope}}</code>){{end}}. Pick a ready user.</p>
{{range .Users}}<form method="post" action="">
{{range $.Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}<input type="hidden" name="user" value="{{.ID}}">
<button type="submit" name="decision" value="allow" id="user-{{.ID}}">{{.Name}} &lt;{{.Email}}&gt;{{if not .EmailVerified}} (email not verified){{end}}{{if .HostedDomain}} (Workspace {{.HostedDomain}}){{end}}</button>
</form>
{{end}}<form method="post" action="">
{{range $.Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}<button type="submit" name="decision" value="deny" id="deny" class="deny">Deny</button>
</form>
<p class="note">Development only. Tests can skip this page with <code>login_hint=&lt;user&gt;&amp;prompt=none</code>.</p>
</body></html>`))

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error (development)</title>
<meta name="referrer" content="no-referrer"><style>{{.Style}}</style></head>
<body><h1>Authorization error</h1><p>{{.Message}}</p>
<p class="note">The development identity provider never redirects to a URI it cannot match exactly to a registered client.</p>
</body></html>`))

type hiddenField struct{ Name, Value string }

func (d *IDP) consentPage(w http.ResponseWriter, api string, client Client, redirect string, q url.Values) {
	var hidden []hiddenField
	for _, k := range formParams {
		if v := q.Get(k); v != "" {
			hidden = append(hidden, hiddenField{k, v})
		}
	}
	pageHeaders(w, "form-action 'self' "+originOf(redirect))
	_ = consentTmpl.Execute(w, map[string]any{
		"API": apiNames[api], "Client": client.ID, "Scope": q.Get("scope"), "Hidden": hidden, "Users": Users(),
		"Style": template.CSS(pageStyle),
	})
}

func (d *IDP) errorPage(w http.ResponseWriter, status int, msg string) {
	pageHeaders(w, "form-action 'none'")
	w.WriteHeader(status)
	_ = errorTmpl.Execute(w, map[string]any{"Message": msg, "Style": template.CSS(pageStyle)})
}

// pageHeaders: no scripts at all, the one stylesheet by hash, no framing.
// form-action must allow the redirect's origin too: browsers check it
// against where the form's answer redirects.
func pageHeaders(w http.ResponseWriter, formAction string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src "+pageStyleCSP+"; "+formAction+
		"; frame-ancestors 'none'; base-uri 'none'")
}

// originOf is a CSP source for a redirect URI: its origin, or its scheme
// for an app's custom scheme.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return ""
	case u.Host == "":
		return u.Scheme + ":"
	default:
		return u.Scheme + "://" + u.Host
	}
}
