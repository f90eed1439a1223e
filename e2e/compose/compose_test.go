// Package compose checks docker-compose.yml with compose-go, since no
// Docker engine runs on the project's machines.
package compose

import (
	"context"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func load(t *testing.T, profiles ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"},
		cli.WithName("authbridge"), cli.WithProfiles(profiles), cli.WithWorkingDirectory("../.."))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
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
