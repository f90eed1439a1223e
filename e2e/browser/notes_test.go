package browser

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// notesApp is examples/notes in the topology: its site under /notes/ and
// its API (notes-api, verify.Middleware) under /notes-api/, both through
// the suite's nginx (examples/notes/nginx/notes.conf, included by the
// template's apps/*.conf).
type notesApp struct {
	apiAddr string // notes-api's loopback address (picked with the others)
	root    string // holds notes/, the site

	once sync.Once
	err  error
}

// writeNotesConf renders the example's nginx include into the config's
// apps/ folder. The site and the API come later (startNotes): until then
// /notes/ answers 404 and /notes-api/ 502.
func (h *harness) writeNotesConf(runDir string) error {
	h.notes.root = filepath.Join(h.work, "notes-root")
	tpl, err := os.ReadFile(filepath.Join(h.repo, "examples", "notes", "nginx", "notes.conf"))
	if err != nil {
		return fmt.Errorf("notes nginx include: %w", err)
	}
	conf := strings.NewReplacer(
		"${NOTES_ROOT}", h.notes.root,
		"${NOTES_API}", h.notes.apiAddr,
		"${CONF_DIR}", runDir,
	).Replace(string(tpl))
	if err := os.MkdirAll(filepath.Join(runDir, "apps"), 0o755); err != nil {
		return fmt.Errorf("notes nginx include: %w", err)
	}
	return os.WriteFile(filepath.Join(runDir, "apps", "notes.conf"), []byte(conf), 0o644)
}

// startNotes builds the example's site (scripts/web.sh with APP) and API
// once, and starts the API against the suite's AuthBridge (its issuer is
// the nginx origin, AUTHBRIDGE_PUBLIC_URL).
func (h *harness) startNotes(t *testing.T) {
	t.Helper()
	h.notes.once.Do(func() { h.notes.err = h.buildNotes() })
	if h.notes.err != nil {
		t.Fatalf("examples/notes: %v", h.notes.err)
	}
}

func (h *harness) buildNotes() error {
	start := time.Now()
	site := filepath.Join(h.notes.root, "notes")
	if err := os.MkdirAll(h.notes.root, 0o755); err != nil {
		return err
	}
	logPath := filepath.Join(h.artifacts, "notes-build.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	bin := filepath.Join(h.work, "bin", "notes-api")
	for _, cmd := range []*exec.Cmd{
		exec.Command("bash", filepath.Join(h.repo, "scripts", "web.sh"), site),
		exec.Command("go", "build", "-o", bin, "./examples/notes/cmd/notes-api"),
	} {
		cmd.Dir = h.repo
		cmd.Env = append(os.Environ(), "GIS_SRC="+h.idpURL+"/gsi/client",
			"APP=./examples/notes/cmd/notes-web", "ASSETS=examples/notes/web")
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w (log: %s)", strings.Join(cmd.Args, " "), err, logPath)
		}
	}
	if err := readableTree(h.notes.root); err != nil {
		return err
	}
	p, err := h.spawn("notes-api", baseEnv(), bin, "-addr", h.notes.apiAddr, "-issuer", h.origin)
	if err != nil {
		return err
	}
	if err := waitHTTP(p, "http://"+h.notes.apiAddr+"/healthz"); err != nil {
		return err
	}
	h.logf("built and started examples/notes in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// notesState waits for the example's main#notes[data-state=state],
// failing with what the app's #error says (a refused sign-in shows there)
// when it does not come.
func (tb *tab) notesState(t *testing.T, timeout time.Duration, state string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var raw string
		tb.eval(t, `JSON.stringify({state: (document.querySelector("main#notes") || {dataset: {}}).dataset.state || "",
  error: (document.getElementById("error") || {}).textContent || ""})`, &raw)
		var got struct{ State, Error string }
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			tb.fail(t, "read the notes app's state: %v", err)
		}
		if got.State == state {
			return
		}
		if time.Now().After(deadline) {
			tb.fail(t, "main#notes is %q, not %q, after %s (#error: %q)", got.State, state, timeout, got.Error)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// notesSignIn signs the example's tab in as user with GitHub's popup.
// The provider matters: the suite shares one database, and TestDashboard
// signs dave in with GitHub first, so another provider's verified
// dave@other.test would be refused as duplicate_email (as it should be).
// It waits for the Google button (the GIS stand-in) first: it renders
// above the other buttons and would move them under the click.
func (tb *tab) notesSignIn(t *testing.T, user string) {
	t.Helper()
	tb.run(t, waitLong, "wait for the Google button", chromedp.WaitVisible("#gis-stub-button", chromedp.ByQuery))
	tb.popupFlow(t, "button#login-github", user)
	tb.notesState(t, waitShort, "signed-in")
}

// addNote types text into the example's form and sends it.
func (tb *tab) addNote(t *testing.T, text string) {
	t.Helper()
	tb.run(t, waitShort, "type a note", chromedp.SendKeys("#note-text", text, chromedp.ByQuery, chromedp.NodeVisible))
	tb.click(t, "#add-note")
}

// waitNotes waits until the example lists exactly want, failing with
// what it shows (and its #error) otherwise.
func (tb *tab) waitNotes(t *testing.T, want []string) {
	t.Helper()
	deadline := time.Now().Add(waitShort)
	for {
		var raw string
		tb.eval(t, `JSON.stringify({notes: Array.from(document.querySelectorAll("#note-list li"), li => li.textContent),
  error: (document.getElementById("error") || {}).textContent || ""})`, &raw)
		var got struct {
			Notes []string
			Error string
		}
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			tb.fail(t, "read the notes: %v", err)
		}
		if reflect.DeepEqual(got.Notes, want) || (len(got.Notes) == 0 && len(want) == 0) {
			return
		}
		if time.Now().After(deadline) {
			tb.fail(t, "the notes are %q (error %q), want %q", got.Notes, got.Error, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// notesCalls are tb's calls to the example's API since index from.
func (h *harness) notesCalls(label string, from int) []request {
	reqs, _ := h.rec.Requests(from)
	var out []request
	for _, r := range reqs {
		if u, err := url.Parse(r.URL); err == nil && r.Target == label && strings.HasPrefix(u.Path, "/notes-api/") {
			out = append(out, r)
		}
	}
	return out
}

// TestNotes drives examples/notes (issue #16 §3): a go-app app that signs
// in with the kit and keeps notes through its own API, which verifies
// AuthBridge's access tokens with verify.Middleware.
func TestNotes(t *testing.T) {
	h := start(t)
	h.dashboard(t)
	h.startNotes(t)
	const user = "dave"

	// A second browser signed in as the same user: it shares no tab with
	// the sign-out below, so only its refresh can tell it.
	other := h.newBrowserContext(t, "notes-other-browser")
	other.run(t, waitLong, "load /notes/", chromedp.Navigate(h.origin+"/notes/"))
	other.notesState(t, waitLong, "signed-out")
	other.notesSignIn(t, user)

	tb := h.newBrowserContext(t, "notes")
	_, from := h.rec.Requests(0)
	tb.run(t, waitLong, "load /notes/", chromedp.Navigate(h.origin+"/notes/"))
	tb.notesState(t, waitLong, "signed-out")

	t.Run("popup sign-in inside the app", func(t *testing.T) {
		tb.notesSignIn(t, user)
		if got, want := tb.text(t, "#user-name"), userNames[user]; got != want {
			tb.fail(t, "#user-name = %q, want %q", got, want)
		}
	})
	signedIn := time.Now()

	t.Run("create and list notes through the API", func(t *testing.T) {
		tb.waitNotes(t, nil) // none yet
		tb.addNote(t, "first note")
		tb.waitNotes(t, []string{"first note"})
		tb.addNote(t, "second note")
		tb.waitNotes(t, []string{"first note", "second note"})
		// A reload lists them from the API (the app keeps nothing).
		tb.run(t, waitLong, "reload /notes/", chromedp.Navigate(h.origin+"/notes/"))
		tb.notesState(t, waitLong, "signed-in")
		tb.waitNotes(t, []string{"first note", "second note"})
		// The other browser is the same user: it sees them too.
		other.run(t, waitLong, "reload /notes/", chromedp.Navigate(h.origin+"/notes/"))
		other.notesState(t, waitLong, "signed-in")
		other.waitNotes(t, []string{"first note", "second note"})
		var bearer, plain int
		for _, r := range h.notesCalls(tb.label, from) {
			if r.Bearer {
				bearer++
			} else {
				plain++
			}
		}
		if bearer == 0 || plain != 0 {
			t.Errorf("calls to /notes-api/: %d with a bearer token, %d without; want every one with it", bearer, plain)
		}
	})

	t.Run("a call after the first access token expired succeeds (silent refresh)", func(t *testing.T) {
		if wait := time.Until(signedIn.Add(accessTTL + time.Second)); wait > 0 {
			time.Sleep(wait)
		}
		_, afterExpiry := h.rec.Requests(0)
		tb.addNote(t, "after expiry")
		tb.waitNotes(t, []string{"first note", "second note", "after expiry"})
		refreshed := false
		reqs, _ := h.rec.Requests(from)
		for _, r := range reqs {
			if r.Target == tb.label && isRefresh(r) && r.Status == 200 {
				refreshed = true
			}
		}
		if !refreshed {
			t.Errorf("no successful refresh from %s since the sign-in %s ago (access tokens live %s)", tb.label, time.Since(signedIn).Round(time.Second), accessTTL)
		}
		calls := h.notesCalls(tb.label, afterExpiry)
		if n := len(calls); n == 0 || calls[n-1].Method != "POST" || calls[n-1].Status != 201 {
			t.Errorf("the call after expiry: %+v, want it to end with POST /notes-api/notes answering 201", calls)
		}
	})

	t.Run("sign out everywhere in the dashboard ends the app's access", func(t *testing.T) {
		dash := tb.newTab(t, "notes-dashboard")
		dash.navigate(t, "/")
		dash.expectUser(t, user) // the same browser's refresh cookie
		_, before := h.rec.Requests(0)
		dash.signOutEverywhere(t)
		dash.waitState(t, "signed-out")
		// Same browser: the kit's cross-tab broadcast signs the app out at
		// once; it forgets its token, so it makes no more API calls.
		tb.notesState(t, waitShort, "signed-out")
		tb.waitNotes(t, nil)
		// It stays out: the refresh cookie was revoked.
		tb.run(t, waitLong, "reload /notes/", chromedp.Navigate(h.origin+"/notes/"))
		tb.notesState(t, waitLong, "signed-out")
		for _, r := range h.notesCalls(tb.label, before) {
			t.Errorf("%s %s after the sign-out: the app still called its API", r.Method, r.URL)
		}
		// Another browser has no tab to hear it: its access token stays
		// valid until it expires (verification is stateless), and its
		// next scheduled refresh, due before that, finds the session
		// revoked and signs it out. So within one access-token lifetime.
		other.notesState(t, accessTTL+waitShort, "signed-out")
		other.waitNotes(t, nil)
		tb.shot(t, "notes-signed-out-everywhere")
	})
}
