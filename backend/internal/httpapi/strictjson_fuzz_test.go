package httpapi

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeJSON: whatever decodeBody accepts is valid UTF-8, has no
// duplicate member anywhere, means the same to plain encoding/json, and
// decodes again to the same value once re-encoded.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"a"}`,
		`{"name":"a","extra":{"x":[1,{"y":2}]},"list":[{"a":1},{"a":2}]}`,
		`{"name":"a","name":"b"}`,
		`{"extra":{"k":1,"\u006b":2}}`,
		`{"name":"\ud83d\ude00"}`,
		`{"name":"\ud800"}`,
		"{\"name\":\"\xff\"}",
		`{"NAME":"a"}`,
		`{"name":"a"} {}`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeBody[nested](body, true)
		if err != nil {
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("accepted invalid UTF-8: %q", body)
		}
		var plain nested
		if len(body) > 0 && !isSpace(body) {
			var tree any
			if err := json.Unmarshal(body, &tree); err != nil {
				t.Fatalf("accepted what encoding/json refuses: %q: %v", body, err)
			}
			if n, m := members(body), keys(tree); n != m {
				t.Fatalf("accepted duplicate members: %q has %d members, %d distinct", body, n, m)
			}
			if err := json.Unmarshal(body, &plain); err != nil || !reflect.DeepEqual(plain, v) {
				t.Fatalf("encoding/json reads %q as %+v (%v), we read %+v", body, plain, err, v)
			}
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := decodeBody[nested](again, false)
		if err != nil || !reflect.DeepEqual(v, v2) {
			t.Fatalf("re-decoding %s: %+v, %v; first %+v", again, v2, err, v)
		}
	})
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// members counts the ':' outside strings: one per object member in valid
// JSON, duplicates included.
func members(b []byte) int {
	n, in := 0, false
	for i := 0; i < len(b); i++ {
		switch {
		case in && b[i] == '\\':
			i++
		case b[i] == '"':
			in = !in
		case !in && b[i] == ':':
			n++
		}
	}
	return n
}

// keys counts the members of every object in a decoded tree; a map keeps
// one of each duplicate.
func keys(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += keys(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += keys(e)
		}
		return n
	}
	return 0
}
