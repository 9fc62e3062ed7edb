package ginkgospec_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// An SP on another clock than the harness's: the suite fails once, in
// setup, naming the control's reason and how to share the clock (with
// crewjam's saml.TimeNow), instead of failing every spec as inconclusive.
func TestControlFailureFailsOnceWithClockHint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in testdata/clockskew")
	}
	t.Parallel()
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command("go", "test", "-count=1", ".", "-args", "-ginkgo.json-report="+report)
	cmd.Dir = filepath.Join("testdata", "clockskew")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed with the SP on another clock:\n%s", out)
	}
	raw, rerr := os.ReadFile(report)
	if rerr != nil {
		t.Fatalf("no Ginkgo report (%v):\n%s", rerr, out)
	}
	var reports []types.Report
	if err := json.Unmarshal(raw, &reports); err != nil || len(reports) != 1 {
		t.Fatalf("report: %v", err)
	}
	var failed []types.SpecReport
	ran := 0
	for _, s := range reports[0].SpecReports {
		if s.LeafNodeType == types.NodeTypeIt && s.State != types.SpecStateSkipped {
			ran++
		}
		if s.State.Is(types.SpecStateFailureStates) {
			failed = append(failed, s)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("%d failures, want exactly one (in setup):\n%s", len(failed), out)
	}
	msg := failed[0].Failure.Message
	for _, want := range []string{"valid control login", "refused on time", "saml.TimeNow", "2025-01-15T09:30:00Z"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure does not say %q:\n%s", want, msg)
		}
	}
	if failed[0].Failure.FailureNodeType != types.NodeTypeBeforeAll {
		t.Errorf("the failure is in a %s, not the setup (BeforeAll)", failed[0].Failure.FailureNodeType)
	}
	if len(out) > 64<<10 {
		t.Errorf("the failing suite printed %d bytes: the SP's logs must stay out of the output", len(out))
	}
}
