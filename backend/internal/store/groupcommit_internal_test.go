package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// TestGroupCommitBatch runs batches of SQLite write jobs by hand and checks
// each job's answer and what was committed: a failing job leaves the
// others alone, a job whose caller is gone does nothing, and when the
// transaction breaks under one job the others run again in a new one.
func TestGroupCommitBatch(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	errOwn := errors.New("own failure")
	insert := func(id string) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			now := time.Now()
			return insertUser(ctx, tx, User{ID: id, Name: id, CreatedAt: now, UpdatedAt: now})
		}
	}
	failAfterInsert := func(id string) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			if err := insert(id)(tx); err != nil {
				return err
			}
			return errOwn
		}
	}
	// breakTx ends the batch's transaction under it, as SQLite does when a
	// statement is interrupted; it breaks only on its first run.
	breakTx := func() func(tx *sqlx.Tx) error {
		runs := 0
		return func(tx *sqlx.Tx) error {
			runs++
			if runs == 1 {
				_, err := tx.ExecContext(ctx, "ROLLBACK")
				return err
			}
			return nil
		}
	}
	type job struct {
		ctx     context.Context
		fn      func(tx *sqlx.Tx) error
		id      string // user the job inserts, if any
		wantErr bool
		kept    bool // its user is in the database afterwards
	}
	tests := []struct {
		name string
		jobs []job
	}{
		{"all commit", []job{{ctx, insert("a"), "a", false, true}, {ctx, insert("b"), "b", false, true}}},
		{"a failing job is rolled back alone", []job{
			{ctx, insert("a"), "a", false, true}, {ctx, failAfterInsert("b"), "b", true, false}, {ctx, insert("c"), "c", false, true}}},
		{"a duplicate fails alone", []job{
			{ctx, insert("a"), "a", false, true}, {ctx, insert("a"), "", true, false}, {ctx, insert("c"), "c", false, true}}},
		{"a gone caller does nothing", []job{
			{cancelled, insert("a"), "a", true, false}, {ctx, insert("b"), "b", false, true}}},
		{"a broken transaction: the others run again", []job{
			{ctx, insert("a"), "a", false, true}, {ctx, breakTx(), "", true, false}, {ctx, insert("c"), "c", false, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSQLite(t)
			batch := make([]*groupJob, len(tt.jobs))
			for i, j := range tt.jobs {
				batch[i] = &groupJob{ctx: j.ctx, fn: j.fn, done: make(chan groupResult, 1)}
			}
			s.rot.run(batch)
			for i, j := range tt.jobs {
				var res groupResult
				select {
				case res = <-batch[i].done:
				default:
					t.Fatalf("job %d was not answered", i)
				}
				if (res.err != nil) != j.wantErr {
					t.Errorf("job %d answered %v, want error %v", i, res.err, j.wantErr)
				}
				if j.id == "" {
					continue
				}
				_, err := s.GetUser(ctx, j.id)
				if kept := err == nil; kept != j.kept {
					t.Errorf("job %d: user %q kept %v, want %v (%v)", i, j.id, kept, j.kept, err)
				}
			}
		})
	}
}

// TestInTxJoinsGroupCommit: on SQLite concurrent transactions through
// inTx all commit, each exactly once.
func TestInTxJoinsGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := newTestSQLite(t)
	const n = 64
	errs := make(chan error, n)
	for i := range n {
		go func() {
			u := User{ID: NewID(), Name: string(rune('a' + i%26)), CreatedAt: time.Now(), UpdatedAt: time.Now()}
			errs <- s.inTx(ctx, func(tx *sqlx.Tx) error { return insertUser(ctx, tx, u) })
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var count int
	if err := s.rdb.GetContext(ctx, &count, "SELECT COUNT(*) FROM users"); err != nil || count != n {
		t.Fatalf("%d users after %d transactions (%v)", count, n, err)
	}
}

// newTestSQLite opens a store on a fresh embedded database, closed at the
// end of the test.
func newTestSQLite(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), "", Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testFlow is a popup login flow for state, valid for a minute from now.
func testFlow(state string, now time.Time) Flow {
	return Flow{StateHash: []byte(state), Provider: "p", Process: "login", Handoff: "popup", BrowserHash: []byte("b"),
		CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
}

// TestSQLiteStatementsJoinGroupCommit: on SQLite a single write statement
// (a flow, a nonce, their spending, a revocation) goes through the group
// commit rather than committing on its own.
func TestSQLiteStatementsJoinGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := newTestSQLite(t)
	now := time.Now()
	_, before := s.GroupCommits()
	steps := []struct {
		name string
		run  func() error
	}{
		{"create flow", func() error { return s.CreateFlow(ctx, testFlow("state", now)) }},
		{"spend flow", func() error { _, err := s.SpendFlow(ctx, []byte("state"), now); return err }},
		{"create nonce", func() error { return s.CreateNonce(ctx, []byte("nonce"), now, now.Add(time.Minute)) }},
		{"spend nonce", func() error { return s.SpendNonce(ctx, []byte("nonce"), now) }},
		{"revoke families", func() error { _, err := s.RevokeUserFamilies(ctx, "nobody", "test", now); return err }},
	}
	for i, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if _, jobs := s.GroupCommits(); jobs != before+int64(i+1) {
			t.Fatalf("after %s: %d group commit jobs, want %d", st.name, jobs-before, i+1)
		}
	}
}

// TestSQLiteExecFinishesWhenItsCallerLeaves: a caller that gives up while
// its statement runs does not interrupt it (that would roll back the batch
// it shares with others); the statement completes and is committed.
func TestSQLiteExecFinishesWhenItsCallerLeaves(t *testing.T) {
	ctx := context.Background()
	s := newTestSQLite(t)
	now := time.Now()
	if err := s.CreateFlow(ctx, testFlow("slow", now)); err != nil {
		t.Fatal(err)
	}
	leaving, cancel := context.WithCancel(ctx)
	defer cancel()
	started := time.Now()
	time.AfterFunc(20*time.Millisecond, cancel)
	// The count makes the statement run far longer than the caller stays.
	n, err := s.exec(leaving, `DELETE FROM auth_flows WHERE state_hash = ? AND
		(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT COUNT(*) FROM c) > 0`, []byte("slow"))
	if took := time.Since(started); took < 20*time.Millisecond {
		t.Fatalf("the statement took %v, less than the caller stayed: the test shows nothing", took)
	}
	if err != nil || n != 1 {
		t.Fatalf("exec = %d, %v; want the statement to finish", n, err)
	}
	var left int
	if err := s.rdb.GetContext(ctx, &left, "SELECT COUNT(*) FROM auth_flows"); err != nil || left != 0 {
		t.Fatalf("flows left: %d, %v", left, err)
	}
}

// TestSQLiteWriterKeepsSavepointsInMemory: the writer's savepoint
// sub-journals (one per group-commit job) never go to a temporary file.
func TestSQLiteWriterKeepsSavepointsInMemory(t *testing.T) {
	ctx := context.Background()
	s := newTestSQLite(t)
	var mode int
	if err := s.db.GetContext(ctx, &mode, "PRAGMA temp_store"); err != nil || mode != 2 {
		t.Fatalf("writer's temp_store = %d, %v; want 2 (MEMORY)", mode, err)
	}
}
