package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

// stmt is one write statement. A sign-in's writes are built as a list so
// that they can run one by one in a transaction (runStmts) or, on MySQL,
// travel together in one multi-statement query (signInKnownMySQL).
type stmt struct {
	q    string
	args []any
	// conflict: a duplicate key here means the caller's ids were taken
	// (ErrConflict), not a failure of the store.
	conflict bool
	// once, when set, is the error the statement stands for when it does
	// not match exactly one row (a single-use value already spent): the
	// transaction is rolled back and once answered.
	once error
}

// runStmts runs stmts in tx, in order.
func runStmts(ctx context.Context, tx *sqlx.Tx, stmts []stmt) error {
	for _, st := range stmts {
		n, err := rowsAffected(tx.ExecContext(ctx, st.q, st.args...))
		if err != nil {
			if st.conflict && engine.IsDuplicate(err) {
				return ErrConflict
			}
			return err
		}
		if st.once != nil && n != 1 {
			return st.once
		}
	}
	return nil
}

// familyStmts write a family (its generation and secret are those of its
// first refresh token) and the events.
func familyStmts(f Family, events []LoginEvent) []stmt {
	out := make([]stmt, 0, len(events)+1)
	for _, e := range events {
		out = append(out, stmt{q: loginEventInsert, args: loginEventArgs(e)})
	}
	// A family without a secret would have tokens anyone can compute: the
	// NOT NULL column would take an empty one, so refuse it here.
	secret := f.Secret
	if len(secret) == 0 {
		secret = nil
	}
	return append(out,
		stmt{q: "INSERT INTO refresh_families (" + rotationColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?, NULL)",
			args:     []any{f.ID, f.UserID, f.Provider, f.UserAgent, f.IP, ts(f.CreatedAt), ts(f.LastUsedAt), ts(f.ExpiresAt), f.Generation, secret},
			conflict: true})
}

// sessionStmts open ns, when given, for userID.
func sessionStmts(ns *NewSession, userID string) []stmt {
	if ns == nil {
		return nil
	}
	f := ns.Family
	f.UserID = userID
	events := make([]LoginEvent, len(ns.Events))
	for i, e := range ns.Events {
		e.UserID = &userID
		events[i] = e
	}
	return familyStmts(f, events)
}

// afterSignInStmts write what p asks to store with the sign-in: the use of
// its credential, its session, its login events and its handoff code.
func afterSignInStmts(eng engine.Engine, p SignInParams, userID string, isNew bool) []stmt {
	out := append(credentialStmts(eng, p.Credential, p.Now), sessionStmts(p.Session, userID)...)
	for _, e := range p.Events {
		e.UserID = &userID
		out = append(out, stmt{q: loginEventInsert, args: loginEventArgs(e)})
	}
	if p.Handoff != nil {
		h := *p.Handoff
		h.UserID, h.IsNew = userID, isNew
		out = append(out, stmt{q: "INSERT INTO handoff_codes (" + handoffColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
			args: []any{h.CodeHash, h.UserID, h.Provider, h.Challenge, h.IsNew, ts(h.CreatedAt), ts(h.ExpiresAt)}})
	}
	return out
}

// inTxGuarded runs guard and then stmts in one transaction, committed when
// guard matched exactly one row (matched, not changed: clientFoundRows on
// MySQL); otherwise nothing is written and it answers false, nil. Where the
// engine has multi-statement connections (MySQL) they all travel in one
// query (inOneQuery); with one writer (SQLite) they join its transaction.
func (s *Store) inTxGuarded(ctx context.Context, guard stmt, stmts []stmt) (bool, error) {
	if s.multi != nil {
		return s.inOneQuery(ctx, append([]stmt{guard}, stmts...), func(counts []int64) bool { return counts[0] == 1 })
	}
	ok := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		ok = false // the group commit may run a job again after a broken batch
		res, err := tx.ExecContext(ctx, guard.q, guard.args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		ok = true
		return runStmts(ctx, tx, stmts)
	})
	return ok, err
}

// multiSignIns bounds the multi-statement connections sign-ins use at
// once.
const multiSignIns = 16

// inOneQuery runs stmts in a transaction of their own on MySQL, sent as
// one multi-statement query, and commits when approve accepts the rows
// each statement matched; otherwise it rolls back and answers false, nil
// (nothing written, nothing wrong). Two round trips instead of one per
// statement, plus begin and commit. A duplicate key is ErrConflict when
// any statement is marked so: the server does not say which one failed.
func (s *Store) inOneQuery(ctx context.Context, stmts []stmt, approve func(counts []int64) bool) (committed bool, err error) {
	c, err := s.multi.Connx(ctx)
	if err != nil {
		return false, fmt.Errorf("connection: %w", err)
	}
	defer c.Close()
	var q strings.Builder
	q.WriteString("BEGIN")
	var args []any
	conflict := false
	for _, st := range stmts {
		q.WriteString("; ")
		q.WriteString(st.q)
		args = append(args, st.args...)
		conflict = conflict || st.conflict
	}
	rollback := func() {
		if _, rerr := c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			discard(c) // never back to the pool with a transaction open
		}
	}
	counts, err := execAll(ctx, c, q.String(), args)
	if err == nil && len(counts) != len(stmts)+1 {
		err = fmt.Errorf("%d results for %d statements", len(counts), len(stmts)+1)
	}
	if err != nil {
		rollback()
		if conflict && engine.IsDuplicate(err) {
			return false, ErrConflict
		}
		return false, err
	}
	// counts[0] is BEGIN's.
	for i, st := range stmts {
		if st.once != nil && counts[i+1] != 1 {
			rollback()
			return false, st.once
		}
	}
	if !approve(counts[1:]) {
		rollback()
		return false, nil
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		discard(c)
		return false, fmt.Errorf("commit: %w", err)
	}
	return true, nil
}
