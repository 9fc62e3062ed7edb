package scenario

import "github.com/samlharness/samlharness/sp"

// Scenarios the self-mutation proof (suites/conformance, TestSelfMutation)
// asked for: each catches the absence of an SP protection (a checklist
// step) that no other scenario caught. Every change is made before signing:
// the signature is valid, the message is not.

func init() {
	add(
		// root-is-response: a signed message of another type posted as a
		// sign-in response. Without the check the SP verifies the
		// signature of whatever the root is and reads its assertion.
		Scenario{ID: "root-signed-logout-response", Title: "The IdP's signed message is a LogoutResponse (same content), posted as the sign-in response",
			Category: CatProtocol, Tags: []string{"area:structure", "attack:forgery"},
			Refs: []string{refProfiles},
			IdP:  IdPSide{Faults: []faultT{F("rename-element", "path", "Response", "tag", "saml2p:LogoutResponse")}},
			Expect: Both(Rejects(sp.ReasonStructure).Because(Specified,
				"saml-profiles §4.1.4.2: the IdP answers an AuthnRequest with a <Response>; any other message type is not a sign-in response"+unobservedIP)),
		}.Covering("xsw-signed-metadata-as-donor", "schema-invalid-crash"),

		// nameid-text-only: a NameID the IdP signs with an element inside.
		// A reader of the first text node sees alice@acme.test, a reader of
		// all text alice@acme.test.evil.test: two SPs, two users.
		Scenario{ID: "nameid-child-element-signed-by-idp", Title: "The IdP signs a NameID with an element after its text (.evil.test inside it)",
			Category: CatInjection, Tags: []string{"area:subject", "attack:comment-injection"},
			Refs: []string{refC14N},
			IdP: IdPSide{Faults: []faultT{F("insert-xml", "path", "Response/Assertion/Subject/NameID", "position", "last",
				"xml", `<saml2:Extra xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">.evil.test</saml2:Extra>`)}},
			Expect: Split(Accepts().Because(Assumed,
				"Identity Platform's reading of a NameID with child elements is unobserved; the SP reads its text before the element, the genuine alice@acme.test"),
				Rejects(sp.ReasonStructure).Because(Specified, "saml-core §2.2.3: NameIDType is a string, so a NameID holds text only")),
		}.Covering("nameid-comment-truncation", "schema-invalid-crash"),

		// assertion-id (second line behind ids-present): an Assertion
		// without ID inside a Response only the Response's signature
		// covers, so the signature steps pass and only the ID checks stand
		// between it and a session the replay cache cannot key.
		Scenario{ID: "assertion-id-removed-response-signed", Title: "An Assertion without ID inside a signed Response (only the Response signed)",
			Category: CatProtocol, Tags: []string{"area:structure"},
			Refs: []string{refProfiles},
			IdP:  IdPSide{Faults: []faultT{F("sign-only", "what", "response"), F("remove-id", "which", "assertion")}},
			Expect: Both(Rejects(sp.ReasonStructure).Because(Specified,
				"saml-core §2.3.3: an Assertion's ID is required (and is what a one-time-use check keys on)"+unobservedIP)),
		}.Covering("assertion-id-missing"),
	)
}
