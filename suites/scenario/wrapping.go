package scenario

import "github.com/samlharness/samlharness/sp"

// XML signature wrapping (attack catalogue §2): XSW1–XSW8 exactly as
// SAMLRaider builds them, and the other reference-confusion shapes. Each
// forges the NameID to admin@acme.test; whatever the outcome, a session for
// the forged identity fails the scenario.
//
// The SP's rule in both profiles: identity is read only from what the
// signature verified, and a signature must reference its own parent element.
// The identity-platform profile (assumed: an emulator, not production, shows
// "the unsigned wrapped assertion is ignored") signs the genuine user in when the genuine signed assertion is
// still where it belongs; strict refuses any document with more than one
// Assertion, or an Assertion anywhere but directly under the Response.

const refXSW = "saml-core §5.4.2"

func init() {
	assertionSignedOnly := map[string]any{"response": "Unsigned"}
	xsw := func(n, title string, settings map[string]any, e map[Profile]Expect) Scenario {
		return Scenario{ID: "xsw" + n, Title: "XSW" + n + ": " + title, Category: CatWrapping,
			Tags: []string{"attack:xsw", "area:signature"}, Refs: []string{refXSW, "USENIX Security 2012 'On Breaking SAML'"},
			IdP: IdPSide{Settings: settings, Faults: []faultT{F("xsw" + n)}}, Expect: e}
	}
	structure := Rejects(sp.ReasonStructure)
	shape := RejectsWith(sp.ReasonSignatureShape, MsgSignatureFailed)
	genuine := Accepts() // signs in alice, never admin@
	add(
		xsw("1", "signed Response cloned inside its own Signature, forged outer Response", nil, Split(shape, structure)).Covering("xsw1-response-clone-inside-signature"),
		xsw("2", "signed Response cloned just before its Signature, forged outer Response", nil, Split(shape, structure)).Covering("xsw2-response-clone-before-signature"),
		xsw("3", "forged unsigned Assertion inserted before the signed one", assertionSignedOnly, Split(genuine, structure)).Covering("xsw3-forged-assertion-before-signed"),
		xsw("4", "signed Assertion moved inside a forged Assertion", assertionSignedOnly, Split(RejectsWith(sp.ReasonSignatureMissing, MsgSignatureMissing), structure)).Covering("xsw4-signed-assertion-nested-in-forged"),
		xsw("5", "original Assertion forged in place, clean unsigned copy appended (CVE-2022-41912)", assertionSignedOnly, Split(shape, structure)).Covering("xsw5-original-modified-clean-copy-appended"),
		xsw("6", "original Assertion forged in place, clean copy inside its Signature", assertionSignedOnly, Split(shape, structure)).Covering("xsw6-clean-copy-inside-signature"),
		xsw("7", "forged copy with the same ID inside an Extensions element", assertionSignedOnly, Split(genuine, structure)).Covering("xsw7-forged-assertion-in-extensions"),
		xsw("8", "original forged in place, clean copy inside a ds:Object of its Signature", assertionSignedOnly, Split(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed), structure)).Covering("xsw8-clean-copy-in-signature-object"),
		Scenario{ID: "xsw-signed-error-response-plus-assertion", Title: "IdP-signed error Response with a forged Assertion appended (CVE-2022-39299 shape)",
			Category: CatWrapping, Tags: []string{"attack:xsw", "area:status"}, Refs: []string{refXSW},
			IdP:    IdPSide{Faults: []faultT{F("set-status", "code", "urn:oasis:names:tc:SAML:2.0:status:Responder"), F("remove-assertion"), F("xsw-signed-error-plus-assertion", "as", "child")}},
			Expect: Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed))}.Covering("xsw-signed-error-response-plus-injected-assertion", "status-error-with-assertion"),
		Scenario{ID: "xsw-signed-error-response-second-root", Title: "IdP-signed error Response with a forged Assertion as a second root element",
			Category: CatWrapping, Tags: []string{"attack:xsw", "area:structure"}, Refs: []string{refXSW},
			IdP:    IdPSide{Faults: []faultT{F("set-status", "code", "urn:oasis:names:tc:SAML:2.0:status:Responder"), F("remove-assertion"), F("xsw-signed-error-plus-assertion", "as", "second-root")}},
			Expect: Both(Rejects(sp.ReasonStructure))}.Covering("xsw-signed-error-response-plus-injected-assertion"),
		Scenario{ID: "xsw-prolog-nameid-before-root", Title: "A forged NameID placed before the root element",
			Category: CatWrapping, Tags: []string{"attack:xsw", "area:structure"}, Refs: []string{refXSW},
			IdP: Faults(F("xsw-prolog-element")), Expect: Both(Rejects(sp.ReasonStructure))}.Covering("xsw-prolog-element-before-root"),
		Scenario{ID: "xsw-concealed-signed-assertion", Title: "Unsigned forged Assertion whose Signature references a hidden genuine Assertion",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{refXSW},
			IdP: IdPSide{Settings: assertionSignedOnly, Faults: []faultT{F("xsw-concealed-signed-assertion")}}, Expect: Split(shape, structure)}.Covering("xsw-concealed-signed-assertion"),
		Scenario{ID: "xsw-response-wrapped-in-response", Title: "Signed Response wrapped inside a forged Response (CVE-2020-5390 shape)",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{refXSW},
			IdP: Faults(F("xsw-wrapped-response-in-response")), Expect: Split(RejectsWith(sp.ReasonSignatureMissing, MsgSignatureMissing), structure)}.Covering("xsw-wrapped-response-in-response"),
		Scenario{ID: "xsw-advice-assertion", Title: "A forged Assertion inside the genuine Assertion's Advice (must never be read)",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{refXSW},
			IdP: Faults(F("add-advice-assertion")), Expect: Both(Accepts())}.Covering("xsw-advice-assertion"),
		Scenario{ID: "xsw-unsigned-sibling-assertion", Title: "Signed Response carrying the signed Assertion plus an unsigned forged sibling",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{refXSW},
			IdP: IdPSide{Settings: assertionSignedOnly, Faults: []faultT{F("xsw-unsigned-sibling")}}, Expect: Split(genuine, structure)}.Covering("xsw-unsigned-sibling-in-signed-response-envelope", "xsw-node-saml-unsigned-original-doc", "go-xml-last-element-wins"),
		Scenario{ID: "xsw-duplicate-id", Title: "Two elements with the same ID",
			Category: CatWrapping, Tags: []string{"attack:xsw", "area:structure"}, Refs: []string{refXSW},
			IdP: IdPSide{Settings: assertionSignedOnly, Faults: []faultT{F("xsw-duplicate-id")}}, Expect: Both(structure)}.Covering("xsw-xmlsec1-any-id", "xsw-duplicate-id"),
		Scenario{ID: "xsw-genuine-assertion-in-forged-advice", Title: "A forged unsigned Assertion carrying the genuine signed one in its Advice",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{refXSW},
			IdP: IdPSide{Settings: assertionSignedOnly, Faults: []faultT{F("xsw-advice-assertion")}}, Expect: Both(RejectsWith(sp.ReasonSignatureMissing, MsgSignatureMissing))}.Covering("xsw-advice-assertion"),
		Scenario{ID: "xsw-signed-error-response-assertion-in-signature", Title: "IdP-signed error Response with a forged Assertion hidden inside its Signature",
			Category: CatWrapping, Tags: []string{"attack:xsw", "area:status"}, Refs: []string{"OneUptime #2981"},
			IdP: IdPSide{Faults: []faultT{F("set-status", "code", "urn:oasis:names:tc:SAML:2.0:status:Responder"), F("remove-assertion"), F("xsw-signed-error-plus-assertion", "as", "in-signature")}},
			// The enveloped transform drops the whole Signature, hidden Assertion
			// included: the signature verifies and the error status decides.
			Expect: Split(RejectsWith(sp.ReasonStatusNotSuccess, MsgStatusPrefix+"urn:oasis:names:tc:SAML:2.0:status:Responder"), Rejects(sp.ReasonStructure))}.Covering("xsw-decoy-signature-same-signaturevalue"),
		Scenario{ID: "xsw-forged-assertion-hidden-in-extensions", Title: "The signed Assertion in place, a forged copy hidden in Extensions",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{"OneUptime #2949"},
			IdP: IdPSide{Settings: assertionSignedOnly, Faults: []faultT{F("xsw-assertion-in-extensions", "variant", "forged-hidden")}}, Expect: Split(genuine, structure)}.Covering("xsw-node-saml-unsigned-original-doc"),
		Scenario{ID: "xsw-signed-assertion-hidden-in-extensions", Title: "The genuine signed Assertion hidden in Extensions, a forged one in its place",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{"lightsaml GHSA-w553-pwx6-3mg9"},
			IdP: IdPSide{Settings: assertionSignedOnly, Faults: []faultT{F("xsw-assertion-in-extensions", "variant", "signed-hidden")}}, Expect: Split(RejectsWith(sp.ReasonSignatureMissing, MsgSignatureMissing), structure)}.Covering("xsw-xmlsec1-any-id"),
		Scenario{ID: "xsw-nameid-in-status-detail", Title: "A forged NameID planted in StatusDetail before the real one",
			Category: CatWrapping, Tags: []string{"attack:xsw"}, Refs: []string{"CVE-2024-45409"},
			IdP: IdPSide{Settings: assertionSignedOnly, Faults: []faultT{F("xsw-nameid-in-status-detail")}}, Expect: Both(Accepts())}.Covering("xsw-unanchored-xpath-nameid"),
	)
}
