package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
)

func TestDevice(t *testing.T) {
	tests := []struct{ ua, want string }{
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Headless Chrome · Linux"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0", "Edge · Windows"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", "Safari · iPhone"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox · macOS"},
		{"curl/8.5.0", "curl"},
		{"", ""},
		{"SomeVeryLongCustomAgentStringWithoutKnownTokensAtAll/1.0", "SomeVeryLongCustomAgentStringWithoutKnow…"},
	}
	for _, tt := range tests {
		if got := Device(tt.ua); got != tt.want {
			t.Errorf("Device(%q) = %q, want %q", tt.ua, got, tt.want)
		}
	}
}

func TestInitialsAndAvatar(t *testing.T) {
	for _, tt := range []struct{ name, email, want string }{
		{"Alice Example", "", "AE"}, {"carol", "", "C"}, {"", "dave@other.test", "D"}, {"", "", "?"}, {"김 민준", "", "김민"},
	} {
		if got := Initials(tt.name, tt.email); got != tt.want {
			t.Errorf("Initials(%q, %q) = %q, want %q", tt.name, tt.email, got, tt.want)
		}
	}
	for _, tt := range []struct {
		url, origin string
		want        bool
	}{
		{"https://lh3.googleusercontent.com/a/x", "http://localhost:8080", true},
		{"http://localhost:8080/devidp/avatars/alice.svg", "http://localhost:8080", true},
		{"http://127.0.0.1:9999/avatars/alice.svg", "http://localhost:8080", false},
		{"/web/icon.svg", "", true},
		{"//evil.example/x.png", "", false},
		{"javascript:alert(1)", "", false},
	} {
		if got := SafeAvatar(tt.url, tt.origin); got != tt.want {
			t.Errorf("SafeAvatar(%q, %q) = %v", tt.url, tt.origin, got)
		}
	}
}

func TestMarkURL(t *testing.T) {
	for id, want := range map[string]string{
		"google": "/web/marks/google.svg", "github": "/web/marks/github.svg", "line": "/web/marks/line.svg",
		"microsoft": "/web/marks/microsoft.svg", "discord": "/web/marks/discord.svg",
		"dev": "/web/marks/oidc.svg", "../x": "/web/marks/oidc.svg",
	} {
		if got := MarkURL(id); got != want {
			t.Errorf("MarkURL(%q) = %q, want %q", id, got, want)
		}
		// The generator copies frontend/web to /web: the mark must be there.
		if _, err := os.Stat(filepath.Join("..", "web", strings.TrimPrefix(want, "/web/"))); err != nil {
			t.Errorf("MarkURL(%q): %v", id, err)
		}
	}
}

func TestViewLists(t *testing.T) {
	v := View{
		Providers: []shared.ProviderInfo{{ID: "google", Name: "Google"}, {ID: "github", Name: "GitHub"}, {ID: "dev", Name: "Dev"}},
		Accounts:  []shared.LinkedAccount{{ID: "a1", Provider: "github"}},
	}
	ids := func(ps []shared.ProviderInfo) (out []string) {
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(v.Unlinked()); len(got) != 2 || got[0] != "google" || got[1] != "dev" {
		t.Errorf("Unlinked = %v", got)
	}
	if got := ids(v.RedirectProviders()); len(got) != 3 {
		t.Errorf("without a GIS client id Google is a popup provider: %v", got)
	}
	v.GoogleClientID = "cid"
	if got := ids(v.RedirectProviders()); len(got) != 2 || got[0] != "github" {
		t.Errorf("with a GIS client id Google has its own button: %v", got)
	}
	if v.ProviderName("github") != "GitHub" || v.ProviderName("gone") != "gone" {
		t.Error("ProviderName")
	}
}

func TestAlerts(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode string
		lang     i18n.Lang
		want     string
	}{
		{"contract code keeps the server's words in English", &kit.Error{Status: 409, Code: shared.CodeDuplicateEmail, Message: "Sign in with GitHub, then connect Google."},
			"duplicate_email", i18n.EN, "Sign in with GitHub, then connect Google."},
		{"and is translated otherwise", &kit.Error{Status: 409, Code: shared.CodeLastLoginMethod, Message: "x"},
			"last_login_method", i18n.KO, i18n.ErrorMessage(i18n.KO, shared.CodeLastLoginMethod, "")},
		{"network failure", &kit.Error{Code: kit.CodeNetwork, Message: "TypeError: Failed to fetch"},
			"network", i18n.EN, i18n.T(i18n.EN, i18n.Network)},
		{"anything else is a network failure too", errors.New("boom"), "network", i18n.ZHTW, i18n.T(i18n.ZHTW, i18n.Network)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := errorAlert(tt.err)
			if a.Kind != KindError || a.Code != tt.wantCode || a.Text(tt.lang) != tt.want {
				t.Fatalf("alert %+v text %q", a, a.Text(tt.lang))
			}
		})
	}
	dup := errorAlert(&kit.Error{Status: 409, Code: shared.CodeDuplicateEmail,
		Message: "An account with this email already exists. Sign in with GitHub, then connect Dev OIDC from your account page."})
	for _, l := range i18n.Langs {
		if got := dup.Text(l); !strings.Contains(got, "GitHub") || !strings.Contains(got, "Dev OIDC") {
			t.Errorf("duplicate_email in %s does not name the providers: %q", l, got)
		}
	}
	d := deniedAlert("github", "GitHub")
	if d.Kind != KindInfo || d.Retry != "github" || d.Text(i18n.ZHTW) != i18n.T(i18n.ZHTW, i18n.DeniedAtProvider, "GitHub") {
		t.Errorf("a denial is neutral and offers a retry: %+v", d)
	}
	h := errorAlert(kit.HandoffError(shared.HandoffMessage{Error: &shared.ErrorBody{Code: shared.CodeAccessDenied, Message: "Sign-in was cancelled at GitHub."}}))
	if h.Code != "access_denied" || h.Text(i18n.EN) != "Sign-in was cancelled at GitHub." {
		t.Fatalf("handoff alert %+v", h)
	}
}

// TestUnreachableAlert: AuthBridge or the provider out of reach says the
// contract's text in each language (never a proxy's page) and its Try
// again redoes what failed.
func TestUnreachableAlert(t *testing.T) {
	down := &kit.Error{Code: shared.CodeUnavailable} // no answer, or nginx's 502 page
	provider := &kit.Error{Code: shared.CodeProviderUnavailable, Message: "GitHub could not be reached. Try again in a minute."}
	googleDown := &kit.Error{Code: shared.CodeUnavailable, From: kit.FromGoogleButton} // the credential's POST unanswered
	tests := []struct {
		name         string
		err          error
		again        string
		startFailed  bool
		flowProvider string
		wantAgain    string
		wantRetry    string
	}{
		{"a list's load loads the lists again", down, AgainLists, false, "github", AgainLists, ""},
		{"a failed start starts again", down, "", true, "github", AgainStart, ""},
		{"a popup's flow opens it again", down, "", false, "github", "", "github"},
		{"the provider down: its flow again", provider, "", false, "github", "", "github"},
		{"nothing known to redo: no button", down, "", false, "", "", ""},
		{"the Google button's sign-in: the button again, not the last popup", googleDown, "", false, "github", AgainGoogle, ""},
		{"the Google button's sign-in, no popup before", googleDown, "", false, "", AgainGoogle, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := unreachableAlert(tt.err, tt.again, tt.startFailed, tt.flowProvider)
			if a.Kind != KindError || a.Again != tt.wantAgain || a.Retry != tt.wantRetry {
				t.Fatalf("alert %+v, want again %q retry %q", a, tt.wantAgain, tt.wantRetry)
			}
			code := kit.AsError(tt.err).Code
			for _, l := range i18n.Langs {
				if want := i18n.ErrorMessage(l, code, kit.AsError(tt.err).Message); a.Text(l) != want || want == "" {
					t.Errorf("%s: %q, want %q", l, a.Text(l), want)
				}
			}
		})
	}
	if got := unreachableAlert(down, "", true, "").Text(i18n.ZHTW); got != i18n.ErrorMessage(i18n.ZHTW, shared.CodeUnavailable, "") {
		t.Errorf("unavailable in zh-TW: %q", got)
	}
}
