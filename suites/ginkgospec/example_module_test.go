package ginkgospec_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The "your own SP" example is a module of its own (example/, with a
// replace directive to this repository): a crewjam/saml SP registered with
// ginkgospec. It must build, vet and pass as a user would run it, so the
// README's snippet stays true.
func TestExampleModuleIsGreen(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in the example module (about a minute on a cold cache)")
	}
	t.Parallel()
	dir := filepath.Join("example")
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("cd %s && go %s: %v\n%s", dir, strings.Join(args, " "), err, out)
		}
		if args[0] == "test" && len(out) > 4<<10 {
			t.Errorf("go test printed %d bytes: the SP's logs must stay out of the output\n%.2000s", len(out), out)
		}
	}
	snippet, err := exec.Command("gofmt", "-l", dir).CombinedOutput()
	if err != nil || len(snippet) > 0 {
		t.Errorf("gofmt -l %s: %v %s", dir, err, snippet)
	}
}

// TestREADMESnippetIsTheExample: the README's "your own SP" snippet (the Go
// block that registers "my-sp") is an excerpt of example/conformance_test.go:
// every line of it is a line of the file, in order.
func TestREADMESnippetIsTheExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join("example", "conformance_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(file), "\n")
	for _, b := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		if !strings.Contains(b[1], `ginkgospec.Register("my-sp"`) {
			continue
		}
		i := 0
		for _, l := range strings.Split(strings.TrimRight(b[1], "\n"), "\n") {
			for i < len(lines) && lines[i] != l {
				i++
			}
			if i == len(lines) {
				t.Fatalf("the README's snippet line %q is not in example/conformance_test.go (in order): paste the file again", l)
			}
			i++
		}
		return
	}
	t.Skip(`the README shows no "your own SP" snippet yet (a Go block with ginkgospec.Register("my-sp"): paste example/conformance_test.go`)
}
