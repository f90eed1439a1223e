package devidp

import (
	"net/http"
	"strings"
)

// bearer finds the unexpired access token of api in the Authorization
// header ("Bearer x"; GitHub also takes "token x").
func (d *IDP) bearer(api string, r *http.Request) (*accessToken, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") && (api != APIGitHub || !strings.EqualFold(scheme, "token")) {
		return nil, false
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || len(tok) > maxParam {
		return nil, false
	}
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.tokens.get(hashOf(tok))
	if !ok || t.api != api || !now.Before(t.expires) {
		return nil, false
	}
	return t, true
}

// userinfo is the OIDC userinfo endpoint: the ID token's user claims, by
// scope.
func (d *IDP) userinfo(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.bearer(api, r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
			return
		}
		u := t.user
		out := map[string]any{"sub": u.Subject(api)}
		if t.scopes.has("email") {
			out["email"] = u.Email
			out["email_verified"] = u.EmailVerified
		}
		if t.scopes.has("profile") {
			out["name"] = u.Name
			out["given_name"] = u.givenName()
			out["family_name"] = u.familyName()
			out["picture"] = d.avatarURL(u)
		}
		if api == APIGoogle && u.HostedDomain != "" {
			out["hd"] = u.HostedDomain
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// discordMe is GET /users/@me: the email and verified fields only with
// the email scope; avatar null (Discord's default avatar), because a hash
// would make clients load cdn.discordapp.com.
func (d *IDP) discordMe(w http.ResponseWriter, r *http.Request) {
	t, ok := d.bearer(APIDiscord, r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}
	if !t.scopes.has("identify") {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}
	u := t.user
	out := map[string]any{
		"id": u.Subject(APIDiscord), "username": u.ID, "global_name": u.Name, "discriminator": "0",
		"avatar": nil, "banner": nil, "accent_color": nil, "public_flags": 0, "flags": 0,
		"locale": "en-US", "mfa_enabled": false, "premium_type": 0,
	}
	if t.scopes.has("email") {
		out["email"] = u.Email
		out["verified"] = u.EmailVerified
	}
	writeJSON(w, http.StatusOK, out)
}

// githubUser is GET /user: the numeric id, and "email" the public profile
// email or null (never a basis for identity).
func (d *IDP) githubUser(w http.ResponseWriter, r *http.Request) {
	t, ok := d.bearer(APIGitHub, r)
	if !ok {
		githubUnauthorized(w)
		return
	}
	u := t.user
	var email any
	if u.PublicEmail {
		email = u.Email
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"login": u.ID, "id": u.GitHubID(), "node_id": "U_devidp" + u.ID, "avatar_url": d.avatarURL(u),
		"html_url": d.opts.BaseURL + "/github/" + u.ID, "type": "User", "site_admin": false,
		"name": u.Name, "company": nil, "blog": "", "location": nil, "email": email, "bio": nil,
		"created_at": "2019-01-01T00:00:00Z",
	})
}

// githubEmails is GET /user/emails: needs the user:email (or user) scope,
// like GitHub (which answers 404 without it). The user's address is
// primary, verified as the user says; a no-reply address is verified but
// never primary.
func (d *IDP) githubEmails(w http.ResponseWriter, r *http.Request) {
	t, ok := d.bearer(APIGitHub, r)
	if !ok {
		githubUnauthorized(w)
		return
	}
	if !t.scopes.hasAny("user:email", "user") {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found",
			"documentation_url": "https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user"})
		return
	}
	u := t.user
	visibility := "private"
	if u.PublicEmail {
		visibility = "public"
	}
	writeJSON(w, http.StatusOK, []map[string]any{
		{"email": u.Email, "primary": true, "verified": u.EmailVerified, "visibility": visibility},
		{"email": u.Subject(APIGitHub) + "+" + u.ID + "@users.noreply.github.com", "primary": false, "verified": true, "visibility": nil},
	})
}

func githubUnauthorized(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials",
		"documentation_url": "https://docs.github.com/rest", "status": "401"})
}
