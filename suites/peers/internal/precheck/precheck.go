// Package precheck is what the hardened peers check in a SAMLResponse
// before their library parses it: the document checks a careful
// integrator adds in front of crewjam/saml or gosaml2, neither of which
// makes them. It reads the unverified document only to refuse it; nothing
// it reads is trusted.
package precheck

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"unicode"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/sp"
)

// MaxResponse bounds the decoded Response the checks parse.
const MaxResponse = 1 << 20

// Messages of the refusals, with the reason each carries on the page.
const (
	MsgNotXML             = "the SAMLResponse of the HTTP-POST binding is base64-encoded XML (no DEFLATE)"
	MsgXMLForbidden       = "the Response must not carry a DOCTYPE or processing instructions"
	MsgDuplicateAttribute = "an element carries the same attribute twice (the XML is not well-formed)"
	MsgIDs                = "the Response and each Assertion carry an ID that is an XML name, and no two elements share one"
	MsgAssertionCount     = "the Response must carry exactly one Assertion or EncryptedAssertion, directly under the Response"
	MsgMixedAssertions    = "the Response must not mix a plaintext Assertion with an EncryptedAssertion"
)

// Refusal is why the precheck refuses a response (empty Reason: none).
type Refusal struct {
	Reason  sp.Reason
	Message string
}

// Encoded checks the SAMLResponse parameter as it was POSTed. A value
// that is not base64 or is larger than MaxResponse is left to the library
// to refuse.
func Encoded(value string) Refusal {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) > MaxResponse {
		return Refusal{}
	}
	return Document(raw)
}

// Document checks a decoded SAMLResponse: XML (not DEFLATE), no DOCTYPE
// or processing instruction, no attribute twice on an element, one
// samlp:Response root carrying exactly one assertion directly under it
// (none inside another element but an Advice), and IDs that are present
// on the Response and its assertion, XML names and unique in the document.
func Document(raw []byte) Refusal {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '<' {
		return Refusal{sp.ReasonResponseMalformed, MsgNotXML}
	}
	doc := etree.NewDocument()
	if _, err := doc.ReadFrom(bytes.NewReader(raw)); err != nil || doc.Root() == nil {
		return Refusal{} // the library names its own parse error
	}
	if forbiddenTokens(doc) {
		return Refusal{sp.ReasonXMLForbidden, MsgXMLForbidden}
	}
	if duplicateAttribute(raw) {
		return Refusal{sp.ReasonResponseMalformed, MsgDuplicateAttribute}
	}
	if r := assertionProblem(doc); r.Reason != "" {
		return r
	}
	if !idsSound(doc.Root()) {
		return Refusal{sp.ReasonStructure, MsgIDs}
	}
	return Refusal{}
}

// forbiddenTokens reports a DOCTYPE (or any directive) or a processing
// instruction other than the XML declaration, anywhere in the document.
func forbiddenTokens(doc *etree.Document) bool {
	var walk func(etree.Token) bool
	walk = func(t etree.Token) bool {
		switch v := t.(type) {
		case *etree.Directive:
			return true
		case *etree.ProcInst:
			return v.Target != "xml"
		case *etree.Element:
			for _, c := range v.Child {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	for _, t := range doc.Child {
		if walk(t) {
			return true
		}
	}
	return false
}

// duplicateAttribute reports an element carrying an attribute twice
// (XML 1.0 §3.1, well-formedness). etree keeps the last one, Go's
// encoding/xml every one, so which value a reader sees depends on the
// reader: the raw tokens are scanned. A document the tokenizer cannot read
// is left to the library.
func duplicateAttribute(raw []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		t, err := d.RawToken()
		if err != nil {
			return false
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		seen := make(map[xml.Name]bool, len(se.Attr))
		for _, a := range se.Attr {
			if seen[a.Name] {
				return true
			}
			seen[a.Name] = true
		}
	}
}

const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	statusOK    = "urn:oasis:names:tc:SAML:2.0:status:Success"
)

// assertionProblem refuses a document that is not one Response carrying
// exactly one assertion: STRUCTURE for another root, a second root,
// several or misplaced assertions; ENCRYPTED_ASSERTION for a plaintext
// assertion beside an encrypted one; ASSERTION_MISSING for a successful
// Response with none (a Response that reports a failure is left to the
// library, which names its status).
func assertionProblem(doc *etree.Document) Refusal {
	root := doc.Root()
	if len(doc.ChildElements()) != 1 || root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return Refusal{sp.ReasonStructure, MsgAssertionCount}
	}
	plain, encrypted, misplaced := countAssertions(root)
	switch {
	case misplaced:
		return Refusal{sp.ReasonStructure, MsgAssertionCount}
	case plain > 0 && encrypted > 0:
		return Refusal{sp.ReasonEncryptedAssertion, MsgMixedAssertions}
	case plain+encrypted == 1:
		return Refusal{}
	case plain+encrypted == 0:
		if code := root.FindElement("./Status/StatusCode"); code != nil && code.SelectAttrValue("Value", "") != statusOK {
			return Refusal{}
		}
		return Refusal{sp.ReasonAssertionMissing, MsgAssertionCount}
	}
	return Refusal{sp.ReasonStructure, MsgAssertionCount}
}

// countAssertions counts the plaintext and encrypted assertions directly
// under the root; misplaced reports one anywhere else (inside an Advice
// excepted).
func countAssertions(root *etree.Element) (plain, encrypted int, misplaced bool) {
	for _, c := range root.ChildElements() {
		switch {
		case isAssertion(c, "Assertion"):
			plain++
		case isAssertion(c, "EncryptedAssertion"):
			encrypted++
		}
	}
	total := 0
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		for _, c := range e.ChildElements() {
			if c.Tag == "Advice" && c.NamespaceURI() == nsAssertion {
				continue
			}
			if isAssertion(c, "Assertion") || isAssertion(c, "EncryptedAssertion") {
				total++
			}
			walk(c)
		}
	}
	walk(root)
	return plain, encrypted, total != plain+encrypted
}

func isAssertion(e *etree.Element, tag string) bool {
	return e.Tag == tag && e.NamespaceURI() == nsAssertion
}

// idsSound reports that the Response and each plaintext Assertion under it
// carry an ID, that every ID attribute in the document is an XML name
// (xs:ID, saml-core §1.3.4), and that no two elements share one (a
// signature's Reference names exactly one element).
func idsSound(root *etree.Element) bool {
	if root.SelectAttrValue("ID", "") == "" {
		return false
	}
	for _, c := range root.ChildElements() {
		if isAssertion(c, "Assertion") && c.SelectAttrValue("ID", "") == "" {
			return false
		}
	}
	seen := map[string]bool{}
	ok := true
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		for _, a := range e.Attr {
			if a.Space != "" || a.Key != "ID" {
				continue
			}
			if !isNCName(a.Value) || seen[a.Value] {
				ok = false
			}
			seen[a.Value] = true
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	return ok
}

// isNCName reports an XML name without a colon (XML Namespaces NCName),
// approximated with Unicode letters, digits and marks: it starts with a
// letter or '_', and goes on with those, digits, '-', '.' and combining
// marks. Quotes, brackets, spaces and slashes are never part of one.
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || r == '_':
		case i > 0 && (unicode.IsDigit(r) || r == '-' || r == '.' || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)):
		default:
			return false
		}
	}
	return true
}
