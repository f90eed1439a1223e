package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
)

func mkPendingLink(t *testing.T, s *store.Store, secret, browser, email string) store.PendingLink {
	t.Helper()
	l := store.PendingLink{LinkHash: h(secret), BrowserHash: h(browser), Provider: "discord", Issuer: "https://discord.example",
		Subject: "d-" + secret, Email: email, EmailCanonical: email, DisplayName: "D", CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	if err := s.CreatePendingLink(context.Background(), l); err != nil {
		t.Fatalf("create pending link: %v", err)
	}
	return l
}

// pendingLinkCases join the conformance suite (TestConformance).
var pendingLinkCases = []conformanceCase{
	{"a pending link attaches once, only to the user with its email, only from its browser", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		owner, _ := signedIn(t, s, ident("github", "g1", "pat@example.com"), t0)
		other, _ := signedIn(t, s, ident("github", "g2", "eve@example.com"), t0)
		mkPendingLink(t, s, "s1", "b1", "pat@example.com")
		at := t0.Add(time.Minute)
		live, err := s.LivePendingLink(ctx, h("b1"), at)
		if err != nil || live.Provider != "discord" || live.EmailCanonical != "pat@example.com" {
			t.Fatalf("live = %+v, %v", live, err)
		}
		_, err = s.LivePendingLink(ctx, h("b2"), at)
		wantErr(t, "live in another browser", err, store.ErrNotFound)
		_, err = s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h("s1"), BrowserHash: h("b2"), UserID: owner.ID, Now: at})
		wantErr(t, "another browser", err, store.ErrNotFound)
		got, err := s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h("s1"), BrowserHash: h("b1"), UserID: owner.ID, Now: at, IP: "192.0.2.1"})
		if err != nil || got.UserID != owner.ID || got.Provider != "discord" || !got.EmailVerified {
			t.Fatalf("confirm = %+v, %v", got, err)
		}
		_, err = s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h("s1"), BrowserHash: h("b1"), UserID: owner.ID, Now: at})
		wantErr(t, "replay", err, store.ErrNotFound)
		if n := count(t, s, "SELECT COUNT(*) FROM identities WHERE user_id = ? AND provider = 'discord'", owner.ID); n != 1 {
			t.Fatalf("owner's discord identities = %d", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit_events WHERE actor = ? AND action = ?", owner.ID, store.AuditLinkIdentity); n != 1 {
			t.Fatalf("audit rows = %d", n)
		}

		// Another user, even from the right browser: spent, nothing linked.
		mkPendingLink(t, s, "s2", "b1", "pat@example.com")
		_, err = s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h("s2"), BrowserHash: h("b1"), UserID: other.ID, Now: at})
		wantErr(t, "another user", err, store.ErrLinkNotYours)
		_, err = s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h("s2"), BrowserHash: h("b1"), UserID: owner.ID, Now: at})
		wantErr(t, "after a refused attempt", err, store.ErrNotFound)
		if n := count(t, s, "SELECT COUNT(*) FROM identities WHERE user_id = ?", other.ID); n != 1 {
			t.Fatalf("other's identities = %d", n)
		}

		// Expired, and discarded.
		mkPendingLink(t, s, "s3", "b1", "pat@example.com")
		_, err = s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h("s3"), BrowserHash: h("b1"), UserID: owner.ID, Now: t0.Add(10 * time.Minute)})
		wantErr(t, "at expiry", err, store.ErrNotFound)
		mkPendingLink(t, s, "s4", "b1", "pat@example.com")
		if n, err := s.DiscardPendingLinks(ctx, h("b1"), at); err != nil || n != 2 {
			t.Fatalf("discard = %d, %v; want s3 and s4", n, err)
		}
		_, err = s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h("s4"), BrowserHash: h("b1"), UserID: owner.ID, Now: at})
		wantErr(t, "discarded", err, store.ErrNotFound)
		if n, err := s.DeleteExpired(ctx, t0.Add(time.Hour)); err != nil || n < 4 {
			t.Fatalf("DeleteExpired = %d, %v; want the four links", n, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM pending_links"); n != 0 {
			t.Fatalf("pending links left = %d", n)
		}
	}},
	{"a pending link is refused when the user's email changed or is unverified", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, _ := signedIn(t, s, ident("github", "g1", "pat@example.com"), t0)
		at := t0.Add(time.Minute)
		for i, c := range []struct {
			update string
			arg    any
		}{
			{"UPDATE users SET email_verified = ? WHERE id = ?", false},
			{"UPDATE users SET email_verified = 1, email_canonical = ? WHERE id = ?", "new@example.com"},
		} {
			if _, err := s.DB().Exec(c.update, c.arg, u.ID); err != nil {
				t.Fatal(err)
			}
			secret := fmt.Sprint("s", i)
			mkPendingLink(t, s, secret, "b1", "pat@example.com")
			_, err := s.ConfirmPendingLink(ctx, store.ConfirmLinkParams{LinkHash: h(secret), BrowserHash: h("b1"), UserID: u.ID, Now: at})
			wantErr(t, c.update, err, store.ErrLinkNotYours)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM identities WHERE user_id = ?", u.ID); n != 1 {
			t.Fatalf("identities = %d", n)
		}
	}},
}
