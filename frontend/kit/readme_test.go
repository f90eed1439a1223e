package kit_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsTheExample keeps README.md's kit snippet and
// example_test.go (which the compiler checks) the same code.
func TestREADMEShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	between := func(s, from, to string) string {
		i := strings.Index(s, from)
		if i < 0 {
			t.Fatalf("no %q", from)
		}
		j := strings.Index(s[i:], to)
		if j < 0 {
			t.Fatalf("no %q after %q", to, from)
		}
		return strings.TrimSpace(s[i : i+j])
	}
	snippet := between(string(readme), "```go\nvar auth = kit.New", "\nfunc main()")
	code := between(string(example), "var auth = kit.New", "// Example is the app")
	if snippet[len("```go\n"):] != code {
		t.Fatalf("README.md's go-app kit snippet differs from frontend/kit/example_test.go:\n%s\n---\n%s", snippet, code)
	}
}
