// Package compose checks docker-compose.yml with compose-go, since no
// Docker engine runs on the project's machines.
package compose

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// secrets are what an operator must provide: the file ships none.
var secrets = map[string]string{
	"MYSQL_PASSWORD":        "test-mysql-password-0123456789",
	"AUTHBRIDGE_SECRET_KEY": "test-secret-key-0123456789-0123456789",
}

func environ(m map[string]string) []string {
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	return env
}

// loadWith loads docker-compose.yml with env as the only environment, as
// `docker compose` would with exactly these variables set.
func loadWith(env []string, profiles ...string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"},
		cli.WithName("authbridge"), cli.WithProfiles(profiles), cli.WithWorkingDirectory("../.."), cli.WithEnv(env))
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}

func load(t *testing.T, profiles ...string) *types.Project {
	t.Helper()
	p, err := loadWith(environ(secrets), profiles...)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// TestSecretsRequired: without MYSQL_PASSWORD or AUTHBRIDGE_SECRET_KEY the
// file does not load (compose's ${VAR:?message}), naming the variable and
// how to make one; with them, the services get exactly those values.
func TestSecretsRequired(t *testing.T) {
	for name := range secrets {
		t.Run("without "+name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range secrets {
				if k != name {
					env[k] = v
				}
			}
			for _, profiles := range [][]string{nil, {"dev"}} {
				_, err := loadWith(environ(env), profiles...)
				if err == nil {
					t.Fatalf("docker-compose.yml loads without %s (profiles %v)", name, profiles)
				}
				if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "openssl rand") {
					t.Errorf("error %q does not name %s and say how to make one", err, name)
				}
			}
			env[name] = ""
			if _, err := loadWith(environ(env)); err == nil {
				t.Errorf("docker-compose.yml loads with an empty %s", name)
			}
		})
	}

	p := load(t)
	for _, svc := range []string{"backend-a", "backend-b"} {
		s, _ := p.GetService(svc)
		if v := s.Environment["AUTHBRIDGE_SECRET_KEY"]; v == nil || *v != secrets["AUTHBRIDGE_SECRET_KEY"] {
			t.Errorf("%s AUTHBRIDGE_SECRET_KEY = %v, want the operator's", svc, v)
		}
		if v := s.Environment["AUTHBRIDGE_DATABASE_URL"]; v == nil || !strings.Contains(*v, ":"+secrets["MYSQL_PASSWORD"]+"@") {
			t.Errorf("%s AUTHBRIDGE_DATABASE_URL = %v, want the operator's password", svc, v)
		}
	}
	m, _ := p.GetService("mysql")
	if v := m.Environment["MYSQL_PASSWORD"]; v == nil || *v != secrets["MYSQL_PASSWORD"] {
		t.Errorf("mysql MYSQL_PASSWORD = %v, want the operator's", v)
	}
}

// TestNoDefaultSecret: the file itself holds no password or key, not even
// as a ${VAR:-default}.
func TestNoDefaultSecret(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		l := strings.ToLower(line)
		if strings.Contains(l, "change-me") || ((strings.Contains(l, "password") || strings.Contains(l, "secret_key")) && strings.Contains(l, ":-")) {
			t.Errorf("docker-compose.yml:%d ships a default secret: %s", i+1, strings.TrimSpace(line))
		}
	}
}

func TestTopology(t *testing.T) {
	p := load(t)
	for _, name := range []string{"mysql", "backend-a", "backend-b", "nginx"} {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s has no health check", name)
		}
	}
	if _, err := p.GetService("devidp"); err == nil {
		t.Error("devidp runs without the dev profile")
	}
	tests := []struct {
		service, dependsOn string
	}{
		{"backend-a", "mysql"}, {"backend-b", "mysql"}, {"nginx", "backend-a"}, {"nginx", "backend-b"},
	}
	for _, tt := range tests {
		s, _ := p.GetService(tt.service)
		d, ok := s.DependsOn[tt.dependsOn]
		if !ok || d.Condition != types.ServiceConditionHealthy {
			t.Errorf("%s must wait for %s to be healthy: %+v", tt.service, tt.dependsOn, s.DependsOn)
		}
	}
	for _, name := range []string{"backend-a", "backend-b"} {
		s, _ := p.GetService(name)
		env := s.Environment
		for _, k := range []string{"AUTHBRIDGE_DATABASE_URL", "AUTHBRIDGE_PUBLIC_URL", "AUTHBRIDGE_TRUSTED_PROXIES", "AUTHBRIDGE_SECRET_KEY"} {
			if v, ok := env[k]; !ok || v == nil || *v == "" {
				t.Errorf("%s lacks %s", name, k)
			}
		}
		if len(s.Ports) != 0 {
			t.Errorf("%s publishes ports; only nginx faces the world", name)
		}
	}
	n, _ := p.GetService("nginx")
	if !slices.ContainsFunc(n.Ports, func(pc types.ServicePortConfig) bool { return pc.Target == 80 }) {
		t.Errorf("nginx ports = %+v", n.Ports)
	}
	if v := n.Environment["BACKENDS"]; v == nil || *v != "backend-a:8080 backend-b:8080" {
		t.Errorf("nginx BACKENDS = %v", v)
	}
}

func TestDevProfile(t *testing.T) {
	p := load(t, "dev")
	s, err := p.GetService("devidp")
	if err != nil {
		t.Fatalf("devidp in the dev profile: %v", err)
	}
	if s.HealthCheck == nil || len(s.Entrypoint) == 0 || s.Entrypoint[0] != "/usr/local/bin/devidp" {
		t.Errorf("devidp = %+v", s)
	}
}

// TestProviderSlot: the backends read their providers from an optional
// authbridge.env beside the compose file (the file ships no provider, and
// without one the backends refuse to start rather than fall back to the
// development identity provider).
func TestProviderSlot(t *testing.T) {
	p := load(t)
	for _, name := range []string{"backend-a", "backend-b"} {
		svc, err := p.GetService(name)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range svc.EnvFiles {
			if strings.HasSuffix(f.Path, "/authbridge.env") && !bool(f.Required) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: env_files %+v, want an optional authbridge.env", name, svc.EnvFiles)
		}
		if v := svc.Environment["AUTHBRIDGE_DEV"]; v == nil || *v != "0" {
			t.Errorf("%s: AUTHBRIDGE_DEV = %v, want 0 by default", name, v)
		}
	}
}
