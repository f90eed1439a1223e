package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// What the store's own tests call and the product does not: the product
// writes these rows only inside a sign-in's transaction (SignIn,
// RedeemHandoff). Tests of other packages use storetest.

// CreateFamily opens a session, atomically, together with the login events
// given, as a sign-in does (SignInParams.Session): the store's own tests
// check the family rows without a sign-in around them. f.Secret and
// f.Generation are those of its first refresh token.
func (s *Store) CreateFamily(ctx context.Context, f Family, events ...LoginEvent) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return runStmts(ctx, tx, familyStmts(f, events))
	})
	if err != nil {
		return fmt.Errorf("store: create family: %w", err)
	}
	return nil
}

// CreateUser inserts u. ErrConflict: its canonical email belongs to another user.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	if err := insertUser(ctx, s.db, u); err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

// GetFamily answers one family, or ErrNotFound.
func (s *Store) GetFamily(ctx context.Context, id string) (Family, error) {
	var f Family
	err := s.rdb.GetContext(ctx, &f, "SELECT "+rotationColumns+" FROM refresh_families WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return Family{}, ErrNotFound
	}
	if err != nil {
		return Family{}, fmt.Errorf("store: get family: %w", err)
	}
	return f, nil
}

// CreateHandoff stores a one-time handoff code.
func (s *Store) CreateHandoff(ctx context.Context, h Handoff) error {
	_, err := s.exec(ctx, "INSERT INTO handoff_codes ("+handoffColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
		h.CodeHash, h.UserID, h.Provider, h.Challenge, h.IsNew, ts(h.CreatedAt), ts(h.ExpiresAt))
	return wrap("create handoff", err)
}

// SpendNonce spends a credential nonce, once.
func (s *Store) SpendNonce(ctx context.Context, hash []byte, now time.Time) error {
	return wrap("spend nonce", s.spend(ctx, "credential_nonces", "nonce_hash", hash, now, nil, ""))
}
