package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

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
