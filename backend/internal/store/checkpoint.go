package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
)

// checkpointEvery is how often the background checkpointer runs. Between
// runs the write-ahead log grows by what the writes add; each run copies it
// into the database file, and the next write starts the log over.
const checkpointEvery = 250 * time.Millisecond

// restartFrames bounds the write-ahead log (in 4 KiB frames, so 64 MiB).
// Under steady writes a PASSIVE run never copies the last frame before the
// next commit, so SQLite never starts the log over and the file grows
// without end (2.9 GB after a million rotations, growth_test.go). Past this
// length a RESTART run follows: it holds writers back until the readers
// still in the log are done (reads are short), and the next write starts
// the log from its beginning.
const restartFrames = 16384

// checkpointer runs SQLite's PASSIVE checkpoints on a connection of its own,
// so the fsyncs they need never happen inside a write transaction. PASSIVE
// neither waits for nor blocks readers and writers; a log that a long
// reader still needs is copied on a later run.
type checkpointer struct {
	db      *sqlx.DB
	every   time.Duration
	stop    chan struct{}
	done    chan struct{}
	started bool
}

func newCheckpointer(db *sqlx.DB, every time.Duration) *checkpointer {
	return &checkpointer{db: db, every: every, stop: make(chan struct{}), done: make(chan struct{})}
}

func (c *checkpointer) start(log *slog.Logger) {
	c.started = true
	go func() {
		defer close(c.done)
		t := time.NewTicker(c.every)
		defer t.Stop()
		failing := false
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
			frames, err := c.run(context.Background(), "PASSIVE")
			if err == nil && frames > restartFrames {
				_, err = c.run(context.Background(), "RESTART")
			}
			switch {
			case err != nil && !failing:
				log.Warn("store: background checkpoint failed; retrying", "err", err)
				failing = true
			case err == nil && failing:
				log.Info("store: background checkpoints work again")
				failing = false
			}
		}
	}()
}

// run checkpoints in mode (PASSIVE, RESTART or TRUNCATE) and answers the
// log's length in frames.
func (c *checkpointer) run(ctx context.Context, mode string) (int, error) {
	var busy, logFrames, copied int
	row := c.db.QueryRowxContext(ctx, "PRAGMA wal_checkpoint("+mode+")")
	if err := row.Scan(&busy, &logFrames, &copied); err != nil {
		return 0, fmt.Errorf("store: checkpoint: %w", err)
	}
	return logFrames, nil
}

// close stops the loop, empties the log into the database file when no one
// else uses it any more, and closes the connection. It is idempotent.
func (c *checkpointer) close() error {
	select {
	case <-c.stop:
		return nil
	default:
	}
	close(c.stop)
	if c.started {
		<-c.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.run(ctx, "TRUNCATE")
	return errors.Join(err, c.db.Close())
}
