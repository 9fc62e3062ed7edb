package scenario

import "github.com/samlharness/samlharness/sp"

// Signature presence, trust, algorithms and tampering (attack catalogue §5).

const refSig = "saml-core §5.4"

func init() {
	sig := func(id, title string, tags []string, idp IdPSide, e map[Profile]Expect) Scenario {
		return Scenario{ID: id, Title: title, Category: CatSignature, Tags: append([]string{"area:signature"}, tags...),
			Refs: []string{refSig, "xmldsig-core §3.2"}, IdP: idp, Expect: e}
	}
	invalid := Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed))
	untrusted := Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed))
	shape := Both(RejectsWith(sp.ReasonSignatureShape, MsgSignatureFailed))
	add(
		sig("sig-both-stripped-after-signing", "Both signatures removed after signing", []string{"attack:forgery"},
			Faults(F("strip-signature", "which", "both")), Both(RejectsWith(sp.ReasonSignatureMissing, MsgSignatureMissing))).Covering("sig-strip-all"),
		sig("sig-response-stripped-assertion-signed", "Response signature removed; the Assertion's own signature still verifies", nil,
			Faults(F("strip-signature", "which", "response")), Both(Accepts())).Covering("sig-unsigned-response-signed-assertion"),
		sig("sig-assertion-stripped-response-signed", "Assertion signature removed after signing: the Response signature covered it, so it breaks", []string{"attack:forgery"},
			Faults(F("strip-signature", "which", "assertion")), invalid).Covering("sig-tamper-after-signing"),
		sig("sig-nameid-tampered", "NameID changed after signing", []string{"attack:forgery"},
			Faults(F("tamper-nameid", "value", "admin@acme.test")), invalid).Covering("sig-tamper-after-signing"),
		sig("sig-nameid-tampered-response-only-signed", "NameID changed after signing when only the Response is signed", []string{"attack:forgery"},
			IdPSide{Settings: map[string]any{"assertionSignature": "Unsigned"}, Faults: Faults(F("tamper-nameid", "value", "admin@acme.test")).Faults}, invalid).Covering("sig-tamper-after-signing"),
		sig("sig-nameid-tampered-assertion-only-signed", "NameID changed after signing when only the Assertion is signed", []string{"attack:forgery"},
			IdPSide{Settings: map[string]any{"response": "Unsigned"}, Faults: Faults(F("tamper-nameid", "value", "admin@acme.test")).Faults}, invalid).Covering("sig-tamper-after-signing"),
		sig("sig-conditions-extended-after-signing", "Conditions NotOnOrAfter pushed to 2099 after signing", []string{"attack:forgery"},
			Faults(F("tamper-attr", "path", "Response/Assertion/Conditions", "attr", "NotOnOrAfter", "value", "2099-01-01T00:00:00.000Z")), invalid).Covering("sig-tamper-after-signing"),
		sig("sig-digest-value-tampered", "DigestValue of the Assertion signature altered", []string{"attack:forgery"},
			Faults(F("tamper-digest-value", "which", "assertion")), invalid).Covering("sig-digest-loose-compare"),
		sig("sig-signature-value-tampered", "SignatureValue of the Response signature altered", []string{"attack:forgery"},
			Faults(F("tamper-signature-value", "which", "response")), invalid).Covering("sig-tamper-after-signing"),
		sig("sig-attacker-key-own-cert", "Signed by an attacker's key, the attacker's certificate in KeyInfo", []string{"attack:forgery"},
			Faults(F("sign-with", "key", "attacker")), untrusted).Covering("sig-keyinfo-attacker-cert", "sig-wrong-idp-cert"),
		sig("sig-attacker-key-idp-cert-in-keyinfo", "Signed by an attacker's key with the IdP's certificate copied into KeyInfo", []string{"attack:forgery"},
			Faults(F("sign-with", "key", "attacker-with-idp-cert")), invalid).Covering("sig-keyinfo-attacker-cert"),
		sig("sig-attacker-key-assertion-only", "Assertion signed by an attacker's key, Response unsigned", []string{"attack:forgery"},
			IdPSide{Settings: map[string]any{"response": "Unsigned"}, Faults: Faults(F("sign-with", "key", "attacker")).Faults}, untrusted).Covering("sig-keyinfo-attacker-cert"),
		sig("sig-keyinfo-swapped-to-attacker-cert", "The Assertion's valid signature names another certificate in KeyInfo (only the Assertion signed)", []string{"attack:forgery"},
			IdPSide{Settings: map[string]any{"response": "Unsigned"}, Faults: Faults(F("swap-keyinfo-cert", "which", "assertion", "cert", "attacker")).Faults},
			Split(Accepts(), RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed))).Covering("sig-keyinfo-attacker-cert"),
		sig("sig-keyinfo-swapped-inside-signed-response", "KeyInfo swapped after signing inside a signed Response: the Response digest breaks", []string{"attack:forgery"},
			Faults(F("swap-keyinfo-cert", "which", "both", "cert", "attacker")), invalid).Covering("sig-keyinfo-attacker-cert"),
		sig("sig-keyinfo-omitted", "Signatures without KeyInfo (the pinned certificate is used)", nil,
			Faults(F("omit-keyinfo")), Both(Accepts())),
		sig("sig-rsa-sha512", "RSA-SHA512 signatures with SHA-512 digests", nil,
			Faults(F("signature-method", "alg", "rsa-sha512"), F("digest-method", "alg", "sha512")), Both(Accepts())),
		sig("sig-c14n-with-comments", "Exclusive canonicalization WithComments", []string{"attack:comment-injection"},
			Faults(F("c14n-with-comments")), Split(Accepts(), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed))).Covering("c14n-with-comments-method"),
		sig("sig-placed-last-child", "ds:Signature placed as the last child instead of after Issuer", nil,
			Faults(F("signature-placement", "where", "last-child")), Split(Accepts(), RejectsWith(sp.ReasonSignatureShape, MsgSignatureFailed))).Covering("xsw-invalid-signature-position", "sig-signature-in-wrong-parent"),
		sig("sig-assertion-signature-moved-to-response", "The Assertion's signature moved up to the Response (scope decided by position)", []string{"attack:xsw"},
			IdPSide{Settings: map[string]any{"response": "Unsigned"}, Faults: Faults(F("move-signature", "from", "assertion")).Faults}, shape).Covering("xsw-signature-scope-by-position", "sig-signature-in-wrong-parent"),
		sig("sig-reference-uri-empty", "Assertion signature Reference URI=\"\" (whole document)", nil,
			Faults(F("reference-uri", "which", "assertion", "value", "")), shape).Covering("xsw-reference-uri-empty"),
		sig("sig-reference-uri-without-hash", "Reference URI \"x<ID>\" instead of \"#<ID>\" (goxmldsig quirk)", nil,
			Faults(F("reference-uri", "which", "assertion", "value", "x{ID}")), shape).Covering("xsw-reference-uri-first-char"),
		sig("sig-reference-other-element", "Assertion signature references the Response's ID", []string{"attack:xsw"},
			Faults(F("reference-uri", "which", "assertion", "value", "#{OTHER}")), shape).Covering("xsw-signed-metadata-as-donor"),
		sig("sig-extra-reference", "SignedInfo with a second Reference (CVE-2026-33487 shape)", []string{"attack:xsw"},
			Faults(F("extra-reference", "which", "assertion")), shape).Covering("xsw-goxmldsig-multi-reference", "sig-references-from-unverified-signedinfo"),
		sig("sig-extra-signedinfo", "A second SignedInfo in the signature (CVE-2019-3465 shape)", []string{"attack:xsw"},
			Faults(F("extra-signedinfo", "which", "assertion")), shape).Covering("sig-multiple-signedinfo", "sig-references-from-unverified-signedinfo"),
		sig("sig-decoy-signature", "A decoy second signature with the same SignatureValue and a forged Assertion in its Object", []string{"attack:xsw"},
			Faults(F("extra-signature", "which", "response")), shape).Covering("xsw-decoy-signature-same-signaturevalue"),
		sig("sig-xslt-transform", "An XSLT transform added to the Reference", []string{"attack:xsw"},
			Faults(F("extra-transform", "which", "assertion", "alg", "xslt")), shape).Covering("sig-unknown-transform", "xslt-transform-in-signature"),
	)
}
