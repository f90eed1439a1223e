package main

// The operator's commands (issue #15): users, administrators, the audit
// trail and provider orphans, run on the configured database without a
// server. Every command prints text for people, or with --json one JSON
// document for scripts; the exit code says how it went (exitCode).

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/geoip"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// Exit codes a script can rely on.
const (
	exitOK       = 0
	exitFailed   = 1 // anything else: the database, a refused change (last_admin), a declined confirmation
	exitUsage    = 2 // unknown command, bad flag or argument
	exitNotFound = 3 // no such user (or not an administrator, for admin revoke)
)

// operatorCommands are the first words that run an operator command.
var operatorCommands = map[string]bool{"users": true, "admin": true, "events": true, "providers": true}

const operatorUsage = `usage:
  authbridge users list [--query Q] [--disabled] [--page N] [--limit N] [--json]
  authbridge users show <email|id> [--json]
  authbridge users disable <email|id> [--reason TEXT] [--json]
  authbridge users enable <email|id> [--reason TEXT] [--json]
  authbridge users delete <email|id> [--yes] [--reason TEXT] [--json]
  authbridge users revoke-sessions <email|id> [--reason TEXT] [--json]
  authbridge admin grant|revoke <email|id> [--json]
  authbridge admin list [--json]
  authbridge events [--user <email|id|actor>] [--since DURATION|RFC3339] [--limit N] [--json]
  authbridge providers orphans <provider> [--json]
exit codes: 0 ok, 1 error, 2 usage, 3 not found`

// exitError carries the process's exit code with the error main prints.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process's exit status for run's error.
func exitCode(err error) int {
	var e *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &e):
		return e.code
	default:
		return exitFailed
	}
}

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format+"\n"+operatorUsage, args...)}
}

// operation is one parsed command line.
type operation struct {
	words []string // the command and its positional arguments
	json  bool
	// flags
	query, reason, userRef, since string
	disabled, yes                 bool
	page, limit                   int
}

// parseOperation reads flags anywhere on the line (after the arguments
// too, as people type them).
func parseOperation(args []string) (operation, error) {
	var op operation
	fs := flag.NewFlagSet("authbridge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&op.json, "json", false, "")
	fs.StringVar(&op.query, "query", "", "")
	fs.StringVar(&op.reason, "reason", "", "")
	fs.StringVar(&op.userRef, "user", "", "")
	fs.StringVar(&op.since, "since", "", "")
	fs.BoolVar(&op.disabled, "disabled", false, "")
	fs.BoolVar(&op.yes, "yes", false, "")
	fs.IntVar(&op.page, "page", 1, "")
	fs.IntVar(&op.limit, "limit", 0, "")
	for {
		if err := fs.Parse(args); err != nil {
			return op, usageError("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return op, nil
		}
		op.words = append(op.words, args[0])
		args = args[1:]
	}
}

// operate runs one operator command; stdin answers the confirmation of a
// deletion.
func operate(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	op, err := parseOperation(args)
	if err != nil {
		return err
	}
	if err := op.check(); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{DataDir: cfg.DataDir, Logger: newLogger(cfg, stderr)})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	// users show names each session's coarse place, as the server does.
	var places *geoip.DB
	if cfg.GeoIPFile != "" {
		if places, err = geoip.Open(cfg.GeoIPFile); err != nil {
			return fmt.Errorf("AUTHBRIDGE_GEOIP_FILE: %w", err)
		}
		defer places.Close()
	}
	o := &operator{
		adm:    auth.NewAdmin(st, auth.AdminOptions{IdleTTL: cfg.RefreshIdleTTL, AdminEmails: cfg.AdminEmails, Places: places}),
		actor:  auth.CLIActor(osUser(getenv)),
		op:     op,
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
	}
	err = o.run(ctx)
	if err != nil && op.json {
		// Scripts read the code from stdout too; main still prints the
		// message on stderr.
		code := apperr.CodeOf(err)
		if code == "" || code == shared.CodeInternal {
			code = shared.CodeInternal
		}
		o.print(shared.ErrorEnvelope{Error: shared.ErrorBody{Code: code, Message: err.Error()}}, nil)
	}
	return cliError(err)
}

// check refuses a malformed command line before anything is opened.
func (op operation) check() error {
	want := map[string]int{ // the command → how many words it takes
		"users list": 2, "users show": 3, "users disable": 3, "users enable": 3, "users delete": 3,
		"users revoke-sessions": 3, "admin grant": 3, "admin revoke": 3, "admin list": 2,
		"events": 1, "providers orphans": 3,
	}
	key := strings.Join(op.words[:min(len(op.words), 2)], " ")
	if len(op.words) > 0 && op.words[0] == "events" {
		key = "events"
	}
	n, ok := want[key]
	if !ok {
		return usageError("unknown command %q", strings.Join(op.words, " "))
	}
	if len(op.words) != n {
		return usageError("%s takes %d argument(s)", key, n-len(strings.Fields(key)))
	}
	if op.page < 1 || op.limit < 0 {
		return usageError("--page is 1 or more, --limit 0 (the default) or more")
	}
	return nil
}

// cliError gives err its exit code.
func cliError(err error) error {
	var e *exitError
	switch {
	case err == nil, errors.As(err, &e):
		return err
	case apperr.CodeOf(err) == shared.CodeNotFound:
		return &exitError{code: exitNotFound, err: err}
	case apperr.CodeOf(err) == shared.CodeInvalidRequest:
		return &exitError{code: exitUsage, err: err}
	default:
		return err
	}
}

// osUser names who runs the command, for the audit trail.
func osUser(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return getenv("USER")
}

type operator struct {
	adm            *auth.Admin
	actor          auth.Actor
	op             operation
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (o *operator) run(ctx context.Context) error {
	w := o.op.words
	switch strings.Join(w[:min(len(w), 2)], " ") {
	case "users list":
		return o.list(ctx)
	case "admin list":
		return o.admins(ctx)
	case "providers orphans":
		return o.orphans(ctx, w[2])
	}
	if w[0] == "events" {
		return o.events(ctx)
	}
	u, err := o.adm.Find(ctx, w[2])
	if err != nil {
		return err
	}
	switch w[0] + " " + w[1] {
	case "users show":
		return o.show(ctx, u)
	case "users disable":
		n, err := o.adm.Disable(ctx, o.actor, u.ID, o.op.reason)
		return o.done(err, u, "disabled; %d session(s) ended", n)
	case "users enable":
		return o.done(o.adm.Enable(ctx, o.actor, u.ID, o.op.reason), u, "enabled")
	case "users revoke-sessions":
		n, err := o.adm.RevokeSessions(ctx, o.actor, u.ID, o.op.reason)
		return o.done(err, u, "%d session(s) ended", n)
	case "users delete":
		if !o.op.yes && !o.confirm(u) {
			return &exitError{code: exitFailed, err: errors.New("not deleted: not confirmed (type yes, or pass --yes)")}
		}
		return o.done(o.adm.Delete(ctx, o.actor, u.ID, o.op.reason), u, "deleted")
	case "admin grant":
		return o.done(o.adm.GrantAdmin(ctx, o.actor, u.ID), u, "is an administrator")
	case "admin revoke":
		return o.done(o.adm.RevokeAdmin(ctx, o.actor, u.ID), u, "is no longer an administrator")
	}
	return usageError("unknown command %q", strings.Join(w, " "))
}

// confirm asks on stderr and reads the answer from stdin.
func (o *operator) confirm(u auth.UserRecord) bool {
	fmt.Fprintf(o.stderr, "Delete user %s (%s, %s) with their identities and sessions? This cannot be undone. Type yes to confirm: ", u.ID, u.Email, u.Name)
	line, _ := bufio.NewReader(o.stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// done reports a change to one user.
func (o *operator) done(err error, u auth.UserRecord, format string, args ...any) error {
	if err != nil {
		return err
	}
	msg := fmt.Sprintf(format, args...)
	o.print(map[string]any{"ok": true, "user": u.ID, "email": u.Email, "result": msg}, func(w io.Writer) {
		fmt.Fprintf(w, "user %s (%s): %s\n", u.ID, u.Email, msg)
	})
	return nil
}

// print writes v as JSON with --json, else text.
func (o *operator) print(v any, text func(w io.Writer)) {
	if o.op.json || text == nil {
		enc := json.NewEncoder(o.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
		return
	}
	tw := tabwriter.NewWriter(o.stdout, 0, 4, 2, ' ', 0)
	text(tw)
	tw.Flush()
}

// ---- JSON shapes ----

type userJSON struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Email         string     `json:"email"`
	EmailVerified bool       `json:"email_verified"`
	CreatedAt     time.Time  `json:"created_at"`
	DisabledAt    *time.Time `json:"disabled_at"`
}

func toUserJSON(u auth.UserRecord) userJSON {
	return userJSON{ID: u.ID, Name: u.Name, Email: u.Email, EmailVerified: u.EmailVerified, CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt}
}

func usersJSON(us []auth.UserRecord) []userJSON {
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		out = append(out, toUserJSON(u))
	}
	return out
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func userRows(w io.Writer, us []auth.UserRecord) {
	fmt.Fprintln(w, "ID\tEMAIL\tNAME\tCREATED\tDISABLED")
	for _, u := range us {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.CreatedAt.UTC().Format(time.RFC3339), when(u.DisabledAt))
	}
}

// ---- commands ----

func (o *operator) list(ctx context.Context) error {
	p, err := o.adm.ListUsers(ctx, auth.UserQuery{Query: o.op.query, DisabledOnly: o.op.disabled, Page: o.op.page, Limit: o.op.limit})
	if err != nil {
		return err
	}
	o.print(map[string]any{"users": usersJSON(p.Users), "total": p.Total, "page": p.Page, "limit": p.Limit}, func(w io.Writer) {
		userRows(w, p.Users)
		fmt.Fprintf(w, "page %d: %d of %d user(s)\n", p.Page, len(p.Users), p.Total)
	})
	return nil
}

func (o *operator) show(ctx context.Context, u auth.UserRecord) error {
	d, err := o.adm.UserDetail(ctx, u.ID)
	if err != nil {
		return err
	}
	type identity struct {
		Provider      string    `json:"provider"`
		Subject       string    `json:"subject"`
		Email         string    `json:"email"`
		EmailVerified bool      `json:"email_verified"`
		LastLoginAt   time.Time `json:"last_login_at"`
	}
	type session struct {
		ID        string    `json:"id"`
		Provider  string    `json:"provider"`
		IP        string    `json:"ip"`
		Place     string    `json:"place,omitempty"` // with AUTHBRIDGE_GEOIP_FILE
		UserAgent string    `json:"user_agent"`
		CreatedAt time.Time `json:"created_at"`
		LastUsed  time.Time `json:"last_used_at"`
	}
	type login struct {
		Time      time.Time `json:"time"`
		Provider  string    `json:"provider"`
		Outcome   string    `json:"outcome"`
		ErrorCode string    `json:"error_code,omitempty"`
		IP        string    `json:"ip"`
	}
	out := struct {
		User       userJSON   `json:"user"`
		Admin      bool       `json:"admin"`
		Identities []identity `json:"identities"`
		Sessions   []session  `json:"sessions"`
		Logins     []login    `json:"logins"`
	}{User: toUserJSON(d.User), Admin: d.Admin, Identities: []identity{}, Sessions: []session{}, Logins: []login{}}
	for _, i := range d.Identities {
		out.Identities = append(out.Identities, identity{i.Provider, i.Subject, i.Email, i.EmailVerified, i.LastLoginAt})
	}
	for _, s := range d.Sessions {
		out.Sessions = append(out.Sessions, session{s.ID, s.Provider, s.IP, s.Place, s.UserAgent, s.CreatedAt, s.LastUsed})
	}
	for _, l := range d.Logins {
		out.Logins = append(out.Logins, login{l.Time, l.Provider, l.Outcome, l.ErrorCode, l.IP})
	}
	o.print(out, func(w io.Writer) {
		fmt.Fprintf(w, "user\t%s\nname\t%s\nemail\t%s (verified: %v)\ncreated\t%s\ndisabled\t%s\nadministrator\t%v\n",
			d.User.ID, d.User.Name, d.User.Email, d.User.EmailVerified, d.User.CreatedAt.UTC().Format(time.RFC3339), when(d.User.DisabledAt), d.Admin)
		fmt.Fprintf(w, "\nidentities (%d)\n", len(out.Identities))
		for _, i := range out.Identities {
			fmt.Fprintf(w, "  %s\t%s\t%s\tlast sign-in %s\n", i.Provider, i.Subject, i.Email, i.LastLoginAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(w, "\nactive sessions (%d)\n", len(out.Sessions))
		for _, s := range out.Sessions {
			ip := s.IP
			if s.Place != "" {
				ip += " (" + s.Place + ")"
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\tlast used %s\n", s.ID, s.Provider, ip, s.LastUsed.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(w, "\nlast sign-ins (%d)\n", len(out.Logins))
		for _, l := range out.Logins {
			fmt.Fprintf(w, "  %s\t%s\t%s %s\t%s\n", l.Time.UTC().Format(time.RFC3339), l.Provider, l.Outcome, l.ErrorCode, l.IP)
		}
	})
	return nil
}

func (o *operator) admins(ctx context.Context) error {
	as, err := o.adm.ListAdmins(ctx)
	if err != nil {
		return err
	}
	type grant struct {
		userJSON
		GrantedAt time.Time `json:"granted_at"`
		GrantedBy string    `json:"granted_by"`
	}
	out := make([]grant, 0, len(as))
	for _, a := range as {
		out = append(out, grant{toUserJSON(a.User), a.GrantedAt, a.GrantedBy})
	}
	o.print(map[string]any{"admins": out}, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tEMAIL\tNAME\tGRANTED\tBY\tDISABLED")
		for _, a := range as {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", a.User.ID, a.User.Email, a.User.Name, a.GrantedAt.UTC().Format(time.RFC3339), a.GrantedBy, when(a.User.DisabledAt))
		}
	})
	return nil
}

func (o *operator) events(ctx context.Context) error {
	q := auth.EventQuery{Limit: o.op.limit}
	if o.op.since != "" {
		since, err := parseSince(o.op.since, time.Now())
		if err != nil {
			return usageError("--since: %v", err)
		}
		q.Since = since
	}
	if ref := o.op.userRef; ref != "" {
		// A deleted user, or an actor such as cli:root, is named by id
		// alone: the audit rows outlive the user.
		u, err := o.adm.Find(ctx, ref)
		switch {
		case err == nil:
			q.UserID = u.ID
		case apperr.CodeOf(err) == shared.CodeNotFound && !strings.Contains(ref, "@"):
			q.UserID = ref
		default:
			return err
		}
	}
	evs, err := o.adm.Events(ctx, q)
	if err != nil {
		return err
	}
	type event struct {
		ID     string    `json:"id"`
		Time   time.Time `json:"time"`
		Actor  string    `json:"actor"`
		Action string    `json:"action"`
		Target string    `json:"target_user_id"`
		Reason string    `json:"reason"`
		IP     string    `json:"ip"`
	}
	out := make([]event, 0, len(evs))
	for _, e := range evs {
		out = append(out, event{e.ID, e.Time, e.Actor, e.Action, e.Target, e.Reason, e.IP})
	}
	o.print(map[string]any{"events": out}, func(w io.Writer) {
		fmt.Fprintln(w, "TIME\tACTOR\tACTION\tTARGET\tIP\tREASON")
		for _, e := range out {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.UTC().Format(time.RFC3339), e.Actor, e.Action, e.Target, e.IP, e.Reason)
		}
	})
	return nil
}

// parseSince reads --since: a duration back from now (24h) or a time
// (RFC 3339).
func parseSince(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration like 24h nor a time like 2026-01-02T15:04:05Z", v)
}

func (o *operator) orphans(ctx context.Context, providerID string) error {
	us, err := o.adm.ProviderOrphans(ctx, providerID)
	if err != nil {
		return err
	}
	o.print(map[string]any{"provider": providerID, "users": usersJSON(us)}, func(w io.Writer) {
		userRows(w, us)
		fmt.Fprintf(w, "%d user(s) can sign in only with %s\n", len(us), providerID)
	})
	return nil
}
