package kit

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

const fuzzBackend = "https://app.example"

// checkAccepted holds for every message the parsers accept: the handoff
// type, a code only when ok, an error with a code only when not, and
// Accept takes it for its own flow only (a bare unavailable naming no
// flow for any).
func checkAccepted(t *testing.T, m shared.HandoffMessage) {
	t.Helper()
	if m.Type != shared.HandoffType {
		t.Fatalf("accepted type %q", m.Type)
	}
	if m.OK && (m.Error != nil || (m.Code == "" && m.Process != "connect")) {
		t.Fatalf("accepted ok message %+v: an error, or no code outside a connect", m)
	}
	if !m.OK && (m.Code != "" || m.Error == nil || m.Error.Code == "") {
		t.Fatalf("accepted failed message %+v: a code, or no error code", m)
	}
	if m.Link != "" && (m.OK || m.Error.Code != shared.CodeDuplicateEmail) {
		t.Fatalf("accepted a link without its duplicate_email refusal: %+v", m)
	}
	if got := Accept(Handoff{fuzzBackend, true, m}, fuzzBackend, m.Flow); got != (m.Flow != "") {
		t.Fatalf("Accept for the message's own flow %q = %v", m.Flow, got)
	}
	// Only the front's "unavailable" page, which names no flow and
	// carries no code, goes to whichever flow is open.
	if Accept(Handoff{fuzzBackend, true, m}, fuzzBackend, m.Flow+"x") != (m.Flow == "" && FrontUnavailable(m)) {
		t.Fatalf("Accept took flow %q for %q", m.Flow, m.Flow+"x")
	}
	if FrontUnavailable(m) && (m.OK || m.Code != "" || m.Link != "") {
		t.Fatalf("FrontUnavailable for %+v", m)
	}
	if Accept(Handoff{fuzzBackend, false, m}, fuzzBackend, m.Flow) || Accept(Handoff{"https://evil.example", true, m}, fuzzBackend, m.Flow) {
		t.Fatal("Accept took a message from elsewhere")
	}
}

// FuzzHandoffMessage: a popup's message data (any JSON value, as the
// listener copies it) is either refused or a well-formed handoff that
// survives the callback page's JSON encoding unchanged.
func FuzzHandoffMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"authbridge:handoff","ok":true,"code":"c0de","flow":"f","process":"login"}`,
		`{"type":"authbridge:handoff","ok":false,"error":{"code":"access_denied","message":"no"},"flow":"f"}`,
		`{"type":"authbridge:handoff","ok":true,"flow":"f","process":"connect"}`,
		`{"type":"authbridge:handoff","ok":false,"error":{"code":"duplicate_email","message":"m"},"flow":"f","link":"secret"}`,
		`{"type":"authbridge:handoff","ok":true,"code":"c","flow":"f","link":"secret"}`,
		`{"type":"authbridge:handoff","ok":false,"error":{"code":"access_denied"},"flow":"f","link":"secret"}`,
		`{"type":"authbridge:handoff","ok":false,"error":{"code":"duplicate_email"},"flow":"f","link":7}`,
		`{"type":"authbridge:handoff","ok":"false","code":"c","flow":"f"}`,
		`{"type":"authbridge:handoff","ok":1,"code":"c","flow":"f"}`,
		`{"type":"authbridge:handoff","ok":false,"code":"c","error":{"code":"x"},"flow":"f"}`,
		`["authbridge:handoff"]`, `null`, `"authbridge:handoff"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		m, ok := ParseMessage(v)
		if !ok {
			if !reflect.DeepEqual(m, shared.HandoffMessage{}) {
				t.Fatalf("refused message came with content %+v", m)
			}
			return
		}
		checkAccepted(t, m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var again any
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatal(err)
		}
		if m2, ok := ParseMessage(again); !ok || !reflect.DeepEqual(m, m2) {
			t.Fatalf("%+v re-encoded as %s parses as %+v, %v", m, b, m2, ok)
		}
	})
}

// FuzzFragment: a URL fragment is either refused or a well-formed handoff
// that the backend's encoding gives back unchanged.
func FuzzFragment(f *testing.F) {
	for _, s := range []string{
		"#type=authbridge%3Ahandoff&ok=1&code=abc&flow=f&process=login",
		"type=authbridge%3Ahandoff&ok=0&error=duplicate_email&message=Use+GitHub&flow=f",
		"type=authbridge%3Ahandoff&ok=0&error=x&code=abc&flow=f",
		"type=authbridge%3Ahandoff&ok=1&code=a&code=b&flow=f",
		"type=authbridge%3Ahandoff&ok=true&code=a&flow=f",
		"#section-2", "%zz", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := ParseFragment(s)
		if !ok {
			if !reflect.DeepEqual(m, shared.HandoffMessage{}) {
				t.Fatalf("refused fragment came with content %+v", m)
			}
			return
		}
		checkAccepted(t, m)
		if m2, ok := ParseFragment(m.Fragment()); !ok || !reflect.DeepEqual(m, m2) {
			t.Fatalf("%+v re-encoded as %q parses as %+v, %v", m, m.Fragment(), m2, ok)
		}
	})
}
