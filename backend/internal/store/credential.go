package store

import (
	"errors"
	"time"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

// Errors of a credential sign-in (SignInParams.Credential).
var (
	// ErrCredentialUsed: the credential signed in before.
	ErrCredentialUsed = errors.New("store: credential already used")
	// ErrNonceNotLive: the credential's nonce was never issued, has
	// expired or was spent.
	ErrNonceNotLive = errors.New("store: nonce unknown, expired or spent")
)

// CredentialUse makes a button credential single use. SignIn remembers
// its hash and spends its nonce in the sign-in's own transaction, so a
// credential opens one session at most, however many requests carry it at
// once; a refused one writes nothing.
type CredentialUse struct {
	Hash      []byte    // SHA-256 of the raw credential
	ExpiresAt time.Time // the hash is kept until then (housekeeping deletes it after)
	NonceHash []byte    // hash of the credential's nonce claim; nil when it has none
}

// credentialStmts remember c and spend its nonce. Each must match exactly
// one row: a hash already there (ignored, not an error, so that the other
// statements of a MySQL multi-statement still run) or a nonce not live
// fails the sign-in. The row locks make a parallel post of the same
// credential wait for the first to commit and then find it.
func credentialStmts(eng engine.Engine, c *CredentialUse, now time.Time) []stmt {
	if c == nil {
		return nil
	}
	out := []stmt{{q: eng.InsertIgnore + " INTO used_credentials (credential_hash, expires_at) VALUES (?, ?)",
		args: []any{c.Hash, ts(c.ExpiresAt)}, once: ErrCredentialUsed}}
	if c.NonceHash != nil {
		q, args := spendUpdate("credential_nonces", "nonce_hash", c.NonceHash, now, "")
		out = append(out, stmt{q: q, args: args, once: ErrNonceNotLive})
	}
	return out
}
