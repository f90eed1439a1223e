package devidp

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// A PKCE verifier: 43 to 128 unreserved characters (RFC 7636 §4.1).
var verifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// tokenError is an OAuth error answer. GitHub answers 200 with the error
// in the body and its own codes; the others answer 400/401.
type tokenError struct {
	status       int
	code, github string
	desc         string
}

func errInvalidRequest(desc string) tokenError {
	return tokenError{http.StatusBadRequest, "invalid_request", "invalid_request", desc}
}
func errInvalidClient() tokenError {
	return tokenError{http.StatusUnauthorized, "invalid_client", "incorrect_client_credentials",
		"The client_id and/or client_secret passed are incorrect."}
}
func errInvalidGrant(desc string) tokenError {
	return tokenError{http.StatusBadRequest, "invalid_grant", "bad_verification_code", desc}
}
func errRedirectMismatch() tokenError {
	return tokenError{http.StatusBadRequest, "invalid_grant", "redirect_uri_mismatch",
		"The redirect_uri does not match the one of the authorization request."}
}

// token is the token endpoint of api: client authentication
// (client_secret_basic or client_secret_post, not both), then a code that
// is unspent, unexpired, of this API, of this client, for this
// redirect_uri, and whose challenge the verifier answers. The first
// presentation spends the code, right or wrong.
func (d *IDP) token(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		client, g, access, terr := d.redeem(api, w, r)
		if terr != nil {
			d.log.Info("devidp: token refused", "api", api, "client", client.ID, "error", terr.code, "reason", terr.desc)
			d.tokenFail(api, w, r, *terr)
			return
		}
		d.log.Debug("devidp: token issued", "api", api, "client", client.ID, "user", g.user.ID)
		resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(accessTokenTTL.Seconds()),
			"scope": string(g.scopes)}
		switch api {
		case APIGoogle, APIOIDC:
			idt, err := d.idToken(idTokenParams{api: api, clientID: client.ID, nonce: g.nonce, accessToken: access,
				user: g.user, scopes: g.scopes})
			if err != nil {
				d.log.Error("devidp: id token", "err", err)
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
				return
			}
			resp["id_token"] = idt
		case APIGitHub:
			// GitHub OAuth app tokens: lower-case bearer, no expiry, comma-separated scopes.
			writeGitHub(w, r, http.StatusOK, map[string]string{"access_token": access, "token_type": "bearer",
				"scope": strings.Join(strings.Fields(string(g.scopes)), ",")})
			return
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

func (d *IDP) redeem(api string, w http.ResponseWriter, r *http.Request) (Client, *grant, string, *tokenError) {
	fail := func(c Client, e tokenError) (Client, *grant, string, *tokenError) { return c, nil, "", &e }
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return fail(Client{}, errInvalidRequest("the body must be application/x-www-form-urlencoded"))
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return fail(Client{}, errInvalidRequest("the body could not be read"))
	}
	f := r.PostForm
	for k, vs := range f {
		if len(vs) > 1 {
			return fail(Client{}, errInvalidRequest(k+" is repeated"))
		}
	}
	client, terr := d.authenticate(r, f)
	if terr != nil {
		return fail(client, *terr)
	}
	// GitHub does not require grant_type; when sent it must be right.
	if gt := f.Get("grant_type"); gt != "authorization_code" && (api != APIGitHub || gt != "") {
		return fail(client, tokenError{http.StatusBadRequest, "unsupported_grant_type", "unsupported_grant_type",
			"grant_type must be authorization_code"})
	}
	code := f.Get("code")
	if code == "" || len(code) > maxParam {
		return fail(client, errInvalidRequest("code is required"))
	}
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	g, found := d.codes.get(hashOf(code))
	switch {
	case !found:
		return fail(client, errInvalidGrant("The code passed is incorrect or expired."))
	case g.used:
		// RFC 6749 §4.1.2: a replayed code revokes what it gave.
		if g.accessHash != "" {
			d.tokens.del(g.accessHash)
			g.accessHash = ""
			d.log.Warn("devidp: code replayed; its access token is revoked", "api", api, "client", client.ID)
		}
		return fail(client, errInvalidGrant("The code has already been used."))
	}
	g.used = true
	verifier := f.Get("code_verifier")
	switch {
	case !now.Before(g.expires):
		return fail(client, errInvalidGrant("The code passed is incorrect or expired."))
	case g.api != api, g.client != client.ID:
		return fail(client, errInvalidGrant("The code was not issued to this client."))
	case f.Get("redirect_uri") != g.redirect:
		return fail(client, errRedirectMismatch())
	case verifier == "":
		return fail(client, errInvalidGrant("code_verifier is required (PKCE)."))
	case !verifierRE.MatchString(verifier),
		subtle.ConstantTimeCompare([]byte(s256(verifier)), []byte(g.challenge)) != 1:
		return fail(client, errInvalidGrant("The code_verifier does not match the code_challenge."))
	}
	access := randomToken(32)
	g.accessHash = hashOf(access)
	d.tokens.put(now, g.accessHash, &accessToken{api: api, client: client.ID, scopes: g.scopes, user: g.user,
		expires: now.Add(accessTokenTTL)}, accessTokenTTL)
	return client, g, access, nil
}

// authenticate finds and checks the client: HTTP Basic (its parts
// form-encoded, RFC 6749 §2.3.1) or client_id + client_secret in the body,
// never both. A public client (no secret) sends its client_id alone.
func (d *IDP) authenticate(r *http.Request, f url.Values) (Client, *tokenError) {
	bid, bsecret, basic := r.BasicAuth()
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if basic {
		if secret != "" {
			e := errInvalidRequest("use one client authentication method, not both")
			return Client{}, &e
		}
		var err1, err2 error
		bid, err1 = url.QueryUnescape(bid)
		bsecret, err2 = url.QueryUnescape(bsecret)
		if err1 != nil || err2 != nil || (id != "" && id != bid) {
			e := errInvalidClient()
			return Client{}, &e
		}
		id, secret = bid, bsecret
	}
	c, ok := d.client(id)
	if !ok {
		e := errInvalidClient()
		return Client{}, &e
	}
	if c.Secret == "" && secret == "" {
		return c, nil
	}
	if c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		e := errInvalidClient()
		return c, &e
	}
	return c, nil
}

func (d *IDP) tokenFail(api string, w http.ResponseWriter, r *http.Request, e tokenError) {
	if api == APIGitHub {
		writeGitHub(w, r, http.StatusOK, map[string]string{"error": e.github, "error_description": e.desc,
			"error_uri": "https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"})
		return
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="devidp"`)
	}
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

// writeGitHub answers like GitHub's token endpoint: JSON when the client
// accepts it, otherwise a form-encoded body.
func writeGitHub(w http.ResponseWriter, r *http.Request, status int, v map[string]string) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, status, v)
		return
	}
	form := url.Values{}
	for k, x := range v {
		form.Set(k, x)
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(form.Encode()))
}
