package devidp

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGSIClientScript(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(f.idp.URL("/gsi/client"))
	js := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /gsi/client: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"google.accounts.id", "initialize", "renderButton", "prompt", "disableAutoSelect", "cancel",
		`"gis-stub-button"`, "__devidpUser", "Sign in with Google (dev)", `"alice"`, "alice@example.com", "/gsi/credential",
		`"` + f.idp.URL("") + `"`} {
		if !strings.Contains(js, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	// Nothing a strict CSP (no 'unsafe-eval', no 'unsafe-inline') blocks.
	for _, banned := range []string{"eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
		`setAttribute("style"`, `setAttribute("on`, "cssText", "javascript:", "/*USERS*/", "/*BASE*/"} {
		if strings.Contains(js, banned) {
			t.Errorf("script contains %q", banned)
		}
	}
	node := nodeOrSkip(t)
	path := filepath.Join(t.TempDir(), "gsi-client.js")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("node --check: %v\n%s", err, out)
	}
}

func nodeOrSkip(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but node is not installed (apt-get install nodejs)")
		}
		t.Skip("node is not installed")
	}
	return node
}

// gsiHarness runs the served script in Node with a minimal DOM: it
// initializes with a callback and a nonce, renders the button, clicks it
// (erin, preselected through login_hint), clicks again as bob through
// window.__devidpUser, then as an unknown user, and reports.
const gsiHarness = `
const vm = require("vm");
const scriptURL = process.argv[2];
class El {
  constructor(tag) { this.tagName = tag.toUpperCase(); this.children = []; this.style = {}; this.attrs = {};
    this.listeners = {}; this.value = ""; this.disabled = false; this.textContent = ""; this.id = ""; }
  get firstChild() { return this.children[0] || null; }
  appendChild(c) { this.children.push(c); if (this.tagName === "SELECT" && this.value === "") { this.value = c.value; } return c; }
  removeChild(c) { this.children.splice(this.children.indexOf(c), 1); }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  removeAttribute(k) { delete this.attrs[k]; }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  click() { (this.listeners.click || []).forEach((fn) => fn({})); }
}
function find(el, id) {
  if (el.id === id) { return el; }
  for (const c of el.children) { const r = find(c, id); if (r) { return r; } }
  return null;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  globalThis.window = globalThis;
  globalThis.document = { currentScript: { src: scriptURL }, createElement: (t) => new El(t) };
  let loaded = false;
  window.onGoogleLibraryLoad = () => { loaded = true; };
  const code = await (await fetch(scriptURL)).text();
  vm.runInThisContext(code, { filename: "gsi-client.js" });
  const results = [];
  google.accounts.id.initialize({ client_id: "app", nonce: "n-js", login_hint: "erin", callback: (r) => results.push(r) });
  const parent = new El("div");
  parent.appendChild(new El("span"));
  google.accounts.id.renderButton(parent, { theme: "outline", size: "large" });
  const button = find(parent, "gis-stub-button");
  const select = find(parent, "gis-stub-user");
  const wait = async (n) => { for (let i = 0; i < 200 && results.length < n; i++) { await sleep(10); } };
  button.click(); await wait(1);
  window.__devidpUser = "bob"; button.click(); await wait(2);
  window.__devidpUser = "zed"; button.click();
  for (let i = 0; i < 200 && button.getAttribute("data-devidp-error") === null; i++) { await sleep(10); }
  let note = null;
  google.accounts.id.prompt((n) => { note = n; });
  await sleep(20);
  google.accounts.id.disableAutoSelect(); google.accounts.id.cancel();
  // The width option sizes the whole stand-in, within Google's 200-400 px.
  const widths = ["321", 900, "", 120].map((w) => {
    const p = new El("div");
    google.accounts.id.renderButton(p, { theme: "outline", width: w });
    return p.children[0].style.width || "";
  });
  console.log(JSON.stringify({
    loaded, results, children: parent.children.length, label: button.textContent, type: button.type,
    styled: button.style.border !== undefined, selected: select.value, options: select.children.map((o) => o.value),
    error: button.getAttribute("data-devidp-error"),
    notDisplayed: note && note.isNotDisplayed(), reason: note && note.getNotDisplayedReason(), widths,
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`

// TestGSIButtonInNode drives the real script end to end: the callback gets
// {credential, select_by: "btn"} with an ID token that verifies.
func TestGSIButtonInNode(t *testing.T) {
	node := nodeOrSkip(t)
	f := newFixture(t)
	dir := t.TempDir()
	harness := filepath.Join(dir, "harness.js")
	if err := os.WriteFile(harness, []byte(gsiHarness), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, harness, f.idp.URL("/gsi/client"))
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s\n%s", err, out, stderr)
	}
	var got struct {
		Loaded   bool
		Results  []struct{ Credential, Select_by, ClientId string }
		Children int
		Label    string
		Type     string
		Styled   bool
		Selected string
		Options  []string
		Error    string
		NotDisp  bool   `json:"notDisplayed"`
		Reason   string `json:"reason"`
		Widths   []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("harness output %q: %v", out, err)
	}
	if !got.Loaded || got.Children != 1 || got.Label != "Sign in with Google (dev)" || got.Type != "button" || !got.Styled ||
		got.Selected != "erin" || len(got.Options) != len(Users()) || got.Error != "access_denied" || !got.NotDisp || got.Reason == "" {
		t.Fatalf("harness = %+v", got)
	}
	if want := []string{"321px", "400px", "", "200px"}; !slices.Equal(got.Widths, want) {
		t.Errorf("the stand-in drawn with widths 321, 900, none, 120 is %q wide, want %q", got.Widths, want)
	}
	if len(got.Results) != 2 {
		t.Fatalf("%d callbacks, want 2: %+v", len(got.Results), got.Results)
	}
	for i, who := range []string{"erin", "bob"} {
		r := got.Results[i]
		if r.Select_by != "btn" || r.ClientId != clientID {
			t.Fatalf("callback %d = %+v", i, r)
		}
		c := f.verifyIDToken(APIGoogle, r.Credential, clientID)
		u := userByID(t, who)
		if c["sub"] != u.Subject(APIGoogle) || c["nonce"] != "n-js" || c["email_verified"] != u.EmailVerified {
			t.Fatalf("credential %d claims = %v", i, c)
		}
	}
}

func TestGSICredential(t *testing.T) {
	f := newFixture(t)
	resp, body := f.post(f.idp.URL("/gsi/credential"), "application/json", `{"client_id":"app","nonce":"n1","user":"erin"}`)
	var out struct{ Credential, Select_by string }
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("mint: %d %s", resp.StatusCode, body)
	}
	c := f.verifyIDToken(APIGoogle, out.Credential, clientID)
	erin := userByID(t, "erin")
	want := map[string]any{"iss": f.idp.Issuer(APIGoogle), "aud": clientID, "azp": clientID, "sub": erin.Subject(APIGoogle),
		"nonce": "n1", "hd": "corp.test", "email": "erin@corp.test", "email_verified": true, "name": erin.Name}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %#v, want %#v", k, c[k], v)
		}
	}
	if c["jti"] == nil || c["nbf"] == nil || c["picture"] == nil {
		t.Errorf("claims = %v", c)
	}
	// Not valid for another client, and expired an hour later.
	if _, err := verifyErr(f, out.Credential, otherClient, f.clock.Now()); err == nil {
		t.Error("credential verified for another audience")
	}
	if _, err := verifyErr(f, out.Credential, clientID, f.clock.Now().Add(time.Hour+time.Second)); err == nil {
		t.Error("credential verified after exp")
	}
	// The OIDC issuer's JWKS does not verify Google's tokens.
	if h := jwtHeader(t, out.Credential); h["kid"] == f.idp.KeyID(APIOIDC) {
		t.Error("the two issuers share a key")
	}

	tests := []struct {
		name, ct, body string
		status         int
	}{
		{"no nonce is fine", "application/json", `{"client_id":"app","user":"alice"}`, 200},
		{"unknown client", "application/json", `{"client_id":"evil","user":"alice"}`, 400},
		{"unknown user", "application/json", `{"client_id":"app","user":"zed"}`, 403},
		{"not JSON", "application/x-www-form-urlencoded", `client_id=app&user=alice`, 400},
		{"unknown field", "application/json", `{"client_id":"app","user":"alice","email":"x@y"}`, 400},
		{"two objects", "application/json", `{"client_id":"app","user":"alice"}{}`, 400},
		{"too large", "application/json", `{"client_id":"app","user":"alice","nonce":"` + strings.Repeat("n", 5000) + `"}`, 400},
	}
	for _, tt := range tests {
		if resp, body := f.post(f.idp.URL("/gsi/credential"), tt.ct, tt.body); resp.StatusCode != tt.status {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, f.idp.URL("/gsi/credential"), nil)
	req.Header.Set("Origin", "http://spa.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	if resp, _ := f.do(req); resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}
