package auth_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

const grace = 10 * time.Second

// clock is a test clock the service reads.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

type fixture struct {
	st    *store.Store
	tm    *token.Manager
	svc   *auth.Service
	clk   *clock
	log   *bytes.Buffer
	ada   store.User
	first auth.TokenPair
	fam   store.Family
}

func newFixture(t *testing.T, engine, secretKey string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: storetest.New(t, engine), clk: &clock{time.Now().UTC()}, log: new(bytes.Buffer)}
	var err error
	f.tm, err = token.New(ctx, f.st, token.Options{Issuer: "https://auth.example", Audience: "authbridge", Now: f.clk.now})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = f.service(t, secretKey)
	f.ada = store.User{ID: store.NewID(), Name: "ada", Email: "ada@example.com", CreatedAt: f.clk.t, UpdatedAt: f.clk.t}
	storetest.CreateUser(t, f.st, f.ada)
	f.fam, f.first = openSession(t, f.st, f.tm, secretKey, f.ada, f.clk.t)
	return f
}

// openSession stores a session of u as a sign-in with Google would open
// it, and answers its first token pair.
func openSession(t *testing.T, st *store.Store, tm *token.Manager, secretKey string, u store.User, now time.Time) (store.Family, auth.TokenPair) {
	t.Helper()
	secret, err := token.NewRefreshSecret()
	if err != nil {
		t.Fatal(err)
	}
	fam := store.Family{ID: store.NewID(), UserID: u.ID, Provider: "google", UserAgent: "first-browser", IP: "192.0.2.1",
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(time.Hour), Generation: 1, Secret: secret}
	storetest.CreateFamily(t, st, fam)
	key, err := token.NewRefreshKey(secretKey)
	if err != nil {
		t.Fatal(err)
	}
	refresh, err := key.Format(fam.ID, fam.Generation, fam.Secret)
	if err != nil {
		t.Fatal(err)
	}
	access, _, err := tm.Sign(context.Background(), shared.AccessClaims{Subject: u.ID, SessionID: fam.ID, Name: u.Name, Email: u.Email})
	if err != nil {
		t.Fatal(err)
	}
	return fam, auth.TokenPair{AccessToken: access, RefreshToken: refresh}
}

func (f *fixture) service(t *testing.T, secretKey string) *auth.Service {
	t.Helper()
	svc, err := auth.New(f.st, f.tm, nil, nil, auth.Options{RefreshTTL: time.Hour, IdleTTL: time.Hour, Grace: grace, SecretKey: secretKey,
		Now: f.clk.now, Logger: slog.New(slog.NewTextHandler(f.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (f *fixture) refresh(t *testing.T, tok string, wantCode shared.ErrorCode) auth.Refreshed {
	t.Helper()
	r, err := f.svc.Refresh(context.Background(), tok, auth.Meta{IP: "198.51.100.7", UserAgent: strings.Repeat("u", 600)})
	if apperr.CodeOf(err) != wantCode && !(wantCode == "" && err == nil) {
		t.Fatalf("refresh: %v, want %q", err, wantCode)
	}
	return r
}

func (f *fixture) family(t *testing.T) store.Family {
	t.Helper()
	return storetest.Family(t, f.st, f.fam.ID)
}

// TestRefreshOneLiveChain: the token names its family and generation; a
// replay of the one just replaced, inside the grace window, is answered
// with the very token the rotation handed out (no second chain); after the
// grace it is reuse; the access token names the right user and session.
func TestRefreshOneLiveChain(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			f := newFixture(t, engine, strings.Repeat("k", 32))
			if rt, err := token.ParseRefresh(f.first.RefreshToken); err != nil || rt.FamilyID != f.fam.ID || rt.Generation != 1 {
				t.Fatalf("first token parses to %+v, %v", rt, err)
			}
			r1 := f.refresh(t, f.first.RefreshToken, "")
			c, err := f.tm.Verify(context.Background(), r1.Pair.AccessToken)
			if err != nil || c.Subject != f.ada.ID || c.SessionID != f.fam.ID || c.Email != "ada@example.com" {
				t.Fatalf("access token claims = %+v, %v", c, err)
			}
			f.clk.advance(grace - time.Second)
			replay := f.refresh(t, f.first.RefreshToken, "")
			if replay.Pair.RefreshToken != r1.Pair.RefreshToken {
				t.Fatal("a replay inside the grace window got a token of its own: a second chain")
			}
			if replay.Pair.AccessToken == "" || replay.Session.ID != f.fam.ID {
				t.Fatalf("replay = %+v", replay)
			}
			if got := f.family(t); got.Generation != 2 || got.RevokedAt != nil {
				t.Fatalf("family after the replay = %+v", got)
			}
			r2 := f.refresh(t, r1.Pair.RefreshToken, "")
			f.clk.advance(grace)
			f.refresh(t, r1.Pair.RefreshToken, shared.CodeTokenReused)
			f.refresh(t, r2.Pair.RefreshToken, shared.CodeInvalidToken) // the session has ended
		})
	}
}

// TestReuseLeavesATrail: a reuse writes a login event the user can see
// (outcome token_reused, provider, IP, truncated user agent) and a WARN
// line naming the session and user but no token.
func TestReuseLeavesATrail(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, engine, "")
			r1 := f.refresh(t, f.first.RefreshToken, "")
			f.clk.advance(grace)
			f.refresh(t, f.first.RefreshToken, shared.CodeTokenReused)
			evs, err := f.st.ListLoginEvents(ctx, f.ada.ID, 10)
			if err != nil || len(evs) != 1 {
				t.Fatalf("login events = %+v, %v", evs, err)
			}
			e := evs[0]
			if e.Outcome != shared.OutcomeTokenReused || e.ErrorCode != string(shared.CodeTokenReused) || e.Provider != "google" ||
				e.IP != "198.51.100.7" || e.UserAgent != strings.Repeat("u", 512) || !e.CreatedAt.Equal(f.clk.t.Truncate(time.Microsecond)) {
				t.Fatalf("reuse event = %+v", e)
			}
			line := f.log.String()
			if !strings.Contains(line, "level=WARN") || !strings.Contains(line, "family="+f.fam.ID) || !strings.Contains(line, "user="+f.ada.ID) {
				t.Fatalf("log = %q, want a WARN line with the family and user", line)
			}
			for _, secret := range []string{f.first.RefreshToken, r1.Pair.RefreshToken, r1.Pair.AccessToken, f.first.RefreshToken[20:50]} {
				if strings.Contains(line, secret) {
					t.Fatalf("the log holds token material: %q", line)
				}
			}
			if got := f.family(t); got.RevokedAt == nil || got.RevokeReason != store.RevokeReuse {
				t.Fatalf("family after reuse = %+v", got)
			}
		})
	}
}

// TestForgedRefreshChangesNothing: a token whose MAC does not verify is
// invalid_token and neither rotates nor revokes: a forger who knows a
// family id (it is in every access token) cannot end the session. With
// AUTHBRIDGE_SECRET_KEY set, the family's secret alone (a copy of the
// database) does not make a valid token either.
func TestForgedRefreshChangesNothing(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			f := newFixture(t, engine, strings.Repeat("k", 32))
			f.refresh(t, f.first.RefreshToken, "") // generation 2 now; generation 1 is the predecessor
			f.clk.advance(time.Hour / 2)
			secret := f.family(t).Secret
			fromCopy, err := token.NewRefreshKey("") // what a copy of the database alone gives
			if err != nil {
				t.Fatal(err)
			}
			var forged []string
			for _, gen := range []uint64{0, 1, 2, 3} {
				s, err := fromCopy.Format(f.fam.ID, gen, secret)
				if err != nil {
					t.Fatal(err)
				}
				forged = append(forged, s)
			}
			b := []byte(f.first.RefreshToken)
			if b[len(b)-1] == 'A' { // another character of the alphabet: the MAC's last bits change
				b[len(b)-1] = 'B'
			} else {
				b[len(b)-1] = 'A'
			}
			forged = append(forged, string(b), f.first.RefreshToken[:75], strings.Repeat("A", 43))
			for _, s := range forged {
				f.refresh(t, s, shared.CodeInvalidToken)
			}
			other := f.service(t, strings.Repeat("j", 32)) // another server key
			if _, err := other.Refresh(context.Background(), f.first.RefreshToken, auth.Meta{}); apperr.CodeOf(err) != shared.CodeInvalidToken {
				t.Fatalf("a token under another server key: %v", err)
			}
			if got := f.family(t); got.Generation != 2 || got.RevokedAt != nil {
				t.Fatalf("family after forgeries = %+v; want generation 2, live", got)
			}
			if evs, _ := f.st.ListLoginEvents(context.Background(), f.ada.ID, 10); len(evs) != 0 {
				t.Fatalf("forgeries wrote login events: %+v", evs)
			}
		})
	}
}

// TestRefreshOfDisabledUser: a disabled user gets no tokens, and the
// attempt changes nothing.
func TestRefreshOfDisabledUser(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			f := newFixture(t, engine, "")
			now := f.clk.t
			if err := f.st.SetUserDisabled(context.Background(), f.ada.ID, &now); err != nil {
				t.Fatal(err)
			}
			f.refresh(t, f.first.RefreshToken, shared.CodeAccountDisabled)
			if got := f.family(t); got.Generation != 1 || got.RevokedAt != nil {
				t.Fatalf("family = %+v", got)
			}
		})
	}
}
