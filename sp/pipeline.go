package sp

// pipeline.go is the verification pipeline of a SAMLResponse, one linear
// function in Identity Platform's check order (fireemu's recording,
// reference §2.3): decode → parse once → structure → certificates →
// signatures → status → destination → issuer → audience → NotBefore →
// NotOnOrAfter (Conditions, then SubjectConfirmationData) → InResponseTo →
// replay → NameID. The strict profile adds its checks at the natural step.

import (
	"crypto/x509"
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

// signatureOutcome is what the signature step establishes.
type signatureOutcome struct {
	// resp is the source of Response-level fields: the verified Response
	// when the Response is signed, otherwise the original element.
	resp            *etree.Element
	signedResponse  bool
	signedAssertion bool
	// assertion is the verified identity source; nil with assertionErr set
	// when there is none or it is ambiguous (reported after the status check).
	assertion    *etree.Element
	assertionErr *APIError
	certIndex    int
}

// verifySAMLResponse runs the whole pipeline on an encoded SAMLResponse.
func (s *Server) verifySAMLResponse(in verifyInput, encoded string) (*verifiedLogin, *APIError) {
	strict := in.rt.strict()
	raw, e := decodeSAMLResponse(encoded, s.cfg.MaxResponseBytes)
	if e != nil {
		return nil, e
	}
	root, e := parseResponseXML(raw)
	if e != nil {
		return nil, e
	}
	if e := checkStructure(root, strict); e != nil {
		return nil, e
	}
	responseID, _ := attrValue(root, "ID")
	if enc := childElem(root, wire.NSAssertion, "EncryptedAssertion"); enc != nil {
		return nil, newError(ReasonEncryptedAssertion, nil, "the Response carries an EncryptedAssertion: Identity Platform holds no SP decryption key, so assertions must not be encrypted (in Okta: Assertion Encryption = Unencrypted)")
	}
	if strict {
		if e := strictStructure(root); e != nil {
			return nil, e
		}
	}
	certs, e := in.rt.certs()
	if e != nil {
		return nil, e
	}
	sig, e := verifySignatures(root, certs, in.now, strict)
	if e != nil {
		return nil, e
	}
	resp := sig.resp

	// Status.
	status := childElem(resp, wire.NSProtocol, "Status")
	code := childElem(status, wire.NSProtocol, "StatusCode")
	if code == nil {
		return nil, newError(ReasonStructure, nil, "the Response has no Status/StatusCode")
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
		return nil, newError(ReasonStatusNotSuccess, map[string]string{"status": v}, "%s", detail)
	}
	if sig.assertionErr != nil {
		return nil, sig.assertionErr
	}
	asn := sig.assertion
	if strict {
		if e := strictMultiplicity(resp, asn); e != nil {
			return nil, e
		}
	}
	assertionID, _ := attrValue(asn, "ID")
	if strings.TrimSpace(assertionID) == "" {
		return nil, newError(ReasonStructure, nil, "the Assertion has no ID attribute")
	}

	// Destination (only when present, as Identity Platform does; strict
	// also requires it on a signed Response, saml-bindings §3.5.5.2).
	if d, ok := attrValue(resp, "Destination"); ok && d != in.callback {
		return nil, newError(ReasonDestinationMismatch, map[string]string{"destination": d, "callback": in.callback},
			"Response Destination is %q but the Redirect URL is %q: set the IdP's Destination (Okta: Single sign-on URL with \"Use this for Recipient URL and Destination URL\") to the Redirect URL", d, in.callback)
	} else if !ok && strict && sig.signedResponse {
		return nil, newError(ReasonDestinationMismatch, map[string]string{"destination": "null", "callback": in.callback},
			"the signed Response has no Destination attribute: the strict profile requires it (saml-bindings §3.5.5.2)")
	}

	// Issuers.
	idp := in.rt.sso.idpEntityID
	ri := childElem(resp, wire.NSAssertion, "Issuer")
	if ri == nil && strict && sig.signedResponse {
		return nil, newError(ReasonResponseIssuer, nil, "the signed Response has no Issuer: saml-profiles §4.1.4.2 requires it when the Response is signed")
	}
	if ri != nil {
		if v := textContent(ri); v != idp {
			return nil, newError(ReasonResponseIssuer, nil, "the Response Issuer is %q but the Identity Provider Entity Id is %q: copy the IdP metadata's entityID into Identity Provider Entity Id", v, idp)
		}
		if strict {
			if f, ok := attrValue(ri, "Format"); ok && f != wire.NameIDEntity {
				return nil, newError(ReasonResponseIssuer, nil, "the Response Issuer has Format %q: it must be omitted or %s", f, wire.NameIDEntity)
			}
		}
	}
	ai := childElem(asn, wire.NSAssertion, "Issuer")
	issuer := "null"
	if ai != nil {
		issuer = textContent(ai)
	}
	if ai == nil || issuer != idp {
		return nil, newError(ReasonIssuerMismatch, map[string]string{"issuer": issuer, "expected": idp},
			"the Assertion Issuer is %s but the Identity Provider Entity Id is %q: copy the IdP metadata's entityID into Identity Provider Entity Id", quoteOrNull(ai, issuer), idp)
	}
	if strict {
		if f, ok := attrValue(ai, "Format"); ok && f != wire.NameIDEntity {
			return nil, newError(ReasonIssuerMismatch, map[string]string{"issuer": issuer, "expected": idp}, "the Assertion Issuer has Format %q: it must be omitted or %s", f, wire.NameIDEntity)
		}
	}

	// Audience: every AudienceRestriction must contain the SP entity ID
	// (restrictions are ANDed, audiences within one ORed). With none at all
	// the rule is vacuously true in the identity-platform profile, as the
	// wording of Identity Platform's message ("All <AudienceRestriction>s
	// should contain …") implies; strict requires one.
	conds := childElem(asn, wire.NSAssertion, "Conditions")
	restrictions := childElems(conds, wire.NSAssertion, "AudienceRestriction")
	audValues := map[string]string{"spEntityId": in.spEntityID}
	for i, ar := range restrictions {
		var found []string
		match := false
		for _, a := range childElems(ar, wire.NSAssertion, "Audience") {
			v := textContent(a)
			found = append(found, v)
			if v == in.spEntityID {
				match = true
			}
		}
		if !match {
			return nil, newError(ReasonAudienceMismatch, audValues, "AudienceRestriction %d of %d lists %q but not the Service Provider Entity Id %q: set the IdP's Audience URI (SP Entity ID) to the Service Provider Entity Id", i+1, len(restrictions), found, in.spEntityID)
		}
	}
	if strict {
		if len(restrictions) == 0 {
			return nil, newError(ReasonAudienceMismatch, audValues, "the Assertion has no AudienceRestriction: the strict profile requires one naming %q", in.spEntityID)
		}
		for _, c := range conds.ChildElements() {
			if !isElem(c, wire.NSAssertion, "AudienceRestriction") && !isElem(c, wire.NSAssertion, "OneTimeUse") {
				kind := c.FullTag()
				if t := c.SelectAttrValue("xsi:type", ""); t != "" {
					kind += " xsi:type=" + t
				}
				return nil, newError(ReasonConditionUnsupported, nil, "the Conditions hold <%s>, which this SP does not understand: saml-core §2.5.1.1 makes the assertion Indeterminate, so it is refused", kind)
			}
		}
	}

	// Time bounds, exact (NotBefore inclusive, NotOnOrAfter exclusive).
	nowS := formatInstant(in.now)
	var expiry time.Time
	if conds != nil {
		if nb, ok, e := instantAttr(conds, "NotBefore", "Conditions"); e != nil {
			return nil, e
		} else if ok && in.now.Before(nb) {
			return nil, newError(ReasonNotYetValid, map[string]string{"now": nowS, "notBefore": formatInstant(nb)},
				"the assertion is valid from %s but now is %s (%s early): check the SP's and the IdP's clocks", formatInstant(nb), nowS, nb.Sub(in.now))
		}
		if noa, ok, e := instantAttr(conds, "NotOnOrAfter", "Conditions"); e != nil {
			return nil, e
		} else if ok {
			if !in.now.Before(noa) {
				return nil, newError(ReasonExpired, map[string]string{"now": nowS, "notOnOrAfter": formatInstant(noa)},
					"the assertion's Conditions expired at %s; now is %s (%s late)", formatInstant(noa), nowS, in.now.Sub(noa))
			}
			expiry = noa
		}
	}
	// Identity Platform requires <saml:Subject> (reference §2.1).
	subject := childElem(asn, wire.NSAssertion, "Subject")
	if subject == nil {
		return nil, newError(ReasonNameIDMissing, nil, "the Assertion has no Subject, so no NameID: set the IdP's Name ID format to EmailAddress and Application username to Email")
	}
	bearer, scd := selectConfirmation(subject)
	if scd != nil {
		if noa, ok, e := instantAttr(scd, "NotOnOrAfter", "SubjectConfirmationData"); e != nil {
			return nil, e
		} else if ok {
			if !in.now.Before(noa) {
				return nil, newError(ReasonExpired, map[string]string{"now": nowS, "notOnOrAfter": formatInstant(noa)},
					"the SubjectConfirmationData expired at %s; now is %s (%s late)", formatInstant(noa), nowS, in.now.Sub(noa))
			}
			if noa.After(expiry) {
				expiry = noa
			}
		}
	}

	// Strict: bearer confirmation and Recipient (saml-profiles §4.1.4.2).
	if strict {
		if e := strictConfirmation(bearer, scd, in.callback); e != nil {
			return nil, e
		}
	}

	// InResponseTo on both the Response and the SubjectConfirmationData.
	respIRT, ok1 := attrValue(resp, "InResponseTo")
	scdIRT, ok2 := attrValue(scd, "InResponseTo")
	if !ok1 || !ok2 || respIRT == "" || scdIRT == "" {
		var missing []string
		if !ok1 || respIRT == "" {
			missing = append(missing, "the Response")
		}
		if !ok2 || scdIRT == "" {
			missing = append(missing, "the SubjectConfirmationData")
		}
		return nil, newError(ReasonInResponseToMissing, nil, "InResponseTo is missing on %s: this sign-in was started by the SP (AuthnRequest %s); IdP-initiated responses are not accepted", strings.Join(missing, " and "), in.requestID)
	}
	if respIRT != in.requestID || scdIRT != in.requestID {
		return nil, newError(ReasonInResponseToMismatch, nil, "the AuthnRequest of this sessionId has ID %q, but the Response says InResponseTo=%q and the SubjectConfirmationData InResponseTo=%q", in.requestID, respIRT, scdIRT)
	}

	// Replay: the Assertion ID (and Response ID) are remembered until the
	// assertion expires.
	if expiry.IsZero() {
		expiry = in.now.Add(in.replayTTL)
	}
	if key, dup := s.replay.checkAndRecord([]string{"assertion:" + assertionID, "response:" + responseID}, in.now, expiry); dup {
		return nil, newError(ReasonReplay, nil, "%s was already used for a sign-in and stays in the replay cache until %s: every SAMLResponse can be used once", key, formatInstant(s.replay.expiry(key)))
	}

	// NameID.
	nameIDEl := childElem(subject, wire.NSAssertion, "NameID")
	nameID := strings.TrimSpace(textContent(nameIDEl))
	if nameID == "" {
		what := "the Subject has no NameID"
		if nameIDEl != nil {
			what = "the NameID is empty"
		}
		return nil, newError(ReasonNameIDMissing, nil, "%s: set the IdP's Name ID format to EmailAddress and Application username to Email", what)
	}
	if strict && len(nameIDEl.ChildElements()) > 0 {
		return nil, newError(ReasonStructure, nil, "the NameID contains child elements: a NameID is text only")
	}
	format, _ := attrValue(nameIDEl, "Format")
	return &verifiedLogin{
		nameID:          nameID,
		nameIDFormat:    format,
		attributes:      readAttributes(asn),
		assertionID:     assertionID,
		responseID:      responseID,
		issuer:          issuer,
		signedResponse:  sig.signedResponse,
		signedAssertion: sig.signedAssertion,
		certIndex:       sig.certIndex,
	}, nil
}

// verifySignatures verifies every structural signature present (the
// Response's and each direct-child Assertion's) and selects the verified
// identity source. Any signature present that does not verify refuses the
// response.
func verifySignatures(root *etree.Element, certs []*x509.Certificate, now time.Time, strict bool) (*signatureOutcome, *APIError) {
	respSig := directSignature(root)
	assertions := childElems(root, wire.NSAssertion, "Assertion")
	var signedAssertions []signedElement
	for _, a := range assertions {
		if s := directSignature(a); s != nil {
			signedAssertions = append(signedAssertions, signedElement{what: "Assertion", el: a, sig: s})
		}
	}
	if respSig == nil && len(signedAssertions) == 0 {
		return nil, newError(ReasonSignatureMissing, nil, "neither the Response nor any of its %d Assertion(s) carries an enveloped ds:Signature: set the IdP to sign the Response and/or the Assertion (Okta: Response = Signed, Assertion Signature = Signed)", len(assertions))
	}
	if respSig != nil {
		if e := checkSignatureProfile(signedElement{what: "Response", el: root, sig: respSig}, true, strict); e != nil {
			return nil, e
		}
	}
	for _, se := range signedAssertions {
		if e := checkSignatureProfile(se, false, strict); e != nil {
			return nil, e
		}
	}
	out := &signatureOutcome{resp: root, certIndex: -1}
	var verifications []*verification
	if respSig != nil {
		v, e := verifyEnveloped(signedElement{what: "Response", el: root, sig: respSig}, certs, now)
		if e != nil {
			return nil, e
		}
		verifications = append(verifications, v)
		out.resp = v.verified
		out.signedResponse = true
		out.certIndex = v.certIndex
	}
	var verifiedAssertions []*etree.Element
	for _, se := range signedAssertions {
		v, e := verifyEnveloped(se, certs, now)
		if e != nil {
			return nil, e
		}
		verifications = append(verifications, v)
		verifiedAssertions = append(verifiedAssertions, v.verified)
		out.signedAssertion = true
		if out.certIndex < 0 {
			out.certIndex = v.certIndex
		}
	}
	if strict {
		for _, v := range verifications {
			if e := strictAfterVerification(v, now); e != nil {
				return nil, e
			}
		}
	}
	// The identity source: with a verified Response, its Assertion as the
	// Response's verified bytes carry it; otherwise the Assertion whose own
	// signature verified. Never an element of the original tree.
	switch {
	case out.signedResponse:
		inResp := childElems(out.resp, wire.NSAssertion, "Assertion")
		switch {
		case len(inResp) == 0:
			out.assertionErr = newError(ReasonAssertionMissing, nil, "the Response carries no Assertion")
		case len(inResp) == 1:
			out.assertion = inResp[0]
		case len(verifiedAssertions) == 1:
			id, _ := attrValue(verifiedAssertions[0], "ID")
			for _, a := range inResp {
				if v, _ := attrValue(a, "ID"); v == id {
					out.assertion = a
				}
			}
		default:
			out.assertionErr = newError(ReasonStructure, nil, "the signed Response carries %d Assertions, %d of them individually signed: which one identifies the user is ambiguous, so none is used", len(inResp), len(verifiedAssertions))
		}
	case len(verifiedAssertions) == 1:
		out.assertion = verifiedAssertions[0]
	default:
		out.assertionErr = newError(ReasonStructure, nil, "%d Assertions carry valid signatures: which one identifies the user is ambiguous, so none is used", len(verifiedAssertions))
	}
	if out.assertion == nil && out.assertionErr == nil {
		out.assertionErr = newError(ReasonStructure, nil, "the individually signed Assertion is not among the signed Response's Assertions")
	}
	return out, nil
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

// strictConfirmation: a bearer SubjectConfirmation with data that has
// NotOnOrAfter, no NotBefore, and Recipient = the Redirect URL.
func strictConfirmation(bearer, scd *etree.Element, callback string) *APIError {
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
	r, ok := attrValue(scd, "Recipient")
	if !ok || r != callback {
		shown, quoted := r, fmt.Sprintf("%q", r)
		if !ok {
			shown, quoted = "null", "missing"
		}
		return newError(ReasonRecipientMismatch, map[string]string{"recipient": shown, "callback": callback},
			"SubjectConfirmationData Recipient is %s but the Redirect URL is %q: set the IdP's Recipient URL (Okta: \"Use this for Recipient URL and Destination URL\") to the Redirect URL", quoted, callback)
	}
	return nil
}

// instantAttr parses an xs:dateTime attribute; a bad value is STRUCTURE.
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

// checkStructure applies the structural rules of both profiles to the
// original tree, before any signature is evaluated:
//   - the Response and each of its Assertions carry an ID;
//   - no two elements carry the same ID, so an ID lookup can never find
//     either of two elements (xsw-duplicate-id). Java's XML Security, which
//     Identity Platform's stack is assumed to use, refuses duplicate IDs
//     under secure validation among the attributes registered as IDs, i.e.
//     those of the SAML objects it unmarshals: the identity-platform profile
//     therefore compares the Response and its Assertions, strict every
//     element of the document;
//   - Version is "2.0" on the Response and its Assertions (saml-core
//     §3.2.2.1, §2.3.3). Identity Platform's reaction to another version is
//     not recorded (reference §2.3); the contract lists VERSION_INVALID for
//     both profiles, and a SAML 2.0 relying party must not process a message
//     of another version under 2.0 rules, so both profiles refuse it;
//   - at most one ds:Signature directly in the Response and in each
//     Assertion (a decoy second signature is SIGNATURE_SHAPE).
func checkStructure(root *etree.Element, strict bool) *APIError {
	if id, ok := attrValue(root, "ID"); !ok || strings.TrimSpace(id) == "" {
		return newError(ReasonStructure, nil, "the Response has no ID attribute")
	}
	assertions := childElems(root, wire.NSAssertion, "Assertion")
	for i, a := range assertions {
		if id, ok := attrValue(a, "ID"); !ok || strings.TrimSpace(id) == "" {
			return newError(ReasonStructure, nil, "Assertion %d of the Response has no ID attribute", i+1)
		}
	}
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
	if strict {
		walkElements(root, visit)
	} else {
		visit(root)
		for _, a := range assertions {
			visit(a)
		}
	}
	if dup != nil {
		return dup
	}
	if v, _ := attrValue(root, "Version"); v != "2.0" {
		return newError(ReasonVersionInvalid, nil, "the Response has Version %q: SAML 2.0 requires \"2.0\"", v)
	}
	for _, a := range assertions {
		if v, _ := attrValue(a, "Version"); v != "2.0" {
			return newError(ReasonVersionInvalid, nil, "the Assertion has Version %q: SAML 2.0 requires \"2.0\"", v)
		}
	}
	for _, el := range append([]*etree.Element{root}, assertions...) {
		if n := len(childElems(el, wire.NSDSig, "Signature")); n > 1 {
			return newError(ReasonSignatureShape, nil, "the %s has %d ds:Signature children: exactly one signature per signed element is allowed", el.Tag, n)
		}
	}
	return nil
}
