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
	"strings"
)

// Vars fill the template's ${NAME} placeholders.
type Vars struct {
	ConfDir    string   // folder with spa-headers.conf (the repository's nginx/)
	RunDir     string   // pid, logs and temp folders
	Dist       string   // the static site
	Listen     string   // host:port
	ServerName string   // default "_"
	Backends   []string // host:port of each replica
}

// Render fills the template.
func Render(template string, v Vars) (string, error) {
	if len(v.Backends) == 0 {
		return "", errors.New("topology: at least one backend")
	}
	if v.ServerName == "" {
		v.ServerName = "_"
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

// Write renders the repository's template into v.RunDir/nginx.conf and
// creates the run folders.
func Write(repoNginxDir string, v Vars) (string, error) {
	tpl, err := os.ReadFile(filepath.Join(repoNginxDir, "nginx.conf.template"))
	if err != nil {
		return "", fmt.Errorf("topology: %w", err)
	}
	conf, err := Render(string(tpl), v)
	if err != nil {
		return "", err
	}
	for _, d := range []string{"", "body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(v.RunDir, d), 0o755); err != nil {
			return "", fmt.Errorf("topology: %w", err)
		}
	}
	path := filepath.Join(v.RunDir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return "", fmt.Errorf("topology: %w", err)
	}
	return path, nil
}
