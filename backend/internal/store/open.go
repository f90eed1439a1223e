package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

// Open connects to databaseURL and applies pending migrations. An empty URL
// opens the embedded SQLite database DataDir/authbridge.db; "sqlite:PATH"
// opens another SQLite file; "mysql://user:pass@host:port/db?param=value"
// opens MySQL or MariaDB. Errors never include the password.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.DataDir == "" {
		opts.DataDir = "./data"
	}
	var (
		s   *Store
		err error
	)
	switch {
	case databaseURL == "":
		s, err = openSQLite(filepath.Join(opts.DataDir, "authbridge.db"))
	case strings.HasPrefix(databaseURL, "sqlite:"):
		s, err = openSQLite(strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//"))
	case strings.HasPrefix(databaseURL, "mysql://"):
		s, err = openMySQL(databaseURL)
	default:
		// Name the scheme only: the rest may hold a password.
		what := "database URL"
		if scheme, _, ok := strings.Cut(databaseURL, "://"); ok && isScheme(scheme) {
			what = fmt.Sprintf("database URL scheme %q", scheme)
		}
		return nil, fmt.Errorf("store: unsupported %s: use mysql://user:pass@host:port/db, sqlite:/path/file.db, or nothing for the embedded SQLite", what)
	}
	if err != nil {
		return nil, err
	}
	s.log = opts.Logger
	s.users = newUserCache()
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, s.inUse(fmt.Errorf("store: connect: %w", err))
	}
	if err := s.rdb.PingContext(ctx); err != nil {
		s.Close()
		return nil, s.inUse(fmt.Errorf("store: connect (reads): %w", err))
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, s.inUse(err)
	}
	if s.ckpt != nil {
		s.ckpt.start(s.log)
	}
	if s.eng.OneWriter {
		s.rot = newGroupCommit(s)
	}
	return s, nil
}

func isScheme(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// inUse explains a database another process keeps locked.
func (s *Store) inUse(err error) error {
	if s.eng.LockedHint != "" && engine.IsRetryable(err) {
		return fmt.Errorf("store: %s: %w", s.eng.LockedHint, err)
	}
	return err
}

// Close closes the database.
func (s *Store) Close() error {
	var err error
	if s.rot != nil {
		s.rot.close()
	}
	if s.ckpt != nil {
		err = s.ckpt.close() // before the pools: it truncates the log once writes stopped
	}
	err = errors.Join(err, s.db.Close())
	if s.multi != nil {
		err = errors.Join(err, s.multi.Close())
	}
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// Ping checks that the database answers. On SQLite it uses a read
// connection, so a long write does not make the server look unready.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
