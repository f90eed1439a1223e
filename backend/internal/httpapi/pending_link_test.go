package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// linkOffer is the state after a duplicate_email refusal in browser b:
// alice has an account (GitHub) and was refused with Discord.
type linkOffer struct {
	b    *browser
	link string
}

// refusedWithLink signs alice up with GitHub in b, then (same verified email) in b: duplicate_email with a link.
func refusedWithLink(t *testing.T, e *env) linkOffer {
	t.Helper()
	b := e.browser()
	b.signInAs("github", "alice")
	_, c := pkce(t)
	p := b.login("discord", "alice", c)
	wantError(t, p, shared.CodeDuplicateEmail)
	if len(p.Message.Link) != 43 {
		t.Fatalf("duplicate_email carries no link: %+v", p.Message)
	}
	if strings.Contains(p.Redirect, p.Message.Link) {
		t.Fatalf("the fallback URL carries the link: %s", p.Redirect)
	}
	return linkOffer{b: b, link: p.Message.Link}
}

// confirm posts the link from b as the holder of bearer.
func (o linkOffer) confirm(b *browser, bearer string) (*http.Response, []byte) {
	body, _ := json.Marshal(shared.PendingLinkRequest{Link: o.link})
	resp, out := b.post("/api/me/pending-link", string(body), bearer)
	return resp, []byte(out)
}

// providersOf answers the providers linked to the holder of bearer,
// sorted (the test clock stands still: rows made at one instant list in
// id order).
func providersOf(t *testing.T, b *browser, bearer string) []string {
	t.Helper()
	resp, body := b.do("GET", b.e.srv.URL+"/api/me/accounts", "", map[string]string{"Authorization": "Bearer " + bearer})
	expect(t, resp, []byte(body), 200, "")
	var out []string
	for _, a := range mustJSON[shared.ListResponse[shared.LinkedAccount]](t, []byte(body)).Items {
		out = append(out, a.Provider)
	}
	slices.Sort(out)
	return out
}

// wantNotLinked: Discord as alice is still refused, so it was linked to
// nobody.
func wantNotLinked(t *testing.T, e *env) {
	t.Helper()
	_, c := pkce(t)
	wantError(t, e.browser().login("discord", "alice", c), shared.CodeDuplicateEmail)
	if n := (gsi{e: e}).count("SELECT COUNT(*) FROM identities WHERE provider = 'discord'"); n != 0 {
		t.Fatalf("discord identities = %d", n)
	}
}

// TestPendingLink is "proof, then link" (#18): a duplicate_email refusal
// becomes a link only the email's owner can confirm, once, from the same
// browser, within ten minutes.
func TestPendingLink(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"the owner confirms from the same browser: linked once, audited, and Discord signs in to her", func(t *testing.T, e *env) {
			o := refusedWithLink(t, e)
			me := o.b.signInAs("github", "alice")
			resp, body := o.b.do("GET", e.srv.URL+"/api/me/pending-link", "", map[string]string{"Authorization": "Bearer " + me.AccessToken})
			expect(t, resp, []byte(body), 200, "")
			if p := mustJSON[shared.PendingLinkResponse](t, []byte(body)); p.Provider != "discord" || p.ProviderName != "Discord (dev)" || p.Email != "alice@example.com" {
				t.Fatalf("pending = %s", body)
			}
			resp, out := o.confirm(o.b, me.AccessToken)
			expect(t, resp, out, 200, "")
			if a := mustJSON[shared.LinkedAccount](t, out); a.Provider != "discord" || !a.EmailVerified {
				t.Fatalf("linked = %s", out)
			}
			if got := providersOf(t, o.b, me.AccessToken); strings.Join(got, ",") != "discord,github" {
				t.Fatalf("accounts = %v", got)
			}
			if n := (gsi{e: e}).count("SELECT COUNT(*) FROM audit_events WHERE actor = ? AND action = 'identity.link'", me.User.ID); n != 1 {
				t.Fatalf("audit rows = %d", n)
			}
			resp, out = o.confirm(o.b, me.AccessToken)
			expect(t, resp, out, 410, shared.CodeLinkExpired)
			resp, body = o.b.do("GET", e.srv.URL+"/api/me/pending-link", "", map[string]string{"Authorization": "Bearer " + me.AccessToken})
			expect(t, resp, []byte(body), 404, shared.CodeNotFound)
			if again := e.browser().signInAs("discord", "alice"); again.User.ID != me.User.ID || again.IsNew {
				t.Fatalf("Discord signs in as %s, want %s", again.User.ID, me.User.ID)
			}
		}},
		{"another user in the same browser: link_not_yours, spent, nothing linked", func(t *testing.T, e *env) {
			o := refusedWithLink(t, e)
			dave := o.b.signInAs("dev", "dave")
			resp, out := o.confirm(o.b, dave.AccessToken)
			expect(t, resp, out, 403, shared.CodeLinkNotYours)
			if got := providersOf(t, o.b, dave.AccessToken); strings.Join(got, ",") != "dev" {
				t.Fatalf("dave's accounts = %v", got)
			}
			me := o.b.signInAs("github", "alice")
			resp, out = o.confirm(o.b, me.AccessToken)
			expect(t, resp, out, 410, shared.CodeLinkExpired)
			wantNotLinked(t, e)
		}},
		{"the owner in another browser: link_expired, and the link stays for the right browser", func(t *testing.T, e *env) {
			o := refusedWithLink(t, e)
			other := e.browser()
			me := other.signInAs("github", "alice")
			resp, out := o.confirm(other, me.AccessToken)
			expect(t, resp, out, 410, shared.CodeLinkExpired)
			wantNotLinked(t, e)
			resp, out = o.confirm(o.b, o.b.signInAs("github", "alice").AccessToken)
			expect(t, resp, out, 200, "")
		}},
		{"replayed after linking: link_expired", func(t *testing.T, e *env) {
			o := refusedWithLink(t, e)
			me := o.b.signInAs("github", "alice")
			resp, out := o.confirm(o.b, me.AccessToken)
			expect(t, resp, out, 200, "")
			resp, out = o.confirm(o.b, me.AccessToken)
			expect(t, resp, out, 410, shared.CodeLinkExpired)
			if n := (gsi{e: e}).count("SELECT COUNT(*) FROM identities WHERE provider = 'discord'"); n != 1 {
				t.Fatalf("discord identities = %d", n)
			}
		}},
		{"expired after ten minutes: link_expired, nothing linked", func(t *testing.T, e *env) {
			o := refusedWithLink(t, e)
			e.clock.Advance(10*time.Minute + time.Second)
			me := o.b.signInAs("github", "alice")
			resp, out := o.confirm(o.b, me.AccessToken)
			expect(t, resp, out, 410, shared.CodeLinkExpired)
			wantNotLinked(t, e)
		}},
		{"the account's email unverified or changed since: link_not_yours", func(t *testing.T, e *env) {
			for _, update := range []string{
				"UPDATE users SET email_verified = FALSE",
				"UPDATE users SET email_canonical = 'alice2@example.com'",
			} {
				o := refusedWithLink(t, e)
				me := o.b.signInAs("github", "alice")
				if _, err := e.store.DB().Exec(update+" WHERE id = ?", me.User.ID); err != nil {
					t.Fatal(err)
				}
				resp, out := o.confirm(o.b, me.AccessToken)
				expect(t, resp, out, 403, shared.CodeLinkNotYours)
				if _, err := e.store.DB().Exec("UPDATE users SET email_verified = TRUE, email_canonical = 'alice@example.com' WHERE id = ?", me.User.ID); err != nil {
					t.Fatal(err)
				}
			}
			wantNotLinked(t, e)
		}},
		{"no confirmation: signing in links nothing, and Not now discards", func(t *testing.T, e *env) {
			o := refusedWithLink(t, e)
			me := o.b.signInAs("github", "alice")
			if got := providersOf(t, o.b, me.AccessToken); strings.Join(got, ",") != "github" {
				t.Fatalf("accounts = %v", got)
			}
			wantNotLinked(t, e)
			resp, body := o.b.do("DELETE", e.srv.URL+"/api/me/pending-link", "", map[string]string{"Authorization": "Bearer " + me.AccessToken, "Origin": e.cfg.FrontendOrigin})
			expect(t, resp, []byte(body), 204, "")
			resp, out := o.confirm(o.b, me.AccessToken)
			expect(t, resp, out, 410, shared.CodeLinkExpired)
		}},
		{"a foreign origin, a malformed link, no bearer: refused, the link unspent", func(t *testing.T, e *env) {
			o := refusedWithLink(t, e)
			me := o.b.signInAs("github", "alice")
			body, _ := json.Marshal(shared.PendingLinkRequest{Link: o.link})
			resp, out := o.b.do("POST", e.srv.URL+"/api/me/pending-link", string(body), map[string]string{
				"Content-Type": "application/json", "Origin": "https://evil.example", "Authorization": "Bearer " + me.AccessToken})
			expect(t, resp, []byte(out), 403, shared.CodeOriginNotAllowed)
			resp, out = o.b.post("/api/me/pending-link", `{"link":"short"}`, me.AccessToken)
			expect(t, resp, []byte(out), 400, shared.CodeInvalidRequest)
			resp, outb := o.confirm(o.b, "")
			expect(t, resp, outb, 401, "")
			resp, outb = o.confirm(o.b, me.AccessToken)
			expect(t, resp, outb, 200, "")
		}},
		{"a redirect-mode refusal offers no link: nothing is kept", func(t *testing.T, e *env) {
			b := e.browser()
			b.signInAs("github", "alice")
			_, c := pkce(t)
			resp, _ := b.get(b.authorize(b.start("discord", "handoff=redirect&challenge="+c), "alice"))
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "error=duplicate_email") || strings.Contains(loc, "link") {
				t.Fatalf("redirect = %d %s", resp.StatusCode, loc)
			}
			if n := (gsi{e: e}).count("SELECT COUNT(*) FROM pending_links"); n != 0 {
				t.Fatalf("pending links = %d", n)
			}
		}},
	}
	forEngine(t, func(t *testing.T, engine string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.run(t, newEnv(t, engine, nil)) })
		}
	})
}
