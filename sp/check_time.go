package sp

// check_time.go: validity windows, exact (NotBefore inclusive, NotOnOrAfter
// exclusive), as Identity Platform applies them in fireemu's recordings.

import (
	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// Step names of the time concern.
const (
	stepConditionsNotBefore      = "conditions-not-before"
	stepConditionsNotOnOrAfter   = "conditions-not-on-or-after"
	stepConfirmationNotOnOrAfter = "confirmation-not-on-or-after"
	sourceFireemuTimes           = sourceFireemu + ": \"Current instant, …, is before NotBefore attribute, …\" / \"… is on or after NotOnOrAfter attribute, …\" (exact bounds; clock-skew tolerance of production not established)"
)

var checkConditionsNotBefore = &check{
	StepInfo: StepInfo{Name: stepConditionsNotBefore, Concern: ConcernTime, Stage: ExplainStageSignInWithIdp,
		Summary: "now is not before Conditions NotBefore (a value that is not xs:dateTime is malformed)",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemuTimes},
		Reasons: []Reason{ReasonResponseMalformed, ReasonNotYetValid}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		if st.conds == nil {
			return nil
		}
		nb, ok, e := instantAttr(st.conds, "NotBefore", "Conditions")
		if e != nil {
			return e
		}
		if ok && st.in.now.Before(nb) {
			nowS := formatInstant(st.in.now)
			return newError(ReasonNotYetValid, map[string]string{"now": nowS, "notBefore": formatInstant(nb)},
				"the assertion is valid from %s but now is %s (%s early): check the SP's and the IdP's clocks", formatInstant(nb), nowS, nb.Sub(st.in.now))
		}
		return nil
	},
}

var checkConditionsNotOnOrAfter = &check{
	StepInfo: StepInfo{Name: stepConditionsNotOnOrAfter, Concern: ConcernTime, Stage: ExplainStageSignInWithIdp,
		Summary: "now is before Conditions NotOnOrAfter",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemuTimes},
		Reasons: []Reason{ReasonResponseMalformed, ReasonExpired}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		if st.conds == nil {
			return nil
		}
		noa, ok, e := instantAttr(st.conds, "NotOnOrAfter", "Conditions")
		if e != nil || !ok {
			return e
		}
		st.expiry = noa
		if !st.in.now.Before(noa) {
			nowS := formatInstant(st.in.now)
			return newError(ReasonExpired, map[string]string{"now": nowS, "notOnOrAfter": formatInstant(noa)},
				"the assertion's Conditions expired at %s; now is %s (%s late)", formatInstant(noa), nowS, st.in.now.Sub(noa))
		}
		return nil
	},
}

var checkConfirmationNotOnOrAfter = &check{
	StepInfo: StepInfo{Name: stepConfirmationNotOnOrAfter, Concern: ConcernTime, Stage: ExplainStageSignInWithIdp,
		Summary: "now is before the SubjectConfirmationData NotOnOrAfter",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemuTimes},
		Reasons: []Reason{ReasonResponseMalformed, ReasonExpired}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		if st.scd == nil {
			return nil
		}
		noa, ok, e := instantAttr(st.scd, "NotOnOrAfter", "SubjectConfirmationData")
		if e != nil || !ok {
			return e
		}
		if noa.After(st.expiry) {
			st.expiry = noa
		}
		if !st.in.now.Before(noa) {
			nowS := formatInstant(st.in.now)
			return newError(ReasonExpired, map[string]string{"now": nowS, "notOnOrAfter": formatInstant(noa)},
				"the SubjectConfirmationData expired at %s; now is %s (%s late)", formatInstant(noa), nowS, st.in.now.Sub(noa))
		}
		return nil
	},
}

// Step names of the strict time rules.
const (
	stepIssueInstantNotFuture = "issue-instant-not-future"
	stepSessionNotOnOrAfter   = "session-not-on-or-after"
)

var checkIssueInstantNotFuture = &check{
	StepInfo: StepInfo{Name: stepIssueInstantNotFuture, Concern: ConcernTime, Stage: ExplainStageSignInWithIdp,
		Summary: "neither the Response nor the Assertion was issued after now plus the profile's skew",
		Rule:    Rule{Kind: RulePolicy, Source: "strict profile: a message issued in the future by more than five minutes (the gap Okta leaves between IssueInstant and NotBefore) is not yet valid"},
		Reasons: []Reason{ReasonResponseMalformed, ReasonNotYetValid}},
	applies:        func(p Policy) bool { return p.IssueInstantNotFuture },
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		for _, el := range []struct {
			what string
			t    *etree.Element
		}{{"Response", st.resp}, {"Assertion", st.asn}} {
			at, ok, e := instantAttr(el.t, "IssueInstant", el.what)
			if e != nil {
				return e
			}
			if ok && st.in.now.Add(st.policy.IssueInstantSkew).Before(at) {
				nowS := formatInstant(st.in.now)
				return newError(ReasonNotYetValid, map[string]string{"now": nowS, "notBefore": formatInstant(at)},
					"the %s was issued at %s but now is %s (%s early, more than the %s allowed): check the SP's and the IdP's clocks", el.what, formatInstant(at), nowS, at.Sub(st.in.now), st.policy.IssueInstantSkew)
			}
		}
		return nil
	},
}

var checkSessionNotOnOrAfter = &check{
	StepInfo: StepInfo{Name: stepSessionNotOnOrAfter, Concern: ConcernTime, Stage: ExplainStageSignInWithIdp,
		Summary: "now is before every AuthnStatement's SessionNotOnOrAfter",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §2.7.2 (SessionNotOnOrAfter bounds any session derived from the assertion)"},
		Reasons: []Reason{ReasonResponseMalformed, ReasonExpired}},
	applies:        func(p Policy) bool { return p.SessionNotOnOrAfter },
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		for _, as := range childElems(st.asn, wire.NSAssertion, "AuthnStatement") {
			noa, ok, e := instantAttr(as, "SessionNotOnOrAfter", "AuthnStatement")
			if e != nil {
				return e
			}
			if ok && !st.in.now.Before(noa) {
				nowS := formatInstant(st.in.now)
				return newError(ReasonExpired, map[string]string{"now": nowS, "notOnOrAfter": formatInstant(noa)},
					"the AuthnStatement's SessionNotOnOrAfter was %s; now is %s (%s late): no session may start from this assertion", formatInstant(noa), nowS, st.in.now.Sub(noa))
			}
		}
		return nil
	},
}
