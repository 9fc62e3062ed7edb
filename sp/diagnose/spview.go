package diagnose

import "github.com/samlharness/samlharness/sp"

// spview.go: the SP's checklist, run in collect-all mode (sp.Explain) under
// each profile, as the findings read it. Whether a rule holds is the SP's
// answer, by typed reason; diagnose only maps a failed step to the admin
// UIs' fields, the values the response carries and the fix.

// spView is the SP's explanations of one response, by profile.
type spView struct {
	ip, strict sp.Explanation
}

// stepReasons are the reasons each checklist step can refuse with.
var stepReasons = func() map[string][]sp.Reason {
	m := map[string][]sp.Reason{}
	for _, s := range sp.Checklist() {
		m[s.Name] = s.Reasons
	}
	return m
}()

// failed reports whether a step refuses the response with reason: under
// the identity-platform profile, else (strictOnly) only under the strict
// one.
func (v *spView) failed(reason sp.Reason) (f sp.Finding, strictOnly, ok bool) {
	for _, f := range v.ip.Findings {
		if f.Reason == reason {
			return f, false, true
		}
	}
	for _, f := range v.strict.Findings {
		if f.Reason == reason {
			return f, true, true
		}
	}
	return sp.Finding{}, false, false
}

// failedAny reports whether any of the reasons is refused under a profile.
func (v *spView) failedAny(reasons ...sp.Reason) bool {
	for _, r := range reasons {
		if _, _, ok := v.failed(r); ok {
			return true
		}
	}
	return false
}

// passed reports that the step that refuses with reason ran and passed
// under a profile that applies it, and failed under none.
func (v *spView) passed(reason sp.Reason) bool {
	if v.failedAny(reason) {
		return false
	}
	for _, x := range []*sp.Explanation{&v.ip, &v.strict} {
		for _, r := range x.Steps {
			if r.Status != sp.StepPass {
				continue
			}
			for _, rr := range stepReasons[r.Step] {
				if rr == reason {
					return true
				}
			}
		}
	}
	return false
}
