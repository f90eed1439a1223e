package devidp

import (
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
//     address (never link or trust it);
//   - frank: frank@example.net, verified; the browser suite's "proof, then
//     link" user only (no other scenario signs in as him).
func Users() []User {
	return []User{
		{ID: "alice", Name: "Alice Example", Email: "alice@example.com", EmailVerified: true, PublicEmail: true, Index: 1},
		{ID: "bob", Name: "Bob Unverified", Email: "bob@example.com", EmailVerified: false, Index: 2},
		{ID: "carol", Name: "Carol Allowed", Email: "carol@allowed.test", EmailVerified: true, Index: 3},
		{ID: "dave", Name: "Dave Elsewhere", Email: "dave@other.test", EmailVerified: true, Index: 4},
		{ID: "erin", Name: "Erin Workspace", Email: "erin@corp.test", EmailVerified: true, HostedDomain: "corp.test", Index: 5},
		{ID: "mallory", Name: "Mallory Lookalike", Email: "alice@example.com", EmailVerified: false, PublicEmail: true, Index: 6},
		{ID: "frank", Name: "Frank Linker", Email: "frank@example.net", EmailVerified: true, Index: 7},
	}
}

// Load users: "load-1" … "load-<maxLoadUsers>" exist too, each with a
// verified address of its own (load-N@load.test), so that a load run's
// virtual users are different people, as a real crowd is, rather than one
// account signing in from everywhere. They are not listed anywhere.
const (
	maxLoadUsers   = 899
	loadUserPrefix = "load-"
)

// user answers the ready user with this id, or a load user.
func (d *IDP) user(id string) (User, bool) {
	if u, ok := d.users[id]; ok {
		return u, true
	}
	n, ok := strings.CutPrefix(id, loadUserPrefix)
	if !ok || n == "" || n[0] == '0' || len(n) > 3 {
		return User{}, false
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > maxLoadUsers {
		return User{}, false
	}
	// Index 100+: clear of the ready users, and within the three digits
	// the subject formulas keep.
	return User{ID: id, Name: "Load " + n, Email: id + "@load.test", EmailVerified: true, Index: 100 + i}, true
}

// Subject is the user's identifier at one API, shaped like the real one
// and stable across restarts (identities stored by AuthBridge in ./data
// survive a restart of `make run`; keep these formulas unchanged for that
// reason):
//   - google: 20 digits, like Google's sub;
//   - oidc: "dev-<id>";
//   - github: a numeric id (as a decimal string);
//   - discord: a snowflake-like 17-digit string.
func (u User) Subject(api string) string {
	switch api {
	case APIGoogle:
		return fmt.Sprintf("10769150350006150%03d", u.Index)
	case APIGitHub:
		return strconv.FormatInt(u.GitHubID(), 10)
	case APIDiscord:
		return fmt.Sprintf("80351110224678%03d", u.Index)
	default:
		return "dev-" + u.ID
	}
}

// GitHubID is the user's numeric GitHub-style id.
func (u User) GitHubID() int64 { return 9000 + int64(u.Index) }

func (u User) givenName() string  { n, _, _ := strings.Cut(u.Name, " "); return n }
func (u User) familyName() string { _, n, _ := strings.Cut(u.Name, " "); return n }

// avatarURL is the user's picture, served by the devidp itself so the
// product never loads a third-party image in development.
func (d *IDP) avatarURL(u User) string { return d.opts.BaseURL + "/avatars/" + u.ID + ".svg" }

var avatarColors = []string{"#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#5f6368", "#b31412"}

func (d *IDP) avatar(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	u, found := d.user(name)
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
