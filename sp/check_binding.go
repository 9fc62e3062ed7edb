package sp

// check_binding.go: the HTTP-POST binding's decoding of the SAMLResponse.

// Step names of the binding concern.
const (
	stepResponseSize = "response-size"
	stepBase64Decode = "base64-decode"
)

var checkResponseSize = &check{
	StepInfo: StepInfo{Name: stepResponseSize, Concern: ConcernBinding, Stage: ExplainStageSignInWithIdp,
		Summary: "the encoded SAMLResponse is within the size cap, checked before decoding",
		Rule:    Rule{Kind: RuleAssumed, Reason: "bounded cost for any input; Identity Platform's own limit is not recorded"},
		Reasons: []Reason{ReasonResponseTooLarge}},
	run: func(st *checkState) *APIError { return checkEncodedSize(st.encoded, st.s.cfg.MaxResponseBytes) },
}

var checkBase64 = &check{
	StepInfo: StepInfo{Name: stepBase64Decode, Concern: ConcernBinding, Stage: ExplainStageSignInWithIdp,
		Summary: "the SAMLResponse is non-empty strict base64 (standard alphabet, padding; whitespace allowed)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-bindings §3.5.4 (HTTP-POST: base64-encoded message)"},
		Reasons: []Reason{ReasonResponseMalformed}},
	needs:    []string{stepResponseSize},
	produces: true,
	run: func(st *checkState) *APIError {
		raw, e := decodeBase64(st.encoded)
		st.raw = raw
		return e
	},
}
