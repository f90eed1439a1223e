package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/authbridge/authbridge/frontend/i18n"
	"github.com/authbridge/authbridge/frontend/internal/apptest"
	"github.com/authbridge/authbridge/frontend/kit"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
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

func testContext(t *testing.T) app.Context {
	t.Helper()
	ctx, _ := apptest.Context(t)
	return ctx
}

// oneAnswer answers every call with err (nil: no content) and keeps
// what was sent.
type oneAnswer struct {
	mu   sync.Mutex
	err  error
	sent []string
}

func (o *oneAnswer) Do(_ context.Context, method, path, _ string, _, _ any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, method+" "+path)
	return o.err
}

// TestLinkNotNowSays: Not now discards the pending link on the server and
// the polite live region says, in each language, that the provider was
// not linked; a failed discard says the error instead.
func TestLinkNotNowSays(t *testing.T) {
	pending := linkView{Pending: shared.PendingLinkResponse{Provider: "discord", ProviderName: "Discord", Email: "alice@example.com"}}
	unavailable := &kit.Error{Status: 503, Code: shared.CodeUnavailable, Message: "The service is briefly unavailable."}
	tests := []struct {
		name     string
		answer   error
		wantKind string
		wantKey  i18n.Key
	}{
		{"discarded: said, naming the provider", nil, KindSuccess, i18n.LinkDiscarded},
		{"the server out of reach: the error, not a result", unavailable, KindError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &oneAnswer{err: tt.answer}
			r := newRuntime(Config{}, api)
			r.kit.Session().Start(shared.TokenPair{AccessToken: "a1", ExpiresIn: 3600})
			defer r.kit.Session().Clear()
			r.link = linkFlow{secret: "s3cret", v: pending}
			r.link.notNow(testContext(t), r)

			if len(api.sent) != 1 || api.sent[0] != "DELETE /api/me/pending-link" {
				t.Fatalf("sent %q, want the pending link's DELETE", api.sent)
			}
			if r.link.held() || r.link.get().Pending.Provider != "" {
				t.Fatal("the pending link is still held")
			}
			a := r.m.get().Alert
			if a.Kind != tt.wantKind || a.Key != tt.wantKey {
				t.Fatalf("alert = %+v, want kind %q key %q", a, tt.wantKind, tt.wantKey)
			}
			for _, l := range i18n.Langs {
				html := mount(t, &Dashboard{rt: newRuntime(Config{}, nil), lang: l, v: View{Phase: PhaseSignedIn, User: shared.User{Name: "Alice"}, Alert: a}})
				text := a.Text(l)
				if tt.wantKey != "" && (text != i18n.TL(l, i18n.LinkDiscarded, "Discord") || !strings.Contains(text, "Discord")) {
					t.Errorf("%s: says %q, want the discard naming Discord", l, text)
				}
				region := html[strings.Index(html, `class="alert-slot"`):]
				if !strings.Contains(region, `aria-live="polite"`) || !strings.Contains(region, text) {
					t.Errorf("%s: %q is not in the polite live region:\n%s", l, text, html)
				}
			}
		})
	}
}
