// Package loglimit bounds repeated log lines: during an outage every
// request fails the same way, and one ERROR line per request would bury
// the log and slow the server that is trying to recover.
package loglimit

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Handler passes records below ERROR through and lets at most one ERROR
// record per message through each Every; the next one that passes carries
// "suppressed", the number held back since the last one, so the count of
// failures is never lost.
type Handler struct {
	next  slog.Handler
	state *state // shared by the handlers WithAttrs and WithGroup derive
}

type state struct {
	every time.Duration
	now   func() time.Time

	mu  sync.Mutex
	msg map[string]*window
}

type window struct {
	last       time.Time // when a record last passed
	suppressed int       // held back since then
}

// Options configure a Handler.
type Options struct {
	Every time.Duration    // default 1 s
	Now   func() time.Time // default time.Now
}

// maxMessages bounds the state: messages are constant strings in our code,
// so this is reached only if one is built from input, and then the state
// starts over rather than grow.
const maxMessages = 1024

// New wraps next.
func New(next slog.Handler, o Options) *Handler {
	if o.Every <= 0 {
		o.Every = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{next: next, state: &state{every: o.Every, now: o.Now, msg: map[string]*window{}}}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError {
		return h.next.Handle(ctx, r)
	}
	pass, suppressed := h.state.admit(r.Message)
	if !pass {
		return nil
	}
	if suppressed > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", suppressed))
	}
	return h.next.Handle(ctx, r)
}

// admit decides whether a record with msg passes now, and how many were
// held back before it.
func (s *state) admit(msg string) (bool, int) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.msg[msg]
	if w == nil {
		if len(s.msg) >= maxMessages {
			clear(s.msg)
		}
		s.msg[msg] = &window{last: now}
		return true, 0
	}
	if d := now.Sub(w.last); d >= 0 && d < s.every {
		w.suppressed++
		return false, 0
	}
	n := w.suppressed
	w.last, w.suppressed = now, 0
	return true, n
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(as), state: h.state}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), state: h.state}
}
