// Package devidp is the development identity provider: a Google-style OIDC
// provider with a stand-in for the Google Identity Services script, a
// generic OIDC provider, and Discord-style and GitHub-style OAuth2 APIs,
// with a few ready users. It behaves like the real services where it
// matters for security (exact redirect URIs, single-use codes bound to the
// client, the redirect URI and a PKCE S256 challenge) so `make run` shows
// the whole product offline and tests exercise the real protocol code, not
// a bypass.
//
// It is for development and tests only. AuthBridge mounts it when
// AUTHBRIDGE_DEV=1 and points providers at it through the same endpoint
// overrides any provider has; nothing in production trusts its keys, which
// are generated when it starts and live only in its memory.
//
// Routes, under the base URL's path:
//
//	GET  /                                        index page: APIs, users, switches
//	GET  /google/.well-known/openid-configuration Google-style discovery (issuer <base>/google)
//	GET  /google/jwks                             its RS256 keys (Google signs with RS256)
//	GET  /google/authorize, POST (consent form)   authorization endpoint
//	POST /google/token                            token endpoint (ID token with hd for Workspace users)
//	GET  /google/userinfo                         userinfo (Bearer)
//	GET  /gsi/client                              stand-in for https://accounts.google.com/gsi/client
//	POST /gsi/credential                          mints the button's credential (JSON {client_id, nonce, user})
//	     /oidc/...                                the same five endpoints for the generic OIDC issuer <base>/oidc
//	                                              (RS256, or ES256 with Options.OIDCAlg)
//	GET  /discord/oauth2/authorize, POST          Discord-style authorization
//	POST /discord/api/oauth2/token                Discord-style token endpoint
//	GET  /discord/api/users/@me                   Discord-style user
//	GET  /github/login/oauth/authorize, POST      GitHub-style authorization
//	POST /github/login/oauth/access_token         GitHub-style token endpoint (form-encoded unless Accept: application/json)
//	GET  /github/api/user                         GitHub-style user
//	GET  /github/api/user/emails                  GitHub-style email list
//	GET  /avatars/{user}.svg                      the users' pictures (no third-party requests)
//	GET  /control/deny, POST {"on": true|false}   the deny switch
//	POST /control/rotate                          new signing keys (the previous ones stay published)
//	GET  /healthz
//
// Authorization: every authorize endpoint shows a consent page (one form
// per user and a Deny button, no scripts). `login_hint=<user>&prompt=none`
// approves at once without a page; `login_hint=deny` (or an unknown user
// with prompt=none) comes back with an error. While the deny switch is on,
// every authorization and every GSI credential is refused with
// access_denied. POSTs to /control need Content-Type: application/json, so
// a cross-site form cannot flip the switch.
//
// Strictness: an unknown client or a redirect_uri that is not registered
// for it (exact string match) gets an error page, never a redirect. PKCE
// with S256 is required on every API, as are state and, for the OIDC
// APIs, nonce and the openid scope. Codes are 256-bit random, stored as
// SHA-256 in memory, single use (the first presentation spends them, right
// or wrong; a replay also revokes the access token issued with them), and
// live 60 s.
package devidp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The APIs the devidp serves, by path prefix.
const (
	APIGoogle  = "google"
	APIOIDC    = "oidc"
	APIGitHub  = "github"
	APIDiscord = "discord"
)

// Client is a registered application. A client with an empty Secret is
// public: it authenticates at the token endpoint with its client_id alone
// (PKCE still binds the code to it).
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string // matched exactly, as strings
}

// Options configure an IDP.
type Options struct {
	// BaseURL is the external URL where Handler is mounted, e.g.
	// http://localhost:8080/devidp. Issuers and endpoint URLs derive from it.
	BaseURL string
	Clients []Client
	Now     func() time.Time // defaults to time.Now
	Logger  *slog.Logger     // defaults to discarding
	// OIDCAlg is how the generic OIDC issuer signs ID tokens: AlgRS256
	// (the default when empty) or AlgES256, which costs far less CPU per
	// sign-in in load runs. The Google issuer always uses RS256.
	OIDCAlg string
}

// IDP is the development identity provider. Its state (codes, access
// tokens, keys, the deny switch) lives in memory: it is a single process.
type IDP struct {
	opts    Options
	base    *url.URL
	log     *slog.Logger
	now     func() time.Time
	clients map[string]Client
	users   map[string]User
	handler http.Handler

	mu     sync.Mutex
	keys   map[string][]*signingKey // by API; current first, then the previous one
	deny   bool
	codes  *expiring[*grant]
	tokens *expiring[*accessToken]
}

// New validates opts and returns an IDP with fresh signing keys.
func New(opts Options) (*IDP, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	var errs []error
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" || base.Fragment != "" {
		errs = append(errs, fmt.Errorf("base URL %q must be an absolute http(s) URL without query or fragment", opts.BaseURL))
	}
	switch opts.OIDCAlg {
	case "":
		opts.OIDCAlg = AlgRS256
	case AlgRS256, AlgES256:
	default:
		errs = append(errs, fmt.Errorf("OIDC signing algorithm %q: want %s or %s", opts.OIDCAlg, AlgRS256, AlgES256))
	}
	clients := map[string]Client{}
	for i, c := range opts.Clients {
		switch {
		case c.ID == "":
			errs = append(errs, fmt.Errorf("client #%d: empty id", i+1))
			continue
		case clients[c.ID].ID != "":
			errs = append(errs, fmt.Errorf("client %q: registered twice", c.ID))
			continue
		case len(c.RedirectURIs) == 0:
			errs = append(errs, fmt.Errorf("client %q: no redirect URI", c.ID))
		}
		for _, r := range c.RedirectURIs {
			if u, err := url.Parse(r); err != nil || u.Scheme == "" || u.Fragment != "" || strings.Contains(r, "#") {
				errs = append(errs, fmt.Errorf("client %q: redirect URI %q must be absolute, without a fragment", c.ID, r))
			}
		}
		c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
		clients[c.ID] = c
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("devidp: %w", errors.Join(errs...))
	}
	d := &IDP{
		opts: opts, base: base, log: opts.Logger, now: opts.Now, clients: clients, users: map[string]User{},
		codes:  newExpiring[*grant](maxEntries),
		tokens: newExpiring[*accessToken](maxEntries),
	}
	for _, u := range Users() {
		d.users[u.ID] = u
	}
	if d.keys, err = d.newKeys(); err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}
	d.handler = d.routes()
	return d, nil
}

// Handler serves every devidp endpoint under the base URL's path, so it
// can be mounted with mux.Handle("/devidp/", idp.Handler()) or serve a
// whole origin.
func (d *IDP) Handler() http.Handler { return d.handler }

// Issuer is the OIDC issuer of api (APIGoogle or APIOIDC).
func (d *IDP) Issuer(api string) string { return d.opts.BaseURL + "/" + api }

// URL is the external URL of a path under the devidp, e.g. URL("/gsi/client").
func (d *IDP) URL(path string) string { return d.opts.BaseURL + path }

// SetDeny turns the deny switch on or off: while on, every authorization
// and GSI credential is refused with access_denied.
func (d *IDP) SetDeny(on bool) {
	d.mu.Lock()
	d.deny = on
	d.mu.Unlock()
	d.log.Info("devidp: deny switch", "on", on)
}

func (d *IDP) denying() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.deny
}

func (d *IDP) client(id string) (Client, bool) {
	c, ok := d.clients[id]
	return c, ok
}
