package config

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/provider"
)

// TestReadmeTable: README's configuration table and the variables Load
// reads name the same AUTHBRIDGE_* variables, so neither drifts alone.
func TestReadmeTable(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no ## Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	// Whole names in the first cell of a row: `AUTHBRIDGE_<P>_…` patterns
	// and `_SUFFIX` shorthands are not names.
	name := regexp.MustCompile("`(AUTHBRIDGE_[A-Z0-9_]+)`")
	documented := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			documented[m[1]] = true
		}
	}
	known := map[string]bool{}
	for _, k := range provider.Variables(nil) {
		known[k] = true
	}
	for _, v := range variables {
		known[v.name] = true
		if !documented[v.name] {
			t.Errorf("%s is read by Load but not in README's configuration table", v.name)
		}
	}
	for k := range documented {
		if !known[k] {
			t.Errorf("README's configuration table lists %s, which nothing reads", k)
		}
	}
	if len(documented) < len(variables) {
		t.Fatalf("found %d names in README's table, want at least %d", len(documented), len(variables))
	}
}
