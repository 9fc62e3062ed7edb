package scenario

import "github.com/samlharness/samlharness/sp"

// Text nodes the IdP itself signs in odd shapes (comments, whitespace, case,
// look-alike characters) and comments planted after signing where a
// text-node reader would see something else than the canonical form.

func init() {
	tn := func(id, title string, settings map[string]any, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatInjection, Tags: []string{"attack:comment-injection", "area:subject"},
			Refs: []string{refC14N, "CVE-2017-11428"}, IdP: IdPSide{Settings: settings, Faults: f}, Expect: e}
	}
	emailAttr := map[string]any{"attributeStatements": []map[string]string{{"name": "email", "nameFormat": "Unspecified", "value": "user.email"}}}
	add(
		tn("comment-in-attribute-value-after-signing", "A comment splitting the email AttributeValue after signing (identity comes from the NameID)", emailAttr,
			Both(Accepts()),
			F("comment-in-text", "path", "Response/Assertion/AttributeStatement/Attribute/AttributeValue", "at", "after:alice@acme")).
			Covering("attribute-value-comment-truncation"),
		tn("comment-in-nameid-signed-by-idp", "The IdP signs a NameID whose text a comment splits", nil,
			Both(Accepts()),
			F("comment-in-nameid-before-sign", "at", "after:alice@")).
			Covering("nameid-comment-truncation"),
		tn("comment-in-digest-value", "A comment inside the Response signature's DigestValue: read in full, the digest is the signed one", nil,
			Both(Accepts()),
			F("comment-in-text", "path", "Response/ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue", "at", "10", "comment", "x")).
			Covering("digestvalue-comment"),
		tn("nameid-padded-signed-by-idp", "The IdP signs a NameID padded with spaces", nil,
			Both(Accepts()),
			F("whitespace-in-nameid-before-sign", "form", "pad")).
			Covering("nameid-whitespace-and-case"),
		tn("nameid-mixed-case-signed-by-idp", "The IdP signs a NameID in mixed case: the same user", nil,
			Both(Accepts()),
			F("case-in-nameid-before-sign", "form", "mixed")).
			Covering("nameid-whitespace-and-case"),
		tn("nameid-zero-width-signed-by-idp", "The IdP signs a NameID with a zero-width space inside", nil,
			Split(Expect{Outcome: Accept, Identity: "a\u200blice@acme.test"}.Because(Assumed, "whether Identity Platform or the workspace refuses invisible characters in the NameID is unobserved; the recorded email rule is assumed to pass it"),
				Rejects(sp.ReasonNameIDNotEmail)),
			F("unicode-in-nameid-before-sign", "form", "zero-width")).
			Covering("nameid-unicode-confusable"),
	)
}
