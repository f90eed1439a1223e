package devidp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// routes is every endpoint; see the package documentation for the list.
func (d *IDP) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", d.index)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	for _, api := range oidcAPIs {
		mux.HandleFunc("GET /"+api+"/.well-known/openid-configuration", d.discovery(api))
		mux.HandleFunc("GET /"+api+"/jwks", d.jwks(api))
		mux.HandleFunc("GET /"+api+"/authorize", d.authorize(api))
		mux.HandleFunc("POST /"+api+"/authorize", d.authorize(api))
		mux.HandleFunc("POST /"+api+"/token", d.token(api))
		mux.HandleFunc("GET /"+api+"/userinfo", d.userinfo(api))
	}
	mux.HandleFunc("GET /gsi/client", d.gsiClient)
	mux.HandleFunc("POST /gsi/credential", d.gsiCredential)
	mux.HandleFunc("OPTIONS /gsi/credential", d.gsiCredential)

	mux.HandleFunc("GET /discord/oauth2/authorize", d.authorize(APIDiscord))
	mux.HandleFunc("POST /discord/oauth2/authorize", d.authorize(APIDiscord))
	mux.HandleFunc("POST /discord/api/oauth2/token", d.token(APIDiscord))
	mux.HandleFunc("GET /discord/api/users/@me", d.discordMe)

	mux.HandleFunc("GET /github/login/oauth/authorize", d.authorize(APIGitHub))
	mux.HandleFunc("POST /github/login/oauth/authorize", d.authorize(APIGitHub))
	mux.HandleFunc("POST /github/login/oauth/access_token", d.token(APIGitHub))
	mux.HandleFunc("GET /github/api/user", d.githubUser)
	mux.HandleFunc("GET /github/api/user/emails", d.githubEmails)

	mux.HandleFunc("GET /avatars/{file}", d.avatar)
	mux.HandleFunc("GET /control/deny", d.controlDeny)
	mux.HandleFunc("POST /control/deny", d.controlDeny)
	mux.HandleFunc("POST /control/rotate", d.controlRotate)

	var h http.Handler = mux
	if prefix := strings.TrimRight(d.base.Path, "/"); prefix != "" {
		h = http.StripPrefix(prefix, mux)
	}
	return commonHeaders(h)
}

func commonHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// writeJSON answers v with no-store: most answers carry codes, tokens or
// user data.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Pragma", "no-cache")
	writeJSONCache(w, status, v, "no-store")
}

func writeJSONCache(w http.ResponseWriter, status int, v any, cache string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", cache)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads one small JSON object, strictly.
func decodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return false
	}
	var extra json.RawMessage
	return errors.Is(dec.Decode(&extra), io.EOF) // exactly one value
}
