package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// rotatorBatch bounds how many rotations share one SQLite transaction.
const rotatorBatch = 32

// rotator is group commit for refresh rotations on SQLite, where one
// connection writes: rotations queue here and one goroutine runs whatever
// has queued in a single transaction, each rotation inside a savepoint of
// its own, then commits once. A rotation that fails rolls back to its
// savepoint and leaves the others alone; a revocation for reuse is kept. No
// caller gets an answer before the commit that holds its rotation.
//
// Why: under load the single writer spent more time waiting to be scheduled
// and committing (write-ahead log frames, locks) than rotating; one
// transaction per batch pays for that once, and the batch runs without
// handing the connection back and forth.
type rotator struct {
	s    *Store
	jobs chan *rotateJob
	stop chan struct{}
	done chan struct{}
	// run executes one batch: run (SQLite, savepoints) or runSet (MySQL,
	// set-based statements).
	runBatch func([]*rotateJob)

	closeOnce sync.Once
}

type rotateJob struct {
	ctx  context.Context
	p    RotateParams
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
	r.runBatch = r.run
	go func() { defer close(r.done); r.loop() }()
	return r
}

// newSetRotator is group commit for MySQL (rotator_mysql.go): loops
// batches run side by side, each on a connection of its own. (On SQLite
// the set-based batch measured no faster than savepoints: its statements
// cost little, the one writer is not what limits refresh there.)
func newSetRotator(s *Store, loops int) *rotator {
	r := &rotator{s: s, jobs: make(chan *rotateJob, 4*rotatorBatch), stop: make(chan struct{}), done: make(chan struct{})}
	r.runBatch = r.runSet
	var wg sync.WaitGroup
	for range loops {
		wg.Add(1)
		go func() { defer wg.Done(); r.loop() }()
	}
	go func() { wg.Wait(); close(r.done) }()
	return r
}

// rotate queues one rotation and waits for its committed outcome. A
// caller that gives up while queued is answered ctx.Err(); once its
// rotation runs, it waits for the commit (a batch is short).
func (r *rotator) rotate(ctx context.Context, p RotateParams) (Family, User, bool, error) {
	j := &rotateJob{ctx: ctx, p: p, done: make(chan rotateResult, 1)}
	select {
	case <-r.stop:
		return Family{}, User{}, false, errClosed
	default:
	}
	select {
	case r.jobs <- j:
	case <-ctx.Done():
		return Family{}, User{}, false, ctx.Err()
	case <-r.stop:
		return Family{}, User{}, false, errClosed
	}
	select {
	case res := <-j.done:
		return res.fam, res.user, res.reused, res.err
	case <-r.done:
		// Closed while queued: the loop answered the queue before it
		// ended, unless this job slipped in after its last look.
		select {
		case res := <-j.done:
			return res.fam, res.user, res.reused, res.err
		default:
			return Family{}, User{}, false, errClosed
		}
	}
}

// errClosed answers rotations of a closed store.
var errClosed = fmt.Errorf("rotate: %w (the store is closed)", ErrUnavailable)

func (r *rotator) loop() {
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
		r.runBatch(batch)
	}
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

// run executes one batch in one transaction.
func (r *rotator) run(batch []*rotateJob) {
	// The statements must not be interrupted by one caller's cancellation:
	// that would abort everyone's transaction.
	ctx := context.Background()
	results := make([]rotateResult, len(batch))
	fail := func(err error) {
		for i, j := range batch {
			if results[i].err == nil {
				results[i] = rotateResult{err: err}
			}
			j.done <- results[i]
		}
	}
	tx, err := r.s.db.BeginTxx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if err := r.one(ctx, tx, j, &results[i]); err != nil {
			// The transaction itself is broken: nothing of it is kept.
			_ = tx.Rollback()
			fail(err)
			return
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
	for i, j := range batch {
		j.done <- results[i]
	}
}

// one runs a rotation inside its own savepoint. Its outcome goes to res;
// the returned error means the savepoint machinery failed.
func (r *rotator) one(ctx context.Context, tx *sqlx.Tx, j *rotateJob, res *rotateResult) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT rotation"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	fam, user, reused, err := r.s.rotateTx(ctx, tx, j.p)
	if err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO rotation"); rerr != nil {
			return fmt.Errorf("rollback to savepoint: %w", rerr)
		}
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE rotation"); rerr != nil {
		return fmt.Errorf("release savepoint: %w", rerr)
	}
	*res = rotateResult{fam: fam, user: user, reused: reused, err: err}
	return nil
}
