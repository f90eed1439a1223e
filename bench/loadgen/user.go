package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/authbridge/authbridge/shared"
)

// user is one virtual user: a signed-in session of its own.
type user struct {
	access, refresh string
	who             string // the identity provider's user it signs in as (popup workload)
	gsiWho          string // the one it signs in as with the Google button (credential workload)
	id              string // its record id (pocketbase)
}

func newClient(vus int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = vus * 4
	t.MaxIdleConnsPerHost = vus * 4
	return &http.Client{
		Transport:     t,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// call sends one request and drains the answer (so connections are reused).
func call(ctx context.Context, c *http.Client, method, u string, body any, hdr map[string]string) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp, out, err
}

func getOK(ctx context.Context, c *http.Client, u string) error {
	resp, body, err := call(ctx, c, "GET", u, nil, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return nil
}

var handoffRE = regexp.MustCompile(`(?s)<script type="application/json" id="handoff">(.*?)</script>`)

// popupSignIn runs the whole redirect flow as a browser would, against the
// development identity provider: /login → authorize (prompt=none) →
// /callback → /exchange. It carries the flow cookie by hand: Go's cookie jar
// keeps Secure cookies off plain http, browsers allow them on loopback.
func popupSignIn(ctx context.Context, c *http.Client, base, who string) (*user, error) {
	raw := make([]byte, 32)
	crand.Read(raw)
	verifier := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	resp, body, err := call(ctx, c, "GET", base+"/api/auth/dev/login?challenge="+challenge, nil, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("login: %d %s", resp.StatusCode, body)
	}
	var flowCookie string
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-authbridge_flow" {
			flowCookie = ck.Name + "=" + ck.Value
		}
	}
	authURL, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return nil, err
	}
	q := authURL.Query()
	q.Set("login_hint", who)
	q.Set("prompt", "none")
	authURL.RawQuery = q.Encode()
	resp, body, err = call(ctx, c, "GET", authURL.String(), nil, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("authorize: %d %s", resp.StatusCode, body)
	}
	resp, body, err = call(ctx, c, "GET", resp.Header.Get("Location"), nil, map[string]string{"Cookie": flowCookie})
	if err != nil {
		return nil, err
	}
	m := handoffRE.FindSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		return nil, fmt.Errorf("callback: %d", resp.StatusCode)
	}
	var page struct {
		Message shared.HandoffMessage `json:"message"`
	}
	if err := json.Unmarshal(m[1], &page); err != nil || !page.Message.OK {
		return nil, fmt.Errorf("callback: handoff %+v %v", page.Message.Error, err)
	}
	resp, body, err = call(ctx, c, "POST", base+"/api/auth/exchange", shared.ExchangeRequest{Code: page.Message.Code, Verifier: verifier}, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("exchange: %d %s", resp.StatusCode, body)
	}
	var res shared.SignInResponse
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, err
	}
	return &user{access: res.AccessToken, refresh: res.RefreshToken}, nil
}

// Each virtual user is a person of their own at the development identity
// provider (its load users): one identity for the redirect flow and
// another for the Google button, since the same verified address through
// a second provider would rightly be refused as a duplicate.
func popupUser(i int) string      { return fmt.Sprintf("load-%d", i%400+1) }
func credentialUser(i int) string { return fmt.Sprintf("load-%d", 400+i%400+1) }

func signInAll(ctx context.Context, c *http.Client, base string, n int) ([]*user, error) {
	users := make([]*user, n)
	for i := range users {
		u, err := popupSignIn(ctx, c, base, popupUser(i))
		if err != nil {
			return nil, err
		}
		u.who, u.gsiWho = popupUser(i), credentialUser(i)
		users[i] = u
	}
	return users, nil
}

func expectOK(what string, resp *http.Response, body []byte) error {
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %d %s", what, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// mintCredential answers a Google-style credential for who carrying a
// fresh nonce of the server's, as the button does: a credential signs in
// once, so each sign-in needs its own.
func mintCredential(ctx context.Context, c *http.Client, base, idp, who string) (shared.GoogleCredentialRequest, error) {
	resp, body, err := call(ctx, c, "GET", base+"/api/auth/google/nonce", nil, nil)
	if err != nil {
		return shared.GoogleCredentialRequest{}, err
	}
	var n shared.NonceResponse
	if err := expectOK("nonce", resp, body); err != nil {
		return shared.GoogleCredentialRequest{}, err
	}
	if err := json.Unmarshal(body, &n); err != nil {
		return shared.GoogleCredentialRequest{}, err
	}
	resp, body, err = call(ctx, c, "POST", idp+"/gsi/credential",
		map[string]string{"client_id": "dev-google-client", "user": who, "nonce": n.Nonce}, nil)
	if err != nil {
		return shared.GoogleCredentialRequest{}, err
	}
	var minted struct {
		Credential string `json:"credential"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &minted) != nil {
		return shared.GoogleCredentialRequest{}, fmt.Errorf("mint credential: %d %s", resp.StatusCode, body)
	}
	return shared.GoogleCredentialRequest{Credential: minted.Credential, Nonce: n.Nonce}, nil
}

// stepFor answers one iteration of a workload; idp is the development
// identity provider's base URL.
func stepFor(name string, c *http.Client, base, idp string) (func(context.Context, *user) error, error) {
	me := func(ctx context.Context, u *user) error {
		resp, body, err := call(ctx, c, "GET", base+"/api/me", nil, map[string]string{"Authorization": "Bearer " + u.access})
		if err != nil {
			return err
		}
		return expectOK("me", resp, body)
	}
	refresh := func(ctx context.Context, u *user) error {
		resp, body, err := call(ctx, c, "POST", base+"/api/auth/token/refresh", shared.RefreshRequest{RefreshToken: u.refresh}, nil)
		if err != nil {
			return err
		}
		if err := expectOK("refresh", resp, body); err != nil {
			return err
		}
		var r shared.RefreshResponse
		if err := json.Unmarshal(body, &r); err != nil {
			return err
		}
		u.access, u.refresh = r.AccessToken, r.RefreshToken
		return nil
	}
	// One sign-in with the button: the nonce, the credential Google would
	// mint for it (the devidp's RSA signature), the sign-in.
	credential := func(ctx context.Context, u *user) error {
		req, err := mintCredential(ctx, c, base, idp, u.gsiWho)
		if err != nil {
			return err
		}
		resp, body, err := call(ctx, c, "POST", base+"/api/auth/google/credential", req, nil)
		if err != nil {
			return err
		}
		return expectOK("credential", resp, body)
	}
	popup := func(ctx context.Context, u *user) error {
		_, err := popupSignIn(ctx, c, base, u.who)
		return err
	}
	switch name {
	case "me":
		return me, nil
	case "refresh":
		return refresh, nil
	case "credential":
		return credential, nil
	case "popup":
		return popup, nil
	case "mix":
		// A dashboard's day: mostly reads, some refreshes, few sign-ins.
		return func(ctx context.Context, u *user) error {
			switch n := rand.IntN(100); {
			case n < 70:
				return me(ctx, u)
			case n < 90:
				return refresh(ctx, u)
			case n < 95:
				return credential(ctx, u)
			default:
				return popup(ctx, u)
			}
		}, nil
	}
	return nil, errors.New("unknown workload " + name + " (want " + strings.Join(workloads, ", ") + " or all)")
}

// reuseRevocations reads from AuthBridge's /metrics how many refreshes
// it has answered as replays (each one ends a family): the counter
// authbridge_refreshes_total{outcome="token_reused"}, 0 before the first.
// ok is false when /metrics cannot be read (another system, or a server
// that does not serve it).
func reuseRevocations(ctx context.Context, c *http.Client, api, base string) (n int64, ok bool) {
	if api != "authbridge" {
		return 0, false
	}
	resp, body, err := call(ctx, c, "GET", strings.TrimRight(base, "/")+"/metrics", nil, nil)
	if err != nil || resp.StatusCode != 200 {
		return 0, false
	}
	return parseReused(string(body))
}

// parseReused finds the token_reused refresh counter in a Prometheus text
// exposition; ok is false when the text is not AuthBridge's metrics.
func parseReused(text string) (int64, bool) {
	seen := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "# TYPE authbridge_") {
			seen = true // AuthBridge's; the counter appears with its first replay
		}
		rest, found := strings.CutPrefix(line, `authbridge_refreshes_total{outcome="token_reused"} `)
		if !found {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil || f < 0 {
			return 0, false
		}
		return int64(f), true
	}
	return 0, seen
}
