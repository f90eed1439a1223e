package kit

import (
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/frontend/internal/apptest"
	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestNonceLeaseNeedsRenewal(t *testing.T) {
	sent := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fresh := shared.NonceResponse{Nonce: "n1", ExpiresAt: sent.Add(10 * time.Minute)}
	tests := []struct {
		name  string
		lease nonceLease
		after time.Duration // since sent
		want  bool
	}{
		{"no nonce yet", nonceLease{}, 0, true},
		{"fresh nonce", newLease(fresh, sent), 0, false},
		{"just before the margin", newLease(fresh, sent), 9*time.Minute - time.Second, false},
		{"a margin before expiry", newLease(fresh, sent), 9 * time.Minute, true},
		{"tab back after the lifetime (throttled timers)", newLease(fresh, sent), time.Hour, true},
		{"spent by a credential attempt", func() nonceLease { l := newLease(fresh, sent); l.spent = true; return l }(), 0, true},
		{"the server's shorter TTL is used",
			newLease(shared.NonceResponse{Nonce: "n1", ExpiresAt: sent.Add(5 * time.Minute)}, sent), 4 * time.Minute, true},
		{"before the server's shorter TTL's margin",
			newLease(shared.NonceResponse{Nonce: "n1", ExpiresAt: sent.Add(5 * time.Minute)}, sent), 4*time.Minute - time.Second, false},
		{"no expires_at: the planned TTL",
			newLease(shared.NonceResponse{Nonce: "n1"}, sent), 9*time.Minute - time.Second, false},
		{"no expires_at: due a margin before the planned TTL",
			newLease(shared.NonceResponse{Nonce: "n1"}, sent), 9 * time.Minute, true},
		{"this clock behind the server's: never trusted beyond the planned TTL",
			newLease(shared.NonceResponse{Nonce: "n1", ExpiresAt: sent.Add(30 * time.Minute)}, sent), 9 * time.Minute, true},
		{"this clock ahead of the server's (already past): the planned TTL, no renewal loop",
			newLease(shared.NonceResponse{Nonce: "n1", ExpiresAt: sent.Add(-time.Minute)}, sent), time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.lease.needsRenewal(sent.Add(tt.after)); got != tt.want {
				t.Errorf("needsRenewal(sent+%v) = %v, want %v (renewAt sent+%v)", tt.after, got, tt.want, tt.lease.renewAt.Sub(sent))
			}
		})
	}
}

func TestGISButtonHiddenWithoutLiveNonce(t *testing.T) {
	live := nonceLease{nonce: "n1", renewAt: time.Now().Add(time.Hour)}
	spent := live
	spent.spent = true
	tests := []struct {
		name       string
		lease      nonceLease
		wantHidden bool
	}{
		{"before the first nonce", nonceLease{}, true},
		{"with a live nonce", live, false},
		{"once its nonce is spent", spent, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &GoogleButton{lease: tt.lease}
			e := app.NewTestEngine()
			if err := e.Load(g); err != nil {
				t.Fatal(err)
			}
			e.ConsumeAll()
			html := app.HTMLString(g)
			if !strings.Contains(html, `id="gis-button"`) {
				t.Fatalf("no #gis-button in %s", html)
			}
			if got := strings.Contains(html, "gis-stale"); got != tt.wantHidden {
				t.Errorf("hidden = %v, want %v: %s", got, tt.wantHidden, html)
			}
		})
	}
}

// TestGISWidth: the Google button takes its container's width in whole
// pixels, within the 200–400 px GIS draws, and a sensible width before
// layout.
func TestGISWidth(t *testing.T) {
	tests := []struct {
		px   float64
		want int
	}{
		{0, gisFallbackWidth},   // not laid out
		{0.5, gisFallbackWidth}, // not laid out either
		{150, 200},              // narrower than GIS draws
		{266.75, 266},           // a 320 px phone: rounded down, never wider than the box
		{321.6, 321},            // a 375 px phone
		{378, 378},              // the signed-out card at desktop widths
		{560, 400},              // wider than GIS draws
	}
	for _, tt := range tests {
		if got := gisWidth(tt.px); got != tt.want {
			t.Errorf("gisWidth(%v) = %d, want %d", tt.px, got, tt.want)
		}
	}
}

// TestGoogleFailureSaysTheButton: a failure of the Google button's
// sign-in (its credential unanswered, its nonce unanswered) reaches
// OnError From FromGoogleButton, so a Try again redoes it and not the last
// popup's flow; RetryGoogle fetches a fresh nonce for a spent one. The
// button then hides without claiming its script failed to load.
func TestGoogleFailureSaysTheButton(t *testing.T) {
	down := &Error{Code: shared.CodeUnavailable}
	tests := []struct {
		name     string
		run      func(ctx app.Context, k *Kit) *GoogleButton
		async    bool // the call runs in ctx.Async, its answer in a dispatch
		wantSent string
	}{
		{"the credential unanswered", func(ctx app.Context, k *Kit) *GoogleButton {
			k.handleCredential(ctx, app.Action{Value: credentialParams{Credential: "idt", Nonce: "n1"}})
			return nil
		}, false, pathGoogleCredential},
		{"the nonce unanswered", func(ctx app.Context, k *Kit) *GoogleButton {
			g := &GoogleButton{Kit: k}
			g.renew(ctx)
			return g
		}, true, pathGoogleNonce},
		{"Try again with a spent nonce: a fresh one is asked for", func(ctx app.Context, k *Kit) *GoogleButton {
			g := &GoogleButton{Kit: k, lease: nonceLease{nonce: "n1", renewAt: time.Now().Add(time.Hour), spent: true}}
			g.retry(ctx)
			return g
		}, true, pathGoogleNonce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &scripted{answers: map[string]any{pathGoogleCredential: down, pathGoogleNonce: down}}
			got := make(chan *Error, 4)
			k := New(Config{Transport: d, OnError: func(_ app.Context, err error) { got <- AsError(err) }})
			ctx, e := apptest.Context(t)
			g := tt.run(ctx, k)
			if tt.async {
				// Not ConsumeAll: a failed nonce schedules its next try
				// (nonceRetry), which ConsumeAll would wait for.
				e.ConsumeNext()
			}
			if err := <-got; err.Code != shared.CodeUnavailable || err.From != FromGoogleButton {
				t.Fatalf("OnError got %+v, want unavailable From %q", err, FromGoogleButton)
			}
			if g != nil && (g.failed || g.lease.live() || g.prompt) {
				t.Errorf("button after the failure: failed %v, live %v, prompt %v; want hidden, no load failure claimed, no prompt pending", g.failed, g.lease.live(), g.prompt)
			}
			d.mu.Lock()
			defer d.mu.Unlock()
			if len(d.sent) != 1 || !strings.HasPrefix(d.sent[0], tt.wantSent+" ") {
				t.Errorf("sent %q, want %s", d.sent, tt.wantSent)
			}
		})
	}
}
