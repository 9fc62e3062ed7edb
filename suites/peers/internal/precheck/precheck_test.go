package precheck

import (
	"testing"

	"github.com/samlharness/samlharness/sp"
)

func TestDocument(t *testing.T) {
	const ok = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1"><saml:Assertion ID="_a1"/></samlp:Response>`
	cases := []struct {
		name string
		doc  string
		want sp.Reason
	}{
		{"sound", ok, ""},
		{"bom", "\xef\xbb\xbf" + ok, ""},
		{"deflate", "\x8d\x90\xcb", sp.ReasonResponseMalformed},
		{"doctype", `<!DOCTYPE x>` + ok, sp.ReasonXMLForbidden},
		{"duplicate attribute", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Destination="a" Destination="b"><saml:Assertion ID="_a1"/></samlp:Response>`, sp.ReasonResponseMalformed},
		{"shared ID", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1"><saml:Assertion ID="_r1"/></samlp:Response>`, sp.ReasonStructure},
		{"quoted ID", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1"><saml:Assertion ID="_a'] | //*[@ID='_b"/></samlp:Response>`, sp.ReasonStructure},
		{"no Response ID", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Assertion ID="_a1"/></samlp:Response>`, sp.ReasonStructure},
		{"mixed", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1"><saml:Assertion ID="_a1"/><saml:EncryptedAssertion/></samlp:Response>`, sp.ReasonEncryptedAssertion},
		{"two", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1"><saml:Assertion ID="_a1"/><saml:Assertion ID="_a2"/></samlp:Response>`, sp.ReasonStructure},
		{"none", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1"/>`, sp.ReasonAssertionMissing},
	}
	for _, c := range cases {
		if got := Document([]byte(c.doc)).Reason; got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
