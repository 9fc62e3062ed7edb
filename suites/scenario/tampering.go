package scenario

import "github.com/samlharness/samlharness/sp"

// Content changed after signing, one edit kind at a time: every signed byte
// counts, whatever the edit (an attribute set or removed, text replaced, an
// element removed, renamed or inserted, the NameID's case or characters).

func init() {
	t := func(id, title string, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatSignature, Tags: []string{"area:signature", "attack:forgery"},
			Refs: []string{refSig, "xmldsig-core §3.2.1 (reference validation)"}, IdP: IdPSide{Faults: f},
			Expect: Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed))}.Covering("sig-tamper-after-signing")
	}
	add(
		t("tamper-response-destination-set", "Response Destination rewritten after signing",
			F("set-attr-after-sign", "path", "Response", "attr", "Destination", "value", "{redirectUrl}?x=1")),
		t("tamper-scd-recipient-removed", "SubjectConfirmationData Recipient removed after signing",
			F("remove-attr-after-sign", "path", "Response/Assertion/Subject/SubjectConfirmation/SubjectConfirmationData", "attr", "Recipient")),
		t("tamper-audience-text-replaced", "Audience text replaced after signing",
			F("set-text-after-sign", "path", "Response/Assertion/Conditions/AudienceRestriction/Audience", "value", "https://other-sp.example")),
		t("tamper-authn-statement-removed", "AuthnStatement removed after signing",
			F("remove-element-after-sign", "path", "Response/Assertion/AuthnStatement")),
		t("tamper-attribute-statement-renamed", "An element renamed after signing (AttributeStatement to Advice)",
			F("add-attribute", "name", "email", "value", "alice@acme.test"),
			F("rename-element-after-sign", "path", "Response/Assertion/AttributeStatement", "tag", "saml2:Advice")),
		t("tamper-attribute-inserted", "An Attribute inserted into the signed Assertion after signing",
			F("add-attribute", "name", "email", "value", "alice@acme.test"),
			F("insert-xml-after-sign", "path", "Response/Assertion/AttributeStatement", "xml", `<saml2:Attribute Name="role"><saml2:AttributeValue>admin</saml2:AttributeValue></saml2:Attribute>`)),
		t("tamper-nameid-case-changed", "NameID letter case changed after signing",
			F("case-in-nameid", "form", "upper")).Covering("nameid-whitespace-and-case"),
		t("tamper-nameid-homoglyph", "A Cyrillic look-alike swapped into the NameID after signing",
			F("unicode-in-nameid", "form", "homoglyph")).Covering("nameid-unicode-confusable"),
	)
}
