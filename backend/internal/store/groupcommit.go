package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// groupBatch bounds how many jobs (transactions, statements) share one
// batch.
const groupBatch = 32

// groupCommit is SQLite's group commit. With one connection writing, every
// write transaction queues here (through inTx and exec: refresh rotations,
// sign-ins, flows, handoff codes, everything else): one goroutine runs
// whatever has queued in a single transaction, each job inside a savepoint
// of its own, then commits once. A job that fails rolls back to its
// savepoint and leaves the others alone. No
// caller gets an answer before the commit that holds its work.
//
// Why: under load the single writer spent more time waiting to be scheduled
// and committing (write-ahead log frames, locks) than writing; one
// transaction per batch pays for that once, pages that several jobs touch
// (an index's last leaf, a table's tail) go to the log once, and the batch
// runs without handing the connection back and forth.
type groupCommit struct {
	s         *Store
	jobs      chan *groupJob
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	// batches and ran count the batches the loops ran and the jobs they
	// held (GroupCommits).
	batches, ran atomic.Int64
}

// groupJob is one transaction of a batch; fn's error is its outcome.
type groupJob struct {
	ctx  context.Context
	fn   func(tx *sqlx.Tx) error
	done chan groupResult
}

type groupResult struct {
	err error
}

func newGroupCommit(s *Store) *groupCommit {
	r := &groupCommit{s: s, jobs: make(chan *groupJob, 4*groupBatch), stop: make(chan struct{}), done: make(chan struct{})}
	go func() { defer close(r.done); r.loop(r.run) }()
	return r
}

// do runs fn as one job of a batch (SQLite's inTx) and answers its error
// once the batch's commit is done. fn may run more than once (after a
// batch broke under it), as any transaction that is retried.
func (r *groupCommit) do(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return r.submit(&groupJob{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}).err
}

// submit queues j and waits for its outcome.
func (r *groupCommit) submit(j *groupJob) groupResult {
	ctx := j.ctx
	select {
	case <-r.stop:
		return groupResult{err: errClosed}
	default:
	}
	select {
	case r.jobs <- j:
	case <-ctx.Done():
		return groupResult{err: ctx.Err()}
	case <-r.stop:
		return groupResult{err: errClosed}
	}
	select {
	case res := <-j.done:
		return res
	case <-r.done:
		// Closed while queued: the loop answered the queue before it
		// ended, unless this job slipped in after its last look.
		select {
		case res := <-j.done:
			return res
		default:
			return groupResult{err: errClosed}
		}
	}
}

// errClosed answers the jobs of a closed store.
var errClosed = fmt.Errorf("write: %w (the store is closed)", ErrUnavailable)

func (r *groupCommit) loop(runBatch func([]*groupJob)) {
	for {
		var first *groupJob
		select {
		case first = <-r.jobs:
		case <-r.stop:
			r.drain(errClosed)
			return
		}
		batch := []*groupJob{first}
	fill:
		for len(batch) < groupBatch {
			select {
			case j := <-r.jobs:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		r.batches.Add(1)
		r.ran.Add(int64(len(batch)))
		runBatch(batch)
	}
}

// GroupCommits answers how many batches the group commit has run and how
// many jobs (transactions, statements) they held: their ratio
// is how much sharing a commit saved.
func (s *Store) GroupCommits() (batches, jobs int64) {
	if s.rot == nil {
		return 0, 0
	}
	return s.rot.batches.Load(), s.rot.ran.Load()
}

// drain answers whatever is still queued.
func (r *groupCommit) drain(err error) {
	for {
		select {
		case j := <-r.jobs:
			j.done <- groupResult{err: err}
		default:
			return
		}
	}
}

// close stops the loop; it is idempotent.
func (r *groupCommit) close() {
	r.closeOnce.Do(func() { close(r.stop) })
	<-r.done
}

// maxBatchRuns bounds how often a batch is started again after its
// transaction broke under it.
const maxBatchRuns = 3

// run executes one batch in one transaction. If the transaction itself
// breaks (SQLite rolls a whole transaction back when a statement is
// interrupted, as a caller's cancelled context does, or on an I/O error),
// the job it broke on gets its error and the others run again in a new
// transaction: nothing of the broken one was kept. (A job whose caller
// has gone is answered its context's error when its turn comes.)
func (r *groupCommit) run(batch []*groupJob) {
	for attempt := 1; len(batch) > 0; attempt++ {
		batch = r.runOnce(batch, attempt == maxBatchRuns)
	}
}

// runOnce runs batch in one transaction and answers every job, except,
// when the transaction broke, those to run again. last: answer everyone.
func (r *groupCommit) runOnce(batch []*groupJob, last bool) (again []*groupJob) {
	// The jobs' statements must not be interrupted by one caller's
	// cancellation: that would abort everyone's transaction.
	ctx := context.Background()
	results := make([]groupResult, len(batch))
	answer := func(i int) { batch[i].done <- results[i] }
	tx, err := r.s.db.BeginTxx(ctx, nil)
	if err != nil {
		for i := range batch {
			results[i] = groupResult{err: fmt.Errorf("begin: %w", err)}
			answer(i)
		}
		return nil
	}
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if err := r.one(ctx, tx, j, &results[i]); err != nil {
			// The transaction itself is broken: nothing of it is kept.
			_ = tx.Rollback()
			if ctxErr := j.ctx.Err(); ctxErr != nil {
				err = ctxErr // its caller gave up mid-statement
			}
			results[i] = groupResult{err: err}
			answer(i)
			// Everyone else runs again: what they did (or found) in the
			// broken transaction is gone with it.
			for k := range batch {
				switch {
				case k == i:
				case last:
					results[k] = groupResult{err: err}
					answer(k)
				default:
					again = append(again, batch[k])
				}
			}
			return again
		}
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("commit: %w", err)
		for i := range results {
			if results[i].err == nil {
				results[i] = groupResult{err: err}
			}
		}
	}
	for i := range batch {
		answer(i)
	}
	return nil
}

// one runs a job inside its own savepoint. Its outcome goes to res; the
// returned error means the savepoint machinery failed (the transaction is
// broken).
func (r *groupCommit) one(ctx context.Context, tx *sqlx.Tx, j *groupJob, res *groupResult) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT job"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	var out groupResult
	out.err = j.fn(tx)
	if out.err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO job"); rerr != nil {
			return fmt.Errorf("rollback to savepoint: %w (after %w)", rerr, out.err)
		}
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE job"); rerr != nil {
		return fmt.Errorf("release savepoint: %w", rerr)
	}
	*res = out
	return nil
}
