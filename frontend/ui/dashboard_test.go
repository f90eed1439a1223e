package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func render(t *testing.T, d *Dashboard) string {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(d); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return app.HTMLString(d)
}

func TestDashboardPhases(t *testing.T) {
	rt := newRuntime(Config{}, nil)
	providers := []shared.ProviderInfo{{ID: "google", Name: "Google"}, {ID: "github", Name: "GitHub"}, {ID: "discord", Name: "Discord"}}
	tests := []struct {
		name    string
		view    View
		lang    i18n.Lang
		state   string
		ready   bool
		want    []string
		notWant []string
	}{
		{"prerendered page waits", View{}, i18n.EN, "loading", false, []string{"Loading…"}, []string{"login-github"}},
		{"signed out offers every provider", View{Phase: PhaseSignedOut, Providers: providers, GoogleClientID: "cid"}, i18n.EN, "signed-out", true,
			[]string{`id="gis-button"`, `id="login-github"`, `id="login-discord"`, "Sign in with GitHub"}, []string{`id="login-google"`, `id="sign-out"`}},
		{"without a client id Google is a popup button", View{Phase: PhaseSignedOut, Providers: providers}, i18n.EN, "signed-out", true,
			[]string{`id="login-google"`}, []string{`id="gis-button"`}},
		{"no providers is said", View{Phase: PhaseSignedOut}, i18n.KO, "signed-out", true,
			[]string{`id="no-providers"`, i18n.T(i18n.KO, i18n.NoProviders), i18n.T(i18n.KO, i18n.Footer)}, nil},
		{"out of reach at the start: said with Try again, and no claim that no provider is configured", View{Phase: PhaseSignedOut, Unreachable: true,
			Alert: Alert{Kind: KindError, Code: string(shared.CodeUnavailable), Again: AgainStart}}, i18n.KO, "signed-out", true,
			[]string{`id="alert"`, `data-code="unavailable"`, i18n.ErrorMessage(i18n.KO, shared.CodeUnavailable, ""), `id="alert-retry"`, i18n.T(i18n.KO, i18n.TryAgain)},
			[]string{`id="no-providers"`}},
		{"the Google button's sign-in out of reach: said in place with Try again, the button still offered", View{Phase: PhaseSignedOut, Providers: providers, GoogleClientID: "cid",
			Alert: Alert{Kind: KindError, Code: string(shared.CodeUnavailable), Again: AgainGoogle}}, i18n.ZHTW, "signed-out", true,
			[]string{`id="alert"`, i18n.ErrorMessage(i18n.ZHTW, shared.CodeUnavailable, ""), `id="alert-retry"`, i18n.T(i18n.ZHTW, i18n.TryAgain), `id="gis-button"`},
			[]string{`id="login-google"`}},
		{"an error alert carries its code", View{Phase: PhaseSignedOut, Providers: providers,
			Alert: Alert{Kind: KindError, Code: string(shared.CodeDuplicateEmail), Message: "Sign in with GitHub instead."}}, i18n.EN, "signed-out", true,
			[]string{`id="alert"`, `data-kind="error"`, `data-code="duplicate_email"`, "Sign in with GitHub instead."}, nil},
		{"signed in shows the user and lists", View{
			Phase: PhaseSignedIn, Providers: providers, GoogleClientID: "cid", IsNew: true,
			User:     shared.User{Name: "Alice Example", Email: "alice@example.com", EmailVerified: true},
			Accounts: []shared.LinkedAccount{{ID: "acc1", Provider: "google", ProviderName: "Google", Email: "alice@example.com"}},
			Sessions: []shared.Session{{ID: "s1", Current: true, UserAgent: "HeadlessChrome/1 Linux", IP: "127.0.0.1"}, {ID: "s2"}},
			Logins: []shared.LoginEvent{{Time: time.Now(), Provider: "google", Outcome: shared.OutcomeSuccess},
				{Time: time.Now(), Provider: "github", Outcome: shared.OutcomeFailure, ErrorCode: shared.CodeDuplicateEmail},
				{Time: time.Now(), Provider: "google", Outcome: shared.OutcomeTokenReused, ErrorCode: shared.CodeTokenReused}},
		}, i18n.ZHTW, "signed-in", true,
			[]string{`id="user-name"`, "Alice Example", `id="user-email"`, `id="greeting"`, "歡迎，Alice！",
				`data-provider="google"`, `id="disconnect-google"`, `id="connect-github"`, `id="connect-discord"`,
				`data-session="s1"`, `data-session="s2"`, `data-current="false"`, "revoke-session",
				`data-outcome="success"`, `data-outcome="failure"`, "(duplicate_email)", `id="sign-out"`, `id="sign-out-all"`, "登出所有裝置",
				`data-outcome="token_reused"`, i18n.T(i18n.ZHTW, i18n.OutcomeTokenReused)},
			[]string{`id="connect-google"`, `id="gis-button"`, "(token_reused)", i18n.T(i18n.ZHTW, i18n.OutcomeFailure) + " (token_reused)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Dashboard{rt: rt, v: tt.view, lang: tt.lang}
			html := render(t, d)
			attrs := app.Main().ID("app").Class("app").DataSet("state", tt.state)
			if tt.ready {
				attrs = attrs.DataSet("ready", "1")
			}
			if err := app.Match(attrs, d, 0); err != nil {
				t.Fatalf("root: %v", err)
			}
			// The printer writes "true" as a bare attribute (the browser
			// keeps data-current="true"), in no fixed order.
			for _, line := range strings.Split(html, "\n") {
				if strings.Contains(line, `data-session="s1"`) && (!strings.Contains(line, "data-current") || strings.Contains(line, `data-current="false"`)) {
					t.Errorf("the current session is not marked: %s", line)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in\n%s", w, html)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

func TestWaitingWhileAPopupIsOpen(t *testing.T) {
	d := &Dashboard{rt: newRuntime(Config{}, nil), v: View{Phase: PhaseSignedOut, Providers: []shared.ProviderInfo{{ID: "dev", Name: "Dev OIDC"}},
		Waiting: "dev"}, lang: i18n.EN}
	html := render(t, d)
	if !strings.Contains(html, `id="waiting"`) || !strings.Contains(html, "Finish signing in with Dev OIDC") || !strings.Contains(html, `id="cancel-flow"`) {
		t.Fatalf("no waiting line:\n%s", html)
	}
}

func TestFocusAfter(t *testing.T) {
	in, out := View{Phase: PhaseSignedIn}, View{Phase: PhaseSignedOut}
	errAlert := Alert{Kind: KindError, Code: "internal", Seq: 3}
	denied := deniedAlert("github", "GitHub")
	denied.Seq = 5
	tests := []struct {
		name       string
		prev, next View
		want       string
	}{
		{"sign-in goes to the user's name", out, in, "user-name"},
		{"a restored session on load leaves the focus", View{Phase: PhaseLoading}, in, ""},
		{"sign-out with a message goes to it", in, View{Phase: PhaseSignedOut, Alert: Alert{Kind: KindInfo, Seq: 1}}, "alert"},
		{"sign-out without one goes to the heading", in, out, "signin-heading"},
		{"a new error goes to it", in, View{Phase: PhaseSignedIn, Alert: errAlert}, "alert"},
		{"the same error again does not move it", View{Phase: PhaseSignedIn, Alert: errAlert}, View{Phase: PhaseSignedIn, Alert: errAlert}, ""},
		{"news that is no error stays polite", in, View{Phase: PhaseSignedIn, Alert: Alert{Kind: KindSuccess, Seq: 4}}, ""},
		{"a denial with Try again goes to it", out, View{Phase: PhaseSignedOut, Alert: denied}, "alert"},
	}
	for _, tt := range tests {
		if got := focusAfter(tt.prev, tt.next); got != tt.want {
			t.Errorf("%s: focusAfter = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestResultFocus: after an action whose control leaves the page, the new
// success alert names the heading of the control's card, and that heading
// is in the signed-in page, focusable from code (tabindex -1), its text
// the card's name; a repeat of the alert moves nothing.
func TestResultFocus(t *testing.T) {
	in := View{Phase: PhaseSignedIn}
	connected := doneAlert(i18n.Connected, "GitHub", accountsHeading)
	connected.Seq = 7
	revoked := doneAlert(i18n.SessionRevoked, "", sessionsHeading)
	revoked.Seq = 8
	added := doneAlert(i18n.PasskeyAdded, "", "")
	added.Seq = 9
	tests := []struct {
		name       string
		prev, next View
		want       string
	}{
		{"connected: the linked accounts' heading", in, View{Phase: PhaseSignedIn, Alert: connected}, accountsHeading},
		{"a session revoked: the sessions' heading", View{Phase: PhaseSignedIn, Alert: connected}, View{Phase: PhaseSignedIn, Alert: revoked}, sessionsHeading},
		{"the same alert again moves nothing", View{Phase: PhaseSignedIn, Alert: revoked}, View{Phase: PhaseSignedIn, Alert: revoked}, ""},
		{"a control that stays keeps the focus", in, View{Phase: PhaseSignedIn, Alert: added}, ""},
		{"an error is focusAfter's", in, View{Phase: PhaseSignedIn, Alert: Alert{Kind: KindError, Code: "internal", Seq: 3}}, ""},
	}
	for _, tt := range tests {
		if got := resultFocus(tt.prev, tt.next); got != tt.want {
			t.Errorf("%s: resultFocus = %q, want %q", tt.name, got, tt.want)
		}
	}
	if a := doneAlert(i18n.Disconnected, "GitHub", accountsHeading); a.Kind != KindSuccess || a.Code != CodeDone {
		t.Errorf("doneAlert is no success: %+v", a)
	}

	for _, l := range i18n.Langs {
		d := &Dashboard{rt: newRuntime(Config{}, nil), lang: l, v: View{Phase: PhaseSignedIn, User: shared.User{Name: "Alice"},
			Alert: connected}}
		html := render(t, d)
		for id, name := range map[string]i18n.Key{accountsHeading: i18n.Accounts, sessionsHeading: i18n.Sessions} {
			var tag string
			for _, line := range strings.Split(html, "\n") {
				if strings.Contains(line, `id="`+id+`"`) {
					tag = line
				}
			}
			if !strings.Contains(tag, "<h2") || !strings.Contains(tag, `tabindex="-1"`) {
				t.Errorf("%s: heading %s is %q, want an h2 with tabindex -1", l, id, tag)
			}
			if !strings.Contains(html, i18n.T(l, name)) {
				t.Errorf("%s: no %q", l, i18n.T(l, name))
			}
		}
		// The result is in the polite live region.
		if !strings.Contains(html, `aria-live="polite"`) || !strings.Contains(html, i18n.T(l, i18n.Connected, "GitHub")) {
			t.Errorf("%s: the result is not in the live region:\n%s", l, html)
		}
	}
}
