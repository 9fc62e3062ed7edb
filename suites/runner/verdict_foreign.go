package runner

import (
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/suites/scenario"
)

// Stages a foreign SP's flow can stop at, besides the IdP's.
const (
	StageSPConfig = "sp-config" // the target's configuration hook refused the change
	StageACS      = "sp-acs"    // the SP's answer to the posted response
)

// ReasonUnknown is how a report names a foreign SP's refusal whose reason
// the target file gives no rule to read.
const ReasonUnknown = "reason unknown"

// atIdP reports whether code is a reason the harness itself observes at
// the IdP: it means the same for every SP, so it is compared exactly.
func atIdP(code string) bool {
	r, ok := DriverReason(code)
	return ok && r.AtIdP
}

// unanswered reports whether code says the SP did not answer.
func unanswered(code string) bool {
	r, ok := DriverReason(code)
	return ok && r.Unanswered
}

// refusalStages are the stages at which a stop is the SP's refusal, not a
// problem of the harness or the IdP.
var refusalStages = map[string]bool{
	StageSPSignIn: true, StageSPConfig: true, StageACS: true, StageSession: true,
}

// judgeForeign judges an SP whose reason codes are not the harness's: a
// session (for whom) decides acceptance; a refusal is any stop at the SP
// without a session, its reason checked when the target's error rules
// read one (a single reason, or the family of reasons one library text
// names), and "unknown" when nothing could be read. Never by an HTTP
// status.
func judgeForeign(exp scenario.Expect, o Observation, identity string, vars map[string]string, controlOK bool) judgement {
	want := identity
	if exp.Identity != "" {
		want = Expand(exp.Identity, vars)
	}
	fail := func(format string, args ...any) judgement {
		return judgement{verdict: Fail, why: fmt.Sprintf(format, args...)}
	}
	if o.Session && o.Identity != "" && !strings.EqualFold(o.Identity, want) {
		return fail("the SP signed in %s, not %s", o.Identity, want)
	}
	if why := landingProblem(exp, o, vars); why != "" {
		return fail("%s", why)
	}
	switch exp.Outcome {
	case scenario.Accept:
		if o.Session {
			if o.Identity == "" {
				return judgement{verdict: Pass, why: "identity not checked: the target's session pattern captures none"}
			}
			return judgement{verdict: Pass}
		}
		return fail("expected a session; the flow stopped at %s with %s: %s", o.Stage, orUnknown(o.Reason), o.Message)
	case scenario.Reject:
		if o.Session {
			who := o.Identity
			if who == "" {
				who = "a user"
			}
			return fail("expected a refusal (%s); the SP signed in %s", exp.Reason, who)
		}
		if o.Reason == string(ReasonNotLoopback) {
			return fail("the target sent the browser off loopback at %s: %s", o.Stage, o.Message)
		}
		if unanswered(o.Reason) {
			return fail("the SP did not answer at %s: %s", o.Stage, o.Message)
		}
		if atIdP(exp.Reason) || atIdP(o.Reason) {
			// Observed by the harness at the IdP: exact for every SP.
			check := ReasonWrong
			if o.Reason == exp.Reason {
				check = ReasonVerified
			}
			switch {
			case !controlOK:
				return judgement{Inconclusive, controlFailed, check}
			case check != ReasonVerified:
				return judgement{Fail, fmt.Sprintf("the flow stopped at %s with %s (%s), expected %s", o.Stage, orNone(o.Reason), o.Message, exp.Reason), check}
			}
			return judgement{Pass, "", check}
		}
		if !refusalStages[o.Stage] {
			return fail("the flow stopped at %s before the SP could decide: %s %s", o.Stage, orNone(o.Reason), o.Message)
		}
		check := checkReason(o.Reason, exp.Reason)
		switch {
		case !controlOK:
			return judgement{Inconclusive, controlFailed, check}
		case check == ReasonNotRead:
			return judgement{Pass, ReasonUnknown + ": refused without a session; the target gives no rule that reads this refusal's reason", check}
		case check == ReasonWrong:
			return judgement{WrongReason, fmt.Sprintf("refused for the wrong reason: %s (%s) at %s, expected %s", o.Reason, o.Message, o.Stage, exp.Reason), check}
		}
		if len(ReasonSet(o.Reason)) > 1 {
			return judgement{Pass, fmt.Sprintf("reason verified at the SP's granularity: its text names the family %s, which holds %s", o.Reason, exp.Reason), check}
		}
		return judgement{Pass, "", check}
	}
	return fail("unknown expected outcome %q", exp.Outcome)
}

// controlFailed is why a refusal without a passing control is
// inconclusive.
const controlFailed = "the valid control login failed in this run, so this refusal proves nothing"

func orUnknown(s string) string {
	if s == "" {
		return ReasonUnknown
	}
	return s
}
