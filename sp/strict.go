package sp

// strict.go holds the rules only the strict profile's Policy turns on,
// before and after signature verification: the attack catalogue's §2
// (wrapping), §5 (signature shape, algorithms, trust) and schema rules.
// The identity-platform profile's Policy leaves them off: Identity
// Platform's behaviour for most of these inputs is not recorded (reference
// §2.3 records only that it accepts an expired certificate and does not
// check Recipient), and that profile relies on reading identity only from
// verified bytes.

import (
	"time"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// Algorithm allow-lists of the strict profile.
var (
	strictSignatureMethods = map[string]bool{
		wire.AlgRSASHA256:   true,
		wire.AlgRSASHA384:   true,
		wire.AlgRSASHA512:   true,
		wire.AlgECDSASHA256: true,
		wire.AlgECDSASHA384: true,
		wire.AlgECDSASHA512: true,
	}
	strictDigestMethods = map[string]bool{
		wire.AlgDigestSHA256: true,
		wire.AlgDigestSHA384: true,
		wire.AlgDigestSHA512: true,
	}
	commentC14N = map[string]bool{
		wire.AlgExcC14NComments: true,
		wire.AlgC14N10Comments:  true,
		wire.AlgC14N11Comments:  true,
	}
	inclusiveC14N = map[string]bool{
		wire.AlgC14N10: true,
		wire.AlgC14N11: true,
	}
)

// strictAssertionPlacement: at most one Assertion, as a child of the
// Response; none anywhere else (Extensions, Status, Signature/Object,
// SubjectConfirmationData, nested in another Assertion) except inside the
// Assertion's Advice, which is allowed and never read. Elements are matched
// by (namespace URI, local name): a look-alike in another namespace is not
// an assertion and is never read either.
func strictAssertionPlacement(root *etree.Element) *APIError {
	var direct []*etree.Element
	var bad *etree.Element
	isAssertion := func(el *etree.Element) bool {
		return isElem(el, wire.NSAssertion, "Assertion") || isElem(el, wire.NSAssertion, "EncryptedAssertion")
	}
	walkElements(root, func(el *etree.Element) {
		if bad != nil || el == root || !isAssertion(el) {
			return
		}
		if el.Parent() == root && el.Tag == "Assertion" {
			direct = append(direct, el)
			return
		}
		if hasAncestor(el, root, func(p *etree.Element) bool { return isElem(p, wire.NSAssertion, "Advice") }) {
			return
		}
		bad = el
	})
	if bad != nil {
		return newError(ReasonStructure, nil, "an <%s> sits at %s: an assertion is only allowed as a child of the Response (or inside Advice, which is never read)", bad.FullTag(), bad.GetPath())
	}
	if len(direct) > 1 {
		ids := make([]string, len(direct))
		for i, a := range direct {
			ids[i], _ = attrValue(a, "ID")
		}
		return newError(ReasonStructure, nil, "the Response has %d Assertions (IDs %q): exactly one is allowed", len(direct), ids)
	}
	return nil
}

// strictMultiplicity checks, on the verified content, the multiplicities
// the pipeline relies on: at most one Issuer and exactly one Status in the
// Response; exactly one Issuer, at most one Subject and Conditions in the
// Assertion, at most one NameID in the Subject.
func strictMultiplicity(resp, asn *etree.Element) *APIError {
	if n := len(childElems(resp, wire.NSAssertion, "Issuer")); n > 1 {
		return newError(ReasonStructure, nil, "the Response has %d Issuer elements: at most one is allowed", n)
	}
	if n := len(childElems(resp, wire.NSProtocol, "Status")); n != 1 {
		return newError(ReasonStructure, nil, "the Response has %d Status elements: exactly one is required", n)
	}
	if asn == nil {
		return nil
	}
	if n := len(childElems(asn, wire.NSAssertion, "Issuer")); n != 1 {
		return newError(ReasonStructure, nil, "the Assertion has %d Issuer elements: exactly one is required", n)
	}
	for _, name := range []string{"Subject", "Conditions"} {
		if n := len(childElems(asn, wire.NSAssertion, name)); n > 1 {
			return newError(ReasonStructure, nil, "the Assertion has %d %s elements: at most one is allowed", n, name)
		}
	}
	if s := childElem(asn, wire.NSAssertion, "Subject"); s != nil {
		if n := len(childElems(s, wire.NSAssertion, "NameID")); n > 1 {
			return newError(ReasonStructure, nil, "the Subject has %d NameID elements: at most one is allowed", n)
		}
	}
	return nil
}

// strictSignaturePlacement: a ds:Signature may only be a child of the
// Response or of the Assertion, right after its Issuer (schema position),
// or anywhere inside Advice (never read).
func strictSignaturePlacement(root *etree.Element) *APIError {
	var bad *APIError
	walkElements(root, func(el *etree.Element) {
		if bad != nil || !isElem(el, wire.NSDSig, "Signature") {
			return
		}
		if hasAncestor(el, root, func(p *etree.Element) bool { return isElem(p, wire.NSAssertion, "Advice") }) {
			return
		}
		parent := el.Parent()
		structural := parent == root || (isElem(parent, wire.NSAssertion, "Assertion") && parent.Parent() == root)
		if !structural {
			bad = newError(ReasonSignatureShape, nil, "a ds:Signature sits at %s: signatures are only allowed directly in the Response and the Assertion", el.GetPath())
			return
		}
		// Schema position: first child, or right after Issuer.
		var prev *etree.Element
		for _, c := range parent.ChildElements() {
			if c == el {
				break
			}
			prev = c
		}
		if prev != nil && !isElem(prev, wire.NSAssertion, "Issuer") {
			bad = newError(ReasonSignatureShape, nil, "the %s's ds:Signature follows <%s>: the schema puts it right after Issuer", parent.Tag, prev.FullTag())
		}
	})
	return bad
}

// strictSignatureShape: one SignedInfo, one SignatureValue, at most one
// KeyInfo, no Object; one CanonicalizationMethod, one SignatureMethod, one
// Reference whose URI is "#" + the ID of the signature's parent; transforms
// only enveloped-signature and exclusive c14n; a parseable KeyInfo
// certificate if one is present.
func strictSignatureShape(se signedElement) *APIError {
	shape := func(format string, args ...any) *APIError {
		return newError(ReasonSignatureShape, nil, "the %s's signature: "+format, append([]any{se.what}, args...)...)
	}
	counts := map[string]int{}
	for _, c := range se.sig.ChildElements() {
		if c.NamespaceURI() != wire.NSDSig {
			return shape("foreign element <%s> inside ds:Signature", c.FullTag())
		}
		counts[c.Tag]++
	}
	for name, n := range counts {
		switch name {
		case "SignedInfo", "SignatureValue":
			if n != 1 {
				return shape("%d %s elements: exactly one is allowed", n, name)
			}
		case "KeyInfo":
			if n > 1 {
				return shape("%d KeyInfo elements: at most one is allowed", n)
			}
		case "Object":
			return shape("a ds:Object element: objects are not allowed in an enveloped SAML signature")
		default:
			return shape("an unexpected ds:%s element", name)
		}
	}
	if counts["SignedInfo"] != 1 || counts["SignatureValue"] != 1 {
		return shape("SignedInfo and SignatureValue are both required")
	}
	si := childElem(se.sig, wire.NSDSig, "SignedInfo")
	for _, name := range []string{"CanonicalizationMethod", "SignatureMethod", "Reference"} {
		if n := len(childElems(si, wire.NSDSig, name)); n != 1 {
			return shape("SignedInfo has %d %s elements: exactly one is allowed", n, name)
		}
	}
	ref := childElem(si, wire.NSDSig, "Reference")
	id, _ := attrValue(se.el, "ID")
	uri, hasURI := attrValue(ref, "URI")
	if id == "" || !hasURI || uri != "#"+id {
		return shape("its Reference URI is %q; it must be \"#%s\", the ID of the element the signature sits in", uri, id)
	}
	if tr := childElems(ref, wire.NSDSig, "Transforms"); len(tr) > 1 {
		return shape("%d Transforms elements", len(tr))
	}
	for _, t := range childElems(childElem(ref, wire.NSDSig, "Transforms"), wire.NSDSig, "Transform") {
		alg, _ := attrValue(t, "Algorithm")
		switch {
		case alg == wire.AlgEnveloped || alg == wire.AlgExcC14N:
		case commentC14N[alg] || inclusiveC14N[alg]:
			// SIGNATURE_ALGORITHM, reported by strictSignatureAlgorithms.
		default:
			return shape("transform %q is not allowed: only enveloped-signature and exclusive c14n", alg)
		}
	}
	if n := len(childElems(ref, wire.NSDSig, "DigestMethod")); n != 1 {
		return shape("its Reference has %d DigestMethod elements", n)
	}
	if n := len(childElems(ref, wire.NSDSig, "DigestValue")); n != 1 {
		return shape("its Reference has %d DigestValue elements", n)
	}
	if _, err := keyInfoCertificate(se.sig); err != nil {
		return shape("%v", err)
	}
	return nil
}

// strictSignatureAlgorithms: RSA-SHA256 or stronger, SHA-256 or stronger
// digests, exclusive c14n without comments.
func strictSignatureAlgorithms(se signedElement) *APIError {
	alg := func(format string, args ...any) *APIError {
		return newError(ReasonSignatureAlgorithm, nil, "the %s's signature: "+format, append([]any{se.what}, args...)...)
	}
	si := childElem(se.sig, wire.NSDSig, "SignedInfo")
	cm, _ := attrValue(childElem(si, wire.NSDSig, "CanonicalizationMethod"), "Algorithm")
	if cm != wire.AlgExcC14N {
		if commentC14N[cm] {
			return alg("CanonicalizationMethod %q keeps comments: only exclusive c14n without comments is accepted", cm)
		}
		return alg("CanonicalizationMethod %q is not allowed: only exclusive c14n (%s)", cm, wire.AlgExcC14N)
	}
	sm, _ := attrValue(childElem(si, wire.NSDSig, "SignatureMethod"), "Algorithm")
	if !strictSignatureMethods[sm] {
		if sm == wire.AlgRSASHA1 {
			return alg("SignatureMethod is RSA-SHA1: SHA-1 signatures are refused; set the IdP's Signature Algorithm to RSA-SHA256")
		}
		return alg("SignatureMethod %q is not allowed: use RSA-SHA256 or stronger", sm)
	}
	ref := childElem(si, wire.NSDSig, "Reference")
	for _, t := range childElems(childElem(ref, wire.NSDSig, "Transforms"), wire.NSDSig, "Transform") {
		a, _ := attrValue(t, "Algorithm")
		if commentC14N[a] {
			return alg("transform %q keeps comments: only exclusive c14n without comments is accepted", a)
		}
		if inclusiveC14N[a] {
			return alg("transform %q is inclusive c14n: only exclusive c14n is accepted", a)
		}
	}
	dm, _ := attrValue(childElem(ref, wire.NSDSig, "DigestMethod"), "Algorithm")
	if !strictDigestMethods[dm] {
		if dm == wire.AlgDigestSHA1 {
			return alg("DigestMethod is SHA-1: SHA-1 digests are refused; set the IdP's Digest Algorithm to SHA256")
		}
		return alg("DigestMethod %q is not allowed: use SHA-256 or stronger", dm)
	}
	return nil
}

// afterVerification checks what can only be judged once it is known which
// configured certificate verified, as the Policy asks: KeyInfo pinning,
// key size and certificate validity.
func afterVerification(v *verification, now time.Time, p Policy) *APIError {
	if p.PinKeyInfo && v.keyInfoCert != nil && !v.keyInfoCert.Equal(v.cert) {
		return newError(ReasonSignatureUntrustedKey, nil, "the %s's KeyInfo carries %s, but the signature verified with configured certificate %d (%s): KeyInfo is never trusted, and the strict profile requires it to name the configured certificate",
			v.what, describeCert(v.keyInfoCert), v.certIndex+1, describeCert(v.cert))
	}
	if bits := publicKeyBits(v.cert); bits > 0 && bits < p.MinRSAKeyBits {
		return newError(ReasonSignatureAlgorithm, nil, "the %s is signed with a %d-bit RSA key (configured certificate %d): the strict profile requires at least %d bits", v.what, bits, v.certIndex+1, p.MinRSAKeyBits)
	}
	if !p.CertificateValidity {
		return nil
	}
	if now.After(v.cert.NotAfter) {
		return newError(ReasonCertExpired, nil, "configured certificate %d (%s), which verified the %s's signature, expired on %s; now is %s. Add the IdP's current signing certificate.",
			v.certIndex+1, describeCert(v.cert), v.what, formatInstant(v.cert.NotAfter), formatInstant(now))
	}
	if now.Before(v.cert.NotBefore) {
		return newError(ReasonCertExpired, nil, "configured certificate %d (%s), which verified the %s's signature, is not valid before %s; now is %s",
			v.certIndex+1, describeCert(v.cert), v.what, formatInstant(v.cert.NotBefore), formatInstant(now))
	}
	return nil
}

// formatInstant renders a time as Identity Platform does in messages:
// ISO-8601 UTC with milliseconds.
func formatInstant(t time.Time) string { return t.UTC().Format(wire.TimeLayout) }
