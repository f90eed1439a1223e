// Package contract is the notes API's JSON, shared by the server (package
// notes) and the app (cmd/notes-web). It imports nothing, so the app's
// wasm does not carry the server's net/http and JWT code.
package contract

import "time"

// MaxText is the most characters a note holds.
const MaxText = 500

// Note is one note, as the API answers it.
type Note struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
}

// List is GET /notes' answer: the user's notes, oldest first.
type List struct {
	Notes []Note `json:"notes"`
}

// NewNote is POST /notes' body.
type NewNote struct {
	Text string `json:"text"`
}
