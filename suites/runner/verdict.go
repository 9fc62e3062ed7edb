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
	// WrongReason: the SP refused, as expected, but named another reason
	// than the expectation's. A failure: the protection the scenario
	// probes may be missing, hidden behind a refusal for something else.
	WrongReason Verdict = "wrong-reason"
	// Inconclusive: the scenario was refused, but the control it leans on
	// (the valid login, or the scenario's twin: the same configuration
	// without the scenario's faults) did not succeed in this run, so the
	// refusal proves nothing.
	Inconclusive Verdict = "inconclusive"
	// Skipped: the scenario needs something the target cannot do (e.g.
	// change an external SP's configuration).
	Skipped Verdict = "skipped"
)

// IsFailure reports whether v breaks the expectation: a failure or a
// refusal for the wrong reason.
func (v Verdict) IsFailure() bool { return v == Fail || v == WrongReason }

// ReasonCheck says how far a refusal's reason was checked.
type ReasonCheck string

// Reason checks of a refusal (Result.ReasonCheck).
const (
	// ReasonVerified: the reason read from the SP is the expected one (or,
	// for an SP that names a family of reasons with one text, the family
	// contains it).
	ReasonVerified ReasonCheck = "verified"
	// ReasonWrong: the SP named a reason, and it is not the expected one.
	ReasonWrong ReasonCheck = "wrong"
	// ReasonNotRead: nothing could be read from the refusal; it counts as
	// a refusal, not as a refusal for the expected reason.
	ReasonNotRead ReasonCheck = "unknown"
)

// ReasonSep separates the reasons of a family in an observed reason: an SP
// whose text names either of several reasons is observed as
// "ISSUER_MISMATCH|RESPONSE_ISSUER_MISMATCH".
const ReasonSep = "|"

// ReasonSet splits an observed reason into the reasons it may be.
func ReasonSet(reason string) []string {
	if reason == "" {
		return nil
	}
	return strings.Split(reason, ReasonSep)
}

// checkReason compares an observed reason (possibly a family) with the
// expected one.
func checkReason(observed, expected string) ReasonCheck {
	if observed == "" {
		return ReasonNotRead
	}
	for _, r := range ReasonSet(observed) {
		if r == expected {
			return ReasonVerified
		}
	}
	return ReasonWrong
}

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

// judgement is a verdict with why, and for a refusal how its reason was
// checked.
type judgement struct {
	verdict Verdict
	why     string
	reason  ReasonCheck
}

// judge decides a verdict by whether a session was established, for whom,
// and with which reason — never by an HTTP status. The built-in SP names
// every refusal's reason, so its reason is always checked exactly.
func judge(exp scenario.Expect, o Observation, identity string, vars map[string]string, controlOK bool) judgement {
	want := identity
	if exp.Identity != "" {
		want = Expand(exp.Identity, vars)
	}
	if o.Session && !strings.EqualFold(o.Identity, want) {
		return judgement{verdict: Fail, why: fmt.Sprintf("the SP signed in %s, not %s", o.Identity, want)}
	}
	if why := landingProblem(exp, o, vars); why != "" {
		return judgement{verdict: Fail, why: why}
	}
	switch exp.Outcome {
	case scenario.Accept:
		if o.Session {
			return judgement{verdict: Pass}
		}
		return judgement{verdict: Fail, why: fmt.Sprintf("expected a session; the flow stopped at %s with %s: %s", o.Stage, orNone(o.Reason), o.Message)}
	case scenario.Reject:
		if o.Session {
			return judgement{verdict: Fail, why: fmt.Sprintf("expected a refusal with %s; the SP signed in %s", exp.Reason, o.Identity)}
		}
		check := ReasonWrong
		if o.Reason == exp.Reason {
			check = ReasonVerified
		}
		if !controlOK {
			return judgement{Inconclusive, "the valid control login failed in this run, so this refusal proves nothing", check}
		}
		if check != ReasonVerified {
			return judgement{WrongReason, fmt.Sprintf("refused for the wrong reason: %s (%s) at %s, expected %s", orNone(o.Reason), o.Message, o.Stage, exp.Reason), check}
		}
		if exp.Message != "" {
			if want := Expand(exp.Message, vars); o.Message != want {
				return judgement{Fail, fmt.Sprintf("message differs:\n  want %q\n  got  %q", want, o.Message), check}
			}
		}
		return judgement{Pass, "", check}
	}
	return judgement{verdict: Fail, why: fmt.Sprintf("unknown expected outcome %q", exp.Outcome)}
}

func orNone(s string) string {
	if s == "" {
		return "no reason code"
	}
	return s
}
