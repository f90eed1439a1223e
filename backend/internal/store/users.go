package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

const userColumns = "id, name, email, email_canonical, email_verified, avatar_url, disabled_at, created_at, updated_at"

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertUser(ctx context.Context, db execer, u User) error {
	_, err := db.ExecContext(ctx, "INSERT INTO users ("+userColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		u.ID, u.Name, u.Email, u.EmailCanonical, u.EmailVerified, u.AvatarURL, tsPtr(u.DisabledAt), ts(u.CreatedAt), ts(u.UpdatedAt))
	if engine.IsDuplicate(err) {
		return ErrConflict
	}
	return err
}

// GetUser answers the user with id, or ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id string) (User, error) {
	// Every authenticated read starts here: answered from the short-lived
	// cache when it can, else scanned by hand, without sqlx's reflection,
	// the columns in userColumns' order.
	if u, ok := s.users.get(id); ok {
		return u, nil
	}
	if !isASCII(id) {
		// Ids are ASCII columns, which MySQL refuses to compare with
		// other characters: no such user.
		return User{}, ErrNotFound
	}
	var u User
	err := s.rdb.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id).Scan(
		&u.ID, &u.Name, &u.Email, &u.EmailCanonical, &u.EmailVerified, &u.AvatarURL, &u.DisabledAt, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("store: get user: %w", err)
	}
	s.users.put(u)
	return u, nil
}

// SetUserDisabled disables the user at the given time, or enables it (nil).
func (s *Store) SetUserDisabled(ctx context.Context, id string, at *time.Time) error {
	defer s.users.drop(id) // after the write: a read racing it cannot re-cache the old row for long
	n, err := s.exec(ctx, "UPDATE users SET disabled_at = ? WHERE id = ?", tsPtr(at), id)
	if err != nil {
		return fmt.Errorf("store: disable user: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
