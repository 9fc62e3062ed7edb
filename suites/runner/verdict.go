package runner

import (
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/suites/scenario"
)

// Verdict is the judgement on one scenario under one profile.
type Verdict string

// Verdicts.
const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	// Inconclusive: the scenario was refused, but the valid control login
	// against the same target configuration did not succeed in this run, so
	// the refusal proves nothing.
	Inconclusive Verdict = "inconclusive"
	// Skipped: the scenario needs something the target cannot do (e.g.
	// change an external SP's configuration).
	Skipped Verdict = "skipped"
)

// observed renders an observation in the expectation's vocabulary.
func observed(o Observation) string {
	if o.Session {
		return "accept"
	}
	if o.Reason == "" {
		return "reject"
	}
	return "reject:" + o.Reason
}

// Expand fills an expectation's placeholders from the environment.
func Expand(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// judge decides a verdict by whether a session was established, for whom,
// and with which reason — never by an HTTP status.
func judge(exp scenario.Expect, o Observation, identity string, vars map[string]string, controlOK bool) (Verdict, string) {
	want := identity
	if exp.Identity != "" {
		want = Expand(exp.Identity, vars)
	}
	if o.Session && !strings.EqualFold(o.Identity, want) {
		return Fail, fmt.Sprintf("the SP signed in %s, not %s", o.Identity, want)
	}
	if why := landingProblem(exp, o, vars); why != "" {
		return Fail, why
	}
	switch exp.Outcome {
	case scenario.Accept:
		if o.Session {
			return Pass, ""
		}
		return Fail, fmt.Sprintf("expected a session; the flow stopped at %s with %s: %s", o.Stage, orNone(o.Reason), o.Message)
	case scenario.Reject:
		if o.Session {
			return Fail, fmt.Sprintf("expected a refusal with %s; the SP signed in %s", exp.Reason, o.Identity)
		}
		if !controlOK {
			return Inconclusive, "the valid control login failed in this run, so this refusal proves nothing"
		}
		if o.Reason != exp.Reason {
			return Fail, fmt.Sprintf("refused for the wrong reason: %s (%s) at %s, expected %s", orNone(o.Reason), o.Message, o.Stage, exp.Reason)
		}
		if exp.Message != "" {
			if want := Expand(exp.Message, vars); o.Message != want {
				return Fail, fmt.Sprintf("message differs:\n  want %q\n  got  %q", want, o.Message)
			}
		}
		return Pass, ""
	}
	return Fail, fmt.Sprintf("unknown expected outcome %q", exp.Outcome)
}

func orNone(s string) string {
	if s == "" {
		return "no reason code"
	}
	return s
}
