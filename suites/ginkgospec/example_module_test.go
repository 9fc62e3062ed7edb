package ginkgospec_test

import (
	"os/exec"
	"path/filepath"
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
