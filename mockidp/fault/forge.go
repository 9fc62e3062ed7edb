package fault

import (
	"strings"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// IDs SAMLRaider gives the forged elements; the XSW faults use the same.
const (
	evilResponseID  = "_evil_response_ID"
	evilAssertionID = "_evil_assertion_ID"
)

// forgedIdentity returns the identity a forging fault asserts: the nameid
// parameter, else admin@ + the domain of original, else admin@forged.invalid.
func forgedIdentity(f Fault, original string) string {
	if v := f.Param("nameid", ""); v != "" {
		return v
	}
	if i := strings.LastIndexByte(original, '@'); i >= 0 && i+1 < len(strings.TrimSpace(original)) {
		return "admin@" + strings.TrimSpace(original[i+1:])
	}
	return "admin@forged.invalid"
}

// originalNameID returns the text of the first Assertion's NameID ("" when
// there is none).
func originalNameID(c *Context) string {
	a, err := firstAssertion(c)
	if err != nil {
		return ""
	}
	return nameIDOf(a).Text()
}

// forge rewrites the identity asserted inside el (a Response or an
// Assertion): every saml:Subject/saml:NameID becomes forged, and so does
// every saml:AttributeValue whose text was the original NameID (the email
// attribute), the way SAMLRaider's match-and-replace does.
func forge(el *etree.Element, original, forged string) {
	if el == nil {
		return
	}
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		switch {
		case is(e, wire.NSAssertion, "NameID") && is(e.Parent(), wire.NSAssertion, "Subject"):
			setText(e, forged)
			return
		case is(e, wire.NSAssertion, "AttributeValue") && original != "" && strings.TrimSpace(e.Text()) == original:
			setText(e, forged)
			return
		}
		for _, ch := range e.ChildElements() {
			walk(ch)
		}
	}
	walk(el)
}

// forgedCopy returns a detached copy of el with its enveloped signature
// removed and its identity forged.
func forgedCopy(el *etree.Element, original, forged string) *etree.Element {
	cp := detachedCopy(el)
	if sig := signatureOf(cp); sig != nil {
		cp.RemoveChild(sig)
	}
	forge(cp, original, forged)
	return cp
}

// withoutSignature returns a detached copy of el without its enveloped
// signature (a "clean copy" in SAMLRaider's terms).
func withoutSignature(el *etree.Element) *etree.Element {
	cp := detachedCopy(el)
	if sig := signatureOf(cp); sig != nil {
		cp.RemoveChild(sig)
	}
	return cp
}
