package loglimit_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/loglimit"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func TestBoundedErrors(t *testing.T) {
	type step struct {
		advance time.Duration
		level   slog.Level
		msg     string
		times   int
	}
	tests := []struct {
		name  string
		steps []step
		want  []string // the lines written, each reduced to "msg suppressed=N" or "msg"
	}{
		{"a burst in one second is one line", []step{
			{0, slog.LevelError, "database unavailable", 50},
		}, []string{"database unavailable"}},
		{"the next second's first error carries the count", []step{
			{0, slog.LevelError, "database unavailable", 50},
			{time.Second, slog.LevelError, "database unavailable", 1},
		}, []string{"database unavailable", "database unavailable suppressed=49"}},
		{"inside the second nothing more passes", []step{
			{0, slog.LevelError, "database unavailable", 1},
			{999 * time.Millisecond, slog.LevelError, "database unavailable", 3},
			{time.Millisecond, slog.LevelError, "database unavailable", 2},
		}, []string{"database unavailable", "database unavailable suppressed=3"}},
		{"a quiet error after a pause has nothing to report", []step{
			{0, slog.LevelError, "internal error", 1},
			{time.Minute, slog.LevelError, "internal error", 1},
		}, []string{"internal error", "internal error"}},
		{"each message has its own budget", []step{
			{0, slog.LevelError, "database unavailable", 5},
			{0, slog.LevelError, "internal error", 5},
		}, []string{"database unavailable", "internal error"}},
		{"below ERROR is never held back", []step{
			{0, slog.LevelWarn, "reload failed", 3},
		}, []string{"reload failed", "reload failed", "reload failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			clk := &fakeClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
			text := slog.NewTextHandler(&buf, &slog.HandlerOptions{
				ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
						return slog.Attr{}
					}
					return a
				},
			})
			// A derived logger shares the budget of its parent.
			log := slog.New(loglimit.New(text, loglimit.Options{Now: clk.Now})).With("component", "api")
			for _, s := range tt.steps {
				clk.t = clk.t.Add(s.advance)
				for range s.times {
					log.Log(context.Background(), s.level, s.msg)
				}
			}
			var got []string
			for line := range strings.Lines(buf.String()) {
				line = strings.TrimSpace(line)
				line = strings.Replace(line, " component=api", "", 1)
				line = strings.TrimPrefix(line, "msg=")
				got = append(got, strings.Trim(strings.Replace(line, `"`, "", 2), " "))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("lines:\n%s\nwant %q", buf.String(), tt.want)
			}
		})
	}
}
