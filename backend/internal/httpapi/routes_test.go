package httpapi

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/authbridge/authbridge/backend/api"
	"github.com/authbridge/authbridge/backend/internal/metrics"
)

// TestRoutesMatchOpenAPI: every route in routes.go is described in
// openapi.yaml, and the spec describes no route the server lacks.
func TestRoutesMatchOpenAPI(t *testing.T) {
	e := newEnv(t, "sqlite", nil)
	var served []string
	for _, rt := range routes(Deps{Log: nil, Config: e.cfg, Tokens: e.tokens, Auth: e.auth, Metrics: metrics.New()}, limiters{}) {
		served = append(served, rt.pattern)
	}

	var spec struct {
		OpenAPI string                          `yaml:"openapi"`
		Paths   map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &spec); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Fatalf("openapi version = %q", spec.OpenAPI)
	}
	var described []string
	for path, ops := range spec.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
				described = append(described, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(served)
	slices.Sort(described)
	for _, r := range served {
		if !slices.Contains(described, r) {
			t.Errorf("route %q is not in openapi.yaml", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(served, d) {
			t.Errorf("openapi.yaml describes %q, which routes.go does not serve", d)
		}
	}
}
