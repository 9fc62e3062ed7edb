package sp

// check_time.go: validity windows, exact (NotBefore inclusive, NotOnOrAfter
// exclusive), as Identity Platform applies them in fireemu's recordings.

// Step names of the time concern.
const (
	stepConditionsNotBefore       = "conditions-not-before"
	stepConditionsNotOnOrAfter    = "conditions-not-on-or-after"
	stepConfirmationNotOnOrAfter  = "confirmation-not-on-or-after"
	sourceFireemuTimes            = sourceFireemu + ": \"Current instant, …, is before NotBefore attribute, …\" / \"… is on or after NotOnOrAfter attribute, …\" (exact bounds; clock-skew tolerance of production not established)"
	ruleSpecifiedConditionsWindow = "saml-core §2.5.1.2"
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
