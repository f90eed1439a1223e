package verify_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsTheExample keeps README.md's verifier snippet and
// Example (which the compiler checks) the same code.
func TestREADMEShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, ok := strings.Cut(string(example), "// README begin\n")
	code, _, ok2 := strings.Cut(code, "\t// README end")
	if !ok || !ok2 {
		t.Fatal("example_test.go lacks the README markers")
	}
	var lines []string
	for l := range strings.Lines(code) {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	snippet := "```go\n" + strings.Join(lines, "") + "```"
	if !strings.Contains(string(readme), snippet) {
		t.Fatalf("README.md lacks the verifier snippet of example_test.go:\n%s", snippet)
	}
}
