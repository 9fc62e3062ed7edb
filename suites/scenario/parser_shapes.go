package scenario

import "github.com/samlharness/samlharness/sp"

// Document shapes two parsers may read differently: XML declarations that
// lie about the encoding, attributes written twice, IDs that are not XML
// names, IDs shared by two signed elements.

func init() {
	ps := func(id, title string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatParser, Tags: []string{"area:xml"},
			Refs: []string{refParser, "XML 1.0 §2.8, §3.1, §4.3.3"}, IdP: IdPSide{Faults: f}, Expect: e}
	}
	malformed := Both(Rejects(sp.ReasonResponseMalformed))
	add(
		ps("xml-declaration-utf16-on-utf8", "An XML declaration claiming UTF-16 on a UTF-8 document", malformed,
			F("xml-declaration", "form", "utf-16")).Covering("encoding-declaration-tricks"),
		ps("xml-declaration-euc-jp", "An XML declaration claiming EUC-JP", malformed,
			F("xml-declaration", "form", "euc-jp")).Covering("encoding-declaration-tricks"),
		ps("xml-declaration-version-1-1", "An XML 1.1 declaration", malformed,
			F("xml-declaration", "form", "version-1.1")).Covering("encoding-declaration-tricks"),
		ps("xml-utf8-byte-order-mark", "A UTF-8 byte order mark before the declaration (refused: plain UTF-8 only)", malformed,
			F("xml-declaration", "form", "bom-utf8")).Covering("encoding-declaration-tricks"),
		ps("duplicate-destination-attribute", "The Response's Destination attribute written twice", malformed,
			F("duplicate-attribute", "attr", "Destination", "value", "https://evil.example/acs")).Covering("duplicate-attributes-on-element"),
		ps("duplicate-id-attribute", "The Response's ID attribute written twice", malformed,
			F("duplicate-attribute", "attr", "ID", "value", "_evil")).Covering("duplicate-attributes-on-element"),
		ps("assertion-id-xpath-injection", "An Assertion ID carrying XPath syntax, signed by the IdP", Split(Accepts().Because(Assumed, "Identity Platform's ID syntax checks are unobserved; without XPath lookups the quoted ID is harmless, so the genuine identity is assumed"), Rejects(sp.ReasonStructure)),
			F("set-ids", "assertion", "_a'] | //*[@ID='_b")).Covering("xsw-reference-xpath-injection"),
		ps("assertion-id-equals-response-id", "Response and Assertion given the same ID before signing", Both(Rejects(sp.ReasonStructure)),
			F("set-ids", "assertion", "{response}")).Covering("xsw-duplicate-id"),
	)
}
