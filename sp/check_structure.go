package sp

// check_structure.go: the structural rules, on the original tree before
// any signature is evaluated, and the multiplicities on verified content.

import (
	"strings"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// Step names of the structure concern.
const (
	stepIDsPresent            = "ids-present"
	stepIDsUnique             = "ids-unique"
	stepVersion               = "version-2-0"
	stepSignatureCount        = "one-signature-per-element"
	stepNoEncryptedAssertion  = "no-encrypted-assertion"
	stepAssertionPlacement    = "assertion-placement"
	stepElementMultiplicity   = "element-multiplicity"
	stepVerifiedAssertionID   = "assertion-id"
	ruleReasonStructureUnseen = "Identity Platform's reaction is not recorded; the SAML schema requires it"
)

var checkIDsPresent = &check{
	StepInfo: StepInfo{Name: stepIDsPresent, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "the Response and each of its Assertions carry an ID",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §3.2.2 and §2.3.3 (ID is required)"},
		Reasons: []Reason{ReasonStructure}},
	needs: []string{stepRootIsResponse},
	run: func(st *checkState) *APIError {
		root := st.root
		if id, ok := attrValue(root, "ID"); !ok || strings.TrimSpace(id) == "" {
			return newError(ReasonStructure, nil, "the Response has no ID attribute")
		}
		for i, a := range st.assertions {
			if id, ok := attrValue(a, "ID"); !ok || strings.TrimSpace(id) == "" {
				return newError(ReasonStructure, nil, "Assertion %d of the Response has no ID attribute", i+1)
			}
		}
		return nil
	},
}

// checkIDsUnique: no two elements carry the same ID, so an ID lookup can
// never find either of two elements (xsw-duplicate-id). Java's XML
// Security, which Identity Platform's stack is assumed to use, refuses
// duplicate IDs under secure validation among the attributes registered as
// IDs, i.e. those of the SAML objects it unmarshals: the identity-platform
// profile therefore compares the Response and its Assertions, strict
// (Policy.UniqueIDsEverywhere) every element of the document.
var checkIDsUnique = &check{
	StepInfo: StepInfo{Name: stepIDsUnique, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "no two elements carry the same ID (identity-platform: the Response and its Assertions; strict: every element)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "XML 1.0 §3.3.1 (Validity constraint: ID) and saml-core §1.3.4"},
		Reasons: []Reason{ReasonStructure}},
	needs: []string{stepRootIsResponse},
	run: func(st *checkState) *APIError {
		seen := map[string]*etree.Element{}
		var dup *APIError
		visit := func(el *etree.Element) {
			if dup != nil {
				return
			}
			id, ok := attrValue(el, "ID")
			if !ok {
				return
			}
			if prev, exists := seen[id]; exists {
				dup = newError(ReasonStructure, nil, "ID %q is carried by both %s and %s: IDs must be unique", id, prev.GetPath(), el.GetPath())
				return
			}
			seen[id] = el
		}
		if st.policy.UniqueIDsEverywhere {
			walkElements(st.root, visit)
		} else {
			visit(st.root)
			for _, a := range st.assertions {
				visit(a)
			}
		}
		return dup
	},
}

// checkVersion: Version is "2.0" on the Response and its Assertions.
// Identity Platform's reaction to another version is not recorded; a SAML
// 2.0 relying party must not process a message of another version under
// 2.0 rules, so both profiles refuse it.
var checkVersion = &check{
	StepInfo: StepInfo{Name: stepVersion, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "Version is \"2.0\" on the Response and its Assertions",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §3.2.2.1 and §2.3.3, §4.1 (version handling)"},
		Reasons: []Reason{ReasonVersionInvalid}},
	needs: []string{stepRootIsResponse},
	run: func(st *checkState) *APIError {
		if v, _ := attrValue(st.root, "Version"); v != "2.0" {
			return newError(ReasonVersionInvalid, nil, "the Response has Version %q: SAML 2.0 requires \"2.0\"", v)
		}
		for _, a := range st.assertions {
			if v, _ := attrValue(a, "Version"); v != "2.0" {
				return newError(ReasonVersionInvalid, nil, "the Assertion has Version %q: SAML 2.0 requires \"2.0\"", v)
			}
		}
		return nil
	},
}

var checkSignatureCount = &check{
	StepInfo: StepInfo{Name: stepSignatureCount, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "at most one ds:Signature directly in the Response and in each Assertion (a decoy second signature)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-schema-protocol and saml-schema-assertion (ds:Signature minOccurs=0, maxOccurs=1)"},
		Reasons: []Reason{ReasonSignatureShape}},
	needs: []string{stepRootIsResponse},
	run: func(st *checkState) *APIError {
		for _, el := range append([]*etree.Element{st.root}, st.assertions...) {
			if n := len(childElems(el, wire.NSDSig, "Signature")); n > 1 {
				return newError(ReasonSignatureShape, nil, "the %s has %d ds:Signature children: exactly one signature per signed element is allowed", el.Tag, n)
			}
		}
		return nil
	},
}

var checkNoEncryptedAssertion = &check{
	StepInfo: StepInfo{Name: stepNoEncryptedAssertion, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "the Response carries no EncryptedAssertion (Identity Platform holds no SP decryption key)",
		Rule:    Rule{Kind: RuleAssumed, Reason: "Identity Platform has no SP decryption key setting, so an encrypted assertion cannot be read; the actual answer is not recorded"},
		Reasons: []Reason{ReasonEncryptedAssertion}},
	needs: []string{stepRootIsResponse},
	run: func(st *checkState) *APIError {
		if enc := childElem(st.root, wire.NSAssertion, "EncryptedAssertion"); enc != nil {
			return newError(ReasonEncryptedAssertion, nil, "the Response carries an EncryptedAssertion: Identity Platform holds no SP decryption key, so assertions must not be encrypted (in Okta: Assertion Encryption = Unencrypted)")
		}
		return nil
	},
}

var checkAssertionPlacement = &check{
	StepInfo: StepInfo{Name: stepAssertionPlacement, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "at most one Assertion, as a child of the Response; none elsewhere except inside Advice (XSW defence)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-profiles §4.1.4.2 and saml-core §2.3.3; attack catalogue §2 (signature wrapping)"},
		Reasons: []Reason{ReasonStructure}},
	applies: func(p Policy) bool { return p.AssertionPlacement },
	needs:   []string{stepRootIsResponse},
	run:     func(st *checkState) *APIError { return strictAssertionPlacement(st.root) },
}

var checkMultiplicity = &check{
	StepInfo: StepInfo{Name: stepElementMultiplicity, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "on the verified content: at most one Issuer and one Status in the Response; one Issuer, at most one Subject, Conditions and NameID in the Assertion",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-schema-protocol, saml-schema-assertion (element multiplicities)"},
		Reasons: []Reason{ReasonStructure}},
	applies:        func(p Policy) bool { return p.ElementMultiplicity },
	needs:          []string{stepStatusSuccess, stepAssertionSource},
	needsAssertion: true,
	run:            func(st *checkState) *APIError { return strictMultiplicity(st.resp, st.asn) },
}

var checkAssertionID = &check{
	StepInfo: StepInfo{Name: stepVerifiedAssertionID, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "the verified Assertion has an ID (the replay cache's key)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §2.3.3 (ID is required)"},
		Reasons: []Reason{ReasonStructure}},
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		st.assertionID, _ = attrValue(st.asn, "ID")
		if strings.TrimSpace(st.assertionID) == "" {
			return newError(ReasonStructure, nil, "the Assertion has no ID attribute")
		}
		return nil
	},
}
