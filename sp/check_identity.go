package sp

// check_identity.go: the Subject of the verified assertion: its presence,
// the strict profile's bearer confirmation and Recipient, and the NameID.

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// Step names of the identity concern.
const (
	stepSubjectPresent     = "subject-present"
	stepBearerConfirmation = "bearer-confirmation"
	stepRecipient          = "recipient"
	stepNameIDPresent      = "nameid-present"
	stepNameIDTextOnly     = "nameid-text-only"
	ruleReasonNameIDOurs   = "Identity Platform's answer without a NameID is unobserved (fireemu answers a bare INVALID_IDP_RESPONSE); the message is our wording"
)

// checkSubjectPresent: Identity Platform requires <saml:Subject> (reference
// §2.1); checked before the SubjectConfirmation.
var checkSubjectPresent = &check{
	StepInfo: StepInfo{Name: stepSubjectPresent, Concern: ConcernIdentity, Stage: ExplainStageSignInWithIdp,
		Summary: "the Assertion has a Subject",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-profiles §4.1.4.2 (the assertion must contain a Subject)"},
		Reasons: []Reason{ReasonNameIDMissing}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		if st.subject == nil {
			return newError(ReasonNameIDMissing, nil, "the Assertion has no Subject, so no NameID: set the IdP's Name ID format to EmailAddress and Application username to Email")
		}
		return nil
	},
}

// checkBearerConfirmation: a bearer SubjectConfirmation with data that has
// NotOnOrAfter and no NotBefore.
var checkBearerConfirmation = &check{
	StepInfo: StepInfo{Name: stepBearerConfirmation, Concern: ConcernIdentity, Stage: ExplainStageSignInWithIdp,
		Summary: "a bearer SubjectConfirmation with SubjectConfirmationData carrying NotOnOrAfter and no NotBefore",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-profiles §4.1.4.2"},
		Reasons: []Reason{ReasonSubjectConfirmation}},
	applies:        func(p Policy) bool { return p.BearerConfirmation },
	needs:          []string{stepSubjectPresent},
	needsAssertion: true,
	run:            func(st *checkState) *APIError { return bearerConfirmation(st.bearer, st.scd) },
}

func bearerConfirmation(bearer, scd *etree.Element) *APIError {
	sc := func(what, detail string) *APIError {
		return newError(ReasonSubjectConfirmation, map[string]string{"what": what}, "%s", detail)
	}
	if bearer == nil {
		return sc("Assertion has no bearer SubjectConfirmation.", "the Subject has no SubjectConfirmation with Method "+wire.CMBearer+" (saml-profiles §4.1.4.2)")
	}
	if scd == nil {
		return sc("Bearer SubjectConfirmation has no SubjectConfirmationData.", "the bearer SubjectConfirmation carries no SubjectConfirmationData, so Recipient, NotOnOrAfter and InResponseTo cannot be checked")
	}
	if _, ok := attrValue(scd, "NotOnOrAfter"); !ok {
		return sc("SubjectConfirmationData has no NotOnOrAfter attribute.", "a bearer SubjectConfirmationData must carry NotOnOrAfter (saml-profiles §4.1.4.2)")
	}
	if _, ok := attrValue(scd, "NotBefore"); ok {
		return sc("SubjectConfirmationData must not carry NotBefore.", "a bearer SubjectConfirmationData must not carry NotBefore (saml-profiles §4.1.4.2)")
	}
	return nil
}

// checkRecipient: Recipient = the Redirect URL. Identity Platform does not
// check it (recorded), so only the strict profile runs this step.
var checkRecipient = &check{
	StepInfo: StepInfo{Name: stepRecipient, Concern: ConcernIdentity, Stage: ExplainStageSignInWithIdp,
		Summary: "the SubjectConfirmationData Recipient is the Redirect URL",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-profiles §4.1.4.3"},
		Reasons: []Reason{ReasonRecipientMismatch}},
	applies:        func(p Policy) bool { return p.RecipientChecked },
	needs:          []string{stepSubjectPresent},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		callback := st.in.callback
		r, ok := attrValue(st.scd, "Recipient")
		if !ok || r != callback {
			shown, quoted := r, fmt.Sprintf("%q", r)
			if !ok {
				shown, quoted = "null", "missing"
			}
			return newError(ReasonRecipientMismatch, map[string]string{"recipient": shown, "callback": callback},
				"SubjectConfirmationData Recipient is %s but the Redirect URL is %q: set the IdP's Recipient URL (Okta: \"Use this for Recipient URL and Destination URL\") to the Redirect URL", quoted, callback)
		}
		return nil
	},
}

var checkNameIDPresent = &check{
	StepInfo: StepInfo{Name: stepNameIDPresent, Concern: ConcernIdentity, Stage: ExplainStageSignInWithIdp,
		Summary: "the Subject has a non-empty NameID",
		Rule:    Rule{Kind: RuleAssumed, Reason: ruleReasonNameIDOurs},
		Reasons: []Reason{ReasonNameIDMissing}},
	needs:          []string{stepSubjectPresent},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		st.nameIDEl = childElem(st.subject, wire.NSAssertion, "NameID")
		st.nameID = strings.TrimSpace(textContent(st.nameIDEl))
		if st.nameID == "" {
			what := "the Subject has no NameID"
			if st.nameIDEl != nil {
				what = "the NameID is empty"
			}
			return newError(ReasonNameIDMissing, nil, "%s: set the IdP's Name ID format to EmailAddress and Application username to Email", what)
		}
		return nil
	},
}

var checkNameIDTextOnly = &check{
	StepInfo: StepInfo{Name: stepNameIDTextOnly, Concern: ConcernIdentity, Stage: ExplainStageSignInWithIdp,
		Summary: "the NameID is text only (no child elements)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §2.2.3 (NameIDType is a string)"},
		Reasons: []Reason{ReasonStructure}},
	applies: func(p Policy) bool { return p.NameIDTextOnly },
	needs:   []string{stepNameIDPresent},
	run: func(st *checkState) *APIError {
		if st.nameIDEl != nil && len(st.nameIDEl.ChildElements()) > 0 {
			return newError(ReasonStructure, nil, "the NameID contains child elements: a NameID is text only")
		}
		return nil
	},
}
