package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
)

// TestPasskeyRows: a passkey is a row of its own in the linked-accounts
// card (name, added, last used; Rename and Remove, never Disconnect),
// Remove is off with its reason when it is the last way to sign in, and
// "Add a passkey" shows only when the server and the browser take them.
func TestPasskeyRows(t *testing.T) {
	day := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	key := shared.LinkedAccount{ID: "pk1", Kind: shared.AccountKindPasskey, Provider: "passkey", ProviderName: "Passkey",
		DisplayName: "Laptop", CreatedAt: day, LastLoginAt: day.Add(48 * time.Hour)}
	github := shared.LinkedAccount{ID: "a1", Kind: shared.AccountKindProvider, Provider: "github", ProviderName: "GitHub", DisplayName: "bob"}
	tests := []struct {
		name      string
		v         View
		want, not []string
		removeOff bool
	}{
		{"beside a provider", View{Passkeys: true, Accounts: []shared.LinkedAccount{github, key}},
			[]string{`data-kind="passkey"`, `data-account="pk1"`, "Laptop", "added " + When(key.CreatedAt), "last used " + When(key.LastLoginAt),
				`id="rename-passkey-pk1"`, `aria-label="Rename passkey Laptop"`, `id="remove-passkey-pk1"`, `aria-label="Remove passkey Laptop"`,
				`id="add-passkey"`, `src="/web/marks/passkey.svg"`, `id="disconnect-github"`},
			[]string{`id="disconnect-passkey"`, `id="last-method"`}, false},
		{"the last method", View{Passkeys: true, Accounts: []shared.LinkedAccount{key}},
			[]string{`id="remove-passkey-pk1"`, `aria-describedby="last-method"`, i18n.T(i18n.EN, i18n.PasskeyLastReason)},
			nil, true},
		{"a passkey flagged as cloned says so", View{Accounts: []shared.LinkedAccount{github, func() shared.LinkedAccount { k := key; k.CloneWarning = true; return k }()}},
			[]string{i18n.T(i18n.EN, i18n.PasskeyCloneWarning)}, nil, false},
		{"no Add without passkeys", View{Accounts: []shared.LinkedAccount{github}}, nil, []string{`id="add-passkey"`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html := mount(t, &accountList{Lang: i18n.EN, v: tt.v})
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in\n%s", w, html)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q in\n%s", w, html)
				}
			}
			if tag := removeTag.FindString(html); tag != "" && disabled.MatchString(tag) != tt.removeOff {
				t.Errorf("Remove off = %v, want %v: %s", !tt.removeOff, tt.removeOff, tag)
			}
		})
	}
}

var (
	removeTag = regexp.MustCompile(`<button[^>]*id="remove-passkey-pk1"[^>]*>`)
	disabled  = regexp.MustCompile(`\sdisabled[\s>]`) // a bare attribute: true ("false" is written out)
)

// TestPasskeyAlert: the browser's own answers get words of their own; a
// dialog the user closed is information, not an error; the server's codes
// are left to the usual alert.
func TestPasskeyAlert(t *testing.T) {
	for _, tt := range []struct {
		code shared.ErrorCode
		kind string
		key  i18n.Key
		ok   bool
	}{
		{kit.CodePasskeyCancelled, KindInfo, i18n.PasskeyCancelled, true},
		{kit.CodePasskeyExists, KindError, i18n.PasskeyExists, true},
		{kit.CodePasskeyUnsupported, KindError, i18n.PasskeyUnsupported, true},
		{shared.CodePasskeyNotRecognised, "", "", false},
	} {
		a, ok := passkeyAlert(&kit.Error{Code: tt.code})
		if ok != tt.ok || a.Kind != tt.kind || a.Key != tt.key {
			t.Errorf("%s: %+v %v", tt.code, a, ok)
		}
	}
}
