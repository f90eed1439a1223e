package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// errStrict is a body that encoding/json would take but our contract
// refuses. Its text is safe to show the client: it never quotes the input
// beyond a clipped field name.
type errStrict struct{ problem string }

func (e *errStrict) Error() string { return "httpapi: " + e.problem }

// checkStrict enforces what encoding/json (v1) lets through and json/v2
// refuses: invalid UTF-8 (raw or as a lone surrogate escape), duplicate
// object keys at any depth, and member names that only match a field by
// case folding. It also requires exactly one JSON object and nothing after
// it. fields are the member names the top-level object may have (nil: any).
// Two parsers must never disagree on what a request says.
func checkStrict(body []byte, fields map[string]bool) error {
	if !utf8.Valid(body) {
		return &errStrict{"the body is not valid UTF-8"}
	}
	if err := checkEscapes(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	first, err := dec.Token()
	if err != nil {
		return err
	}
	if first != json.Delim('{') {
		return &errStrict{"the body must be a JSON object"}
	}
	// One set of seen keys per open object; nil for an open array.
	stack := []map[string]bool{{}}
	expectKey := true
	for len(stack) > 0 {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		top := stack[len(stack)-1]
		if top != nil && expectKey {
			if tok == json.Delim('}') {
				stack = stack[:len(stack)-1]
				expectKey = len(stack) > 0 && stack[len(stack)-1] != nil
				continue
			}
			key := tok.(string) // the decoder allows only strings here
			if top[key] {
				return &errStrict{"duplicate member " + quoteClip(key)}
			}
			if len(stack) == 1 && fields != nil && !fields[key] {
				return &errStrict{"unknown field " + quoteClip(key)}
			}
			top[key] = true
			expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, map[string]bool{})
			expectKey = true
		case json.Delim('['):
			stack = append(stack, nil)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			expectKey = stack[len(stack)-1] != nil
		default: // a scalar value
			expectKey = top != nil
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &errStrict{"the body must hold exactly one JSON object"}
	}
	return nil
}

// checkEscapes refuses \u escapes that do not make a Unicode scalar value
// (a lone or reversed surrogate), which encoding/json would silently turn
// into U+FFFD. Outside strings a backslash is a syntax error found later.
func checkEscapes(body []byte) error {
	bad := &errStrict{"a string holds an invalid \\u escape (lone surrogate)"}
	inString := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(body):
			i++
			if body[i] != 'u' {
				continue
			}
			r, ok := hex4(body, i+1)
			if !ok {
				continue // malformed: the decoder reports it
			}
			i += 4
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00: // high: a low one must follow
				if i+2 >= len(body) || body[i+1] != '\\' || body[i+2] != 'u' {
					return bad
				}
				lo, ok := hex4(body, i+3)
				if !ok || utf16.DecodeRune(r, lo) == utf8.RuneError {
					return bad
				}
				i += 6
			case utf16.IsSurrogate(r):
				return bad
			}
		}
	}
	return nil
}

// hex4 reads the four hex digits of a \u escape at body[i:].
func hex4(body []byte, i int) (rune, bool) {
	if i+4 > len(body) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(body[i:i+4]), 16, 32)
	return rune(n), err == nil
}

func quoteClip(s string) string {
	if len(s) > 64 {
		s = s[:64]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return strconv.Quote(s)
}

// jsonFields answers the exact member names a struct type accepts, or nil
// for other types.
func jsonFields(t reflect.Type) map[string]bool {
	if t.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]bool{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			continue
		case name == "" && f.Anonymous:
			for n := range jsonFields(f.Type) {
				out[n] = true
			}
			continue
		case name == "":
			name = f.Name
		}
		out[name] = true
	}
	return out
}
