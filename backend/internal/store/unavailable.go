package store

import (
	"errors"

	"github.com/authbridge/authbridge/backend/internal/store/internal/engine"
)

// ErrUnavailable marks failures of the database itself (gone, closed,
// unreachable), as opposed to a refused statement: the request may
// succeed later.
var ErrUnavailable = errors.New("store: database unavailable")

// IsUnavailable reports whether err means the database could not be used
// at all.
func IsUnavailable(err error) bool {
	return err != nil && (errors.Is(err, ErrUnavailable) || engine.IsUnavailable(err))
}
