package external

import (
	"fmt"

	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

// Allowance is a scenario the SP fails on purpose (a policy choice), as
// ginkgospec.Allow lists them: its failure is reported as allowed, not
// failed, and the allowance itself fails once the SP meets the
// expectation, so the list stays true.
type Allowance struct {
	// Scenario is a catalogue scenario ID (`samlharness list`).
	Scenario string `json:"scenario"`
	// Reason is the policy choice, shown in reports.
	Reason string `json:"reason"`
}

// checkAllow validates a target file's allow list.
func checkAllow(list []Allowance) []string {
	var problems []string
	seen := map[string]bool{}
	for i, a := range list {
		switch {
		case a.Scenario == "":
			problems = append(problems, fmt.Sprintf("allow[%d] needs a scenario ID", i))
		case a.Reason == "":
			problems = append(problems, fmt.Sprintf("allow[%d] (%s) needs a reason: the policy choice it stands for", i, a.Scenario))
		case seen[a.Scenario]:
			problems = append(problems, fmt.Sprintf("allow[%d]: %s is listed twice", i, a.Scenario))
		default:
			if _, ok := scenario.ByID(a.Scenario); !ok {
				problems = append(problems, fmt.Sprintf("allow[%d]: no scenario %q in the catalogue ('samlharness list' shows the IDs)", i, a.Scenario))
			}
		}
		seen[a.Scenario] = true
	}
	return problems
}

// Allowed prefixes the Why of a failure the target file allows.
const Allowed = "allowed: "

// ApplyAllowance judges a result against the target file's allow list: an
// allowed failure becomes a skipped result whose Why starts with Allowed
// and names the policy choice (the observation is kept); an allowed
// scenario that passes fails as a stale allowance. Other results are
// returned as they are.
func (x *Target) ApplyAllowance(r runner.Result) runner.Result {
	why, ok := x.allow[r.ID]
	if !ok {
		return r
	}
	switch {
	case r.Verdict.IsFailure():
		r.Verdict, r.Pass = runner.Skipped, false
		r.Why = fmt.Sprintf("%s%s (expected %s, observed %s)", Allowed, why, r.Expected, r.Observed)
	case r.Verdict == runner.Pass:
		r.Verdict, r.Pass = runner.Fail, false
		r.Why = fmt.Sprintf("stale allowance: %s now meets its expectation (%s); remove it from the target file's allow list (it said: %s)", r.ID, r.Expected, why)
	}
	return r
}

// ApplyAllowances applies ApplyAllowance to every result of a report and
// counts the verdicts again.
func (x *Target) ApplyAllowances(rep *runner.Report) {
	if len(x.allow) == 0 {
		return
	}
	for i := range rep.Results {
		rep.Results[i] = x.ApplyAllowance(rep.Results[i])
	}
	rep.Summary = runner.Summarize(rep.Results)
}
