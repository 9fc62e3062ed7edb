package diagnose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/sp"
)

// diagnose names the SP's reasons by their typed constants (sp.Reason…),
// never as string literals, so that a renamed reason cannot silently stop
// a finding from matching.
func TestNoReasonCodeLiterals(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ri := range sp.ReasonTable {
			if lit := `"` + string(ri.Reason) + `"`; strings.Contains(string(b), lit) {
				t.Errorf("%s writes the SP reason %s as a string literal; use its sp.Reason constant", f, lit)
			}
		}
	}
}
