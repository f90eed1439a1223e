package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
)

// cliDB is a fresh database of engine with three users signed in: ada
// (GitHub), bob (GitLab and GitHub) and cy (Discord); it answers the
// environment the commands run with and the users by name.
func cliDB(t *testing.T, engine string) (map[string]string, map[string]store.User) {
	t.Helper()
	raw := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	if engine == store.MySQL {
		raw = storetest.NewURL(t)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, raw, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	users := map[string]store.User{}
	for i, p := range []struct{ name, provider, email string }{
		{"ada", "github", "ada@example.com"}, {"bob", "gitlab", "bob@example.org"}, {"cy", "discord", "cy@example.net"},
	} {
		canon := p.email
		at := now.Add(time.Duration(i-10) * time.Minute)
		ident := store.Identity{Provider: p.provider, Issuer: "https://" + p.provider + ".example", Subject: p.name,
			Email: p.email, EmailCanonical: &canon, EmailVerified: true}
		fam := store.Family{ID: store.NewID(), Provider: p.provider, UserAgent: "ua", IP: "192.0.2.1", CreatedAt: at, LastUsedAt: at,
			ExpiresAt: at.Add(time.Hour), Generation: 1, Secret: []byte("0123456789abcdef0123456789abcdef")}
		ev := store.LoginEvent{ID: store.NewID(), Provider: p.provider, Outcome: "success", IP: "198.51.100.1", UserAgent: "ua", CreatedAt: at}
		u, _, err := st.SignIn(ctx, store.SignInParams{Identity: ident, Name: p.name, Now: at,
			Session: &store.NewSession{Family: fam, Events: []store.LoginEvent{ev}}})
		if err != nil {
			t.Fatal(err)
		}
		users[p.name] = u
	}
	if _, err := st.Connect(ctx, users["bob"].ID, store.Identity{Provider: "github", Issuer: "https://github.example", Subject: "bob"}, now); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"AUTHBRIDGE_DATABASE_URL": raw, "AUTHBRIDGE_LOG_LEVEL": "warn"}, users
}

// cli runs one command line and answers its exit code and output.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	err := operate(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return exitCode(err), out.String(), errOut.String()
}

// TestOperatorCommands runs each command, in text and JSON, on both
// engines, one step after another on one database: what each prints, the
// exit code a script sees, and the effect the next steps see.
func TestOperatorCommands(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env, users := cliDB(t, engine)
			ada, bob, cy := users["ada"], users["bob"], users["cy"]
			steps := []struct {
				name  string
				args  []string
				stdin string
				code  int
				out   []string // substrings of stdout
				json  func(t *testing.T, v map[string]any)
			}{
				{name: "unknown command", args: []string{"users", "frobnicate"}, code: exitUsage},
				{name: "missing argument", args: []string{"users", "show"}, code: exitUsage},
				{name: "bad flag", args: []string{"users", "list", "--nope"}, code: exitUsage},
				{name: "bad since", args: []string{"events", "--since", "last tuesday"}, code: exitUsage},
				{name: "bad provider id", args: []string{"providers", "orphans", "Not/A/Provider"}, code: exitUsage},
				{name: "list", args: []string{"users", "list"}, out: []string{ada.ID, bob.ID, cy.ID, "page 1: 3 of 3 user(s)"}},
				{name: "list by provider, json", args: []string{"users", "list", "--query", "github", "--json"}, json: func(t *testing.T, v map[string]any) {
					if v["total"].(float64) != 2 {
						t.Fatalf("total = %v, want ada and bob", v["total"])
					}
				}},
				{name: "list by a non-ASCII name", args: []string{"users", "list", "--query", "Bücher 名前"}, out: []string{"page 1: 0 of 0 user(s)"}},
				{name: "show a non-ASCII id", args: []string{"users", "show", "名前"}, code: exitNotFound},
				{name: "show by email", args: []string{"users", "show", "ADA@example.com"}, out: []string{ada.ID, "identities (1)", "active sessions (1)", "last sign-ins (1)", "198.51.100.1"}},
				{name: "show unknown", args: []string{"users", "show", "nobody@example.com"}, code: exitNotFound},
				{name: "show unknown, json", args: []string{"users", "show", store.NewID(), "--json"}, code: exitNotFound, json: func(t *testing.T, v map[string]any) {
					if v["error"].(map[string]any)["code"] != "not_found" {
						t.Fatalf("error = %v", v)
					}
				}},
				{name: "orphans of github", args: []string{"providers", "orphans", "github", "--json"}, json: func(t *testing.T, v map[string]any) {
					us := v["users"].([]any)
					if len(us) != 1 || us[0].(map[string]any)["id"] != ada.ID {
						t.Fatalf("orphans = %v, want ada only (bob also has GitLab)", us)
					}
				}},
				{name: "grant", args: []string{"admin", "grant", ada.ID}, out: []string{"is an administrator"}},
				{name: "revoke the last admin", args: []string{"admin", "revoke", "ada@example.com"}, code: exitFailed},
				{name: "revoke a non-admin", args: []string{"admin", "revoke", "bob@example.org"}, code: exitNotFound},
				{name: "admin list", args: []string{"admin", "list", "--json"}, json: func(t *testing.T, v map[string]any) {
					as := v["admins"].([]any)
					if len(as) != 1 || as[0].(map[string]any)["id"] != ada.ID || !strings.HasPrefix(as[0].(map[string]any)["granted_by"].(string), "cli:") {
						t.Fatalf("admins = %v", as)
					}
				}},
				{name: "disable", args: []string{"users", "disable", cy.ID, "--reason", "stolen laptop", "--json"}, json: func(t *testing.T, v map[string]any) {
					if v["ok"] != true || v["result"] != "disabled; 1 session(s) ended" {
						t.Fatalf("disable = %v", v)
					}
				}},
				{name: "list disabled", args: []string{"users", "list", "--disabled", "--json"}, json: func(t *testing.T, v map[string]any) {
					us := v["users"].([]any)
					if len(us) != 1 || us[0].(map[string]any)["id"] != cy.ID || us[0].(map[string]any)["disabled_at"] == nil {
						t.Fatalf("disabled users = %v", us)
					}
				}},
				{name: "enable", args: []string{"users", "enable", "cy@example.net"}, out: []string{"enabled"}},
				{name: "revoke sessions", args: []string{"users", "revoke-sessions", bob.ID}, out: []string{"1 session(s) ended"}},
				{name: "delete declined", args: []string{"users", "delete", bob.ID}, stdin: "no\n", code: exitFailed},
				{name: "delete confirmed", args: []string{"users", "delete", bob.ID}, stdin: "yes\n", out: []string{"deleted"}},
				{name: "deleted is gone", args: []string{"users", "show", bob.ID}, code: exitNotFound},
				{name: "delete with --yes", args: []string{"users", "delete", "--yes", "cy@example.net", "--json"}, json: func(t *testing.T, v map[string]any) {
					if v["result"] != "deleted" {
						t.Fatalf("delete = %v", v)
					}
				}},
				{name: "events of a deleted user", args: []string{"events", "--user", cy.ID, "--since", "1h", "--json"}, json: func(t *testing.T, v map[string]any) {
					evs := v["events"].([]any)
					var actions []string
					for _, e := range evs {
						actions = append(actions, e.(map[string]any)["action"].(string))
					}
					if strings.Join(actions, ",") != "user.delete,user.enable,user.disable" {
						t.Fatalf("cy's audit trail = %v", actions)
					}
					if r := evs[2].(map[string]any)["reason"]; r != "stolen laptop" {
						t.Fatalf("reason = %v", r)
					}
				}},
				{name: "events since the future", args: []string{"events", "--since", "2999-01-01T00:00:00Z", "--json"}, json: func(t *testing.T, v map[string]any) {
					if evs := v["events"].([]any); len(evs) != 0 {
						t.Fatalf("events = %v", evs)
					}
				}},
				{name: "events of a non-ASCII name", args: []string{"events", "--user", "名前", "--json"}, json: func(t *testing.T, v map[string]any) {
					if evs := v["events"].([]any); len(evs) != 0 {
						t.Fatalf("events = %v", evs)
					}
				}},
				{name: "events, text", args: []string{"events"}, out: []string{"admin.grant", "user.revoke_sessions", "cli:"}},
			}
			for _, s := range steps {
				code, out, errOut := cli(t, env, s.stdin, s.args...)
				if code != s.code {
					t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
				}
				for _, want := range s.out {
					if !strings.Contains(out, want) {
						t.Fatalf("%s: stdout lacks %q:\n%s", s.name, want, out)
					}
				}
				if s.json != nil {
					var v map[string]any
					if err := json.Unmarshal([]byte(out), &v); err != nil {
						t.Fatalf("%s: stdout is not one JSON object: %v\n%s", s.name, err, out)
					}
					s.json(t, v)
				}
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"24h", now.Add(-24 * time.Hour), true},
		{"2026-11-01T00:00:00Z", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), true},
		{"-1h", time.Time{}, false},
		{"yesterday", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestRunUnknownCommandIsUsage(t *testing.T) {
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &strings.Builder{}, &strings.Builder{})
	if exitCode(err) != exitUsage {
		t.Fatalf("unknown command: %v (exit %d), want exit %d", err, exitCode(err), exitUsage)
	}
}
