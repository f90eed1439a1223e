// Package ui is the dashboard: go-app components, the global actions that
// drive them, and the one state they observe. The session rules live in
// package session and the words in package i18n; this package wires them
// to the browser.
package ui

import (
	"strings"
	"sync"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// viewKey is the go-app state every component observes. It is never
// persisted and never holds a token.
const viewKey = "/authbridge/view"

// Phase is what the dashboard shows.
type Phase string

// The phases; main#app carries the phase as data-state.
const (
	PhaseLoading   Phase = "loading"
	PhaseSignedOut Phase = "signed-out"
	PhaseSignedIn  Phase = "signed-in"
)

// Alert kinds.
const (
	KindError   = "error"
	KindInfo    = "info"
	KindSuccess = "success"
)

// Alert codes that are not the contract's.
const (
	CodeCancelled    = "cancelled"
	CodePopupBlocked = "popup_blocked"
	CodeDone         = "done"
)

// Alert is the one message line. Key (with Arg) names dashboard text; a
// contract error carries its code and the server's message instead, and
// is translated when rendered.
type Alert struct {
	Kind    string
	Code    string
	Message string
	Key     i18n.Key
	Arg     string
	Seq     int    // changes with every alert, so a repeat is noticed
	Retry   string // a provider to try again with ("": no Try again button)
	Again   string // what else Try again redoes (AgainStart, AgainLists; "": nothing)
	// Focus is the heading that takes the focus when this alert shows
	// (resultFocus; "": leave it), set by doneAlert.
	Focus string
}

// doneAlert is an action's success, read out by the polite live region;
// focus names the heading of the card whose control the action took
// away (resultFocus), "" when that control stays.
func doneAlert(key i18n.Key, arg, focus string) Alert {
	return Alert{Kind: KindSuccess, Code: CodeDone, Key: key, Arg: arg, Focus: focus}
}

// What a Try again redoes when it is no provider's flow.
const (
	AgainStart  = "start"  // the start: the providers, then the session
	AgainLists  = "lists"  // the signed-in lists
	AgainGoogle = "google" // the Google button's sign-in (kit.RetryGoogle)
)

// unreachableAlert is the message for err, AuthBridge or the provider out
// of reach (kit.Unreachable), with what its Try again redoes: again when
// the caller knows (a list's load); else the start, when that is what
// failed (startFailed: the kit's State.Unreachable); else the sign-in the
// error names (the Google button's); else the flow of the last popup,
// flowProvider ("": none, no button).
func unreachableAlert(err error, again string, startFailed bool, flowProvider string) Alert {
	a := errorAlert(err)
	switch {
	case again != "":
		a.Again = again
	case startFailed:
		a.Again = AgainStart
	case kit.AsError(err).From == kit.FromGoogleButton:
		a.Again = AgainGoogle
	default:
		a.Retry = flowProvider
	}
	return a
}

// Text is the alert in l.
func (a Alert) Text(l i18n.Lang) string {
	if a.Key != "" {
		return i18n.T(l, a.Key, a.Arg)
	}
	if shared.ErrorCode(a.Code) == shared.CodeDuplicateEmail {
		return i18n.DuplicateEmail(l, a.Message)
	}
	return i18n.ErrorMessage(l, shared.ErrorCode(a.Code), a.Message)
}

// View is everything the dashboard renders.
type View struct {
	Phase          Phase
	Providers      []shared.ProviderInfo
	GoogleClientID string
	Passkeys       bool // the server takes passkeys and this browser has them
	User           shared.User
	IsNew          bool
	Accounts       []shared.LinkedAccount
	Sessions       []shared.Session
	Logins         []shared.LoginEvent
	AccountsLoad   Load // how the last fetch of each list went
	SessionsLoad   Load
	LoginsLoad     Load
	Alert          Alert
	Busy           string // the action running now ("" when idle), for disabled buttons
	Waiting        string // the provider whose popup is open ("": none)
	// LastProvider is the provider this browser signed in with last
	// (kept in localStorage: an id, nothing secret), for "Last used".
	LastProvider string
	// FlowProvider is the provider of the last popup opened, for a Try
	// again after a denial there.
	FlowProvider string
	// Unreachable: the start could not reach AuthBridge, so an empty
	// providers list says nothing about the configuration.
	Unreachable bool
}

// marks are the providers with a brand mark in web/marks; any other (a
// generic OIDC provider) gets the neutral one.
var marks = map[string]bool{"google": true, "microsoft": true, "line": true, "discord": true, "github": true, "passkey": true}

// MarkURL is the path of provider id's mark.
func MarkURL(id string) string {
	if marks[id] {
		return "/web/marks/" + id + ".svg"
	}
	return "/web/marks/oidc.svg"
}

// Question is a confirmation asked before a destructive action.
type Question struct {
	Title   string
	Body    string
	Confirm string                // the confirming button's words
	Do      func(ctx app.Context) // runs when confirmed
}

// LoadStatus is where a list's fetch is.
type LoadStatus string

// The load statuses; a list's card carries its status as data-load.
const (
	LoadNone    LoadStatus = ""        // not fetched since sign-in
	LoadLoading LoadStatus = "loading" // a fetch is running (the items shown are the last ones)
	LoadLoaded  LoadStatus = "loaded"
	LoadFailed  LoadStatus = "error"
)

// Load is how a list's last fetch went.
type Load struct {
	Status LoadStatus
	Err    Alert // why it failed (LoadFailed only)
}

// loaded is the Load a finished fetch leaves.
func loaded(err error) Load {
	if err != nil {
		return Load{Status: LoadFailed, Err: errorAlert(err)}
	}
	return Load{Status: LoadLoaded}
}

// ProviderName is the display name of a provider id.
func (v View) ProviderName(id string) string {
	for _, p := range v.Providers {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// Unlinked are the providers the user can still connect.
func (v View) Unlinked() []shared.ProviderInfo {
	var out []shared.ProviderInfo
	for _, p := range v.Providers {
		linked := false
		for _, a := range v.Accounts {
			if a.Provider == p.ID {
				linked = true
				break
			}
		}
		if !linked {
			out = append(out, p)
		}
	}
	return out
}

// RedirectProviders are the providers signed in through a popup: all of
// them except the Google Identity button's own, which has its button
// when a client id is published.
func (v View) RedirectProviders() []shared.ProviderInfo {
	var out []shared.ProviderInfo
	for _, p := range v.Providers {
		if p.ID == "google" && v.GoogleClientID != "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// model is the View behind the state: actions change it under a lock and
// publish a copy, so two actions finishing together don't undo each other.
type model struct {
	mu  sync.Mutex
	v   View
	seq int
}

func (m *model) update(ctx app.Context, f func(v *View)) {
	m.mu.Lock()
	f(&m.v)
	v := m.v
	m.mu.Unlock()
	ctx.SetState(viewKey, v)
}

func (m *model) get() View {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.v
}

// alert sets the message line.
func (m *model) alert(ctx app.Context, a Alert) {
	m.update(ctx, func(v *View) {
		m.seq++
		a.Seq = m.seq
		v.Alert = a
	})
}

// errorAlert turns a failed call into the message line.
func errorAlert(err error) Alert {
	e := kit.AsError(err)
	if e.Code == kit.CodeNetwork {
		return Alert{Kind: KindError, Code: string(kit.CodeNetwork), Key: i18n.Network}
	}
	return Alert{Kind: KindError, Code: string(e.Code), Message: e.Message}
}

// Device is a short name for a user agent: browser and system.
func Device(ua string) string {
	if ua == "" {
		return ""
	}
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"HeadlessChrome/", "Headless Chrome"},
		{"Chrome/", "Chrome"}, {"Chromium/", "Chromium"}, {"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client", "Go client"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	case system != "":
		return system
	}
	if len(ua) > 40 {
		return ua[:40] + "…"
	}
	return ua
}

// When formats a time for the tables, in the browser's zone.
func When(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// Initials are shown when there is no picture to load.
func Initials(name, email string) string {
	s := strings.TrimSpace(name)
	if s == "" {
		s = email
	}
	var out []rune
	for _, f := range strings.Fields(s) {
		for _, r := range f {
			out = append(out, r)
			break
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return strings.ToUpper(string(out))
}

// SafeAvatar reports whether a picture URL may be loaded: https, or a
// path or URL on our own origin. Anything else (plain http on another host)
// would be mixed content or a CSP violation, so initials are shown.
func SafeAvatar(u, origin string) bool {
	return strings.HasPrefix(u, "https://") || (origin != "" && strings.HasPrefix(u, origin+"/")) || (strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//"))
}
