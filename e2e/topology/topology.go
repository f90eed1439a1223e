// Package topology renders and runs the production nginx configuration as a
// plain process, for tests: the same nginx/nginx.conf.template the
// containers use, with this machine's paths and loopback ports.
package topology

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// DefaultGISOrigin is the production value of the CSP's GIS origin.
const DefaultGISOrigin = "https://accounts.google.com"

// Vars fill the ${NAME} placeholders of nginx.conf.template and
// spa-headers.conf.
type Vars struct {
	ConfDir    string   // folder the config includes spa-headers.conf from (Write uses RunDir, where it puts the rendered copy)
	RunDir     string   // pid, logs and temp folders
	Dist       string   // the static site
	Listen     string   // host:port
	ServerName string   // default "_"
	Backends   []string // host:port of each replica

	// GISOrigin is the origin the dashboard's CSP allows the Google
	// Identity Services script, its requests and frames from (its /gsi/
	// paths only). Default DefaultGISOrigin; the e2e suite sets the
	// development identity provider's origin.
	GISOrigin string
}

var originRE = regexp.MustCompile(`^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)

// Render fills a template (nginx.conf.template or spa-headers.conf).
func Render(template string, v Vars) (string, error) {
	if len(v.Backends) == 0 {
		return "", errors.New("topology: at least one backend")
	}
	if v.ServerName == "" {
		v.ServerName = "_"
	}
	if v.GISOrigin == "" {
		v.GISOrigin = DefaultGISOrigin
	}
	// It goes into a quoted header value: nothing that could end it or
	// add a directive.
	if !originRE.MatchString(v.GISOrigin) {
		return "", fmt.Errorf("topology: GISOrigin %q is not an origin like https://accounts.google.com", v.GISOrigin)
	}
	var servers []string
	for _, b := range v.Backends {
		servers = append(servers, "server "+b+";")
	}
	r := strings.NewReplacer(
		"${CONF_DIR}", v.ConfDir,
		"${RUN_DIR}", v.RunDir,
		"${DIST}", v.Dist,
		"${TLS}", "listen "+v.Listen+";",
		"${SERVER_NAME}", v.ServerName,
		"${BACKENDS}", strings.Join(servers, "\n    "),
		"${GIS_ORIGIN}", v.GISOrigin,
	)
	out := r.Replace(template)
	if i := strings.Index(out, "${"); i >= 0 {
		return "", fmt.Errorf("topology: unfilled placeholder near %q", out[i:min(i+20, len(out))])
	}
	return out, nil
}

// Nginx is Debian's nginx binary, or an error saying how to get it.
func Nginx() (string, error) {
	for _, p := range []string{"/usr/sbin/nginx", "nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", errors.New("nginx is not installed (apt-get install nginx libnginx-mod-http-brotli-static; make test does it)")
}

// Write renders the repository's nginx.conf.template and spa-headers.conf
// into v.RunDir (the config includes the rendered headers from there),
// creates the run folders and answers the config's path.
func Write(repoNginxDir string, v Vars) (string, error) {
	v.ConfDir = v.RunDir
	for _, d := range []string{"", "body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(v.RunDir, d), 0o755); err != nil {
			return "", fmt.Errorf("topology: %w", err)
		}
	}
	var path string
	for _, f := range []struct{ src, dst string }{
		{"spa-headers.conf", "spa-headers.conf"},
		{"nginx.conf.template", "nginx.conf"},
	} {
		tpl, err := os.ReadFile(filepath.Join(repoNginxDir, f.src))
		if err != nil {
			return "", fmt.Errorf("topology: %w", err)
		}
		out, err := Render(string(tpl), v)
		if err != nil {
			return "", fmt.Errorf("topology: %s: %w", f.src, err)
		}
		path = filepath.Join(v.RunDir, f.dst)
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			return "", fmt.Errorf("topology: %w", err)
		}
	}
	return path, nil
}
