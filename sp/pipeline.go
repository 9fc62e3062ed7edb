package sp

// pipeline.go is the entry point of a SAMLResponse's verification: it runs
// the checklist (checkrun.go; the steps in check_*.go) in Identity
// Platform's check order (fireemu's recording, reference §2.3): decode →
// parse once → structure → certificates → signatures → status →
// destination → issuer → audience → NotBefore → NotOnOrAfter (Conditions,
// then SubjectConfirmationData) → InResponseTo → replay → NameID. The
// profile's Policy turns the strict profile's steps on.

import (
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// verifyInput is what a sign-in knows besides the SAMLResponse.
type verifyInput struct {
	rt         *ssoRuntime
	requestID  string // the pending AuthnRequest's ID
	now        time.Time
	callback   string // the Redirect URL
	spEntityID string
	replayTTL  time.Duration // fallback replay-cache lifetime when the assertion states no expiry
	// post is the HTTP-POST binding's form as accounts:signInWithIdp got it
	// (nil: the encoded SAMLResponse is given directly, as Explain does).
	post *postBinding
}

// SAMLAttribute is one attribute of the verified assertion.
type SAMLAttribute struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// verifiedLogin is what a verified SAMLResponse asserts (read only from the
// bytes goxmldsig verified).
type verifiedLogin struct {
	nameID          string
	nameIDFormat    string
	attributes      []SAMLAttribute
	assertionID     string
	responseID      string
	issuer          string
	signedResponse  bool
	signedAssertion bool
	certIndex       int
}

// verifySAMLResponse runs the checklist's signInWithIdp stage fail-fast on
// an encoded SAMLResponse: the first refusal is the answer.
func (s *Server) verifySAMLResponse(in verifyInput, encoded string) (*verifiedLogin, *APIError) {
	st := s.newCheckState(in, encoded)
	if e := s.runChecklist(st, ExplainStageSignInWithIdp); e != nil {
		return nil, e
	}
	return st.login(), nil
}

// newCheckState starts a run of the checklist on an encoded SAMLResponse.
func (s *Server) newCheckState(in verifyInput, encoded string) *checkState {
	return &checkState{
		s: s, in: in, policy: PolicyFor(in.rt.profile), encoded: encoded, certIndex: -1,
		providerID: in.rt.providerID, domains: in.rt.sso.domains,
	}
}

// login is what a passed run establishes.
func (st *checkState) login() *verifiedLogin {
	format, _ := attrValue(st.nameIDEl, "Format")
	return &verifiedLogin{
		nameID:          st.nameID,
		nameIDFormat:    format,
		attributes:      readAttributes(st.asn),
		assertionID:     st.assertionID,
		responseID:      st.responseID,
		issuer:          st.issuer,
		signedResponse:  st.signedResponse,
		signedAssertion: st.signedAssertion,
		certIndex:       st.certIndex,
	}
}

// selectConfirmation picks the SubjectConfirmation the checks read: the
// first bearer one with SubjectConfirmationData, else the first one's data.
func selectConfirmation(subject *etree.Element) (bearer, scd *etree.Element) {
	scs := childElems(subject, wire.NSAssertion, "SubjectConfirmation")
	for _, sc := range scs {
		if m, _ := attrValue(sc, "Method"); m == wire.CMBearer {
			if d := childElem(sc, wire.NSAssertion, "SubjectConfirmationData"); d != nil {
				return sc, d
			}
			if bearer == nil {
				bearer = sc
			}
		}
	}
	if bearer != nil {
		return bearer, nil
	}
	if len(scs) > 0 {
		return nil, childElem(scs[0], wire.NSAssertion, "SubjectConfirmationData")
	}
	return nil, nil
}

// instantAttr parses an xs:dateTime attribute; a bad value is
// RESPONSE_MALFORMED.
func instantAttr(el *etree.Element, name, where string) (time.Time, bool, *APIError) {
	v, ok := attrValue(el, name)
	if !ok {
		return time.Time{}, false, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, false, newError(ReasonResponseMalformed, nil, "%s %s %q is not an xs:dateTime instant (e.g. 2026-08-29T12:01:00.000Z)", where, name, v)
	}
	return t, true, nil
}

// readAttributes reads the AttributeStatements of the verified assertion.
func readAttributes(asn *etree.Element) []SAMLAttribute {
	var out []SAMLAttribute
	for _, st := range childElems(asn, wire.NSAssertion, "AttributeStatement") {
		for _, a := range childElems(st, wire.NSAssertion, "Attribute") {
			name, _ := attrValue(a, "Name")
			attr := SAMLAttribute{Name: name, Values: []string{}}
			for _, v := range childElems(a, wire.NSAssertion, "AttributeValue") {
				attr.Values = append(attr.Values, textContent(v))
			}
			out = append(out, attr)
		}
	}
	return out
}

func quoteOrNull(el *etree.Element, v string) string {
	if el == nil {
		return "null (no Issuer element)"
	}
	return fmt.Sprintf("%q", v)
}
