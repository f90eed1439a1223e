package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// setRotatorLoops is how many MySQL batches run at once. On the 2-core
// machine, 16 users refreshing, with the final statements: 1 loop did
// 2,346-2,386 rotations/s, 2 loops 2,706-3,339, 3 loops 2,705-3,037
// (docs/performance.md).
const setRotatorLoops = 2

// setLoop is one loop of the MySQL set rotator. It keeps a connection of
// its own in autocommit=0 mode, so that a batch needs no BEGIN: its
// locking select starts the transaction and COMMIT ends it, one round
// trip fewer per batch. Its connections come from a pool of their own
// that allows multi-statement queries (Store.multi).
type setLoop struct {
	r    *rotator
	conn *sqlx.Conn
}

// inTx runs fn in a transaction on the loop's connection. A connection
// that fails outside fn's statements, or whose rollback fails, is thrown
// away (never returned to the pool in autocommit=0 mode) and the next
// batch takes a fresh one; when the first statement of a batch finds the
// kept connection dead, the batch runs once more on a fresh one.
func (l *setLoop) inTx(ctx context.Context, fn func(tx *sqlx.Conn) error) error {
	for attempt := 0; ; attempt++ {
		fresh := l.conn == nil
		if fresh {
			c, err := l.r.s.multi.Connx(ctx)
			if err != nil {
				return fmt.Errorf("connection: %w", err)
			}
			if _, err := c.ExecContext(ctx, "SET autocommit = 0"); err != nil {
				discard(c)
				return fmt.Errorf("autocommit off: %w", err)
			}
			l.conn = c
		}
		err := fn(l.conn)
		if err == nil {
			if _, err = l.conn.ExecContext(ctx, "COMMIT"); err != nil {
				l.drop()
				return fmt.Errorf("commit: %w", err)
			}
			return nil
		}
		if _, rerr := l.conn.ExecContext(ctx, "ROLLBACK"); rerr != nil {
			l.drop()
			if !fresh && attempt == 0 && isConnLost(err) {
				continue // the kept connection had died: nothing ran
			}
		}
		return err
	}
}

// drop throws the loop's connection away.
func (l *setLoop) drop() {
	if l.conn != nil {
		discard(l.conn)
		l.conn = nil
	}
}

// discard closes c without returning it to the pool.
func discard(c *sqlx.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	_ = c.Close()
}

// isConnLost reports an error of a connection the server or network
// closed.
func isConnLost(err error) bool {
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, io.EOF)
}

// lockedToken is a presented token, locked, with its family.
type lockedToken struct {
	TokenHash    []byte     `db:"token_hash"`
	TokenSpentAt *time.Time `db:"token_spent_at"`
	Family
}

// runSet executes one batch of rotations on MySQL with set-based
// statements: one locking select for every presented token, then one
// update that spends the tokens and touches their families and one
// multi-row insert of the successors, in one transaction. Per rotation that
// is under one statement instead of five: the database's CPU, and the
// round trips each batch waits for, are what limit refresh on MySQL. The
// update and the insert travel as one multi-statement query, so a batch
// is three round trips: lock, write, commit.
//
// Only the common case goes this way: an unspent token of a live family
// whose user is enabled, presented once in the batch, one per family. A
// spent token (the grace and reuse rules), a repeat and a second token of
// the same family run one by one with rotateTx after the batch commits,
// exactly as they would without batching.
func (l *setLoop) runSet(batch []*rotateJob) {
	s := l.r.s
	ctx := context.Background() // one caller's cancellation must not abort the others
	results := make([]rotateResult, len(batch))
	var slow []int
	err := l.inTx(ctx, func(tx *sqlx.Conn) error {
		for i := range results {
			results[i] = rotateResult{}
		}
		slow = slow[:0]
		locked, err := lockTokens(ctx, tx, batch, s.forUpdate())
		if err != nil {
			return err
		}
		var fast []int
		seenToken, seenFamily := map[string]bool{}, map[string]bool{}
		for i, j := range batch {
			if err := j.ctx.Err(); err != nil {
				results[i].err = err
				continue
			}
			p := j.p
			row, ok := locked[string(p.OldHash)]
			switch {
			case !ok:
				results[i].err = ErrNotFound
				continue
			case row.RevokedAt != nil:
				results[i].err = ErrFamilyRevoked
				continue
			case !p.Now.Before(row.ExpiresAt), p.IdleTTL > 0 && !p.Now.Before(row.LastUsedAt.Add(p.IdleTTL)):
				results[i].err = ErrFamilyExpired
				continue
			case row.TokenSpentAt != nil, seenToken[string(p.OldHash)], seenFamily[row.ID]:
				slow = append(slow, i)
				continue
			}
			user, err := s.GetUser(ctx, row.UserID)
			if err != nil {
				results[i].err = fmt.Errorf("family's user: %w", err)
				continue
			}
			if user.DisabledAt != nil {
				results[i].err = ErrUserDisabled
				continue
			}
			fam := row.Family
			fam.LastUsedAt, fam.IP = p.Now, p.IP
			if p.Mint != nil {
				if err := p.Mint(fam, user); err != nil {
					results[i].err = fmt.Errorf("mint: %w", err)
					continue
				}
			}
			seenToken[string(p.OldHash)], seenFamily[row.ID] = true, true
			results[i] = rotateResult{fam: fam, user: user}
			fast = append(fast, i)
		}
		if len(fast) == 0 {
			return nil
		}
		return writeRotations(ctx, tx, batch, results, fast)
	})
	if err != nil {
		// Nothing of the transaction was kept: every rotation of the batch
		// fails with its error (a deadlock is retried by RotateRefresh).
		for i := range results {
			results[i] = rotateResult{err: err}
		}
		slow = nil
	}
	for _, i := range slow {
		j := batch[i]
		var res rotateResult
		res.err = s.inTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			res.fam, res.user, res.reused, err = s.rotateTx(j.ctx, tx, j.p)
			return err
		})
		results[i] = res
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}

// lockTokens locks the presented tokens and their families, in key order
// (InnoDB walks an IN list of primary keys sorted), and answers them by hash.
func lockTokens(ctx context.Context, tx *sqlx.Conn, batch []*rotateJob, forUpdate string) (map[string]lockedToken, error) {
	hashes := make([][]byte, 0, len(batch))
	for _, j := range batch {
		hashes = append(hashes, j.p.OldHash)
	}
	sort.Slice(hashes, func(a, b int) bool { return string(hashes[a]) < string(hashes[b]) })
	q, args, err := sqlx.In(`SELECT t.token_hash, t.spent_at AS token_spent_at,
		f.id, f.user_id, f.provider, f.user_agent, f.ip, f.created_at, f.last_used_at, f.expires_at, f.revoked_at, f.revoke_reason
		FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
		WHERE t.token_hash IN (?)`+forUpdate, hashes)
	if err != nil {
		return nil, fmt.Errorf("lock tokens: %w", err)
	}
	var rows []lockedToken
	if err := sqlx.SelectContext(ctx, tx, &rows, q, args...); err != nil {
		return nil, err
	}
	out := make(map[string]lockedToken, len(rows))
	for _, r := range rows {
		out[string(r.TokenHash)] = r
	}
	return out, nil
}

// writeRotations spends the tokens of the fast rotations, touches their
// families and inserts the successors: two statements for the batch, sent
// in one round trip.
func writeRotations(ctx context.Context, tx *sqlx.Conn, batch []*rotateJob, results []rotateResult, fast []int) error {
	var spentCase, usedCase, ipCase, values strings.Builder
	var spentArgs, hashes, usedArgs, ipArgs, insertArgs []any
	for n, i := range fast {
		p, famID := batch[i].p, results[i].fam.ID
		spentCase.WriteString(" WHEN ? THEN ?")
		spentArgs = append(spentArgs, p.OldHash, ts(p.Now))
		hashes = append(hashes, p.OldHash)
		usedCase.WriteString(" WHEN ? THEN ?")
		usedArgs = append(usedArgs, famID, ts(p.Now))
		ipCase.WriteString(" WHEN ? THEN ?")
		ipArgs = append(ipArgs, famID, p.IP)
		if n > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(?, ?, ?, ?, NULL)")
		insertArgs = append(insertArgs, p.NewHash, famID, p.OldHash, ts(p.Now))
	}
	// One statement spends the tokens and touches their families (the rows
	// are locked already); matched rows are counted (clientFoundRows), so a
	// full batch matches each token and each family once. The insert of the
	// successors goes in the same round trip; the counts of both are
	// checked before the commit.
	q := "UPDATE refresh_tokens t JOIN refresh_families f ON f.id = t.family_id SET t.spent_at = CASE t.token_hash" + spentCase.String() +
		" END, f.last_used_at = CASE f.id" + usedCase.String() + " END, f.ip = CASE f.id" + ipCase.String() +
		" END WHERE t.token_hash IN (" + placeholders(len(hashes)) + ") AND t.spent_at IS NULL" +
		"; INSERT INTO refresh_tokens (token_hash, family_id, parent_hash, created_at, spent_at) VALUES " + values.String()
	args := append(append(append(append(spentArgs, usedArgs...), ipArgs...), hashes...), insertArgs...)
	counts, err := execAll(ctx, tx, q, args)
	if err != nil {
		return fmt.Errorf("spend tokens, insert successors: %w", err)
	}
	if len(counts) != 2 || counts[0] != int64(2*len(fast)) || counts[1] != int64(len(fast)) {
		// Cannot happen under the row locks; refuse rather than fork.
		return fmt.Errorf("spend tokens, insert successors: rows %v, want [%d %d]", counts, 2*len(fast), len(fast))
	}
	return nil
}

// execAll runs a multi-statement query on c and answers the rows each
// statement affected. The server stops at the first statement that fails.
func execAll(ctx context.Context, c *sqlx.Conn, query string, args []any) ([]int64, error) {
	var counts []int64
	err := c.Raw(func(dc any) error {
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return fmt.Errorf("execAll: driver connection %T cannot exec", dc)
		}
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
			if ch, ok := dc.(driver.NamedValueChecker); ok {
				if err := ch.CheckNamedValue(&nv[i]); err != nil {
					return err
				}
			}
		}
		res, err := ex.ExecContext(ctx, query, nv)
		if err != nil {
			return err
		}
		r, ok := res.(mysql.Result)
		if !ok {
			return fmt.Errorf("execAll: driver result %T has no counts", res)
		}
		counts = r.AllRowsAffected()
		return nil
	})
	return counts, err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
