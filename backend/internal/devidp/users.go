package devidp

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// User is one ready person, the same at every API of the devidp, with a
// distinct subject per API (see Subject).
type User struct {
	ID            string // short name: login_hint, the consent form's user, the GSI picker
	Name          string
	Email         string
	EmailVerified bool   // at every API: OIDC email_verified, Discord verified, GitHub primary email's verified
	HostedDomain  string // Google Workspace domain (hd claim), Google only
	PublicEmail   bool   // GitHub: Email is also the profile's public email (/user "email"); otherwise null
	Index         int    // stable, unique: makes the per-API subjects
}

// Users are the ready people:
//   - alice: alice@example.com, verified everywhere;
//   - bob: bob@example.com, never verified;
//   - carol: carol@allowed.test, verified (domain allowlist "allowed" case);
//   - dave: dave@other.test, verified (allowlist "not allowed" case);
//   - erin: erin@corp.test, verified, Google Workspace hd=corp.test;
//   - mallory: a look-alike claiming alice@example.com, never verified; on
//     GitHub it is her public profile email and her unverified primary
//     address (never link or trust it).
func Users() []User {
	return []User{
		{ID: "alice", Name: "Alice Example", Email: "alice@example.com", EmailVerified: true, PublicEmail: true, Index: 1},
		{ID: "bob", Name: "Bob Unverified", Email: "bob@example.com", EmailVerified: false, Index: 2},
		{ID: "carol", Name: "Carol Allowed", Email: "carol@allowed.test", EmailVerified: true, Index: 3},
		{ID: "dave", Name: "Dave Elsewhere", Email: "dave@other.test", EmailVerified: true, Index: 4},
		{ID: "erin", Name: "Erin Workspace", Email: "erin@corp.test", EmailVerified: true, HostedDomain: "corp.test", Index: 5},
		{ID: "mallory", Name: "Mallory Lookalike", Email: "alice@example.com", EmailVerified: false, PublicEmail: true, Index: 6},
	}
}

// Subject is the user's identifier at one API, shaped like the real one
// and stable across restarts (identities stored by AuthBridge survive a
// restart of `make run`):
//   - google: 21 digits, like Google's sub;
//   - oidc: a UUID-shaped string derived from the user;
//   - github: a numeric id (as a decimal string);
//   - discord: a snowflake.
func (u User) Subject(api string) string {
	switch api {
	case APIGoogle:
		return fmt.Sprintf("1076915035000615%05d", u.Index)
	case APIGitHub:
		return strconv.FormatInt(u.GitHubID(), 10)
	case APIDiscord:
		// A snowflake: milliseconds since the Discord epoch (2015) << 22,
		// here 2019-01-01T00:00:00Z plus the index.
		const sinceEpoch = 1546300800000 - 1420070400000
		return strconv.FormatInt((sinceEpoch+int64(u.Index))<<22|int64(u.Index), 10)
	default:
		h := sha256.Sum256([]byte("devidp oidc subject " + u.ID))
		return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	}
}

// GitHubID is the user's numeric GitHub-style id.
func (u User) GitHubID() int64 { return 58_000_000 + int64(u.Index) }

func (u User) givenName() string  { n, _, _ := strings.Cut(u.Name, " "); return n }
func (u User) familyName() string { _, n, _ := strings.Cut(u.Name, " "); return n }

// avatarURL is the user's picture, served by the devidp itself so the
// product never loads a third-party image in development.
func (d *IDP) avatarURL(u User) string { return d.opts.BaseURL + "/avatars/" + u.ID + ".svg" }

var avatarColors = []string{"#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#5f6368", "#b31412"}

func (d *IDP) avatar(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	u, found := d.users[name]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	color := avatarColors[u.Index%len(avatarColors)]
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	// The only variable parts are a colour from a fixed list and an
	// uppercase ASCII letter of a built-in user id.
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">`+
		`<circle cx="48" cy="48" r="48" fill="%s"/>`+
		`<text x="48" y="62" font-family="sans-serif" font-size="44" fill="#fff" text-anchor="middle">%s</text></svg>`,
		color, strings.ToUpper(u.ID[:1]))
}
