package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/shared"
)

// TestLinkPanel: the offer after duplicate_email names the providers and
// offers the owners' buttons, signed out; the dialog asks, labelled,
// signed in; nothing pending, nothing is shown.
func TestLinkPanel(t *testing.T) {
	providers := []shared.ProviderInfo{{ID: "github", Name: "GitHub"}, {ID: "discord", Name: "Discord"}}
	offer := linkView{Offer: LinkOffer{Owners: []string{"GitHub"}, Refused: "Discord"}}
	pending := linkView{Pending: shared.PendingLinkResponse{Provider: "discord", ProviderName: "Discord", Email: "alice@example.com"}}
	tests := []struct {
		name     string
		v        linkView
		signedIn bool
		lang     i18n.Lang
		want     []string
		notWant  []string
	}{
		{"the offer names the owner and the refused provider, with the owner's button", offer, false, i18n.KO,
			[]string{`id="link-offer"`, i18n.OfferText(i18n.KO, []string{"GitHub"}, "Discord"), `id="link-signin-github"`, i18n.TL(i18n.KO, i18n.LinkSignIn, "GitHub")},
			[]string{`id="link-signin-discord"`, `id="link-title"`}},
		{"no offer once signed in", offer, true, i18n.EN, nil, []string{`id="link-offer"`}},
		{"the dialog asks to link the provider and email", pending, true, i18n.ZHTW,
			[]string{`id="link-dialog"`, `aria-labelledby="link-title"`, `role="dialog"`, i18n.TL(i18n.ZHTW, i18n.LinkTitle, "Discord", "alice@example.com"),
				`id="link-confirm"`, `id="link-not-now"`, i18n.TL(i18n.ZHTW, i18n.LinkNotNow)},
			[]string{`id="link-offer"`}},
		{"nothing pending, nothing asked", linkView{}, true, i18n.EN, []string{`id="link-dialog"`}, []string{`id="link-title"`, `id="link-offer"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flow := &linkFlow{v: tt.v}
			html := mount(t, &linkPanel{Lang: tt.lang, SignedIn: tt.signedIn, Providers: providers, rt: newRuntime(Config{}, nil), flow: flow, v: tt.v})
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

// TestLinkSecretStaysInMemory: the secret is in the flow, never in the
// state the panel renders, and is given out once.
func TestLinkSecretStaysInMemory(t *testing.T) {
	lf := &linkFlow{secret: "s3cret", v: linkView{Offer: LinkOffer{Owners: []string{"GitHub"}, Refused: "Discord"}}}
	if strings.Contains(fmt.Sprintf("%+v", lf.get()), "s3cret") {
		t.Fatal("the secret is in the rendered state")
	}
	if !lf.held() || lf.take() != "s3cret" || lf.held() || lf.take() != "" {
		t.Fatal("the secret is not given out exactly once")
	}
}
