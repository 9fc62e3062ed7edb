package sp

// check_protocol.go: the protocol steps in Identity Platform's recorded
// order (status, destination, issuer, audience), the strict profile's
// condition rule, InResponseTo and replay.

import (
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/internal/wire"
)

// Step names of the protocol concern.
const (
	stepStatusSuccess        = "status-success"
	stepDestination          = "destination"
	stepResponseIssuer       = "response-issuer"
	stepAssertionIssuer      = "assertion-issuer"
	stepAudience             = "audience"
	stepConditionsUnderstood = "conditions-understood"
	stepInResponseTo         = "in-response-to"
	stepReplay               = "replay"
)

var checkStatusSuccess = &check{
	StepInfo: StepInfo{Name: stepStatusSuccess, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "the top-level StatusCode is Success",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemu + ": \"SAMLResponse status code not SUCCESS, instead it is: …\""},
		Reasons: []Reason{ReasonStructure, ReasonStatusNotSuccess}},
	needs: []string{stepRootIsResponse, stepSignatureVerify},
	run: func(st *checkState) *APIError {
		status := childElem(st.resp, wire.NSProtocol, "Status")
		code := childElem(status, wire.NSProtocol, "StatusCode")
		if code == nil {
			return newError(ReasonStructure, nil, "the Response has no Status/StatusCode")
		}
		if v, _ := attrValue(code, "Value"); v != wire.StatusSuccess {
			detail := fmt.Sprintf("the IdP answered with status %s", v)
			if sub := childElem(code, wire.NSProtocol, "StatusCode"); sub != nil {
				sv, _ := attrValue(sub, "Value")
				detail += " / " + sv
			}
			if msg := strings.TrimSpace(textContent(childElem(status, wire.NSProtocol, "StatusMessage"))); msg != "" {
				detail += fmt.Sprintf(" (StatusMessage %q)", msg)
			}
			return newError(ReasonStatusNotSuccess, map[string]string{"status": v}, "%s", detail)
		}
		return nil
	},
}

// checkDestination: Destination only when present, as Identity Platform
// does; strict also requires it on a signed Response (saml-bindings
// §3.5.5.2).
var checkDestination = &check{
	StepInfo: StepInfo{Name: stepDestination, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "the Response Destination, when present, is the Redirect URL (strict: required on a signed Response)",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemu + ": \"SAMLResponse destination … does not match RP callback URL ….\""},
		Reasons: []Reason{ReasonDestinationMismatch}},
	needs: []string{stepRootIsResponse, stepSignatureVerify},
	run: func(st *checkState) *APIError {
		callback := st.in.callback
		if d, ok := attrValue(st.resp, "Destination"); ok && d != callback {
			return newError(ReasonDestinationMismatch, map[string]string{"destination": d, "callback": callback},
				"Response Destination is %q but the Redirect URL is %q: set the IdP's Destination (Okta: Single sign-on URL with \"Use this for Recipient URL and Destination URL\") to the Redirect URL", d, callback)
		} else if !ok && st.policy.DestinationRequiredWhenSigned && st.signedResponse {
			return newError(ReasonDestinationMismatch, map[string]string{"destination": "null", "callback": callback},
				"the signed Response has no Destination attribute: the strict profile requires it (saml-bindings §3.5.5.2)")
		}
		return nil
	},
}

var checkResponseIssuer = &check{
	StepInfo: StepInfo{Name: stepResponseIssuer, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "the Response Issuer, when present, is the Identity Provider Entity Id (strict: required on a signed Response, Format entity)",
		Rule:    Rule{Kind: RuleRecorded, Source: "Windsurf's SSO docs and VirusTotal's docs (\"SAML Response <Issuer> mismatch.\"); which Issuer it compares is inferred"},
		Reasons: []Reason{ReasonResponseIssuer}},
	needs: []string{stepRootIsResponse, stepSignatureVerify},
	run: func(st *checkState) *APIError {
		idp := st.in.rt.sso.idpEntityID
		ri := childElem(st.resp, wire.NSAssertion, "Issuer")
		if ri == nil && st.policy.IssuerRequiredWhenSigned && st.signedResponse {
			return newError(ReasonResponseIssuer, nil, "the signed Response has no Issuer: saml-profiles §4.1.4.2 requires it when the Response is signed")
		}
		if ri != nil {
			if v := textContent(ri); v != idp {
				return newError(ReasonResponseIssuer, nil, "the Response Issuer is %q but the Identity Provider Entity Id is %q: copy the IdP metadata's entityID into Identity Provider Entity Id", v, idp)
			}
			if st.policy.IssuerFormatEntity {
				if f, ok := attrValue(ri, "Format"); ok && f != wire.NameIDEntity {
					return newError(ReasonResponseIssuer, nil, "the Response Issuer has Format %q: it must be omitted or %s", f, wire.NameIDEntity)
				}
			}
		}
		return nil
	},
}

var checkAssertionIssuer = &check{
	StepInfo: StepInfo{Name: stepAssertionIssuer, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "the Assertion Issuer is the Identity Provider Entity Id (strict: Format entity)",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemu + ": \"Assertion has Issuer … which is different from expected Issuer ….\""},
		Reasons: []Reason{ReasonIssuerMismatch}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		idp := st.in.rt.sso.idpEntityID
		ai := childElem(st.asn, wire.NSAssertion, "Issuer")
		st.issuer = "null"
		if ai != nil {
			st.issuer = textContent(ai)
		}
		if ai == nil || st.issuer != idp {
			return newError(ReasonIssuerMismatch, map[string]string{"issuer": st.issuer, "expected": idp},
				"the Assertion Issuer is %s but the Identity Provider Entity Id is %q: copy the IdP metadata's entityID into Identity Provider Entity Id", quoteOrNull(ai, st.issuer), idp)
		}
		if st.policy.IssuerFormatEntity {
			if f, ok := attrValue(ai, "Format"); ok && f != wire.NameIDEntity {
				return newError(ReasonIssuerMismatch, map[string]string{"issuer": st.issuer, "expected": idp}, "the Assertion Issuer has Format %q: it must be omitted or %s", f, wire.NameIDEntity)
			}
		}
		return nil
	},
}

// checkAudience: every AudienceRestriction must contain the SP entity ID
// (restrictions are ANDed, audiences within one ORed). With none at all
// the rule is vacuously true in the identity-platform profile, as the
// wording of Identity Platform's message ("All <AudienceRestriction>s
// should contain …") implies; strict requires one.
var checkAudience = &check{
	StepInfo: StepInfo{Name: stepAudience, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "every AudienceRestriction lists the Service Provider Entity Id (strict: at least one AudienceRestriction)",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemu + ": \"All <AudienceRestriction>s should contain the SAML RP entity ID: '…'.\""},
		Reasons: []Reason{ReasonAudienceMismatch}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		sp := st.in.spEntityID
		restrictions := childElems(st.conds, wire.NSAssertion, "AudienceRestriction")
		audValues := map[string]string{"spEntityId": sp}
		for i, ar := range restrictions {
			var found []string
			match := false
			for _, a := range childElems(ar, wire.NSAssertion, "Audience") {
				v := textContent(a)
				found = append(found, v)
				if v == sp {
					match = true
				}
			}
			if !match {
				return newError(ReasonAudienceMismatch, audValues, "AudienceRestriction %d of %d lists %q but not the Service Provider Entity Id %q: set the IdP's Audience URI (SP Entity ID) to the Service Provider Entity Id", i+1, len(restrictions), found, sp)
			}
		}
		if st.policy.AudienceRestrictionRequired && len(restrictions) == 0 {
			return newError(ReasonAudienceMismatch, audValues, "the Assertion has no AudienceRestriction: the strict profile requires one naming %q", sp)
		}
		return nil
	},
}

var checkConditionsUnderstood = &check{
	StepInfo: StepInfo{Name: stepConditionsUnderstood, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "Conditions hold only AudienceRestriction and OneTimeUse (an unknown condition makes the assertion Indeterminate)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §2.5.1.1"},
		Reasons: []Reason{ReasonConditionUnsupported}},
	applies:        func(p Policy) bool { return p.UnknownConditionsRefused },
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		if st.conds == nil {
			return nil
		}
		for _, c := range st.conds.ChildElements() {
			if !isElem(c, wire.NSAssertion, "AudienceRestriction") && !isElem(c, wire.NSAssertion, "OneTimeUse") {
				kind := c.FullTag()
				if t := c.SelectAttrValue("xsi:type", ""); t != "" {
					kind += " xsi:type=" + t
				}
				return newError(ReasonConditionUnsupported, nil, "the Conditions hold <%s>, which this SP does not understand: saml-core §2.5.1.1 makes the assertion Indeterminate, so it is refused", kind)
			}
		}
		return nil
	},
}

var checkInResponseTo = &check{
	StepInfo: StepInfo{Name: stepInResponseTo, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "InResponseTo is present on the Response and the SubjectConfirmationData and equals the AuthnRequest ID of this sessionId",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemu + ": \"InResponseTo attribute must be present in both …\" / \"… must match the request ID.\""},
		Reasons: []Reason{ReasonInResponseToMissing, ReasonInResponseToMismatch}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		requestID := st.in.requestID
		respIRT, ok1 := attrValue(st.resp, "InResponseTo")
		scdIRT, ok2 := attrValue(st.scd, "InResponseTo")
		if !ok1 || !ok2 || respIRT == "" || scdIRT == "" {
			var missing []string
			if !ok1 || respIRT == "" {
				missing = append(missing, "the Response")
			}
			if !ok2 || scdIRT == "" {
				missing = append(missing, "the SubjectConfirmationData")
			}
			return newError(ReasonInResponseToMissing, nil, "InResponseTo is missing on %s: this sign-in was started by the SP (AuthnRequest %s); IdP-initiated responses are not accepted", strings.Join(missing, " and "), requestID)
		}
		if respIRT != requestID || scdIRT != requestID {
			return newError(ReasonInResponseToMismatch, nil, "the AuthnRequest of this sessionId has ID %q, but the Response says InResponseTo=%q and the SubjectConfirmationData InResponseTo=%q", requestID, respIRT, scdIRT)
		}
		return nil
	},
}

// checkReplay: the Assertion ID (and Response ID) are remembered until the
// assertion expires.
var checkReplay = &check{
	StepInfo: StepInfo{Name: stepReplay, Concern: ConcernProtocol, Stage: ExplainStageSignInWithIdp,
		Summary: "the Assertion ID and Response ID were not accepted before (remembered until the assertion expires)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-profiles §4.1.4.5 (one-use property of bearer assertions); message text from thameera/saml-mock issue #2"},
		Reasons: []Reason{ReasonReplay}},
	needs:          []string{stepVerifiedAssertionID},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		expiry := st.expiry
		if expiry.IsZero() {
			expiry = st.in.now.Add(st.in.replayTTL)
		}
		replay := st.s.replay
		if key, dup := replay.checkAndRecord([]string{"assertion:" + st.assertionID, "response:" + st.responseID}, st.in.now, expiry); dup {
			return newError(ReasonReplay, nil, "%s was already used for a sign-in and stays in the replay cache until %s: every SAMLResponse can be used once", key, formatInstant(replay.expiry(key)))
		}
		return nil
	},
}
