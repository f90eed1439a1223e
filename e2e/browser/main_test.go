package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/authbridge/authbridge/e2e/topology"
)

// The whole package shares one harness: started by the first test that
// needs it, stopped after the last one.
var (
	suiteOnce sync.Once
	suite     *harness
	suiteErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if suite != nil {
		suite.stop()
	}
	os.Exit(code)
}

// missingError is a requirement that is not installed on this machine: a
// skip in a local run, a failure under CI=true.
type missingError struct{ what string }

func (e *missingError) Error() string { return e.what }

func missing(format string, args ...any) error {
	return &missingError{fmt.Sprintf(format, args...)}
}

// require skips (or, under CI=true, fails) t when err is a missing
// requirement, and fails it for any other error.
func require(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var miss *missingError
	if errors.As(err, &miss) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skipf("%v (CI=true makes this a failure)", err)
	}
	t.Fatal(err)
}

// start answers the running harness, starting it on first use.
func start(t *testing.T) *harness {
	t.Helper()
	suiteOnce.Do(func() {
		suite, suiteErr = startHarness(t.Logf)
	})
	if suiteErr != nil {
		require(t, fmt.Errorf("e2e harness: %w", suiteErr))
	}
	return suite
}

// requirements finds Chromium, nginx with its brotli module and the MariaDB
// server, or says which is missing.
type requirements struct {
	chrome   string
	nginx    string
	mysqlURL string
}

func findRequirements() (requirements, error) {
	var r requirements
	var errs []error
	candidates := []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}
	if p := os.Getenv("AUTHBRIDGE_E2E_CHROME"); p != "" {
		candidates = []string{p}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			r.chrome = p
			break
		}
	}
	if r.chrome == "" {
		errs = append(errs, missing("Chromium is not installed (apt-get install chromium, or set AUTHBRIDGE_E2E_CHROME)"))
	}
	var err error
	if r.nginx, err = topology.Nginx(); err != nil {
		errs = append(errs, missing("%v", err))
	} else if _, err := os.Stat(filepath.Join("/usr/lib/nginx/modules", "ngx_http_brotli_static_module.so")); err != nil {
		errs = append(errs, missing("nginx's brotli_static module is not installed (apt-get install libnginx-mod-http-brotli-static)"))
	}
	if r.mysqlURL = os.Getenv("AUTHBRIDGE_TEST_MYSQL_URL"); r.mysqlURL == "" {
		errs = append(errs, missing("AUTHBRIDGE_TEST_MYSQL_URL is not set (make test starts MariaDB; by hand: export \"$(bash scripts/mariadb.sh start DIR)\")"))
	}
	if len(errs) > 0 {
		return r, missing("%v", errors.Join(errs...))
	}
	return r, nil
}
