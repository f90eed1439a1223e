package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/backend/internal/token"
	"github.com/authbridge/authbridge/shared"
)

// The growth run (make bench): many rotations of a few refresh families,
// to show a family stays one row and a rotation costs the same after a
// million of them as on a fresh database (the two compared in turn,
// window by window, since the machine's speed drifts). It measures and prints; only
// the row counts, which do not depend on the machine, are checked. Off
// unless AUTHBRIDGE_GROWTH is set, since it takes minutes.
const (
	envGrowth          = "AUTHBRIDGE_GROWTH"            // "1": run it
	envGrowthRotations = "GROWTH_ROTATIONS"             // rotations in all, per engine; default 1,000,000
	envGrowthMySQL     = "GROWTH_MYSQL_ROTATIONS"       // the MySQL run's count; default GROWTH_ROTATIONS
	envGrowthSessions  = "GROWTH_SESSIONS"              // families rotated side by side; default 16
	envGrowthSegments  = "GROWTH_SEGMENTS"              // timed windows; the first and last are compared; default 20
	envGrowthRounds    = "GROWTH_ROUNDS"                // windows of each database in the comparison; default 5
	envGrowthEngines   = "GROWTH_ENGINES"               // comma-separated; default storetest.Engines
	growthUA           = "Mozilla/5.0 (growth run) 1.0" // a browser-sized user agent in each family row
)

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

func TestRefreshGrowth(t *testing.T) {
	if os.Getenv(envGrowth) == "" {
		t.Skipf("%s is not set: the growth run takes minutes (make bench runs it)", envGrowth)
	}
	total := envInt(t, envGrowthRotations, 1_000_000)
	engines := storetest.Engines(t)
	if e := os.Getenv(envGrowthEngines); e != "" {
		engines = strings.Split(e, ",")
	}
	for _, engine := range engines {
		n := total
		if engine == store.MySQL {
			n = envInt(t, envGrowthMySQL, total)
		}
		t.Run(engine, func(t *testing.T) {
			growth(t, engine, n, envInt(t, envGrowthSessions, 16), envInt(t, envGrowthSegments, 20), envInt(t, envGrowthRounds, 5))
		})
	}
}

// session is one client refreshing again and again: its plain refresh
// token, as auth.Service.Refresh gets and answers it.
type session struct{ plain string }

// growthDB is a database with one user and its sessions, and the keys
// that sign and MAC their tokens.
type growthDB struct {
	s      *store.Store
	tokens *token.Manager
	rk     *token.RefreshKey
	sess   []session
}

func openGrowth(t *testing.T, engine string, sessions int) *growthDB {
	ctx := context.Background()
	g := &growthDB{s: storetest.New(t, engine), sess: make([]session, sessions)}
	var err error
	if g.tokens, err = token.New(ctx, g.s, token.Options{Issuer: "https://auth.example.com", Audience: "growth"}); err != nil {
		t.Fatal(err)
	}
	if g.rk, err = token.NewRefreshKey("growth-run secret key, 32+ bytes long"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	u := store.User{ID: store.NewID(), Name: "Ada Lovelace", Email: "ada@example.com", EmailVerified: true,
		EmailCanonical: strptr("ada@example.com"), CreatedAt: now, UpdatedAt: now}
	if err := g.s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for i := range g.sess {
		secret, err := token.NewRefreshSecret()
		if err != nil {
			t.Fatal(err)
		}
		f := store.Family{ID: store.NewID(), UserID: u.ID, Provider: "google", UserAgent: growthUA, IP: "192.0.2.9",
			CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(life), Generation: 1, Secret: secret}
		ev := store.LoginEvent{ID: store.NewID(), UserID: &u.ID, Provider: "google", Outcome: shared.OutcomeSuccess,
			IP: f.IP, UserAgent: growthUA, CreatedAt: now}
		if err := g.s.CreateFamily(ctx, f, ev); err != nil {
			t.Fatal(err)
		}
		if g.sess[i].plain, err = g.rk.Format(f.ID, 1, secret); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// window rotates every session per times, side by side, as clients on
// many connections do, and answers the rate.
func (g *growthDB) window(t *testing.T, per int) float64 {
	ctx := context.Background()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(g.sess))
	for i := range g.sess {
		wg.Add(1)
		go func(c *session) {
			defer wg.Done()
			for range per {
				if err := refreshOnce(ctx, g.s, g.tokens, g.rk, c); err != nil {
					errs <- err
					return
				}
			}
		}(&g.sess[i])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return float64(per*len(g.sess)) / time.Since(start).Seconds()
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func rates(xs []float64) string {
	var out []string
	for _, r := range xs {
		out = append(out, fmt.Sprintf("%.0f", r))
	}
	return strings.Join(out, " ")
}

// growth rotates a fresh database's sessions total times in segments
// windows, then compares its rate with a second fresh database's, window
// by window in turn (rounds of each), so the machine's drift (it is
// shared) falls on both alike.
func growth(t *testing.T, engine string, total, sessions, segments, rounds int) {
	per := total / (sessions * segments)
	if per == 0 {
		t.Fatalf("%d rotations cannot fill %d windows of %d sessions", total, segments, sessions)
	}
	old := openGrowth(t, engine, sessions)
	before := measure(t, old.s, engine)
	trend := make([]float64, segments)
	start := time.Now()
	for w := range trend {
		trend[w] = old.window(t, per)
	}
	elapsed := time.Since(start)
	done := per * sessions * segments
	after := measure(t, old.s, engine)

	fresh := openGrowth(t, engine, sessions)
	var rateOld, rateFresh []float64
	for range rounds {
		rateFresh = append(rateFresh, fresh.window(t, per))
		rateOld = append(rateOld, old.window(t, per))
	}
	// Each round's two windows ran back to back, on the same machine
	// weather: the median of their ratios.
	var paired []float64
	for i := range rateOld {
		paired = append(paired, rateOld[i]/rateFresh[i])
	}
	ratio := median(paired)
	within := "yes"
	if ratio < 0.9 {
		within = "no"
	}
	fmt.Printf("growth %s: %d rotations of %d sessions in %s (%d windows of %d)\n",
		engine, done, sessions, elapsed.Round(time.Second), segments, per*sessions)
	fmt.Printf("growth %s: window rates/s while growing: %s\n", engine, rates(trend))
	fmt.Printf("growth %s: in turn, fresh database: %s; after %d: %s\n", engine, rates(rateFresh), done, rates(rateOld))
	fmt.Printf("growth %s: rate fresh %.0f/s, rate after %d %.0f/s (medians), ratio %.2f (median of the rounds' ratios; within 10%%: %s); first window %.0f/s, last %.0f/s\n",
		engine, median(rateFresh), done, median(rateOld), ratio, within, trend[0], trend[segments-1])
	for _, m := range []struct {
		when string
		st   growthStats
	}{{"before", before}, {"after", after}} {
		fmt.Printf("growth %s: %-6s per session: %s; %s\n", engine, m.when, m.st.perSession(sessions), m.st.bytes)
	}
	// Rows do not depend on the machine: a rotation adds none.
	for table, n := range before.rows {
		if after.rows[table] != n {
			t.Errorf("%s: %d rows before, %d after %d rotations; want the same", table, n, after.rows[table], done)
		}
	}
}

// refreshOnce is auth.Service.Refresh's path through the store: parse the
// token, let RotateRefresh verify its MAC and sign an access token, then
// format the next refresh token.
func refreshOnce(ctx context.Context, s *store.Store, tokens *token.Manager, rk *token.RefreshKey, c *session) error {
	rt, err := token.ParseRefresh(c.plain)
	if err != nil {
		return err
	}
	rot, err := s.RotateRefresh(ctx, store.RotateParams{
		FamilyID:   rt.FamilyID,
		Generation: rt.Generation,
		Verify:     func(secret []byte) bool { return rk.Verify(rt, secret) },
		Now:        time.Now(),
		IdleTTL:    idle,
		Grace:      grace,
		IP:         "192.0.2.10",
		Sign: func(f store.Family, u store.User) error {
			_, _, err := tokens.Sign(ctx, shared.AccessClaims{Subject: u.ID, SessionID: f.ID, Name: u.Name, Email: u.Email})
			return err
		},
	})
	if err != nil {
		return fmt.Errorf("rotate %s/%d: %w", rt.FamilyID, rt.Generation, err)
	}
	if !rot.Rotated {
		return fmt.Errorf("rotate %s/%d: answered generation %d without rotating", rt.FamilyID, rt.Generation, rot.Generation)
	}
	c.plain, err = rk.Format(rot.Family.ID, rot.Generation, rot.Family.Secret)
	return err
}

// growthStats: the rows of the session tables, and what the database
// takes on disk, as each engine reports it.
type growthStats struct {
	rows  map[string]int64
	bytes string
}

var growthTables = []string{"refresh_families", "login_events", "users", "signing_keys"}

func (g growthStats) perSession(sessions int) string {
	var out []string
	for _, table := range growthTables {
		out = append(out, fmt.Sprintf("%s %.2f", table, float64(g.rows[table])/float64(sessions)))
	}
	return "rows " + strings.Join(out, ", ")
}

func measure(t *testing.T, s *store.Store, engine string) growthStats {
	t.Helper()
	db := s.DB()
	g := growthStats{rows: map[string]int64{}}
	for _, table := range growthTables {
		var n int64
		if err := db.Get(&n, "SELECT COUNT(*) FROM "+table); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		g.rows[table] = n
	}
	switch engine {
	case store.SQLite:
		var pages, size, free int64
		for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA page_size": &size, "PRAGMA freelist_count": &free} {
			if err := db.Get(v, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		path := strings.TrimPrefix(storetest.URL(t, s), "sqlite:")
		g.bytes = fmt.Sprintf("SQLite %d pages of %d B (%d free) = %d B, file %d B, log %d B",
			pages, size, free, pages*size, fileSize(path), fileSize(path+"-wal"))
	case store.MySQL:
		// InnoDB's statistics are estimates refreshed by ANALYZE TABLE.
		for _, table := range growthTables {
			if _, err := db.Exec("ANALYZE TABLE " + table); err != nil {
				t.Fatalf("analyze %s: %v", table, err)
			}
		}
		var fam, all struct{ Data, Index int64 }
		q := "SELECT COALESCE(SUM(data_length), 0) AS data, COALESCE(SUM(index_length), 0) AS `index` FROM information_schema.tables WHERE table_schema = DATABASE()"
		if err := db.Get(&all, q); err != nil {
			t.Fatalf("table sizes: %v", err)
		}
		if err := db.Get(&fam, q+" AND table_name = 'refresh_families'"); err != nil {
			t.Fatalf("table sizes: %v", err)
		}
		g.bytes = fmt.Sprintf("MariaDB data_length+index_length: refresh_families %d+%d B, all tables %d+%d B",
			fam.Data, fam.Index, all.Data, all.Index)
	}
	return g
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
