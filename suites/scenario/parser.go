package scenario

import "github.com/samlharness/samlharness/sp"

// Parser differentials and Go encoding/xml round-trip hazards (attack
// catalogue §4): documents two parsers read differently. The SP parses once,
// never re-serializes with encoding/xml, and reads identity only from the
// verified canonical bytes; a forged identity must never sign in.

const refParser = "Namespaces in XML 1.0 §6"

func init() {
	p := func(id, title string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatParser, Tags: []string{"area:xml"},
			Refs: []string{refParser, "GHSA-6jwv-w5xf-7j27 (mattermost xml-roundtrip-validator)"}, IdP: IdPSide{Faults: f}, Expect: e}
	}
	add(
		p("xml-round-trip-attr-double-colon", "An attribute named a::b (Go encoding/xml round-trip hazard): not namespace-well-formed", Both(Rejects(sp.ReasonResponseMalformed)),
			F("xml-round-trip-hazard", "shape", "attr-double-colon")).Covering("go-xml-unstable-attr-prefix", "go-xml-roundtrip-crewjam-malformed"),
		p("xml-round-trip-attr-empty-local", "An attribute with an empty local name (xmlns: or a:): not namespace-well-formed", Both(Rejects(sp.ReasonResponseMalformed)),
			F("xml-round-trip-hazard", "shape", "attr-empty-local")).Covering("go-xml-unstable-attr-prefix"),
		p("xml-round-trip-element-double-colon", "An element named saml2::NameID: not namespace-well-formed", Both(Rejects(sp.ReasonResponseMalformed)),
			F("xml-round-trip-hazard", "shape", "element-double-colon")).Covering("go-xml-unstable-element-prefix"),
		p("xml-round-trip-xmlns-empty-prefix", "An xmlns:= declaration with an empty prefix", Both(Rejects(sp.ReasonResponseMalformed)),
			F("xml-round-trip-hazard", "shape", "xmlns-empty-prefix")).Covering("go-xml-unstable-attr-prefix"),
		p("xml-round-trip-directive-comment", "A directive (<!...>) inside the Assertion", Both(Rejects(sp.ReasonXMLForbidden)),
			F("xml-round-trip-hazard", "shape", "directive-comment")).Covering("go-xml-unstable-directive"),
		p("namespace-prefix-redefined", "The saml2 prefix redefined to another namespace inside the Assertion", Both(Rejects(sp.ReasonSignatureInvalid)),
			F("namespace-confusion")).Covering("c14n-void-canonicalization", "rexml-nokogiri-namespace", "namespace-prefix-rebinding"),
		p("nameid-whitespace-after-signing", "Whitespace added around the NameID after signing", Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed)),
			F("whitespace-in-nameid")).Covering("nameid-whitespace-and-case"),
		p("duplicate-element-subject", "A second Subject element before the signed one, added after signing", Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed)),
			F("duplicate-element-after-sign", "path", "Response/Assertion/Subject")).Covering("signedxml-raw-vs-canonical"),
		p("renamed-assertion-element", "Assertion element renamed (Assertion2) before signing", Both(Rejects(sp.ReasonAssertionMissing)),
			F("rename-element", "path", "Response/Assertion", "tag", "saml2:Assertion2")).Covering("namespace-prefix-rebinding", "schema-invalid-crash"),
		p("unknown-element-in-response", "An unknown element inside the Response, signed by the IdP", Both(Accepts()),
			F("insert-xml", "path", "Response/Status", "position", "before", "xml", `<saml2p:Extensions xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><x:Note xmlns:x="urn:example:note">hello</x:Note></saml2p:Extensions>`)).Covering("schema-invalid-crash"),
	)
}
