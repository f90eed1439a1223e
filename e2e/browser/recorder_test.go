package browser

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Problem kinds the suite must never see.
const (
	kindCSP       = "csp-violation"
	kindException = "uncaught-exception"
	kindConsole   = "console-error"
)

// problem is a console error, an uncaught exception or a CSP violation.
type problem struct {
	Kind, Target, Text, URL string
	At                      time.Time
}

// request is one entry of the network log.
type request struct {
	Target    string
	ID        network.RequestID
	Method    string
	URL       string // with the fragment
	Type      network.ResourceType
	Status    int64
	Failed    string
	PostData  string
	Bearer    bool
	Redirects []string // URLs this request was redirected from
	At        time.Time
}

// recorder collects, for every page the suite attaches to (tabs and
// popups), the network log, console errors, uncaught exceptions and CSP
// violations, and every token it can learn: access tokens from
// Authorization headers and sign-in/refresh answers, refresh tokens from
// Set-Cookie headers and the cookie jar.
type recorder struct {
	mu       sync.Mutex
	requests []*request
	byID     map[string]*request // target + request id
	urls     []string            // every URL a page showed (target info)
	problems []problem
	notes    []string // everything else the console said, for the artifacts
	tokens   map[string]string
	bodies   sync.WaitGroup
}

func newRecorder() *recorder {
	return &recorder{byID: map[string]*request{}, tokens: map[string]string{}}
}

// cspProbe reports securitypolicyviolation events through a binding, the
// third channel besides Log entries and Audits issues.
const cspProbe = `document.addEventListener("securitypolicyviolation", function (e) {
  try { window.__e2eCSP(JSON.stringify({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber})); } catch (_) {}
}, true);`

// tokenEndpoints answer tokens in their bodies.
var tokenEndpoints = []string{"/api/auth/exchange", "/api/auth/google/credential", "/api/auth/token/refresh", "/api/auth/dev/code",
	"/api/auth/passkey/login", "/api/auth/passkey/signup"}

// attach installs the listeners on a target context before its first Run,
// then enables what they need on the target.
func (r *recorder) attach(ctx context.Context, label string) error {
	chromedp.ListenTarget(ctx, func(ev any) { r.event(ctx, label, ev) })
	return chromedp.Run(ctx,
		runtime.AddBinding("__e2eCSP"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(cspProbe).Do(ctx)
			return err
		}),
		audits.Enable(),
	)
}

// browserEvent records the URL of every page as it navigates, popups
// included, even before the suite attaches to them.
func (r *recorder) browserEvent(ev any) {
	var info *target.Info
	switch ev := ev.(type) {
	case *target.EventTargetCreated:
		info = ev.TargetInfo
	case *target.EventTargetInfoChanged:
		info = ev.TargetInfo
	default:
		return
	}
	if info.URL == "" || strings.HasPrefix(info.URL, "chrome://") {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.urls); n == 0 || r.urls[n-1] != info.URL {
		r.urls = append(r.urls, info.URL)
	}
}

func (r *recorder) event(ctx context.Context, label string, ev any) {
	now := time.Now()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.mu.Lock()
		defer r.mu.Unlock()
		key := label + "/" + string(ev.RequestID)
		req := &request{Target: label, ID: ev.RequestID, Method: ev.Request.Method, URL: ev.Request.URL + ev.Request.URLFragment,
			Type: ev.Type, At: now}
		if old, ok := r.byID[key]; ok && ev.RedirectResponse != nil {
			// A redirect reuses the request id: keep the chain.
			old.Status = ev.RedirectResponse.Status
			req.Redirects = append(append([]string{}, old.Redirects...), old.URL)
		}
		for _, e := range ev.Request.PostDataEntries {
			if b, err := base64.StdEncoding.DecodeString(e.Bytes); err == nil {
				req.PostData += string(b)
			}
		}
		for k, v := range ev.Request.Headers {
			if strings.EqualFold(k, "Authorization") {
				if s, ok := v.(string); ok {
					if tok, ok := strings.CutPrefix(s, "Bearer "); ok {
						req.Bearer = true
						r.tokens[tok] = "access token (Authorization header)"
					}
				}
			}
		}
		r.byID[key] = req
		r.requests = append(r.requests, req)
	case *network.EventResponseReceived:
		r.mu.Lock()
		defer r.mu.Unlock()
		if req := r.byID[label+"/"+string(ev.RequestID)]; req != nil {
			req.Status = ev.Response.Status
		}
	case *network.EventResponseReceivedExtraInfo:
		r.mu.Lock()
		defer r.mu.Unlock()
		for k, v := range ev.Headers {
			if !strings.EqualFold(k, "Set-Cookie") {
				continue
			}
			s, _ := v.(string)
			for _, line := range strings.Split(s, "\n") {
				name, rest, ok := strings.Cut(strings.TrimSpace(line), "=")
				value, _, _ := strings.Cut(rest, ";")
				if ok && name == refreshCookie && value != "" {
					r.tokens[value] = "refresh token (Set-Cookie)"
				}
			}
		}
	case *network.EventLoadingFailed:
		r.mu.Lock()
		defer r.mu.Unlock()
		if req := r.byID[label+"/"+string(ev.RequestID)]; req != nil {
			req.Failed = ev.ErrorText
			if ev.BlockedReason != "" {
				req.Failed += " (blocked: " + string(ev.BlockedReason) + ")"
			}
		}
	case *network.EventLoadingFinished:
		r.mu.Lock()
		req := r.byID[label+"/"+string(ev.RequestID)]
		r.mu.Unlock()
		if req == nil || !isTokenEndpoint(req.URL) {
			return
		}
		// Never run an action inside a listener: fetch the body aside.
		r.bodies.Add(1)
		go func() {
			defer r.bodies.Done()
			bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			var body []byte
			if err := chromedp.Run(bctx, chromedp.ActionFunc(func(ctx context.Context) error {
				var err error
				body, err = network.GetResponseBody(ev.RequestID).Do(ctx)
				return err
			})); err != nil {
				return // the page went away; its tokens were seen in headers
			}
			r.learnTokens(body, "token in the answer of "+req.URL)
		}()
	case *runtime.EventConsoleAPICalled:
		text := consoleText(ev.Args)
		if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert {
			r.problem(kindConsole, label, text, "", now)
		} else {
			r.note(fmt.Sprintf("%s console.%s: %s", label, ev.Type, text))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		r.problem(kindException, label, text, d.URL, now)
	case *runtime.EventBindingCalled:
		if ev.Name == "__e2eCSP" {
			r.problem(kindCSP, label, "securitypolicyviolation "+ev.Payload, "", now)
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		switch {
		case strings.Contains(e.Text, "Content Security Policy") || e.Source == log.SourceSecurity:
			r.problem(kindCSP, label, e.Text, e.URL, now)
		case e.Level == log.LevelError && e.Source == log.SourceNetwork:
			// A 4xx/5xx or failed request: the network log has it, and
			// the tests check the ones that matter.
			r.note(fmt.Sprintf("%s network error: %s %s", label, e.Text, e.URL))
		case e.Level == log.LevelError:
			// (console.error itself arrives as Runtime.consoleAPICalled.)
			r.problem(kindConsole, label, string(e.Source)+": "+e.Text, e.URL, now)
		default:
			r.note(fmt.Sprintf("%s log %s/%s: %s %s", label, e.Source, e.Level, e.Text, e.URL))
		}
	case *page.EventJavascriptDialogOpening:
		// A confirm() must not hang the suite: accept it, and say so.
		r.note(fmt.Sprintf("%s dialog %s accepted: %s", label, ev.Type, ev.Message))
		go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
	case *audits.EventIssueAdded:
		if ev.Issue.Code == audits.InspectorIssueCodeContentSecurityPolicyIssue && ev.Issue.Details != nil &&
			ev.Issue.Details.ContentSecurityPolicyIssueDetails != nil {
			d := ev.Issue.Details.ContentSecurityPolicyIssueDetails
			r.problem(kindCSP, label, fmt.Sprintf("issue: %s blocked %q (%s)", d.ViolatedDirective, d.BlockedURL, d.ContentSecurityPolicyViolationType), "", now)
		} else {
			b, _ := json.Marshal(ev.Issue)
			r.note(fmt.Sprintf("%s issue: %s", label, b))
		}
	}
}

func isTokenEndpoint(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	for _, p := range tokenEndpoints {
		if u.Path == p {
			return true
		}
	}
	return false
}

func consoleText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case len(a.Value) > 0:
			var s string
			if json.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
			} else {
				parts = append(parts, string(a.Value))
			}
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func (r *recorder) problem(kind, label, text, u string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, problem{Kind: kind, Target: label, Text: text, URL: u, At: at})
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, time.Now().Format("15:04:05.000")+" "+s)
}

// learnTokens remembers the token fields of a JSON answer.
func (r *recorder) learnTokens(body []byte, where string) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && s != "" && (k == "access_token" || k == "refresh_token" || k == "id_token") {
					r.tokens[s] = k + " (" + where + ")"
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}

func (r *recorder) learnToken(tok, where string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens[tok] = where
}

// Requests answers the network log since index from, and the next index.
func (r *recorder) Requests(from int) ([]request, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	from = min(from, len(r.requests))
	out := make([]request, 0, len(r.requests)-from)
	for _, q := range r.requests[from:] {
		out = append(out, *q)
	}
	return out, len(r.requests)
}

// Problems answers every problem seen so far.
func (r *recorder) Problems() []problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]problem(nil), r.problems...)
}

// Tokens answers the tokens learned so far (value → where from).
func (r *recorder) Tokens() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.tokens))
	for k, v := range r.tokens {
		out[k] = v
	}
	return out
}

// URLs answers every URL of the network log and of page navigations.
func (r *recorder) URLs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]string(nil), r.urls...)
	for _, q := range r.requests {
		out = append(out, q.URL)
		out = append(out, q.Redirects...)
	}
	return out
}

// jwtRE finds anything shaped like a JWT.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+`)

// leaks answers where in s a known token (or a JWT) appears.
func leaks(s string, tokens map[string]string) []string {
	var out []string
	for tok, what := range tokens {
		if len(tok) >= 16 && strings.Contains(s, tok) {
			out = append(out, what)
		}
	}
	if m := jwtRE.FindString(s); m != "" {
		out = append(out, "a JWT ("+m[:min(len(m), 24)]+"…)")
	}
	sort.Strings(out)
	return out
}

// writeArtifacts saves the network log, the console output and the
// problems.
func (r *recorder) writeArtifacts(dir string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, q := range r.requests {
		fmt.Fprintf(&b, "%s %-10s %-6s %3d %-10s %s", q.At.Format("15:04:05.000"), q.Target, q.Method, q.Status, q.Type, q.URL)
		if q.Failed != "" {
			fmt.Fprintf(&b, " FAILED %s", q.Failed)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n# page URLs\n")
	for _, u := range r.urls {
		b.WriteString(u + "\n")
	}
	if err := os.WriteFile(dir+"/network.log", []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	for _, p := range r.problems {
		fmt.Fprintf(&b, "%s %s %s: %s %s\n", p.At.Format("15:04:05.000"), p.Kind, p.Target, p.Text, p.URL)
	}
	b.WriteString("\n# other console output\n")
	for _, n := range r.notes {
		b.WriteString(n + "\n")
	}
	return os.WriteFile(dir+"/console.log", []byte(b.String()), 0o644)
}
