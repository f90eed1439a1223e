package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// rotatorBatch bounds how many jobs (rotations, transactions) share one
// batch.
const rotatorBatch = 32

// rotator is group commit. On SQLite, where one connection writes, every
// write transaction queues here (refresh rotations, and through inTx
// sign-ins, flows, handoff codes, everything else): one goroutine runs
// whatever has queued in a single transaction, each job inside a savepoint
// of its own, then commits once. A job that fails rolls back to its
// savepoint and leaves the others alone; a revocation for reuse is kept. No
// caller gets an answer before the commit that holds its work.
//
// Why: under load the single writer spent more time waiting to be scheduled
// and committing (write-ahead log frames, locks) than writing; one
// transaction per batch pays for that once, pages that several jobs touch
// (an index's last leaf, a table's tail) go to the log once, and the batch
// runs without handing the connection back and forth.
//
// On MySQL only rotations come here (newSetRotator).
type rotator struct {
	s         *Store
	jobs      chan *rotateJob
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	// batches and ran count the batches the loops ran and the jobs they
	// held (GroupCommits).
	batches, ran atomic.Int64
}

type rotateJob struct {
	ctx context.Context
	p   RotateParams
	// fn, when set, makes this a plain transaction (inTx on SQLite)
	// instead of a rotation; its error is the job's outcome.
	fn   func(tx *sqlx.Tx) error
	done chan rotateResult
}

type rotateResult struct {
	fam    Family
	user   User
	reused bool
	err    error
}

func newRotator(s *Store) *rotator {
	r := &rotator{s: s, jobs: make(chan *rotateJob, 4*rotatorBatch), stop: make(chan struct{}), done: make(chan struct{})}
	go func() { defer close(r.done); r.loop(r.run) }()
	return r
}

// newSetRotator is group commit for MySQL (rotator_mysql.go): loops
// batches run side by side, each on a connection of its own. (On SQLite
// the set-based batch measured no faster than savepoints: its statements
// cost little, the one writer is not what limits refresh there.)
func newSetRotator(s *Store, loops int) *rotator {
	r := &rotator{s: s, jobs: make(chan *rotateJob, 4*rotatorBatch), stop: make(chan struct{}), done: make(chan struct{})}
	var wg sync.WaitGroup
	for range loops {
		wg.Add(1)
		l := &setLoop{r: r}
		go func() { defer wg.Done(); defer l.drop(); r.loop(l.runSet) }()
	}
	go func() { wg.Wait(); close(r.done) }()
	return r
}

// rotate queues one rotation and waits for its committed outcome. A
// caller that gives up while queued is answered ctx.Err(); once its
// rotation runs, it waits for the commit (a batch is short).
func (r *rotator) rotate(ctx context.Context, p RotateParams) (Family, User, bool, error) {
	res := r.submit(&rotateJob{ctx: ctx, p: p, done: make(chan rotateResult, 1)})
	return res.fam, res.user, res.reused, res.err
}

// do runs fn as one job of a batch (SQLite's inTx) and answers its error
// once the batch's commit is done. fn may run more than once (after a
// batch broke under it), as any transaction that is retried.
func (r *rotator) do(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return r.submit(&rotateJob{ctx: ctx, fn: fn, done: make(chan rotateResult, 1)}).err
}

// submit queues j and waits for its outcome.
func (r *rotator) submit(j *rotateJob) rotateResult {
	ctx := j.ctx
	select {
	case <-r.stop:
		return rotateResult{err: errClosed}
	default:
	}
	select {
	case r.jobs <- j:
	case <-ctx.Done():
		return rotateResult{err: ctx.Err()}
	case <-r.stop:
		return rotateResult{err: errClosed}
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
			return rotateResult{err: errClosed}
		}
	}
}

// errClosed answers the jobs of a closed store.
var errClosed = fmt.Errorf("write: %w (the store is closed)", ErrUnavailable)

func (r *rotator) loop(runBatch func([]*rotateJob)) {
	for {
		var first *rotateJob
		select {
		case first = <-r.jobs:
		case <-r.stop:
			r.drain(errClosed)
			return
		}
		batch := []*rotateJob{first}
	fill:
		for len(batch) < rotatorBatch {
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
// many jobs (rotations, transactions, statements) they held: their ratio
// is how much sharing a commit saved.
func (s *Store) GroupCommits() (batches, jobs int64) {
	if s.rot == nil {
		return 0, 0
	}
	return s.rot.batches.Load(), s.rot.ran.Load()
}

// drain answers whatever is still queued.
func (r *rotator) drain(err error) {
	for {
		select {
		case j := <-r.jobs:
			j.done <- rotateResult{err: err}
		default:
			return
		}
	}
}

// close stops the loop; it is idempotent.
func (r *rotator) close() {
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
func (r *rotator) run(batch []*rotateJob) {
	for attempt := 1; len(batch) > 0; attempt++ {
		batch = r.runOnce(batch, attempt == maxBatchRuns)
	}
}

// runOnce runs batch in one transaction and answers every job, except,
// when the transaction broke, those to run again. last: answer everyone.
func (r *rotator) runOnce(batch []*rotateJob, last bool) (again []*rotateJob) {
	// Rotations' statements must not be interrupted by one caller's
	// cancellation: that would abort everyone's transaction.
	ctx := context.Background()
	results := make([]rotateResult, len(batch))
	answer := func(i int) { batch[i].done <- results[i] }
	tx, err := r.s.db.BeginTxx(ctx, nil)
	if err != nil {
		for i := range batch {
			results[i] = rotateResult{err: fmt.Errorf("begin: %w", err)}
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
			results[i] = rotateResult{err: err}
			answer(i)
			// Everyone else runs again: what they did (or found) in the
			// broken transaction is gone with it.
			for k := range batch {
				switch {
				case k == i:
				case last:
					results[k] = rotateResult{err: err}
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
				results[i] = rotateResult{err: err}
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
func (r *rotator) one(ctx context.Context, tx *sqlx.Tx, j *rotateJob, res *rotateResult) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT job"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	var out rotateResult
	if j.fn != nil {
		out.err = j.fn(tx)
	} else {
		out.fam, out.user, out.reused, out.err = r.s.rotateTx(ctx, tx, j.p)
	}
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
