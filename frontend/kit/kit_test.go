package kit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestOffered(t *testing.T) {
	all := shared.ProvidersResponse{GoogleClientID: "cid", Providers: []shared.ProviderInfo{
		{ID: "google", Name: "Google"}, {ID: "github", Name: "GitHub"}, {ID: "discord", Name: "Discord"}}}
	tests := []struct {
		name       string
		pick       []string
		wantIDs    []string
		wantClient string
		wantPopup  []string // RedirectProviders
	}{
		{"nil offers everything", nil, []string{"google", "github", "discord"}, "cid", []string{"github", "discord"}},
		{"in the app's order", []string{"discord", "github"}, []string{"discord", "github"}, "", []string{"discord", "github"}},
		{"google brings its button", []string{"google"}, []string{"google"}, "cid", nil},
		{"unknown ids are skipped", []string{"gitlab", "github"}, []string{"github"}, "", []string{"github"}},
		{"an empty list offers nothing", []string{}, nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := New(Config{Providers: tt.pick}).offered(all)
			var ids, popup []string
			for _, p := range got.Providers {
				ids = append(ids, p.ID)
			}
			for _, p := range (State{Providers: got.Providers, GoogleClientID: got.GoogleClientID}).RedirectProviders() {
				popup = append(popup, p.ID)
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) || got.GoogleClientID != tt.wantClient || !reflect.DeepEqual(popup, tt.wantPopup) {
				t.Fatalf("offered %v client %q popup %v; want %v %q %v", ids, got.GoogleClientID, popup, tt.wantIDs, tt.wantClient, tt.wantPopup)
			}
		})
	}
}

// TestProviderButton pins the markup apps and the e2e tests select:
// button#login-<id> (#connect-<id>) with data-provider.
func TestProviderButton(t *testing.T) {
	gh := shared.ProviderInfo{ID: "github", Name: "GitHub"}
	tests := []struct {
		name string
		b    *ProviderButton
		want []string
		not  []string
	}{
		{"sign in", &ProviderButton{Provider: gh}, []string{`id="login-github"`, `class="btn btn-provider"`, `data-provider="github"`, "Sign in with GitHub"}, []string{"provider-mark"}},
		{"connect", &ProviderButton{Provider: gh, Connect: true}, []string{`id="connect-github"`, "Connect GitHub"}, []string{"login-github"}},
		{"the app's words and mark", &ProviderButton{Provider: gh, Label: "GitHub 로그인", Mark: "G", Class: "btn"},
			[]string{`id="login-github"`, `class="btn"`, "GitHub 로그인", `class="provider-mark provider-github"`, ">G<"}, []string{"Sign in with"}},
		{"an icon in place of the mark, and a hint", &ProviderButton{Provider: gh, Icon: "/web/marks/github.svg", Mark: "G", Hint: "Last used"},
			[]string{`src="/web/marks/github.svg"`, `role="presentation"`, `class="provider-hint"`, ">Last used<"}, []string{"provider-mark"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.b.Kit = New(Config{})
			e := app.NewTestEngine()
			if err := e.Load(tt.b); err != nil {
				t.Fatal(err)
			}
			e.ConsumeAll()
			html := app.HTMLString(tt.b)
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in %s", w, html)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q in %s", w, html)
				}
			}
		})
	}
}
