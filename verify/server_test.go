package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

// realServer is the AuthBridge server built from this tree, in development
// mode on SQLite, with its identity provider at /devidp.
type realServer struct {
	t    *testing.T
	bin  string
	base string
	env  []string
	stop func()
}

func newRealServer(t *testing.T) *realServer {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bin := filepath.Join(t.TempDir(), "authbridge")
	build := exec.Command("go", "build", "-o", bin, "./cmd/authbridge")
	build.Dir = filepath.Join("..", "backend")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	s := &realServer{t: t, bin: bin, base: "http://" + addr}
	s.env = append(os.Environ(), "AUTHBRIDGE_ADDR="+addr, "AUTHBRIDGE_PUBLIC_URL="+s.base, "AUTHBRIDGE_DEV=1",
		"AUTHBRIDGE_RATE_LIMIT=0", "AUTHBRIDGE_LOG_LEVEL=warn", "AUTHBRIDGE_DATA_DIR="+dir,
		"AUTHBRIDGE_DATABASE_URL=sqlite:"+filepath.Join(dir, "authbridge.db"))
	s.start()
	t.Cleanup(func() { s.stop() })
	return s
}

// start runs the server and waits for /readyz.
func (s *realServer) start() {
	t := s.t
	t.Helper()
	var logs bytes.Buffer
	cmd := exec.Command(s.bin)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("server output:\n%s", logs.String())
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-done:
			t.Fatalf("the server exited:\n%s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			s.stop()
			t.Fatalf("the server never became ready: %v", err)
		}
	}
}

// rotateKeys runs `authbridge rotate-keys` on the server's database and
// answers the new kid.
func (s *realServer) rotateKeys() string {
	s.t.Helper()
	cmd := exec.Command(s.bin, "rotate-keys")
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("rotate-keys: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`new signing key (\S+) is published`).FindSubmatch(out)
	if m == nil {
		s.t.Fatalf("rotate-keys said %q", out)
	}
	return string(m[1])
}

// signIn signs who in with the Google button of the development identity
// provider and answers the access token.
func (s *realServer) signIn(who string) string {
	t := s.t
	t.Helper()
	post := func(u string, body any, out any) {
		b, _ := json.Marshal(body)
		resp, err := http.Post(u, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d", u, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Get(s.base + "/api/auth/google/nonce")
	if err != nil {
		t.Fatal(err)
	}
	var n shared.NonceResponse
	err = json.NewDecoder(resp.Body).Decode(&n)
	resp.Body.Close()
	if err != nil || n.Nonce == "" {
		t.Fatalf("nonce: %d %v", resp.StatusCode, err)
	}
	var minted struct {
		Credential string `json:"credential"`
	}
	post(s.base+"/devidp/gsi/credential", map[string]string{"client_id": "dev-google-client", "user": who, "nonce": n.Nonce}, &minted)
	var signedIn shared.SignInResponse
	post(s.base+"/api/auth/google/credential", shared.GoogleCredentialRequest{Credential: minted.Credential, Nonce: n.Nonce}, &signedIn)
	if signedIn.AccessToken == "" {
		t.Fatal("signed in without an access token")
	}
	return signedIn.AccessToken
}

// countingTransport counts the JWKS fetches of a Verifier.
type countingTransport struct{ jwks atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/jwks.json") {
		c.jwks.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// reheader answers tok with its header replaced by h; payload and
// signature stay.
func reheader(t *testing.T, tok string, h map[string]any) string {
	t.Helper()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	p := strings.SplitN(tok, ".", 3)
	return base64.RawURLEncoding.EncodeToString(b) + "." + p[1] + "." + p[2]
}

func TestAgainstTheServer(t *testing.T) {
	s := newRealServer(t)
	ctx := context.Background()
	tok := s.signIn("alice")
	v, err := New(ctx, s.base)
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(ctx, tok)
	if err != nil {
		t.Fatalf("a token the server signed: %v", err)
	}
	if c.Subject == "" || c.SessionID == "" || c.ID == "" || c.ExpiresAt.Before(time.Now()) {
		t.Fatalf("claims = %+v", c)
	}

	var hdr map[string]any
	hb, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err := json.Unmarshal(hb, &hdr); err != nil {
		t.Fatal(err)
	}
	kid := hdr["kid"].(string)
	jwks := fetchJWK(t, s.base, kid)

	// tamper decodes one part of tok, edits it, and encodes it back.
	tamper := func(part int, edit func([]byte) []byte) string {
		p := strings.Split(tok, ".")
		b, err := base64.RawURLEncoding.DecodeString(p[part])
		if err != nil {
			t.Fatal(err)
		}
		p[part] = base64.RawURLEncoding.EncodeToString(edit(b))
		return strings.Join(p, ".")
	}
	otherSubject := tamper(1, func(b []byte) []byte {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m["sub"] = "someone-else"
		out, _ := json.Marshal(m)
		return out
	})
	flippedBit := tamper(2, func(b []byte) []byte { b[len(b)/2] ^= 1; return b })
	unsigned := func(method jwt.SigningMethod, key any) string {
		var claims jwt.MapClaims
		if _, _, err := jwt.NewParser().ParseUnverified(tok, &claims); err != nil {
			t.Fatal(err)
		}
		tk := jwt.NewWithClaims(method, claims)
		tk.Header["typ"], tk.Header["kid"] = "at+jwt", kid
		out, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }
	for _, c := range []struct {
		name  string
		opts  []Option
		token string
		want  error
	}{
		{name: "tampered payload", token: otherSubject, want: ErrInvalid},
		{name: "tampered signature", token: flippedBit, want: ErrInvalid},
		{name: "expired", opts: []Option{WithClock(later)}, token: tok, want: ErrExpired},
		{name: "another audience", opts: []Option{WithAudience(s.base + "/other")}, token: tok, want: ErrInvalid},
		{name: "alg none", token: unsigned(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType), want: ErrInvalid},
		{name: "HS256 keyed with the public key", token: unsigned(jwt.SigningMethodHS256, jwks), want: ErrInvalid},
		{name: "no typ", token: reheader(t, tok, map[string]any{"alg": hdr["alg"], "kid": kid}), want: ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := New(ctx, s.base, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(ctx, c.token); !errors.Is(err, c.want) {
				t.Fatalf("Verify err = %v, want %v", err, c.want)
			}
		})
	}

	t.Run("key rotation", func(t *testing.T) {
		ct := &countingTransport{}
		v, err := New(ctx, s.base, WithHTTPClient(&http.Client{Transport: ct}), WithRefetchInterval(0))
		if err != nil {
			t.Fatal(err)
		}
		// The server reads its keys again on start: the new one is in its
		// JWKS at once, published before it signs.
		s.stop()
		next := s.rotateKeys()
		s.start()
		if _, err := v.Verify(ctx, tok); err != nil || ct.jwks.Load() != 1 {
			t.Fatalf("an old token after the rotation: %v, %d JWKS fetches", err, ct.jwks.Load())
		}
		// A token under the new kid makes the verifier fetch the JWKS once;
		// it finds the key (so the signature, not the kid, is what fails).
		_, err = v.Verify(ctx, reheader(t, tok, map[string]any{"alg": hdr["alg"], "typ": "at+jwt", "kid": next}))
		if !errors.Is(err, ErrInvalid) || !errors.Is(err, jwt.ErrTokenSignatureInvalid) || ct.jwks.Load() != 2 {
			t.Fatalf("a token of the new kid: %v, %d JWKS fetches", err, ct.jwks.Load())
		}
		// A verifier started after the rotation still verifies old tokens.
		v2, err := New(ctx, s.base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v2.Verify(ctx, tok); err != nil {
			t.Fatalf("an old token, fresh verifier: %v", err)
		}
		// And the server still signs with the old key until the new one's time.
		if _, err := v2.Verify(ctx, s.signIn("load-1")); err != nil {
			t.Fatalf("a new token: %v", err)
		}
	})

	t.Run("middleware", func(t *testing.T) {
		h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, ClaimsFrom(r.Context()).Subject)
		}))
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.String() != c.Subject {
			t.Fatalf("status %d body %q", rec.Code, rec.Body.String())
		}
	})
}

// fetchJWK answers the raw public key bytes of kid from the server's JWKS
// (for EC, x||y): what an alg-confusion attacker would key HMAC with.
func fetchJWK(t *testing.T, base, kid string) []byte {
	t.Helper()
	resp, err := http.Get(base + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if k["kid"] == kid {
			x, _ := base64.RawURLEncoding.DecodeString(k["x"])
			y, _ := base64.RawURLEncoding.DecodeString(k["y"])
			return append(x, y...)
		}
	}
	t.Fatalf("kid %s not in the JWKS", kid)
	return nil
}
