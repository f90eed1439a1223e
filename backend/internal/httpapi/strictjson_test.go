package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/shared"
)

// nested is a body type with objects and arrays inside, to check the
// rules at depth.
type nested struct {
	Name  string         `json:"name"`
	Extra map[string]any `json:"extra"`
	List  []any          `json:"list"`
}

func TestDecodeBodyStrict(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		optional bool
		want     shared.ErrorCode // "" accepts
	}{
		{"an object", `{"name":"a","extra":{"x":[1,{"y":2}]},"list":[{"a":1},{"a":2}]}`, false, ""},
		{"whitespace around", " \n{\"name\":\"a\"}\t\r\n", false, ""},
		{"empty optional", "", true, ""},
		{"empty required", "  ", false, shared.CodeInvalidRequest},
		{"a valid surrogate pair", `{"name":"\ud83d\ude00"}`, false, ""},
		{"an escaped backslash before u", `{"name":"\\ud800"}`, false, ""},
		{"duplicate top-level key", `{"name":"a","name":"b"}`, false, shared.CodeInvalidRequest},
		{"duplicate through an escape", `{"name":"a","n\u0061me":"b"}`, false, shared.CodeInvalidRequest},
		{"duplicate nested key", `{"extra":{"x":1,"x":2}}`, false, shared.CodeInvalidRequest},
		{"duplicate inside an array", `{"list":[{"a":1},{"a":1,"a":2}]}`, false, shared.CodeInvalidRequest},
		{"same key in sibling objects is fine", `{"list":[{"a":1},{"a":2}],"extra":{"a":{"a":1}}}`, false, ""},
		{"case-folded field name", `{"NAME":"a"}`, false, shared.CodeInvalidRequest},
		{"field name matched only by Unicode folding", `{"li` + "\u017f" + `t":[]}`, false, shared.CodeInvalidRequest}, // ſ folds to s in encoding/json
		{"unknown field", `{"name":"a","admin":true}`, false, shared.CodeInvalidRequest},
		{"invalid UTF-8 in a value", "{\"name\":\"\xff\"}", false, shared.CodeInvalidRequest},
		{"invalid UTF-8 in a key", "{\"extra\":{\"\xc3\x28\":1}}", false, shared.CodeInvalidRequest},
		{"overlong encoding", "{\"name\":\"\xc0\xaf\"}", false, shared.CodeInvalidRequest},
		{"lone high surrogate", `{"name":"\ud800"}`, false, shared.CodeInvalidRequest},
		{"lone low surrogate", `{"name":"\udc00x"}`, false, shared.CodeInvalidRequest},
		{"reversed pair", `{"name":"\udc00\ud800"}`, false, shared.CodeInvalidRequest},
		{"trailing object", `{"name":"a"}{}`, false, shared.CodeInvalidRequest},
		{"trailing garbage", `{"name":"a"} x`, false, shared.CodeInvalidRequest},
		{"array", `[]`, false, shared.CodeInvalidRequest},
		{"null", `null`, true, shared.CodeInvalidRequest},
		{"string", `"a"`, false, shared.CodeInvalidRequest},
		{"truncated", `{"name":`, false, shared.CodeInvalidRequest},
		{"wrong type", `{"name":1}`, false, shared.CodeInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBody[nested]([]byte(tt.body), tt.optional)
			if got := apperr.CodeOf(err); err != nil && got != tt.want || err == nil && tt.want != "" {
				t.Fatalf("decode %q: %v, want %q", tt.body, err, tt.want)
			}
		})
	}
}

// TestStrictJSONOverHTTP: what encoding/json alone let through (and a
// stricter parser in front of us would read differently) is 400.
func TestStrictJSONOverHTTP(t *testing.T) {
	post := func(path, body string) func(e *env) req {
		return func(e *env) req { return req{method: "POST", path: path, body: body} }
	}
	runScenarios(t, []scenario{
		{name: "duplicate refresh_token", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", body: `{"refresh_token":"x","refresh_token":"` + p.RefreshToken + `"}`}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "duplicate token on verify", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/verify", body: `{"token":"` + p.AccessToken + `","token":"` + p.AccessToken + `"}`}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "case-folded member", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", body: `{"Refresh_Token":"` + p.RefreshToken + `"}`}
		}, status: 400, code: shared.CodeInvalidRequest},
		{name: "invalid UTF-8", setup: post("/api/auth/token/verify", "{\"token\":\"a\xffb\"}"), status: 400, code: shared.CodeInvalidRequest},
		{name: "lone surrogate", setup: post("/api/auth/exchange", `{"code":"\ud800","verifier":"v"}`), status: 400, code: shared.CodeInvalidRequest},
		{name: "duplicate in exchange", setup: post("/api/auth/exchange", `{"code":"a","code":"b","verifier":"v"}`), status: 400, code: shared.CodeInvalidRequest},
		{name: "exchange without verifier", setup: post("/api/auth/exchange", `{"code":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`), status: 400, code: shared.CodeInvalidRequest},
		{name: "exchange without code", setup: post("/api/auth/exchange", `{"verifier":"`+strings.Repeat("v", 43)+`"}`), status: 400, code: shared.CodeInvalidRequest},
		{name: "exchange with empty strings", setup: post("/api/auth/exchange", `{"code":"","verifier":""}`), status: 400, code: shared.CodeInvalidRequest},
		{name: "the same body without duplicates still works", setup: func(e *env) req {
			_, p := signedIn(e)
			return req{method: "POST", path: "/api/auth/token/refresh", body: refreshBody(p.RefreshToken)}
		}, status: 200},
	})
}

// TestExchangeMissingFieldSpendsNothing: a malformed exchange is refused
// before the code is looked up, so the real one still redeems it.
func TestExchangeMissingFieldSpendsNothing(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, nil)
		b := e.browser()
		v, c := pkce(t)
		p := b.login("dev", "alice", c)
		if !p.Message.OK {
			t.Fatalf("login: %+v", p.Message)
		}
		for _, body := range []string{
			`{"code":"` + p.Message.Code + `"}`,
			`{"code":"` + p.Message.Code + `","verifier":""}`,
		} {
			resp, out := b.post("/api/auth/exchange", body, "")
			expect(t, resp, []byte(out), 400, shared.CodeInvalidRequest)
		}
		resp, out := b.exchange(p.Message.Code, v)
		expect(t, resp, []byte(out), 200, "")
	})
}

// TestLoginQueryValues: absent handoff/process take their defaults; other
// values are invalid_request, handed over like every other /login problem
// and never echoed.
func TestLoginQueryValues(t *testing.T) {
	tests := []struct {
		name  string
		query string
		// want is the handoff error, "" for a flow that starts (302).
		want     shared.ErrorCode
		redirect bool // the error comes as the redirect fallback
	}{
		{name: "defaults", query: ""},
		{name: "explicit values", query: "handoff=popup&process=login"},
		{name: "redirect handoff", query: "handoff=redirect"},
		{name: "unknown handoff", query: "handoff=iframe", want: shared.CodeInvalidRequest},
		{name: "unknown handoff, case", query: "handoff=Popup", want: shared.CodeInvalidRequest},
		{name: "unknown process", query: "process=admin", want: shared.CodeInvalidRequest},
		{name: "unknown process, redirect handoff", query: "handoff=redirect&process=%3Cscript%3E", want: shared.CodeInvalidRequest, redirect: true},
		{name: "both unknown", query: "handoff=x&process=y", want: shared.CodeInvalidRequest},
	}
	forEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, nil)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, c := pkce(t)
				q := "challenge=" + c
				if tt.query != "" {
					q += "&" + tt.query
				}
				resp, body := e.browser().get(e.srv.URL + "/api/auth/dev/login?" + q)
				switch {
				case tt.want == "":
					if resp.StatusCode != http.StatusFound {
						t.Fatalf("status %d, want 302: %s", resp.StatusCode, body)
					}
				case tt.redirect:
					loc := resp.Header.Get("Location")
					if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.cfg.FrontendOrigin+"/#") {
						t.Fatalf("status %d Location %q", resp.StatusCode, loc)
					}
					frag, _ := url.ParseQuery(strings.SplitN(loc, "#", 2)[1])
					if frag.Get("error") != string(tt.want) || frag.Get("flow") != c || frag.Has("process") {
						t.Fatalf("fragment = %v", frag)
					}
				default:
					p := parseHandoff(t, resp, body)
					wantError(t, p, tt.want)
					if p.Mode != "popup" || p.Message.Flow != c || p.Message.Process != "" {
						t.Fatalf("handoff = %+v", p)
					}
				}
			})
		}
	})
}
