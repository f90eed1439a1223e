package apperr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

func TestCodeOf(t *testing.T) {
	cause := errors.New("db down")
	tests := []struct {
		name string
		err  error
		want shared.ErrorCode
	}{
		{"plain", errors.New("x"), shared.CodeInternal},
		{"direct", New(shared.CodeNotFound, "no"), shared.CodeNotFound},
		{"wrapped", fmt.Errorf("ctx: %w", Wrap(shared.CodeUnavailable, "later", cause)), shared.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.want {
				t.Fatalf("CodeOf = %q, want %q", got, tt.want)
			}
		})
	}
	if !errors.Is(Wrap(shared.CodeUnavailable, "later", cause), cause) {
		t.Fatal("Wrap must keep the cause for errors.Is")
	}
}
