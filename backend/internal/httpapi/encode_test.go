package httpapi

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteErrorLogLevel(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		err       error
		wantError bool // logged at ERROR
	}{
		{"a failure is an internal error", context.Background(), errors.New("disk on fire"), true},
		{"a client that left is not", cancelled, fmt.Errorf("store: begin: %w", context.Canceled), false},
		{"a cancellation while the client waits still is", context.Background(), fmt.Errorf("x: %w", context.Canceled), true},
		// database/sql rolls a transaction back when its context ends; the
		// commit then reports ErrTxDone, not the cancellation.
		{"a transaction its leaving client ended is not", cancelled, fmt.Errorf("store: commit: %w", sql.ErrTxDone), false},
		{"a transaction ended while the client waits is", context.Background(), fmt.Errorf("store: commit: %w", sql.ErrTxDone), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			r := httptest.NewRequest("POST", "/api/auth/token/refresh", nil).WithContext(tt.ctx)
			w := httptest.NewRecorder()
			writeError(w, r, log, tt.err)
			if got := strings.Contains(buf.String(), "level=ERROR"); got != tt.wantError {
				t.Fatalf("logged at ERROR: %v, want %v\n%s", got, tt.wantError, buf.String())
			}
			if w.Code != 500 {
				t.Fatalf("status %d, want 500", w.Code)
			}
		})
	}
}
