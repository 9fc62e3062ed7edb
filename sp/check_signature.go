package sp

// check_signature.go: the signature steps. Structural signatures (the
// Response's and each direct-child Assertion's) are located, held to the
// SAML signature profile, verified through goxmldsig (verify.go) with the
// configured certificates, and the verified identity source is selected.
// Identity is never read from the original tree.

import (
	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// Step names of the signature concern.
const (
	stepSignaturePlacement       = "signature-placement"
	stepSignatureSchemaShape     = "signature-schema-shape"
	stepSignatureAlgorithms      = "signature-algorithms"
	stepCertificatesParse        = "certificates-parse"
	stepSignaturePresent         = "signature-present"
	stepSignatureProfile         = "signature-profile"
	stepSignatureVerify          = "signature-verify"
	stepSigningCertificatePolicy = "signing-certificate-policy"
	stepAssertionSource          = "assertion-source"
	sourceFireemu                = "fireemu, an Identity Platform emulator whose authors recorded production answers"
)

// structuralSignatures lists the Response and its direct Assertions with
// their first direct-child ds:Signature (nil when unsigned).
func (st *checkState) structuralSignatures() []signedElement {
	elems := []signedElement{{what: "Response", el: st.root, sig: directSignature(st.root)}}
	for _, a := range st.assertions {
		elems = append(elems, signedElement{what: "Assertion", el: a, sig: directSignature(a)})
	}
	return elems
}

var checkSignaturePlacement = &check{
	StepInfo: StepInfo{Name: stepSignaturePlacement, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "a ds:Signature sits only directly in the Response or the Assertion, right after Issuer (Advice excepted)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-schema-protocol / saml-schema-assertion (Signature position); attack catalogue §2"},
		Reasons: []Reason{ReasonSignatureShape}},
	applies: func(p Policy) bool { return p.SignaturePlacement },
	needs:   []string{stepRootIsResponse},
	run:     func(st *checkState) *APIError { return strictSignaturePlacement(st.root) },
}

var checkSignatureSchemaShape = &check{
	StepInfo: StepInfo{Name: stepSignatureSchemaShape, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "each structural signature has one SignedInfo, SignatureValue, Reference (#ID of its parent), no Object or foreign children, only enveloped and exclusive c14n transforms, a parseable KeyInfo",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §5.4.1–§5.4.4; xmldsig-core §4"},
		Reasons: []Reason{ReasonSignatureShape}},
	applies: func(p Policy) bool { return p.SignatureSchemaShape },
	needs:   []string{stepRootIsResponse},
	run: func(st *checkState) *APIError {
		for _, se := range st.structuralSignatures() {
			if se.sig == nil {
				continue
			}
			if e := strictSignatureShape(se); e != nil {
				return e
			}
		}
		return nil
	},
}

var checkSignatureAlgorithms = &check{
	StepInfo: StepInfo{Name: stepSignatureAlgorithms, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "RSA-SHA256 or stronger, SHA-256 or stronger digests, exclusive c14n without comments",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §5.4.3 (exclusive c14n); xmldsig-core1 §6.2 (SHA-1 deprecated)"},
		Reasons: []Reason{ReasonSignatureAlgorithm}},
	applies: func(p Policy) bool { return p.SignatureAlgorithmAllowList },
	needs:   []string{stepRootIsResponse},
	run: func(st *checkState) *APIError {
		for _, se := range st.structuralSignatures() {
			if se.sig == nil {
				continue
			}
			if e := strictSignatureAlgorithms(se); e != nil {
				return e
			}
		}
		return nil
	},
}

var checkCertificatesParse = &check{
	StepInfo: StepInfo{Name: stepCertificatesParse, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "every configured IdP certificate parses as PEM (parsed at sign-in, as Identity Platform does)",
		Rule:    Rule{Kind: RuleRecorded, Source: "ElevenLabs' Okta and Entra SSO pages (\"INVALID_IDP_RESPONSE: Error when parsing certificate\")"},
		Reasons: []Reason{ReasonCertParse}},
	produces: true,
	output:   func(*checkState) bool { return true }, // the certificates that parse, maybe none
	run: func(st *checkState) *APIError {
		certs, e := st.in.rt.certs()
		st.certs = certs
		return e
	},
}

var checkSignaturePresent = &check{
	StepInfo: StepInfo{Name: stepSignaturePresent, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "the Response or an Assertion carries an enveloped ds:Signature",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemu + ": \"Missing signature in Assertion and Response enclosing it (if present).\""},
		Reasons: []Reason{ReasonSignatureMissing}},
	needs:     []string{stepRootIsResponse},
	hardNeeds: true,
	run: func(st *checkState) *APIError {
		st.respSig = directSignature(st.root)
		st.signedAssertions = nil
		for _, a := range st.assertions {
			if s := directSignature(a); s != nil {
				st.signedAssertions = append(st.signedAssertions, signedElement{what: "Assertion", el: a, sig: s})
			}
		}
		if st.respSig == nil && len(st.signedAssertions) == 0 {
			return newError(ReasonSignatureMissing, nil, "neither the Response nor any of its %d Assertion(s) carries an enveloped ds:Signature: set the IdP to sign the Response and/or the Assertion (Okta: Response = Signed, Assertion Signature = Signed)", len(st.assertions))
		}
		return nil
	},
}

var checkSignatureProfileStep = &check{
	StepInfo: StepInfo{Name: stepSignatureProfile, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "each signature follows the SAML signature profile: one SignedInfo/SignatureValue/Reference, Reference #ID of its parent, only enveloped and c14n transforms, no other signature referencing the element first",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §5.4.1–§5.4.4"},
		Reasons: []Reason{ReasonSignatureShape}},
	needs:     []string{stepSignaturePresent},
	hardNeeds: true,
	run: func(st *checkState) *APIError {
		if st.respSig != nil {
			if e := checkSignatureProfile(signedElement{what: "Response", el: st.root, sig: st.respSig}, true, st.policy); e != nil {
				return e
			}
		}
		for _, se := range st.signedAssertions {
			if e := checkSignatureProfile(se, false, st.policy); e != nil {
				return e
			}
		}
		return nil
	},
}

var checkSignatureVerify = &check{
	StepInfo: StepInfo{Name: stepSignatureVerify, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "every structural signature verifies with a configured certificate (goxmldsig; KeyInfo never trusted)",
		Rule:    Rule{Kind: RuleRecorded, Source: sourceFireemu + ": \"Failed to verify the signature in SAMLResponse\""},
		Reasons: []Reason{ReasonSignatureInvalid, ReasonSignatureUntrustedKey, ReasonXMLLimit, ReasonResponseMalformed}},
	needs:     []string{stepSignatureProfile, stepCertificatesParse},
	hardNeeds: true,
	run: func(st *checkState) *APIError {
		st.certIndex = -1
		if st.respSig != nil {
			v, e := verifyEnveloped(signedElement{what: "Response", el: st.root, sig: st.respSig}, st.certs, st.in.now)
			if e != nil {
				return e
			}
			st.verifications = append(st.verifications, v)
			st.resp = v.verified
			st.signedResponse = true
			st.certIndex = v.certIndex
		}
		for _, se := range st.signedAssertions {
			v, e := verifyEnveloped(se, st.certs, st.in.now)
			if e != nil {
				return e
			}
			st.verifications = append(st.verifications, v)
			st.verifiedAssertions = append(st.verifiedAssertions, v.verified)
			st.signedAssertion = true
			if st.certIndex < 0 {
				st.certIndex = v.certIndex
			}
		}
		return nil
	},
}

var checkSigningCertificatePolicy = &check{
	StepInfo: StepInfo{Name: stepSigningCertificatePolicy, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "the verifying certificate: KeyInfo names it (pinning), RSA key of at least 2048 bits, within its validity period",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-metadata §2.4.1.1 (key from trusted metadata); NIST SP 800-131A (key size); RFC 5280 §4.1.2.5 (validity)"},
		Reasons: []Reason{ReasonSignatureUntrustedKey, ReasonSignatureAlgorithm, ReasonCertExpired}},
	applies:   func(p Policy) bool { return p.PinKeyInfo || p.MinRSAKeyBits > 0 || p.CertificateValidity },
	needs:     []string{stepSignatureVerify},
	hardNeeds: true,
	run: func(st *checkState) *APIError {
		for _, v := range st.verifications {
			if e := afterVerification(v, st.in.now, st.policy); e != nil {
				return e
			}
		}
		return nil
	},
}

// checkAssertionSource selects the verified identity source: with a
// verified Response, its Assertion as the Response's verified bytes carry
// it; otherwise the Assertion whose own signature verified. Never an
// element of the original tree — except, flagged unverified, when no
// signature step yielded one (collect-all mode, or a step disabled for a
// test).
var checkAssertionSource = &check{
	StepInfo: StepInfo{Name: stepAssertionSource, Concern: ConcernSignature, Stage: ExplainStageSignInWithIdp,
		Summary: "exactly one verified Assertion identifies the user (none, or several ambiguous ones, are refused)",
		Rule:    Rule{Kind: RuleAssumed, Reason: "\"Missing Assertion in SAMLResponse.\" and the ambiguity refusal are our wording; reading identity only from verified bytes is the XSW defence of saml-core §5.4 and the attack catalogue §2"},
		Reasons: []Reason{ReasonAssertionMissing, ReasonStructure}},
	needs: []string{stepSignatureVerify},
	run: func(st *checkState) *APIError {
		asn, e := selectAssertion(st)
		if asn == nil && (e != nil || len(st.verifications) == 0) {
			if len(st.assertions) > 0 {
				asn = st.assertions[0]
			}
			st.unverified = true
			if e == nil && asn == nil {
				e = newError(ReasonAssertionMissing, nil, "the Response carries no Assertion")
			}
		}
		st.asn = asn
		if asn != nil {
			st.conds = childElem(asn, wire.NSAssertion, "Conditions")
			st.subject = childElem(asn, wire.NSAssertion, "Subject")
			st.bearer, st.scd = selectConfirmation(st.subject)
		}
		return e
	},
}

// selectAssertion is the verified identity source, or why there is none.
func selectAssertion(st *checkState) (*etree.Element, *APIError) {
	switch {
	case len(st.verifications) == 0:
		return nil, nil
	case st.signedResponse:
		inResp := childElems(st.resp, wire.NSAssertion, "Assertion")
		switch {
		case len(inResp) == 0:
			return nil, newError(ReasonAssertionMissing, nil, "the Response carries no Assertion")
		case len(inResp) == 1:
			return inResp[0], nil
		case len(st.verifiedAssertions) == 1:
			id, _ := attrValue(st.verifiedAssertions[0], "ID")
			var found *etree.Element
			for _, a := range inResp {
				if v, _ := attrValue(a, "ID"); v == id {
					found = a
				}
			}
			if found == nil {
				return nil, newError(ReasonStructure, nil, "the individually signed Assertion is not among the signed Response's Assertions")
			}
			return found, nil
		default:
			return nil, newError(ReasonStructure, nil, "the signed Response carries %d Assertions, %d of them individually signed: which one identifies the user is ambiguous, so none is used", len(inResp), len(st.verifiedAssertions))
		}
	case len(st.verifiedAssertions) == 1:
		return st.verifiedAssertions[0], nil
	default:
		return nil, newError(ReasonStructure, nil, "%d Assertions carry valid signatures: which one identifies the user is ambiguous, so none is used", len(st.verifiedAssertions))
	}
}
