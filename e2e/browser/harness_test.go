package browser

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/authbridge/authbridge/e2e/topology"
)

// Settings of the run.
const (
	// accessTTL is short so a test can watch the dashboard refresh
	// silently (the backend accepts 10 s and up).
	accessTTL = 20 * time.Second
	// allowedDomain is the only domain replica "c" accepts.
	allowedDomain = "allowed.test"
	// oidcID is the generic OIDC provider's id (AUTHBRIDGE_OIDC_DEV_*).
	oidcID = "dev"
)

// Development identity provider clients, one per provider.
var idpClients = []struct{ provider, id, secret string }{
	{"google", "e2e-google-client", "e2e-google-secret"},
	{oidcID, "e2e-oidc-client", "e2e-oidc-secret"},
	{"github", "e2e-github-client", "e2e-github-secret"},
	{"discord", "e2e-discord-client", "e2e-discord-secret"},
}

// harness is everything the suite runs: the development identity provider,
// three backend replicas on one MariaDB database ("a" and "b" serve
// normally; "c" is configured with a domain allowlist and serves only when a
// test routes to it), a recording proxy in front of each nginx upstream,
// nginx with the repository's configuration, and Chromium.
type harness struct {
	logf      func(string, ...any)
	req       requirements
	repo      string
	work      string // deleted at the end
	artifacts string // kept
	origin    string // the nginx origin the browser uses
	idpURL    string // the devidp's own origin
	dist      string
	// notes is examples/notes in the topology: nginx has its locations
	// from the start, its site and API are built on first use (notes_test.go).
	notes notesApp

	// dashboardErr says why the dashboard could not be built (nil: built).
	dashboardErr error
	// readyTimes are the navigation → main#app[data-ready="1"] durations.
	readyMu    sync.Mutex
	readyTimes []time.Duration

	router *router
	rec    *recorder
	chrome *chrome

	cleanups []func()
}

func (h *harness) onStop(f func()) { h.cleanups = append(h.cleanups, f) }

// stop undoes start, newest first.
func (h *harness) stop() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	h.cleanups = nil
}

func startHarness(logf func(string, ...any)) (_ *harness, err error) {
	begin := time.Now()
	h := &harness{logf: logf, router: newRouter()}
	defer func() {
		if err != nil {
			h.stop()
		}
	}()
	if h.req, err = findRequirements(); err != nil {
		return nil, err
	}
	if h.repo, err = filepath.Abs("../.."); err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	if h.artifacts = os.Getenv("AUTHBRIDGE_E2E_ARTIFACTS"); h.artifacts == "" {
		h.artifacts, err = os.MkdirTemp("", "authbridge-e2e-"+time.Now().Format("20060102-150405")+"-")
	} else {
		err = os.MkdirAll(h.artifacts, 0o755)
	}
	if err != nil {
		return nil, fmt.Errorf("artifacts folder: %w", err)
	}
	logf("e2e artifacts (screenshots, network log, console, process logs): %s", h.artifacts)
	fmt.Printf("e2e artifacts: %s\n", h.artifacts)
	if h.work, err = os.MkdirTemp("", "authbridge-e2e-work-"); err != nil {
		return nil, fmt.Errorf("work folder: %w", err)
	}
	h.onStop(func() { os.RemoveAll(h.work) })
	// nginx's workers run unprivileged: they must be able to read the site.
	if err := os.Chmod(h.work, 0o755); err != nil {
		return nil, fmt.Errorf("work folder: %w", err)
	}
	h.rec = newRecorder()

	ports, err := freePorts(6)
	if err != nil {
		return nil, err
	}
	nginxAddr, idpAddr := ports[0], ports[1]
	h.notes.apiAddr = ports[5]
	replicaAddrs := map[string]string{"a": ports[2], "b": ports[3], "c": ports[4]}
	h.origin = "http://" + nginxAddr
	// The devidp lives on its own origin, and on another site (localhost
	// against 127.0.0.1), as Google does in production.
	h.idpURL = "http://localhost:" + portOf(idpAddr)

	// The binaries and the site build at the same time.
	bin := filepath.Join(h.work, "bin")
	h.dist = filepath.Join(h.work, "dist")
	var wg sync.WaitGroup
	var buildErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		buildErr = h.buildBinaries(bin)
	}()
	go func() {
		defer wg.Done()
		h.dashboardErr = h.buildSite()
	}()
	dbURL, err := h.createDatabase()
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if buildErr != nil {
		return nil, buildErr
	}
	if err := writeFixtures(h.dist, h.idpURL); err != nil {
		return nil, err
	}
	if err := writePlaces(filepath.Join(h.work, "places.mmdb")); err != nil {
		return nil, err
	}

	if err := h.startDevIDP(bin, idpAddr); err != nil {
		return nil, err
	}
	// One replica first: the first start creates the signing keys.
	for _, name := range []string{"a", "b", "c"} {
		if err := h.startReplica(bin, name, replicaAddrs[name], dbURL); err != nil {
			return nil, err
		}
	}
	var upstreams []string
	for _, name := range []string{"a", "b"} {
		addr, err := h.startTap(name, replicaAddrs)
		if err != nil {
			return nil, err
		}
		upstreams = append(upstreams, addr)
	}
	if err := h.startNginx(nginxAddr, upstreams); err != nil {
		return nil, err
	}
	if h.chrome, err = startChrome(h); err != nil {
		return nil, err
	}
	h.onStop(func() {
		if err := h.rec.writeArtifacts(h.artifacts); err != nil {
			h.logf("write the network log and console: %v", err)
		}
	})
	logf("e2e harness up in %s: nginx %s, devidp %s, replicas %v", time.Since(begin).Round(time.Millisecond), h.origin, h.idpURL, replicaAddrs)
	return h, nil
}

// dashboard skips or fails t when the dashboard could not be built.
func (h *harness) dashboard(t interface {
	Helper()
	Skipf(string, ...any)
	Fatalf(string, ...any)
}) {
	t.Helper()
	if h.dashboardErr == nil {
		return
	}
	var miss *missingError
	if errors.As(h.dashboardErr, &miss) && os.Getenv("CI") != "true" {
		t.Skipf("%v (CI=true makes this a failure)", h.dashboardErr)
	}
	t.Fatalf("dashboard: %v", h.dashboardErr)
}

// freePorts picks n loopback ports that are free now, for servers that
// bind them themselves later (nginx, the devidp, the replicas). They come
// from below the kernel's ephemeral range: a port picked there could be
// handed, before its server starts, to anything that listens on port 0
// meanwhile (this harness's own taps did that once, and nginx could not
// bind). Outside that range only an explicit bind can take it.
func freePorts(n int) ([]string, error) {
	lo, hi := portRange()
	var out []string
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	for attempt := 0; len(out) < n; attempt++ {
		if attempt > 1000 {
			return nil, fmt.Errorf("pick a loopback port: none free in %d-%d", lo, hi)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", lo+mrand.IntN(hi-lo)))
		if err != nil {
			continue // taken: try another
		}
		lns = append(lns, l)
		out = append(out, l.Addr().String())
	}
	return out, nil
}

// portRange answers [lo, hi): ports below the ephemeral range.
func portRange() (lo, hi int) {
	hi = 32768 // Linux's default first ephemeral port
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil && v > 12000 {
				hi = v
			}
		}
	}
	return hi - 10000, hi
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// buildBinaries compiles the server and the devidp once.
func (h *harness) buildBinaries(bin string) error {
	start := time.Now()
	cmd := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "./backend/cmd/authbridge", "./backend/cmd/devidp")
	cmd.Dir = h.repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build authbridge and devidp: %w\n%s", err, out)
	}
	h.logf("built authbridge and devidp in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// buildSite runs scripts/web.sh with the devidp's GIS stand-in. A missing
// script is a missing requirement (the dashboard is not in the tree yet).
func (h *harness) buildSite() error {
	if err := os.MkdirAll(h.dist, 0o755); err != nil {
		return fmt.Errorf("site folder: %w", err)
	}
	script := filepath.Join(h.repo, "scripts", "web.sh")
	if _, err := os.Stat(script); err != nil {
		return missing("scripts/web.sh is not in the tree: the dashboard cannot be built")
	}
	start := time.Now()
	logPath := filepath.Join(h.artifacts, "web-build.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("site build log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command("bash", script, h.dist)
	cmd.Dir = h.repo
	cmd.Env = append(os.Environ(), "GIS_SRC="+h.idpURL+"/gsi/client")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("GIS_SRC=%s/gsi/client bash scripts/web.sh: %w (log: %s)", h.idpURL, err, logPath)
	}
	if _, err := os.Stat(filepath.Join(h.dist, "index.html")); err != nil {
		return fmt.Errorf("scripts/web.sh made no index.html in %s (log: %s)", h.dist, logPath)
	}
	h.logf("built the dashboard (scripts/web.sh) in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// createDatabase makes a fresh database for the run on the test server and
// drops it at the end.
func (h *harness) createDatabase() (string, error) {
	u, err := url.Parse(h.req.mysqlURL)
	if err != nil || u.Scheme != "mysql" || u.Host == "" {
		// Never print the URL: it holds a password.
		return "", errors.New("AUTHBRIDGE_TEST_MYSQL_URL is malformed (want mysql://user:pass@127.0.0.1:PORT/)")
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Timeout = 10 * time.Second
	admin := func(stmt string) error {
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return err
		}
		db := sql.OpenDB(conn)
		defer db.Close()
		_, err = db.Exec(stmt)
		return err
	}
	name := "authbridge_e2e_" + randomHex(8) // hex only: safe in DDL
	if err := admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return "", fmt.Errorf("create the e2e database: %w", err)
	}
	h.onStop(func() {
		if err := admin("DROP DATABASE IF EXISTS " + name); err != nil {
			h.logf("drop the e2e database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// proc is a process the harness started, in its own process group.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

func (h *harness) spawn(name string, env []string, path string, args ...string) (*proc, error) {
	logPath := filepath.Join(h.artifacts, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s log: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own group, so stop ends its children too; and killed with us
	// if the test binary dies without running the cleanups (a panic).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() {
		cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	h.onStop(p.stop)
	return p, nil
}

// stop ends the process group this harness started: TERM, then KILL.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitHTTP polls url until it answers 200, the process dies or 30 s pass.
func waitHTTP(p *proc, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if p.exited() {
			return fmt.Errorf("%s exited before %s answered (log: %s)", p.name, url, p.log)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s did not answer 200 within 30 s (last: %s; log: %s)", p.name, url, last, p.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// baseEnv is the little a child process needs from ours.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func (h *harness) startDevIDP(bin, addr string) error {
	var clients []string
	for _, c := range idpClients {
		clients = append(clients, c.id+":"+c.secret+":"+h.origin+"/api/auth/"+c.provider+"/callback")
	}
	p, err := h.spawn("devidp", baseEnv(), filepath.Join(bin, "devidp"),
		"-addr", addr, "-base-url", h.idpURL, "-clients", strings.Join(clients, ","))
	if err != nil {
		return err
	}
	return waitHTTP(p, "http://"+addr+"/healthz")
}

// replicaEnv is one replica's configuration: every replica is the same
// except for its listen address; extra adds settings.
func (h *harness) replicaEnv(addr, dbURL string, extra ...string) []string {
	client := func(provider string) (string, string) {
		for _, c := range idpClients {
			if c.provider == provider {
				return c.id, c.secret
			}
		}
		panic("no devidp client for " + provider)
	}
	gid, gsecret := client("google")
	oid, osecret := client(oidcID)
	hid, hsecret := client("github")
	did, dsecret := client("discord")
	env := append(baseEnv(),
		"AUTHBRIDGE_ADDR="+addr,
		"AUTHBRIDGE_PUBLIC_URL="+h.origin,
		"AUTHBRIDGE_FRONTEND_ORIGIN="+h.origin,
		"AUTHBRIDGE_DATABASE_URL="+dbURL,
		"AUTHBRIDGE_DEV=0",
		// Replicas share the sealed signing keys in the database.
		"AUTHBRIDGE_SECRET_KEY=e2e-secret-key-shared-by-every-replica-0123456789",
		"AUTHBRIDGE_TRUSTED_PROXIES=127.0.0.1/32",
		"AUTHBRIDGE_ACCESS_TTL="+accessTTL.String(),
		// Every request of the suite comes from 127.0.0.1: the per-IP
		// budget is raised, not switched off.
		"AUTHBRIDGE_RATE_LIMIT=2000",
		"AUTHBRIDGE_LOG_LEVEL=debug",
		// One administrator, a devidp load user no other test signs in
		// as (admin_test.go).
		"AUTHBRIDGE_ADMIN_EMAILS="+adminUser+"@load.test",
		"AUTHBRIDGE_GOOGLE_CLIENT_ID="+gid,
		"AUTHBRIDGE_GOOGLE_CLIENT_SECRET="+gsecret,
		"AUTHBRIDGE_GOOGLE_ISSUER="+h.idpURL+"/google",
		"AUTHBRIDGE_OIDC_DEV_ISSUER="+h.idpURL+"/oidc",
		"AUTHBRIDGE_OIDC_DEV_CLIENT_ID="+oid,
		"AUTHBRIDGE_OIDC_DEV_CLIENT_SECRET="+osecret,
		"AUTHBRIDGE_OIDC_DEV_DISPLAY_NAME=Dev OIDC",
		"AUTHBRIDGE_GITHUB_CLIENT_ID="+hid,
		"AUTHBRIDGE_GITHUB_CLIENT_SECRET="+hsecret,
		"AUTHBRIDGE_GITHUB_AUTH_URL="+h.idpURL+"/github/login/oauth/authorize",
		"AUTHBRIDGE_GITHUB_TOKEN_URL="+h.idpURL+"/github/login/oauth/access_token",
		"AUTHBRIDGE_GITHUB_API_URL="+h.idpURL+"/github/api",
		"AUTHBRIDGE_DISCORD_CLIENT_ID="+did,
		"AUTHBRIDGE_DISCORD_CLIENT_SECRET="+dsecret,
		"AUTHBRIDGE_DISCORD_AUTH_URL="+h.idpURL+"/discord/oauth2/authorize",
		"AUTHBRIDGE_DISCORD_TOKEN_URL="+h.idpURL+"/discord/api/oauth2/token",
		"AUTHBRIDGE_DISCORD_API_URL="+h.idpURL+"/discord/api",
		// Sessions are named by place: 127.0.0.1 is testPlace.
		"AUTHBRIDGE_GEOIP_FILE="+filepath.Join(h.work, "places.mmdb"),
	)
	return append(env, extra...)
}

func (h *harness) startReplica(bin, name, addr, dbURL string) error {
	var extra []string
	if name == "c" {
		extra = append(extra, "AUTHBRIDGE_ALLOWED_EMAIL_DOMAINS="+allowedDomain)
	}
	p, err := h.spawn("replica-"+name, h.replicaEnv(addr, dbURL, extra...), filepath.Join(bin, "authbridge"))
	if err != nil {
		return err
	}
	return waitHTTP(p, "http://"+addr+"/readyz")
}

// hit is one request a tap passed to a replica. Start is when the tap
// received the request from nginx, At when it had the replica's answer
// (status and headers, or the error): [Start, At] contains everything
// the replica did for the request, and the client can see no part of
// the answer before At.
type hit struct {
	Tap, Replica, Method, URI string
	Status                    int
	Start, At                 time.Time
}

// hitStartKey carries, in a tapped request's context, when the tap
// received it.
type hitStartKey struct{}

func hitStart(r *http.Request) time.Time {
	t, _ := r.Context().Value(hitStartKey{}).(time.Time)
	return t
}

// router decides which replica each tap sends to: normally tap "a" to
// replica "a" and tap "b" to "b" (nginx balances between the taps); a test
// can route every request to one replica, which is how it forces a flow to
// start on one replica and finish on another. It also keeps the log of
// every request each replica served.
type router struct {
	mu    sync.Mutex
	force string
	hits  []hit
}

func newRouter() *router { return &router{} }

// RouteAll sends every request to replica name ("" restores the balance).
func (r *router) RouteAll(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.force = name
}

func (r *router) pick(tap string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.force != "" {
		return r.force
	}
	return tap
}

func (r *router) record(h hit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hits = append(r.hits, h)
}

// Hits answers the requests served since index from (and the next index).
func (r *router) Hits(from int) ([]hit, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	from = min(from, len(r.hits))
	return append([]hit(nil), r.hits[from:]...), len(r.hits)
}

// startTap runs a recording reverse proxy that nginx sees as one upstream.
func (h *harness) startTap(name string, replicas map[string]string) (string, error) {
	proxies := map[string]*httputil.ReverseProxy{}
	for rname, addr := range replicas {
		target := &url.URL{Scheme: "http", Host: addr}
		rname := rname
		proxies[rname] = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				// Transparent: the replica sees what nginx sent.
				pr.Out.Host = pr.In.Host
				for _, k := range []string{"X-Forwarded-For", "X-Forwarded-Proto"} {
					if v, ok := pr.In.Header[k]; ok {
						pr.Out.Header[k] = v
					}
				}
			},
			ModifyResponse: func(resp *http.Response) error {
				h.router.record(hit{Tap: name, Replica: rname, Method: resp.Request.Method,
					URI: resp.Request.URL.RequestURI(), Status: resp.StatusCode, Start: hitStart(resp.Request), At: time.Now()})
				return nil
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				h.router.record(hit{Tap: name, Replica: rname, Method: r.Method, URI: r.URL.RequestURI(), Status: http.StatusBadGateway, Start: hitStart(r), At: time.Now()})
				if !errors.Is(err, context.Canceled) { // not a page that went away mid-request
					h.logf("tap %s → replica %s: %s %s: %v", name, rname, r.Method, r.URL.Path, err)
				}
				w.WriteHeader(http.StatusBadGateway)
			},
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("tap %s: %w", name, err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r = r.WithContext(context.WithValue(r.Context(), hitStartKey{}, time.Now()))
			proxies[h.router.pick(name)].ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	h.onStop(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ln.Addr().String(), nil
}

func (h *harness) startNginx(listen string, upstreams []string) error {
	runDir := filepath.Join(h.work, "nginx")
	conf, err := topology.Write(filepath.Join(h.repo, "nginx"), topology.Vars{
		RunDir:    runDir,
		Dist:      h.dist,
		Listen:    listen,
		Backends:  upstreams,
		GISOrigin: h.idpURL,
	})
	if err != nil {
		return err
	}
	if err := h.writeNotesConf(runDir); err != nil {
		return err
	}
	if err := readableTree(h.dist); err != nil {
		return err
	}
	p, err := h.spawn("nginx", baseEnv(), h.req.nginx, "-c", conf, "-g", "daemon off;")
	if err != nil {
		return err
	}
	h.onStop(func() { copyFile(filepath.Join(runDir, "error.log"), filepath.Join(h.artifacts, "nginx-error.log")) })
	// /readyz goes through nginx, a tap and a replica.
	return waitHTTP(p, h.origin+"/readyz")
}

// readableTree lets nginx's unprivileged workers read the site.
func readableTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	})
}

func copyFile(src, dst string) {
	b, err := os.ReadFile(src)
	if err == nil {
		os.WriteFile(dst, b, 0o644)
	}
}
