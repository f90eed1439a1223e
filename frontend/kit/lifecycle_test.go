package kit

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/internal/apptest"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// scripted answers each path with a canned JSON body or *Error and keeps
// what was sent.
type scripted struct {
	mu      sync.Mutex
	answers map[string]any // path → JSON string or *Error
	sent    []string       // "path body"
}

func (s *scripted) Do(_ context.Context, method, path, bearer string, in, out any) error {
	b, _ := json.Marshal(in)
	s.mu.Lock()
	s.sent = append(s.sent, path+" "+string(b))
	a, ok := s.answers[path]
	s.mu.Unlock()
	switch a := a.(type) {
	case *Error:
		return a
	case string:
		if out != nil {
			return json.Unmarshal([]byte(a), out)
		}
		return nil
	}
	if !ok {
		return &Error{Status: 404, Code: shared.CodeNotFound}
	}
	return nil
}

func testContext(t *testing.T) app.Context {
	t.Helper()
	ctx, _ := apptest.Context(t)
	return ctx
}

// newTestKit is a kit on d whose observers write what they are told to
// *events, one line each.
func newTestKit(d Doer, events *[]string, providers []string) *Kit {
	var mu sync.Mutex
	add := func(s string) { mu.Lock(); *events = append(*events, s); mu.Unlock() }
	return New(Config{
		Transport: d,
		Providers: providers,
		OnProviders: func(_ app.Context, p shared.ProvidersResponse) {
			ids := []string{}
			for _, x := range p.Providers {
				ids = append(ids, x.ID)
			}
			add("providers " + strings.Join(ids, ",") + " " + p.GoogleClientID)
		},
		OnSignedIn: func(_ app.Context, s SignIn) {
			add("in " + s.User.ID + map[bool]string{true: " restored", false: ""}[s.Restored] + map[bool]string{true: " new", false: ""}[s.IsNew])
		},
		OnSignedOut: func(_ app.Context, s SignOut) {
			add("out " + string(s.Reason) + map[bool]string{true: " all", false: ""}[s.All] + " " + string(s.Code))
		},
		OnError:     func(_ app.Context, err error) { add("error " + string(AsError(err).Code)) },
		OnConnected: func(_ app.Context, p string) { add("connected " + p) },
	})
}

const (
	providersJSON = `{"providers":[{"id":"google","name":"Google"},{"id":"github","name":"GitHub"}],"google_client_id":"cid"}`
	refreshJSON   = `{"access_token":"a1","expires_in":900,"user":{"id":"u1"}}`
)

// TestKitStart drives the start (Mount's init action) and its endings:
// what the observers are told, in order, and what reached AuthBridge.
func TestKitStart(t *testing.T) {
	noSession := &Error{Status: 401, Code: shared.CodeInvalidToken, Message: "no session"}
	denied := &shared.HandoffMessage{Type: shared.HandoffType, Error: &shared.ErrorBody{Code: shared.CodeAccessDenied, Message: "no"}}
	tests := []struct {
		name      string
		providers []string // Config.Providers
		refresh   any
		exchange  any
		params    initParams
		want      []string
		wantSent  string // a call that must have been made
		token     string // the session's token after
	}{
		{"a refresh cookie restores the session", nil, refreshJSON, nil, initParams{},
			[]string{"providers google,github cid", "in u1 restored"}, "", "a1"},
		{"no cookie: signed out, and no error to show", nil, noSession, nil, initParams{},
			[]string{"providers google,github cid", "out none "}, "", ""},
		{"the network down: signed out, and said", []string{"github"}, &Error{Code: CodeNetwork}, nil, initParams{},
			[]string{"providers github ", "out none ", "error network"}, "", ""},
		{"no answer at all (server down): signed out, and said", nil, &Error{Code: shared.CodeUnavailable}, nil, initParams{},
			[]string{"providers google,github cid", "out none ", "error unavailable"}, "", ""},
		{"a disabled user: signed out, and why", nil, &Error{Status: 403, Code: shared.CodeAccountDisabled}, nil, initParams{},
			[]string{"providers google,github cid", "out none ", "error account_disabled"}, "", ""},
		{"a failed redirect: the provider's error is said", nil, noSession, nil, initParams{Handoff: denied},
			[]string{"providers google,github cid", "out none ", "error access_denied"}, "", ""},
		{"a redirect's code is exchanged with the stored verifier", nil, nil,
			`{"access_token":"a2","expires_in":900,"user":{"id":"u2"},"is_new":true}`,
			initParams{Handoff: &shared.HandoffMessage{Type: shared.HandoffType, OK: true, Code: "c1"}, Verifier: "v1"},
			[]string{"providers google,github cid", "in u2 new"}, `/api/auth/exchange {"code":"c1","verifier":"v1"}`, "a2"},
		{"a refused exchange at start: signed out, and why", nil, nil, &Error{Status: 400, Code: shared.CodeInvalidRequest},
			initParams{Handoff: &shared.HandoffMessage{Type: shared.HandoffType, OK: true, Code: "c1"}, Verifier: "v1"},
			[]string{"providers google,github cid", "out none ", "error invalid_request"}, "", ""},
		{"a redirect's connect: the session restored, the link reported", nil, refreshJSON, nil,
			initParams{Handoff: &shared.HandoffMessage{Type: shared.HandoffType, OK: true, Process: "connect"}, Provider: "github"},
			[]string{"providers google,github cid", "in u1 restored", "connected github"}, "", "a1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &scripted{answers: map[string]any{pathProviders: providersJSON}}
			if tt.refresh != nil {
				d.answers[pathRefresh] = tt.refresh
			}
			if tt.exchange != nil {
				d.answers[pathExchange] = tt.exchange
			}
			var events []string
			k := newTestKit(d, &events, tt.providers)
			k.session.AfterFunc = func(time.Duration, func()) func() bool { return func() bool { return true } }
			ctx := testContext(t)
			k.handleInit(ctx, app.Action{Value: tt.params})
			if strings.Join(events, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.wantSent != "" && !strings.Contains(strings.Join(d.sent, "\n"), tt.wantSent) {
				t.Errorf("sent %q, want %q among them", d.sent, tt.wantSent)
			}
			if got := k.session.Token(); got != tt.token {
				t.Errorf("token %q, want %q", got, tt.token)
			}
			if s := k.State(); !s.Ready || s.SignedIn != (tt.token != "") {
				t.Errorf("state %+v after the start", s)
			}
		})
	}
}

// TestKitSignOut: this tab's sign-out, another tab's, and another tab's
// sign-in while signed out.
func TestKitSignOut(t *testing.T) {
	d := &scripted{answers: map[string]any{pathProviders: providersJSON, pathRefresh: refreshJSON, pathLogout: "{}"}}
	var events []string
	k := newTestKit(d, &events, nil)
	k.session.AfterFunc = func(time.Duration, func()) func() bool { return func() bool { return true } }
	ctx := testContext(t)
	k.handleInit(ctx, app.Action{})

	if err := k.SignOut(ctx, true); err != nil {
		t.Fatal(err)
	}
	if k.session.Token() != "" || k.State().SignedIn {
		t.Fatal("still signed in after SignOut")
	}
	k.handleRemoteSignedOut(ctx, app.Action{}) // already out: nothing to say
	k.handleRemoteSignedIn(ctx, app.Action{})  // the other tab's cookie is this tab's
	k.handleRemoteSignedOut(ctx, app.Action{})
	want := []string{"providers google,github cid", "in u1 restored", "out user all ", "in u1 restored", "out elsewhere "}
	if strings.Join(events, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(strings.Join(d.sent, "\n"), `/api/auth/logout {"all":true}`) {
		t.Errorf("sent %q: no logout of all sessions", d.sent)
	}
}

// TestKitStartUnreachable: AuthBridge down at the start (nginx's 502 for
// the providers, no answer for the refresh) is said once, leaves the tab
// signed out (no endless loading) and Unreachable; the start run again
// (Restart's action) once it is back signs the tab in and clears it.
func TestKitStartUnreachable(t *testing.T) {
	d := &scripted{answers: map[string]any{
		pathProviders: &Error{Status: 502, Code: shared.CodeUnavailable},
		pathRefresh:   &Error{Code: shared.CodeUnavailable},
	}}
	var events []string
	k := newTestKit(d, &events, nil)
	k.session.AfterFunc = func(time.Duration, func()) func() bool { return func() bool { return true } }
	ctx := testContext(t)
	k.handleInit(ctx, app.Action{Value: initParams{}})
	want := []string{"error unavailable", "providers  ", "out none "}
	if strings.Join(events, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	if s := k.State(); !s.Ready || s.SignedIn || !s.Unreachable {
		t.Fatalf("state %+v, want ready, signed out, unreachable", s)
	}

	d.mu.Lock()
	d.answers[pathProviders], d.answers[pathRefresh] = providersJSON, refreshJSON
	d.mu.Unlock()
	events = nil
	k.handleInit(ctx, app.Action{Value: initParams{}})
	want = []string{"providers google,github cid", "in u1 restored"}
	if strings.Join(events, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after the restart, events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	if s := k.State(); !s.SignedIn || s.Unreachable {
		t.Fatalf("state %+v after the restart, want signed in, reachable", s)
	}
}

// TestUnreachable: which failures are worth a Retry later.
func TestUnreachable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&Error{Code: shared.CodeUnavailable}, true},
		{&Error{Status: 503, Code: shared.CodeProviderUnavailable}, true},
		{&Error{Status: 504, Code: shared.CodeUnavailable}, true},
		{&Error{Status: 500, Code: shared.CodeInternal}, false},
		{&Error{Status: 401, Code: shared.CodeInvalidToken}, false},
		{&Error{Code: CodeNetwork}, false},
	}
	for _, tt := range tests {
		if got := Unreachable(tt.err); got != tt.want {
			t.Errorf("Unreachable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
