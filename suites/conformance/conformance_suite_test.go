package conformance_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	runreport "github.com/samlharness/samlharness/suites/report"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// clock is the suite's harness clock: fixed, so expiry edges are exact and
// reports are stable.
var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

const seed = 1

var (
	target    runner.Target
	controlOK = map[scenario.Profile]bool{}
	// twins holds each refusal to its twin control, as `samlharness run`
	// does: each twin runs once for the suite.
	twins = runner.NewTwins()
)

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Conformance")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	Expect(scenario.Check(scenario.All())).To(Succeed())
	target = builtin.New(builtin.Config{At: clock})
	for _, p := range scenario.Profiles {
		r := runner.Control(ctx, target, p, runner.Options{Seed: seed})
		controlOK[p] = r.Verdict == runner.Pass
		AddReportEntry("control "+string(p), fmt.Sprintf("%s %s", r.Verdict, r.Why))
	}
}, NodeTimeout(30*time.Second))

// The catalogue, as tables: one per profile, one entry per scenario, labelled
// with the scenario's labels so --label-filter selects by category, area or
// attack.
var _ = Describe("the built-in SP", func() {
	for _, p := range scenario.Profiles {
		p := p
		var entries []any
		for _, sc := range scenario.All() {
			entries = append(entries, Entry(sc.ID, Label(sc.Labels()...), SpecTimeout(20*time.Second), sc))
		}
		body := func(ctx SpecContext, sc scenario.Scenario) {
			r := runner.RunScenario(ctx, target, sc, p, runner.Options{Seed: seed, Twins: twins}, controlOK[p])
			data, _ := json.Marshal(r)
			AddReportEntry("result", string(data), ReportEntryVisibilityNever)
			if r.Verdict == runner.Inconclusive {
				Fail("inconclusive: " + r.Why)
			}
			// A known gap of the built-in SP (scenario.KnownSPGaps): reported
			// as skipped with what the SP must do, and a failure once the SP
			// passes, so the list is removed with the fix.
			if gap, ok := scenario.KnownSPGap(sc.ID, p); ok {
				if r.Verdict == runner.Pass {
					Fail(fmt.Sprintf("%s passes now under %s: remove it from the known SP gaps", sc.ID, p))
				}
				Skip(fmt.Sprintf("known SP gap: the SP %s; it must %s", gap.Now, gap.Must))
			}
			exp := sc.Expect[p]
			// A pass means: a session for the genuine user when acceptance is
			// expected; otherwise no session, the expected reason code and,
			// where the catalogue gives one, the exact Identity Platform
			// message (see runner.judge).
			Expect(r.Verdict).To(Equal(runner.Pass), "%s\n%s", sc.Title, r.Why)
			if exp.Outcome == scenario.Reject {
				Expect(r.Reason).To(Equal(exp.Reason))
			} else {
				Expect(r.Identity).NotTo(BeEmpty())
			}
		}
		args := append([]any{Label("profile:" + string(p)), body}, entries...)
		DescribeTable("in the "+string(p)+" profile", args...)
	}
})

// The matrix, JUnit and JSON reports go to reports/conformance (or
// $SAMLHARNESS_REPORTS).
var _ = ReportAfterSuite("conformance reports", func(report Report) {
	dir := os.Getenv("SAMLHARNESS_REPORTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "reports", "conformance")
	}
	Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
	Expect(reporters.GenerateJUnitReport(report, filepath.Join(dir, "junit.xml"))).To(Succeed())

	rep := runner.Report{Target: "builtin", Profiles: scenario.Profiles, Seed: seed, Controls: map[scenario.Profile]string{}}
	for _, spec := range report.SpecReports {
		for _, e := range spec.ReportEntries {
			if e.Name != "result" {
				continue
			}
			var r runner.Result
			if err := json.Unmarshal([]byte(e.Value.String()), &r); err != nil {
				continue
			}
			if spec.State != types.SpecStatePassed && r.Verdict == runner.Pass {
				r.Verdict, r.Pass, r.Why = runner.Fail, false, spec.Failure.Message
			}
			rep.Results = append(rep.Results, r)
		}
	}
	rep.Summary = runner.Summarize(rep.Results)
	for p, ok := range controlOK {
		rep.Controls[p] = map[bool]string{true: "pass", false: "fail"}[ok]
	}
	write := func(name string, fn func(*os.File) error) {
		f, err := os.Create(filepath.Join(dir, name))
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		Expect(fn(f)).To(Succeed())
	}
	write("report.json", func(f *os.File) error { return runreport.WriteJSON(f, rep, false) })
	write("matrix.md", func(f *os.File) error { return runreport.WriteMatrix(f, rep) })
})
