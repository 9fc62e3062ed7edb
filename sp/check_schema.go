package sp

// check_schema.go: schema rules of SAML core the strict profile enforces on
// the verified content beyond the element counts of element-multiplicity:
// ID syntax and the statements an SSO assertion must carry.

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/samlharness/samlharness/internal/wire"
)

// Step names of the schema rules.
const (
	stepIDsAreXMLNames    = "ids-are-xml-names"
	stepStatementsPresent = "statements-present"
)

// xmlNCName is the shape of an xs:ID value: an XML name without a colon.
var xmlNCName = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}\p{Mn}\p{Mc}._\-]*$`)

var checkIDsAreXMLNames = &check{
	StepInfo: StepInfo{Name: stepIDsAreXMLNames, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "the Response's and the Assertions' IDs are xs:ID values (XML names: no quotes, brackets or spaces)",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-core §1.3.4 (ID attributes are of type xs:ID)"},
		Reasons: []Reason{ReasonStructure}},
	applies: func(p Policy) bool { return p.IDsAreXMLNames },
	needs:   []string{stepIDsPresent},
	run: func(st *checkState) *APIError {
		if id, _ := attrValue(st.root, "ID"); !xmlNCName.MatchString(id) {
			return newError(ReasonStructure, nil, "the Response ID %q is not an xs:ID (an XML name: a letter or _ first, then letters, digits, '.', '-' or '_')", id)
		}
		for i, a := range st.assertions {
			if id, _ := attrValue(a, "ID"); !xmlNCName.MatchString(id) {
				return newError(ReasonStructure, nil, "the ID %q of Assertion %d is not an xs:ID (an XML name: a letter or _ first, then letters, digits, '.', '-' or '_')", id, i+1)
			}
		}
		return nil
	},
}

var checkStatementsPresent = &check{
	StepInfo: StepInfo{Name: stepStatementsPresent, Concern: ConcernStructure, Stage: ExplainStageSignInWithIdp,
		Summary: "the verified Assertion carries an AuthnStatement, and no AttributeStatement is empty",
		Rule:    Rule{Kind: RuleSpecified, Clause: "saml-profiles §4.1.4.2 (the SSO assertion carries at least one AuthnStatement); saml-core §2.7.3 (an AttributeStatement holds one or more Attribute or EncryptedAttribute)"},
		Reasons: []Reason{ReasonStructure}},
	applies:        func(p Policy) bool { return p.StatementsRequired },
	needs:          []string{stepAssertionSource},
	needsAssertion: true,
	run: func(st *checkState) *APIError {
		if childElem(st.asn, wire.NSAssertion, "AuthnStatement") == nil {
			return newError(ReasonStructure, nil, "the Assertion carries no AuthnStatement: an SSO assertion must say how and when the user authenticated (saml-profiles §4.1.4.2)")
		}
		for i, as := range childElems(st.asn, wire.NSAssertion, "AttributeStatement") {
			if len(childElems(as, wire.NSAssertion, "Attribute"))+len(childElems(as, wire.NSAssertion, "EncryptedAttribute")) == 0 {
				return newError(ReasonStructure, nil, "AttributeStatement %d holds no Attribute: the schema requires at least one (saml-core §2.7.3)", i+1)
			}
		}
		return nil
	},
}

// hasInvisibleCharacter reports whether s holds a Unicode format character
// (category Cf: zero-width spaces and joiners, bidi controls, …), which
// makes two different NameIDs look the same.
func hasInvisibleCharacter(s string) bool {
	return strings.IndexFunc(s, isFormatCharacter) >= 0
}

func isFormatCharacter(r rune) bool { return unicode.Is(unicode.Cf, r) }
