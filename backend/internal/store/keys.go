package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ListSigningKeys answers the keys not retired, newest first.
func (s *Store) ListSigningKeys(ctx context.Context) ([]SigningKey, error) {
	var keys []SigningKey
	err := s.rdb.SelectContext(ctx, &keys, `SELECT kid, alg, private_key, encrypted, public_jwk, created_at, retired_at
		FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: list signing keys: %w", err)
	}
	return keys, nil
}

// InsertSigningKey adds k and, in the same transaction, retires every key
// except the newest keep.
func (s *Store) InsertSigningKey(ctx context.Context, k SigningKey, keep int) error {
	// Replicas starting at once on an empty database insert their first
	// keys together; InnoDB may pick one as a deadlock victim: run it again.
	var err error
	for attempt := 0; ; attempt++ {
		err = s.insertSigningKey(ctx, k, keep)
		if err == nil || !isRetryable(err) || attempt >= maxRetries {
			break
		}
		s.retry(ctx, attempt)
	}
	if err != nil {
		return fmt.Errorf("store: insert signing key: %w", err)
	}
	return nil
}

func (s *Store) insertSigningKey(ctx context.Context, k SigningKey, keep int) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (kid, alg, private_key, encrypted, public_jwk, created_at, retired_at)
			VALUES (?, ?, ?, ?, ?, ?, NULL)`, k.KID, k.Alg, k.PrivateKey, k.Encrypted, k.PublicJWK, ts(k.CreatedAt)); err != nil {
			if isDuplicate(err) {
				return ErrConflict
			}
			return err
		}
		var kids []string
		if err := tx.SelectContext(ctx, &kids, "SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC"+s.forUpdate()); err != nil {
			return err
		}
		for i, kid := range kids {
			if i < keep {
				continue
			}
			if _, err := tx.ExecContext(ctx, "UPDATE signing_keys SET retired_at = ? WHERE kid = ?", ts(k.CreatedAt), kid); err != nil {
				return err
			}
		}
		return nil
	})
}
