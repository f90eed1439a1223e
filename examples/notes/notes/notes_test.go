package notes

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/verify"
)

func call(t *testing.T, h http.Handler, user, method, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/notes", strings.NewReader(body))
	if user != "" {
		r = r.WithContext(verify.WithClaims(r.Context(), &verify.Claims{Subject: user}))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerKeepsNotesPerUser(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := Handler(&Store{Now: func() time.Time { return at }})
	for _, c := range []struct{ user, text string }{{"u1", "first"}, {"u2", "other's"}, {"u1", "  second  "}} {
		if w := call(t, h, c.user, "POST", `{"text":"`+c.text+`"}`); w.Code != http.StatusCreated {
			t.Fatalf("POST as %s: %d %s", c.user, w.Code, w.Body)
		}
	}
	w := call(t, h, "u1", "GET", "")
	var got List
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("GET: %d %s (%v)", w.Code, w.Body, err)
	}
	var texts []string
	for _, n := range got.Notes {
		texts = append(texts, n.Text)
		if !n.Created.Equal(at) || n.ID == "" {
			t.Errorf("note %+v: want an id and created %s", n, at)
		}
	}
	if strings.Join(texts, "|") != "first|second" {
		t.Errorf("u1's notes = %q, want first, second (trimmed, not u2's)", texts)
	}
	if w := call(t, h, "u3", "GET", ""); strings.TrimSpace(w.Body.String()) != `{"notes":[]}` {
		t.Errorf("a new user's notes = %s, want an empty list", w.Body)
	}
}

func TestHandlerRefuses(t *testing.T) {
	h := Handler(&Store{})
	for _, c := range []struct {
		name, user, method, body string
		status                   int
	}{
		{"no claims", "", "GET", "", http.StatusUnauthorized},
		{"no claims, post", "", "POST", `{"text":"x"}`, http.StatusUnauthorized},
		{"empty", "u", "POST", `{"text":"   "}`, http.StatusBadRequest},
		{"too long", "u", "POST", `{"text":"` + strings.Repeat("é", MaxText+1) + `"}`, http.StatusBadRequest},
		{"not json", "u", "POST", `text=x`, http.StatusBadRequest},
		{"unknown field", "u", "POST", `{"text":"x","owner":"v"}`, http.StatusBadRequest},
		{"too big", "u", "POST", `{"text":"` + strings.Repeat("x", maxBodySize) + `"}`, http.StatusBadRequest},
		{"other method", "u", "DELETE", "", http.StatusMethodNotAllowed},
	} {
		t.Run(c.name, func(t *testing.T) {
			if w := call(t, h, c.user, c.method, c.body); w.Code != c.status {
				t.Errorf("%s: %d %s, want %d", c.method, w.Code, w.Body, c.status)
			}
		})
	}
}

func TestStoreCapsNotesPerUser(t *testing.T) {
	var s Store
	for i := range MaxPerUser {
		if _, err := s.Add("u", "n"); err != nil {
			t.Fatalf("note %d: %v", i, err)
		}
	}
	if _, err := s.Add("u", "one more"); err != ErrFull {
		t.Errorf("note %d: %v, want ErrFull", MaxPerUser+1, err)
	}
	if _, err := s.Add("v", "another user's"); err != nil {
		t.Errorf("another user: %v", err)
	}
}
