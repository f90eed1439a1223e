package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

// ListSigningKeys answers the keys not retired, the one that signs from
// the latest time first.
func (s *Store) ListSigningKeys(ctx context.Context) ([]SigningKey, error) {
	var keys []SigningKey
	err := s.rdb.SelectContext(ctx, &keys, `SELECT kid, alg, private_key, encrypted, public_jwk, created_at, signs_from, retired_at
		FROM signing_keys WHERE retired_at IS NULL ORDER BY signs_from DESC, kid DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: list signing keys: %w", err)
	}
	return keys, nil
}

// InsertSigningKey adds k and, in the same transaction, marks the keys in
// retire retired at k.CreatedAt (the caller found them out of the JWKS for
// good).
func (s *Store) InsertSigningKey(ctx context.Context, k SigningKey, retire []string) error {
	return s.insertKey(ctx, k, false, retire)
}

// InsertFirstSigningKey adds k only when no unretired key of its alg is
// stored; otherwise it answers ErrConflict. Replicas starting together on
// an empty database so settle on one first key.
func (s *Store) InsertFirstSigningKey(ctx context.Context, k SigningKey) error {
	return s.insertKey(ctx, k, true, nil)
}

func (s *Store) insertKey(ctx context.Context, k SigningKey, first bool, retire []string) error {
	// Replicas starting at once on an empty database insert their first
	// keys together; InnoDB may pick one as a deadlock victim: run it again.
	var err error
	for attempt := 0; ; attempt++ {
		err = s.insertKeyOnce(ctx, k, first, retire)
		if err == nil || !engine.IsRetryable(err) || attempt >= maxRetries {
			break
		}
		s.retry(ctx, attempt)
	}
	if err != nil {
		return fmt.Errorf("store: insert signing key: %w", err)
	}
	return nil
}

func (s *Store) insertKeyOnce(ctx context.Context, k SigningKey, first bool, retire []string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if first {
			var kids []string
			if err := tx.SelectContext(ctx, &kids, "SELECT kid FROM signing_keys WHERE alg = ? AND retired_at IS NULL"+s.eng.ForUpdate, k.Alg); err != nil {
				return err
			}
			if len(kids) > 0 {
				return ErrConflict
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (kid, alg, private_key, encrypted, public_jwk, created_at, signs_from, retired_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`, k.KID, k.Alg, k.PrivateKey, k.Encrypted, k.PublicJWK, ts(k.CreatedAt), ts(k.SignsFrom)); err != nil {
			if engine.IsDuplicate(err) {
				return ErrConflict
			}
			return err
		}
		for _, kid := range retire {
			if _, err := tx.ExecContext(ctx, "UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", ts(k.CreatedAt), kid); err != nil {
				return err
			}
		}
		return nil
	})
}
