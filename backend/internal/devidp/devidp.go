// Package devidp is the development identity provider: a Google-style
// OIDC provider with a stand-in for the Google Identity Services script, a
// generic OIDC provider, and Discord-style and GitHub-style OAuth2 APIs,
// with a few ready users. It behaves like the real services (exact
// redirect URIs, single-use codes, PKCE S256 required) so `make run` shows
// the whole product offline and tests exercise the real protocol code.
//
// It is for development and tests only: AuthBridge mounts it when
// AUTHBRIDGE_DEV=1, pointing providers at it through the same endpoint
// overrides any provider has; nothing in production trusts its keys.
package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
)

// User is one ready-made person, known to every API of the devidp.
type User struct {
	ID            string // short name used in login_hint
	Name          string
	Email         string
	EmailVerified bool
	HostedDomain  string // Google Workspace domain (hd)
	Index         int    // makes per-API subjects
}

// Users are the ready-made people.
func Users() []User {
	return []User{
		{ID: "alice", Name: "Alice Example", Email: "alice@example.com", EmailVerified: true, Index: 1},
		{ID: "bob", Name: "Bob Unverified", Email: "bob@example.com", EmailVerified: false, Index: 2},
		{ID: "carol", Name: "Carol Allowed", Email: "carol@allowed.test", EmailVerified: true, Index: 3},
		{ID: "dave", Name: "Dave Elsewhere", Email: "dave@other.test", EmailVerified: true, Index: 4},
		{ID: "erin", Name: "Erin Workspace", Email: "erin@corp.test", EmailVerified: true, HostedDomain: "corp.test", Index: 5},
	}
}

// Client is a registered application.
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string
}

// Options configure an IDP.
type Options struct {
	BaseURL string // external URL of the handler's root, e.g. http://localhost:8080/devidp
	Clients []Client
	Now     func() time.Time
	Logger  *slog.Logger
}

// The APIs the devidp serves, by path prefix.
const (
	APIGoogle  = "google"
	APIOIDC    = "oidc"
	APIGitHub  = "github"
	APIDiscord = "discord"
)

// IDP is the development identity provider.
type IDP struct {
	opts   Options
	base   *url.URL
	key    *rsa.PrivateKey
	kid    string
	users  map[string]User
	mu     sync.Mutex
	codes  map[string]*grant // by SHA-256 of the code
	tokens map[string]*grant // access tokens, by SHA-256
	deny   bool
}

// grant is an authorization code and, once redeemed, its access token.
type grant struct {
	api, client, redirect, challenge, nonce string
	user                                    User
	expires                                 time.Time
	used                                    bool
}

// New returns an IDP with a fresh signing key.
func New(opts Options) (*IDP, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	base, err := url.Parse(opts.BaseURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("devidp: base URL %q must be absolute", opts.BaseURL)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: key: %w", err)
	}
	idp := &IDP{opts: opts, base: base, key: key, kid: randomString(8), users: map[string]User{},
		codes: map[string]*grant{}, tokens: map[string]*grant{}}
	for _, u := range Users() {
		idp.users[u.ID] = u
	}
	return idp, nil
}

// Issuer is the OIDC issuer of api (google or oidc).
func (d *IDP) Issuer(api string) string { return d.opts.BaseURL + "/" + api }

// URL is the external URL of a path under the devidp.
func (d *IDP) URL(path string) string { return d.opts.BaseURL + path }

// SetDeny makes every authorization answer access_denied (error paths).
func (d *IDP) SetDeny(on bool) {
	d.mu.Lock()
	d.deny = on
	d.mu.Unlock()
}

func (d *IDP) client(id string) (Client, bool) {
	for _, c := range d.opts.Clients {
		if c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// subject is the user's id at one API: distinct per API, stable per user.
func subject(api string, u User) string {
	switch api {
	case APIGitHub:
		return fmt.Sprint(9000 + u.Index)
	case APIDiscord:
		return fmt.Sprintf("80351110224678%03d", u.Index)
	case APIGoogle:
		return fmt.Sprintf("10769150350006150%03d", u.Index)
	default:
		return "dev-" + u.ID
	}
}
