package sp

// check_xml.go: XML safety and well-formedness, before and while the one
// tree the checklist reads is built.

import (
	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// Step names of the XML-safety concern.
const (
	stepXMLScan              = "xml-scan"
	stepXMLParse             = "xml-parse"
	stepSingleRoot           = "single-root"
	stepNamespaceWellFormed  = "namespace-well-formed"
	stepRootIsResponse       = "root-is-response"
	ruleReasonXMLHardening   = "a relying party must not expand entities or run processing instructions of untrusted XML; Identity Platform's reaction is not recorded"
	ruleReasonParserBehavior = "what Identity Platform answers for input that is not well-formed is not recorded (its messages for it are unobserved)"
)

var checkXMLScan = &check{
	StepInfo: StepInfo{Name: stepXMLScan, Concern: ConcernXML, Stage: ExplainStageSignInWithIdp,
		Summary: "no DOCTYPE, entity declaration or reference, or processing instruction; UTF-8 only; depth, element and attribute counts within limits",
		Rule:    Rule{Kind: RuleAssumed, Reason: ruleReasonXMLHardening},
		Reasons: []Reason{ReasonXMLForbidden, ReasonResponseMalformed, ReasonXMLLimit}},
	needs: []string{stepBase64Decode},
	run:   func(st *checkState) *APIError { return scanXML(st.raw) },
}

var checkXMLParse = &check{
	StepInfo: StepInfo{Name: stepXMLParse, Concern: ConcernXML, Stage: ExplainStageSignInWithIdp,
		Summary: "the bytes are well-formed XML with a root element and no text or declaration outside it",
		Rule:    Rule{Kind: RuleAssumed, Reason: ruleReasonParserBehavior},
		Reasons: []Reason{ReasonResponseMalformed, ReasonXMLForbidden}},
	needs:    []string{stepBase64Decode, stepXMLScan},
	produces: true,
	output:   func(st *checkState) bool { return st.root != nil },
	run: func(st *checkState) *APIError {
		roots, e := buildTree(st.raw)
		if len(roots) > 0 {
			// Also when refused for what lies outside the root (see
			// check.output).
			st.setRoot(roots)
		}
		return e
	},
}

// setRoot records the tree's (first) root element and what the later
// steps read of it.
func (st *checkState) setRoot(roots []*etree.Element) {
	st.roots = roots
	st.root = roots[0]
	st.resp = st.root
	st.assertions = childElems(st.root, wire.NSAssertion, "Assertion")
	st.responseID, _ = attrValue(st.root, "ID")
}

var checkSingleRoot = &check{
	StepInfo: StepInfo{Name: stepSingleRoot, Concern: ConcernXML, Stage: ExplainStageSignInWithIdp,
		Summary: "the document has exactly one root element",
		Rule:    Rule{Kind: RuleSpecified, Clause: "XML 1.0 §2.1 (exactly one root element)"},
		Reasons: []Reason{ReasonStructure}},
	needs: []string{stepXMLParse},
	run:   func(st *checkState) *APIError { return singleRoot(st.roots) },
}

var checkNames = &check{
	StepInfo: StepInfo{Name: stepNamespaceWellFormed, Concern: ConcernXML, Stage: ExplainStageSignInWithIdp,
		Summary: "names are namespace-well-formed, prefixes declared, no attribute twice on an element",
		Rule:    Rule{Kind: RuleSpecified, Clause: "Namespaces in XML 1.0 §3, §5 and XML 1.0 §3.1 (unique attribute specification)"},
		Reasons: []Reason{ReasonResponseMalformed}},
	needs: []string{stepXMLParse},
	run:   func(st *checkState) *APIError { return checkNamespaceNames(st.root) },
}

var checkRootIsResponse = &check{
	StepInfo: StepInfo{Name: stepRootIsResponse, Concern: ConcernXML, Stage: ExplainStageSignInWithIdp,
		Summary: "the root element is samlp:Response",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-profiles §4.1.4.2 (the IdP issues a <Response>)"},
		Reasons: []Reason{ReasonStructure}},
	needs: []string{stepXMLParse},
	run: func(st *checkState) *APIError {
		if e := rootIsResponse(st.root); e != nil {
			return e
		}
		return nil
	},
}
