package sp

// verify.go is the only file that touches goxmldsig. It never canonicalizes
// or checks a signature itself: it locates the structural signature, hands
// goxmldsig one ValidationContext per configured certificate (so it knows
// WHICH certificate verified) and classifies the outcome.

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/samlharness/samlharness/internal/wire"
)

// signedElement is a Response or an Assertion of the original tree together
// with its structural signature (its first direct-child ds:Signature).
type signedElement struct {
	what string // "Response" or "Assertion"
	el   *etree.Element
	sig  *etree.Element
}

// verification is a successfully verified signature.
type verification struct {
	what string
	// verified is the element goxmldsig returns: the re-parsed canonical
	// bytes that were digested. Identity is read from it and nothing else.
	verified  *etree.Element
	cert      *x509.Certificate
	certIndex int // 0-based index into the configured certificates
	// keyInfoCert is the certificate the signature's KeyInfo carries (never
	// trusted; strict requires it to equal cert).
	keyInfoCert *x509.Certificate
	keyInfoErr  error
	sig         *etree.Element // the structural signature in the original tree
}

// directSignature returns the first direct-child ds:Signature of el.
func directSignature(el *etree.Element) *etree.Element {
	return childElem(el, wire.NSDSig, "Signature")
}

// firstReferencingSignature is the signature goxmldsig's findSignature would
// pick for root: the first ds:Signature in document order (pre-order, root's
// subtree) whose first SignedInfo has a Reference with URI "" or URI[1:] ==
// id. Comparing it with the structural signature makes goxmldsig verify the
// signature we located, not one hidden deeper in the tree.
func firstReferencingSignature(root *etree.Element, id string) *etree.Element {
	var found *etree.Element
	var visit func(el *etree.Element) bool
	visit = func(el *etree.Element) bool {
		if isElem(el, wire.NSDSig, "Signature") {
			if si := childElem(el, wire.NSDSig, "SignedInfo"); si != nil {
				for _, ref := range childElems(si, wire.NSDSig, "Reference") {
					uri, _ := attrValue(ref, "URI")
					if uri == "" || uri[1:] == id {
						found = el
						return true
					}
				}
			}
		}
		for _, c := range el.ChildElements() {
			if visit(c) {
				return true
			}
		}
		return false
	}
	visit(root)
	return found
}

// clampToValidity returns now, moved inside the certificate's validity
// period when it lies outside. goxmldsig checks validity against its Clock;
// Identity Platform accepts expired certificates, so validity is never
// decided by goxmldsig (strict checks it separately, after knowing which
// certificate verified).
func clampToValidity(now time.Time, c *x509.Certificate) time.Time {
	if now.Before(c.NotBefore) {
		return c.NotBefore
	}
	if now.After(c.NotAfter) {
		return c.NotAfter
	}
	return now
}

// keyInfoCertificate parses KeyInfo/X509Data/X509Certificate of a signature
// (for explanations and the strict KeyInfo pinning check only).
func keyInfoCertificate(sig *etree.Element) (*x509.Certificate, error) {
	ki := childElem(sig, wire.NSDSig, "KeyInfo")
	xd := childElem(ki, wire.NSDSig, "X509Data")
	xc := childElem(xd, wire.NSDSig, "X509Certificate")
	if xc == nil {
		return nil, nil
	}
	data := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, textContent(xc))
	der, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("KeyInfo X509Certificate is not base64: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("KeyInfo X509Certificate is not a certificate: %v", err)
	}
	return c, nil
}

func certIndex(certs []*x509.Certificate, c *x509.Certificate) int {
	for i, cc := range certs {
		if cc.Equal(c) {
			return i
		}
	}
	return -1
}

// gipTransforms are the Reference transforms the SAML signature profile
// (saml-core §5.4.4) allows and Identity Platform's Java stack accepts:
// enveloped-signature plus the canonicalization algorithms.
var gipTransforms = map[string]bool{
	wire.AlgEnveloped:       true,
	wire.AlgExcC14N:         true,
	wire.AlgExcC14NComments: true,
	wire.AlgC14N10:          true,
	wire.AlgC14N10Comments:  true,
	wire.AlgC14N11:          true,
	wire.AlgC14N11Comments:  true,
}

// checkSignatureProfile applies the SAML signature profile (saml-core
// §5.4) that both profiles enforce, as a Java SAML stack's signature
// profile validator does: one SignedInfo, one SignatureValue, at most one
// KeyInfo, exactly one Reference whose URI is "#" + the ID of the element
// the signature sits in ("" only for the document root, when
// Policy.WholeDocumentReference allows it),
// transforms limited to enveloped-signature and canonicalization, and no
// other signature in the element that goxmldsig would pick instead.
func checkSignatureProfile(se signedElement, isRoot bool, p Policy) *APIError {
	shape := func(format string, args ...any) *APIError {
		return newError(ReasonSignatureShape, nil, "the %s's signature: "+format, append([]any{se.what}, args...)...)
	}
	for _, name := range []string{"SignedInfo", "SignatureValue"} {
		if n := len(childElems(se.sig, wire.NSDSig, name)); n != 1 {
			return shape("%d %s elements: exactly one is required", n, name)
		}
	}
	if n := len(childElems(se.sig, wire.NSDSig, "KeyInfo")); n > 1 {
		return shape("%d KeyInfo elements: at most one is allowed", n)
	}
	si := childElem(se.sig, wire.NSDSig, "SignedInfo")
	refs := childElems(si, wire.NSDSig, "Reference")
	if len(refs) != 1 {
		return shape("SignedInfo has %d Reference elements: exactly one is allowed", len(refs))
	}
	id, _ := attrValue(se.el, "ID")
	uri, _ := attrValue(refs[0], "URI")
	rootWhole := uri == "" && isRoot && p.WholeDocumentReference
	if uri != "#"+id && !rootWhole {
		return shape("its Reference URI is %q but the %s's ID is %q: a signature must reference the element it sits in (URI \"#%s\")", uri, se.what, id, id)
	}
	for _, t := range childElems(childElem(refs[0], wire.NSDSig, "Transforms"), wire.NSDSig, "Transform") {
		alg, _ := attrValue(t, "Algorithm")
		if !gipTransforms[alg] {
			return shape("transform %q is not allowed: only enveloped-signature and canonicalization (never XSLT, XPath or base64)", alg)
		}
	}
	if first := firstReferencingSignature(se.el, id); first != se.sig {
		if first == nil {
			return shape("it does not reference this %s (ID %q)", se.what, id)
		}
		return shape("another ds:Signature at %s references this %s (ID %q) ahead of its own signature", first.GetPath(), se.what, id)
	}
	return nil
}

// verifyEnveloped verifies se's structural enveloped signature with each
// configured certificate in turn, through goxmldsig only. It decides:
//   - verified by certificate i → the verification;
//   - a configured certificate verified the SignatureValue but the digest
//     differs → SIGNATURE_INVALID (content changed after signing);
//   - no configured certificate verifies the SignatureValue → SIGNATURE_INVALID
//     when KeyInfo names a configured certificate (SignedInfo/value changed),
//     otherwise SIGNATURE_UNTRUSTED_KEY (rotation, attacker key);
//   - goxmldsig cannot evaluate the signature → SIGNATURE_INVALID.
//
// The caller has already applied checkSignatureProfile.
func verifyEnveloped(se signedElement, certs []*x509.Certificate, now time.Time) (*verification, *APIError) {
	ctx, err := etreeutils.NSBuildParentContext(se.el)
	if err != nil {
		return nil, newError(ReasonResponseMalformed, nil, "the %s's namespaces cannot be resolved: %v", se.what, err)
	}
	detached, err := etreeutils.NSDetatch(ctx, se.el)
	if err != nil {
		if errors.Is(err, etreeutils.ErrTraversalLimit) {
			return nil, newError(ReasonXMLLimit, nil, "the %s is too large to verify: %v", se.what, err)
		}
		return nil, newError(ReasonResponseMalformed, nil, "the %s cannot be detached for verification: %v", se.what, err)
	}
	// Never trust KeyInfo: remove it from the signature being verified so
	// goxmldsig uses the pinned certificate. KeyInfo is outside SignedInfo
	// and the enveloped transform drops the whole Signature from the digest,
	// so this changes nothing that is signed.
	if sigCopy, ok := detached.Child[se.sig.Index()].(*etree.Element); ok {
		for _, ki := range childElems(sigCopy, wire.NSDSig, "KeyInfo") {
			sigCopy.RemoveChild(ki)
		}
	}

	kiCert, kiErr := keyInfoCertificate(se.sig)
	hasValue := childElem(se.sig, wire.NSDSig, "SignatureValue") != nil
	valueMismatches := 0
	digestMismatch := -1
	var generic error
	for i, c := range certs {
		vctx := &dsig.ValidationContext{
			CertificateStore: &dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{c}},
			IdAttribute:      dsig.DefaultIdAttr,
			Clock:            dsig.NewFakeClockAt(clampToValidity(now, c)),
		}
		out, err := vctx.Validate(detached)
		if err == nil {
			return &verification{what: se.what, verified: out, cert: c, certIndex: i, keyInfoCert: kiCert, keyInfoErr: kiErr, sig: se.sig}, nil
		}
		switch {
		case isSignatureValueError(err):
			valueMismatches++
		case hasValue && err.Error() == "Signature could not be verified":
			digestMismatch = i
		case errors.Is(err, etreeutils.ErrTraversalLimit):
			return nil, newError(ReasonXMLLimit, nil, "the %s is too large to verify: %v", se.what, err)
		default:
			if generic == nil {
				generic = err
			}
		}
	}
	n := len(certs)
	switch {
	case digestMismatch >= 0:
		return nil, newError(ReasonSignatureInvalid, nil, "the %s's signature was made with configured certificate %d of %d (%s), but the signed content no longer matches its DigestValue: the %s was changed after it was signed",
			se.what, digestMismatch+1, n, describeCert(certs[digestMismatch]), se.what)
	case generic != nil:
		return nil, newError(ReasonSignatureInvalid, nil, "the %s's signature cannot be evaluated: %v", se.what, generic)
	case kiCert != nil && certIndex(certs, kiCert) >= 0:
		i := certIndex(certs, kiCert)
		return nil, newError(ReasonSignatureInvalid, nil, "the %s's SignatureValue does not verify with configured certificate %d of %d (%s), which its KeyInfo names: the SignedInfo or the SignatureValue was changed after signing",
			se.what, i+1, n, describeCert(kiCert))
	case kiCert != nil:
		return nil, newError(ReasonSignatureUntrustedKey, nil, "the %s is signed by a key that none of the %d configured certificates holds; its KeyInfo carries %s, which is not configured (configured: %s). If the IdP rotated its signing certificate, add the new one with Add Certificate.",
			se.what, n, describeCert(kiCert), describeCerts(certs))
	default:
		detail := fmt.Sprintf("none of the %d configured certificates (%s) verifies the %s's signature", n, describeCerts(certs), se.what)
		if kiErr != nil {
			detail += "; its KeyInfo is unusable: " + kiErr.Error()
		} else {
			detail += "; it carries no KeyInfo certificate"
		}
		return nil, newError(ReasonSignatureUntrustedKey, nil, "%s", detail)
	}
}

// isSignatureValueError reports whether goxmldsig failed at the step where
// the certificate's key checks the SignatureValue over the canonical
// SignedInfo (x509.Certificate.CheckSignature).
func isSignatureValueError(err error) bool {
	if errors.Is(err, rsa.ErrVerification) || errors.Is(err, x509.ErrUnsupportedAlgorithm) {
		return true
	}
	var ia x509.InsecureAlgorithmError
	if errors.As(err, &ia) {
		return true
	}
	return strings.HasPrefix(err.Error(), "x509: ")
}

func describeCerts(certs []*x509.Certificate) string {
	parts := make([]string, len(certs))
	for i, c := range certs {
		parts[i] = fmt.Sprintf("%d: %s", i+1, describeCert(c))
	}
	return strings.Join(parts, "; ")
}
