package diagnose

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/internal/wire"
)

// ResponseFacts is what the response says, read from its XML (the original
// document, not only what a signature covers: this is for explaining, the
// SP's verdict comes from the SP).
type ResponseFacts struct {
	// Root is the root element's name, e.g. "saml2p:Response".
	Root         string `json:"root"`
	ID           string `json:"id,omitempty"`
	IssueInstant string `json:"issueInstant,omitempty"`
	Destination  string `json:"destination,omitempty"`
	InResponseTo string `json:"inResponseTo,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	Status       string `json:"status,omitempty"`
	SubStatus    string `json:"subStatus,omitempty"`
	// StatusMessage is the IdP's explanation of a failure status.
	StatusMessage string `json:"statusMessage,omitempty"`
	// Assertions and EncryptedAssertions count the Response's children.
	Assertions          int `json:"assertions"`
	EncryptedAssertions int `json:"encryptedAssertions,omitempty"`
	// Assertion is the first Assertion (the one a signed Response carries).
	Assertion *AssertionFacts `json:"assertion,omitempty"`
	// Signatures are the enveloped signatures of the Response and its
	// Assertions, with what verifies them.
	Signatures []SignatureFacts `json:"signatures"`
	// SignaturesNotExamined counts the signatures beyond MaxSignatures,
	// which are not tried.
	SignaturesNotExamined int `json:"signaturesNotExamined,omitempty"`
	// Bytes is the size of the decoded XML.
	Bytes int `json:"bytes"`

	root *etree.Element
}

// AssertionFacts is what the Assertion says.
type AssertionFacts struct {
	ID           string `json:"id,omitempty"`
	IssueInstant string `json:"issueInstant,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	NameID       string `json:"nameId,omitempty"`
	NameIDFormat string `json:"nameIdFormat,omitempty"`
	// Recipient, SCDInResponseTo and SCDNotOnOrAfter are the bearer
	// SubjectConfirmationData's.
	Recipient       string `json:"recipient,omitempty"`
	SCDInResponseTo string `json:"scdInResponseTo,omitempty"`
	SCDNotOnOrAfter string `json:"scdNotOnOrAfter,omitempty"`
	NotBefore       string `json:"notBefore,omitempty"`
	NotOnOrAfter    string `json:"notOnOrAfter,omitempty"`
	// Audiences lists each AudienceRestriction's Audience values.
	Audiences  [][]string  `json:"audiences"`
	Attributes []Attribute `json:"attributes,omitempty"`

	hasSubject bool
	el         *etree.Element
}

// Attribute is one SAML attribute.
type Attribute struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// SignatureFacts describes one enveloped signature.
type SignatureFacts struct {
	// Element is "Response" or "Assertion".
	Element          string `json:"element"`
	SignatureMethod  string `json:"signatureMethod"`
	DigestMethod     string `json:"digestMethod"`
	Canonicalization string `json:"canonicalization"`
	ReferenceURI     string `json:"referenceUri"`
	// KeyInfo is the certificate the signature carries (never trusted by the
	// SP; here it tells which key signed).
	KeyInfo *CertificateInfo `json:"keyInfoCertificate,omitempty"`
	// VerifiedBy lists the certificates that verify it: "certificate N"
	// (configured), "keyinfo", "metadata".
	VerifiedBy []string `json:"verifiedBy"`
	// ContentChanged: a certificate verified the SignatureValue but the
	// digest no longer matches the content (changed after signing).
	ContentChanged bool `json:"contentChanged,omitempty"`

	keyInfo *x509.Certificate
	el, sig *etree.Element
}

// maxReadDepth bounds the nesting this reader accepts.
const maxReadDepth = 128

// readResponse parses the decoded XML for explaining. It refuses DTDs
// (never expanded) and bounds nesting; on failure it returns nil and why.
func readResponse(b []byte) (*ResponseFacts, string) {
	if bytes.Contains(b, []byte("<!DOCTYPE")) || bytes.Contains(b, []byte("<!ENTITY")) {
		return nil, "the XML contains a DOCTYPE or entity declaration, which is not read"
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{MaxDepth: maxReadDepth}
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, "the XML cannot be read: " + err.Error()
	}
	root := doc.Root()
	if root == nil {
		return nil, "the XML has no root element"
	}
	f := &ResponseFacts{Root: root.FullTag(), Bytes: len(b), root: root, Signatures: []SignatureFacts{}}
	f.ID = attr(root, "ID")
	f.IssueInstant = attr(root, "IssueInstant")
	f.Destination = attr(root, "Destination")
	f.InResponseTo = attr(root, "InResponseTo")
	f.Issuer = strings.TrimSpace(childText(root, wire.NSAssertion, "Issuer"))
	if code := child(child(root, wire.NSProtocol, "Status"), wire.NSProtocol, "StatusCode"); code != nil {
		f.Status = attr(code, "Value")
		if sub := child(code, wire.NSProtocol, "StatusCode"); sub != nil {
			f.SubStatus = attr(sub, "Value")
		}
	}
	f.StatusMessage = strings.TrimSpace(childText(child(root, wire.NSProtocol, "Status"), wire.NSProtocol, "StatusMessage"))
	assertions := children(root, wire.NSAssertion, "Assertion")
	f.Assertions = len(assertions)
	f.EncryptedAssertions = len(children(root, wire.NSAssertion, "EncryptedAssertion"))
	if sig := child(root, wire.NSDSig, "Signature"); sig != nil {
		f.Signatures = append(f.Signatures, signatureFacts("Response", root, sig))
	}
	for i, a := range assertions {
		if i == 0 {
			f.Assertion = assertionFacts(a)
		}
		if sig := child(a, wire.NSDSig, "Signature"); sig != nil {
			if len(f.Signatures) == MaxSignatures {
				f.SignaturesNotExamined++
				continue
			}
			f.Signatures = append(f.Signatures, signatureFacts("Assertion", a, sig))
		}
	}
	return f, ""
}

func assertionFacts(a *etree.Element) *AssertionFacts {
	af := &AssertionFacts{el: a, Audiences: [][]string{}}
	af.ID = attr(a, "ID")
	af.IssueInstant = attr(a, "IssueInstant")
	af.Issuer = strings.TrimSpace(childText(a, wire.NSAssertion, "Issuer"))
	if subj := child(a, wire.NSAssertion, "Subject"); subj != nil {
		af.hasSubject = true
		if n := child(subj, wire.NSAssertion, "NameID"); n != nil {
			af.NameID = strings.TrimSpace(text(n))
			af.NameIDFormat = attr(n, "Format")
		}
		for _, sc := range children(subj, wire.NSAssertion, "SubjectConfirmation") {
			if attr(sc, "Method") != wire.CMBearer {
				continue
			}
			if scd := child(sc, wire.NSAssertion, "SubjectConfirmationData"); scd != nil {
				af.Recipient = attr(scd, "Recipient")
				af.SCDInResponseTo = attr(scd, "InResponseTo")
				af.SCDNotOnOrAfter = attr(scd, "NotOnOrAfter")
				break
			}
		}
	}
	if c := child(a, wire.NSAssertion, "Conditions"); c != nil {
		af.NotBefore = attr(c, "NotBefore")
		af.NotOnOrAfter = attr(c, "NotOnOrAfter")
		for _, ar := range children(c, wire.NSAssertion, "AudienceRestriction") {
			var vals []string
			for _, au := range children(ar, wire.NSAssertion, "Audience") {
				vals = append(vals, strings.TrimSpace(text(au)))
			}
			af.Audiences = append(af.Audiences, vals)
		}
	}
	for _, st := range children(a, wire.NSAssertion, "AttributeStatement") {
		for _, at := range children(st, wire.NSAssertion, "Attribute") {
			item := Attribute{Name: attr(at, "Name"), Values: []string{}}
			for _, v := range children(at, wire.NSAssertion, "AttributeValue") {
				item.Values = append(item.Values, text(v))
			}
			af.Attributes = append(af.Attributes, item)
		}
	}
	return af
}

func signatureFacts(what string, el, sig *etree.Element) SignatureFacts {
	sf := SignatureFacts{Element: what, el: el, sig: sig, VerifiedBy: []string{}}
	si := child(sig, wire.NSDSig, "SignedInfo")
	sf.SignatureMethod = attr(child(si, wire.NSDSig, "SignatureMethod"), "Algorithm")
	sf.Canonicalization = attr(child(si, wire.NSDSig, "CanonicalizationMethod"), "Algorithm")
	if ref := child(si, wire.NSDSig, "Reference"); ref != nil {
		sf.ReferenceURI = attr(ref, "URI")
		sf.DigestMethod = attr(child(ref, wire.NSDSig, "DigestMethod"), "Algorithm")
	}
	xc := child(child(child(sig, wire.NSDSig, "KeyInfo"), wire.NSDSig, "X509Data"), wire.NSDSig, "X509Certificate")
	if xc != nil {
		if der, err := base64.StdEncoding.DecodeString(stripSpace(text(xc))); err == nil {
			if c, err := x509.ParseCertificate(der); err == nil {
				sf.keyInfo = c
				sf.KeyInfo = certInfo(c)
			}
		}
	}
	return sf
}

// child, children, childText and text read elements by namespace URI.
func child(el *etree.Element, ns, local string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, ns, local string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func childText(el *etree.Element, ns, local string) string { return text(child(el, ns, local)) }

// text concatenates all character data directly inside el.
func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// attr returns an unprefixed attribute's value ("" when absent or el is nil).
func attr(el *etree.Element, key string) string {
	if el == nil {
		return ""
	}
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value
		}
	}
	return ""
}
