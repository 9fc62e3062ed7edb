package mockidp

import (
	"crypto"
	_ "crypto/sha1" // SHA-1 digests, for the RSA-SHA1 / SHA1 options
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp/fault"
)

// Signing keys a SignPlan can name besides a kid of one of the app's
// certificates.
const (
	planKeyActive                = "active"
	planKeyAttacker              = "attacker"
	planKeyAttackerWithIdPCert   = "attacker-with-idp-cert"
	placementAfterIssuer         = "after-issuer"
	placementLastChild           = "last-child"
	algSHA384                    = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	exclusivePrefixListNamespace = "xs"
)

// xmlSigner implements fault.Signer for one response: the app's
// certificates and the attacker key. Canonicalization is goxmldsig's and
// the RSA signature is goxmldsig's SigningContext.SignString; this type only
// assembles the ds:Signature element around them, Okta-style.
type xmlSigner struct {
	idp    *IdP
	active *signingCert
	certs  []*signingCert
}

var _ fault.Signer = (*xmlSigner)(nil)

// keys resolves plan.Key to the signing key's certificate and the
// certificate to put in KeyInfo.
func (s *xmlSigner) keys(plan fault.SignPlan) (signer, inKeyInfo *signingCert, err error) {
	switch plan.Key {
	case "", planKeyActive:
		return s.active, s.active, nil
	case planKeyAttacker, planKeyAttackerWithIdPCert:
		att, err := s.idp.attackerCert()
		if err != nil {
			return nil, nil, err
		}
		if plan.Key == planKeyAttacker {
			return att, att, nil
		}
		return att, s.active, nil
	case fault.KeyRotated:
		// The app's newest inactive certificate, else the rotated fixture.
		for i := len(s.certs) - 1; i >= 0; i-- {
			if s.certs[i] != s.active {
				return s.certs[i], s.certs[i], nil
			}
		}
		sc, err := s.idp.rotatedCert()
		return sc, sc, err
	case fault.KeyWeak1024:
		sc, err := s.idp.weakCert()
		return sc, sc, err
	default:
		for _, sc := range s.certs {
			if sc.kid == plan.Key {
				return sc, sc, nil
			}
		}
		return nil, nil, fmt.Errorf("sign plan key %q is not one the IdP holds: use %q, %q, %q, %q, %q or the kid of one of the app's certificates",
			plan.Key, planKeyActive, planKeyAttacker, planKeyAttackerWithIdPCert, fault.KeyRotated, fault.KeyWeak1024)
	}
}

// Certificate implements fault.Signer.
func (s *xmlSigner) Certificate(plan fault.SignPlan) *x509.Certificate {
	sc, _, err := s.keys(plan)
	if err != nil {
		return nil
	}
	return sc.cert
}

func canonicalizerFor(alg, prefixList string) (dsig.Canonicalizer, error) {
	switch dsig.AlgorithmID(alg) {
	case "", dsig.CanonicalXML10ExclusiveAlgorithmId:
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixList), nil
	case dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId:
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(prefixList), nil
	case dsig.CanonicalXML11AlgorithmId:
		return dsig.MakeC14N11Canonicalizer(), nil
	case dsig.CanonicalXML11WithCommentsAlgorithmId:
		return dsig.MakeC14N11WithCommentsCanonicalizer(), nil
	case dsig.CanonicalXML10RecAlgorithmId:
		return dsig.MakeC14N10RecCanonicalizer(), nil
	case dsig.CanonicalXML10WithCommentsAlgorithmId:
		return dsig.MakeC14N10WithCommentsCanonicalizer(), nil
	}
	return nil, fmt.Errorf("unsupported canonicalization algorithm %q", alg)
}

func isExclusive(alg string) bool {
	return alg == "" || alg == wire.AlgExcC14N || alg == wire.AlgExcC14NComments
}

func digestHash(alg string) (crypto.Hash, error) {
	switch alg {
	case "", wire.AlgDigestSHA256:
		return crypto.SHA256, nil
	case wire.AlgDigestSHA1:
		return crypto.SHA1, nil
	case algSHA384:
		return crypto.SHA384, nil
	case wire.AlgDigestSHA512:
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("unsupported digest algorithm %q", alg)
}

func isDSig(el *etree.Element, tag string) bool {
	return el.Tag == tag && el.NamespaceURI() == wire.NSDSig
}

func dsigChild(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if isDSig(c, tag) {
			return c
		}
	}
	return nil
}

func declaresPrefix(el *etree.Element, prefix string) bool {
	for _, a := range el.Attr {
		if a.Space == "xmlns" && a.Key == prefix {
			return true
		}
	}
	return false
}

// SignElement implements fault.Signer: an enveloped signature over el
// (referenced by its ID, or URI="" when it has none), shaped like Okta's,
// placed per plan.
func (s *xmlSigner) SignElement(el *etree.Element, plan fault.SignPlan) error {
	// Without an ID (a fault removed it) the Reference is URI="", the
	// whole document, as goxmldsig would write it.
	uri := ""
	if id := el.SelectAttrValue("ID", ""); id != "" {
		uri = "#" + id
	}
	for _, c := range el.ChildElements() {
		if isDSig(c, "Signature") {
			el.RemoveChild(c)
		}
	}
	c14n := plan.Canonicalization
	if c14n == "" {
		c14n = wire.AlgExcC14N
	}
	prefixList := ""
	if isExclusive(c14n) && declaresPrefix(el, exclusivePrefixListNamespace) {
		prefixList = exclusivePrefixListNamespace
	}
	canon, err := canonicalizerFor(c14n, prefixList)
	if err != nil {
		return err
	}
	digestAlg := plan.DigestMethod
	if digestAlg == "" {
		digestAlg = wire.AlgDigestSHA256
	}
	h, err := digestHash(digestAlg)
	if err != nil {
		return err
	}
	sigAlg := plan.SignatureMethod
	if sigAlg == "" {
		sigAlg = wire.AlgRSASHA256
	}

	// Digest el as a verifier sees it: detached from the document with the
	// namespaces in scope declared on it (what crewjam/saml passes to
	// goxmldsig), the signature not yet present (the enveloped transform).
	nsCtx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return err
	}
	detached, err := etreeutils.NSDetatch(nsCtx, el)
	if err != nil {
		return err
	}
	canonical, err := canon.Canonicalize(detached)
	if err != nil {
		return err
	}
	hh := h.New()
	hh.Write(canonical)
	digest := hh.Sum(nil)

	_, inKeyInfo, err := s.keys(plan)
	if err != nil {
		return err
	}

	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", wire.NSDSig)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", c14n)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", sigAlg)
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("URI", uri)
	tr := ref.CreateElement("ds:Transforms")
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", wire.AlgEnveloped)
	ct := tr.CreateElement("ds:Transform")
	ct.CreateAttr("Algorithm", c14n)
	if prefixList != "" {
		inc := ct.CreateElement("ec:InclusiveNamespaces")
		inc.CreateAttr("PrefixList", prefixList)
		inc.CreateAttr("xmlns:ec", wire.NSExcC14N)
	}
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", digestAlg)
	ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(digest))
	sig.CreateElement("ds:SignatureValue")
	if !plan.OmitKeyInfo {
		sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(inKeyInfo.b64)
	}

	switch plan.Placement {
	case "", placementAfterIssuer:
		at := 0
		for _, c := range el.ChildElements() {
			if c.Tag == "Issuer" {
				at = c.Index() + 1
				break
			}
		}
		el.InsertChildAt(at, sig)
	case placementLastChild:
		el.AddChild(sig)
	default:
		return fmt.Errorf("unknown signature placement %q (want %q or %q)", plan.Placement, placementAfterIssuer, placementLastChild)
	}
	plan.SignatureMethod = sigAlg
	return s.ResignSignedInfo(sig, plan)
}

// ResignSignedInfo implements fault.Signer: it canonicalizes sig's
// SignedInfo in its namespace context with the SignedInfo's
// CanonicalizationMethod (goxmldsig's canonicalizer) and signs the bytes
// with goxmldsig's SigningContext.SignString.
func (s *xmlSigner) ResignSignedInfo(sig *etree.Element, plan fault.SignPlan) error {
	si := dsigChild(sig, "SignedInfo")
	if si == nil {
		return fmt.Errorf("the signature has no ds:SignedInfo to sign")
	}
	c14n, prefixList := "", ""
	if cm := dsigChild(si, "CanonicalizationMethod"); cm != nil {
		c14n = cm.SelectAttrValue("Algorithm", "")
		for _, c := range cm.ChildElements() {
			if c.Tag == "InclusiveNamespaces" {
				prefixList = c.SelectAttrValue("PrefixList", "")
			}
		}
	}
	canon, err := canonicalizerFor(c14n, prefixList)
	if err != nil {
		return err
	}
	sigAlg := plan.SignatureMethod
	if sigAlg == "" {
		if sm := dsigChild(si, "SignatureMethod"); sm != nil {
			sigAlg = sm.SelectAttrValue("Algorithm", "")
		}
	}
	if sigAlg == "" {
		sigAlg = wire.AlgRSASHA256
	}

	nsCtx, err := etreeutils.NSBuildParentContext(sig)
	if err != nil {
		return err
	}
	if nsCtx, err = nsCtx.SubContext(sig); err != nil {
		return err
	}
	detached, err := etreeutils.NSDetatch(nsCtx, si)
	if err != nil {
		return err
	}
	canonical, err := canon.Canonicalize(detached)
	if err != nil {
		return err
	}

	signer, _, err := s.keys(plan)
	if err != nil {
		return err
	}
	ctx, err := dsig.NewSigningContext(signer.key, nil)
	if err != nil {
		return err
	}
	if err := ctx.SetSignatureMethod(sigAlg); err != nil {
		return err
	}
	value, err := ctx.SignString(string(canonical))
	if err != nil {
		return err
	}
	sv := dsigChild(sig, "SignatureValue")
	if sv == nil {
		sv = etree.NewElement("SignatureValue")
		sv.Space = sig.Space
		sig.InsertChildAt(si.Index()+1, sv)
	}
	sv.SetText(base64.StdEncoding.EncodeToString(value))
	return nil
}
