// Package notes is the example's resource server: each user's notes, in
// memory, behind verify.Middleware. The user is the access token's
// subject (verify.ClaimsFrom); the API never sees a cookie or a session.
package notes

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/authbridge/authbridge/examples/notes/contract"
	"github.com/authbridge/authbridge/shared"
	"github.com/authbridge/authbridge/verify"
)

// Limits keep one user from filling the process's memory.
const (
	MaxText     = contract.MaxText
	MaxPerUser  = 100 // notes kept per user
	maxBodySize = 4 << 10
)

// The API's JSON (package contract).
type (
	Note    = contract.Note
	List    = contract.List
	NewNote = contract.NewNote
)

// Store keeps the notes of every user. The zero value is ready.
type Store struct {
	mu    sync.Mutex
	next  int
	notes map[string][]Note // by user id (the token's sub)
	Now   func() time.Time  // nil: time.Now
}

// Errors of Add.
var (
	ErrEmpty = errors.New("notes: the text is empty")
	ErrLong  = errors.New("notes: the text is too long")
	ErrFull  = errors.New("notes: too many notes")
)

// List answers user's notes, oldest first.
func (s *Store) List(user string) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Note{}, s.notes[user]...)
}

// Add keeps a note for user.
func (s *Store) Add(user, text string) (Note, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Note{}, ErrEmpty
	case utf8.RuneCountInString(text) > MaxText:
		return Note{}, ErrLong
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.notes[user]) >= MaxPerUser {
		return Note{}, ErrFull
	}
	if s.notes == nil {
		s.notes = map[string][]Note{}
	}
	s.next++
	n := Note{ID: strconv.Itoa(s.next), Text: text, Created: now().UTC()}
	s.notes[user] = append(s.notes[user], n)
	return n, nil
}

// Handler serves GET /notes and POST /notes for the user of the request's
// verified claims. Put it behind (*verify.Verifier).Middleware: without
// claims it answers 401.
func Handler(s *Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /notes", func(w http.ResponseWriter, r *http.Request) {
		user, ok := userOf(w, r)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, List{Notes: s.List(user)})
	})
	mux.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		user, ok := userOf(w, r)
		if !ok {
			return
		}
		var in NewNote
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodySize))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, shared.CodeInvalidRequest, "The body must be {\"text\": \"...\"}.")
			return
		}
		n, err := s.Add(user, in.Text)
		switch {
		case errors.Is(err, ErrFull):
			writeError(w, http.StatusConflict, shared.CodeInvalidRequest, "Too many notes.")
		case err != nil:
			writeError(w, http.StatusBadRequest, shared.CodeInvalidRequest, "A note is 1 to "+strconv.Itoa(MaxText)+" characters.")
		default:
			writeJSON(w, http.StatusCreated, n)
		}
	})
	return mux
}

// userOf answers the verified subject, or writes 401.
func userOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	c := verify.ClaimsFrom(r.Context())
	if c == nil || c.Subject == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeError(w, http.StatusUnauthorized, shared.CodeInvalidToken, "An access token is required.")
		return "", false
	}
	return c.Subject, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code shared.ErrorCode, msg string) {
	writeJSON(w, status, shared.ErrorEnvelope{Error: shared.ErrorBody{Code: code, Message: msg}})
}
