package store

import (
	"context"
	"fmt"
)

// InsertLoginEvent records one sign-in attempt.
func (s *Store) InsertLoginEvent(ctx context.Context, e LoginEvent) error {
	if _, err := s.exec(ctx, loginEventInsert, loginEventArgs(e)...); err != nil {
		return fmt.Errorf("store: insert login event: %w", err)
	}
	return nil
}

const loginEventInsert = `INSERT INTO login_events (id, user_id, provider, outcome, error_code, ip, user_agent, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

func loginEventArgs(e LoginEvent) []any {
	return []any{e.ID, e.UserID, e.Provider, e.Outcome, e.ErrorCode, e.IP, e.UserAgent, ts(e.CreatedAt)}
}

// ListLoginEvents answers the user's latest attempts, newest first.
func (s *Store) ListLoginEvents(ctx context.Context, userID string, limit int) ([]LoginEvent, error) {
	evs := []LoginEvent{}
	err := s.rdb.SelectContext(ctx, &evs, `SELECT id, user_id, provider, outcome, error_code, ip, user_agent, created_at
		FROM login_events WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list login events: %w", err)
	}
	return evs, nil
}
