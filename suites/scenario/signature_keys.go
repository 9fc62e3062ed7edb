package scenario

import (
	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/sp"
)

// Signature presence, keys and KeyInfo beyond the basic set: what the SP
// must do when the signature's key material is odd, absent, or not an RSA
// signature at all. KeyInfo is a hint the SP never trusts: it verifies with
// the pinned certificates only.

func init() {
	assertionOnly := map[string]any{"response": "Unsigned"}
	k := func(id, title string, settings map[string]any, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatSignature, Tags: []string{"area:signature"},
			Refs: []string{refSig, "xmldsig-core §4.4 (KeyInfo is optional and only a hint)"}, IdP: IdPSide{Settings: settings, Faults: f}, Expect: e}
	}
	keyInfo := "Response/Assertion/ds:Signature/ds:KeyInfo"
	add(
		k("sig-keyinfo-rsa-key-value-only", "KeyInfo carries an RSAKeyValue instead of the certificate (only the Assertion signed)", assertionOnly,
			Both(Accepts()),
			F("remove-element-after-sign", "path", keyInfo+"/ds:X509Data"),
			F("insert-xml-after-sign", "path", keyInfo, "xml", `<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>`)).
			Covering("sig-keyinfo-keyvalue-only"),
		k("sig-keyinfo-retrieval-method", "KeyInfo points at a remote key with RetrievalMethod (never fetched)", assertionOnly,
			Both(Accepts()),
			F("insert-xml-after-sign", "path", keyInfo, "position", "first", "xml", `<ds:RetrievalMethod URI="http://127.0.0.1:9/key.der" Type="http://www.w3.org/2000/09/xmldsig#rawX509Certificate"/>`)).
			Covering("sig-keyinfo-retrievalmethod"),
		k("sig-keyinfo-certificate-garbage", "The KeyInfo certificate replaced by text that is not base64", assertionOnly,
			Split(Accepts(), RejectsWith(sp.ReasonSignatureShape, MsgSignatureFailed)),
			F("set-text-after-sign", "path", keyInfo+"/ds:X509Data/ds:X509Certificate", "value", "!!not-a-certificate!!")).
			Covering("sig-keyinfo-malformed-crash"),
		k("sig-hmac-keyed-with-idp-certificate", "An HMAC-SHA1 signature keyed with the IdP certificate's public bytes", nil,
			Split(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed)),
			F("hmac-signature")).
			Covering("sig-hmac-key-confusion"),
		k("sig-hmac-output-truncated", "An HMAC-SHA1 signature truncated to 8 bits by HMACOutputLength", nil,
			Split(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed)),
			F("hmac-signature", "bits", "8")).
			Covering("sig-hmac-truncation"),
		k("sig-inner-assertion-signed-by-attacker", "The IdP signs the Response around an Assertion signed by an attacker's key", nil,
			Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed)),
			F("sign-assertion-with", "key", "attacker")).
			Covering("sig-inner-assertion-signed-by-attacker"),
		k("sig-signature-value-empty", "An empty SignatureValue on the Response signature", nil,
			Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed)),
			F("set-text-after-sign", "path", "Response/ds:Signature/ds:SignatureValue", "value", "")).
			Covering("sig-empty-signaturevalue"),
		k("sig-signature-value-not-base64", "A SignatureValue that is not base64, so verification errors instead of failing", nil,
			Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed)),
			F("set-text-after-sign", "path", "Response/ds:Signature/ds:SignatureValue", "value", "%%%%")).
			Covering("sig-verify-error-treated-as-success"),
		k("sig-signature-value-short", "A SignatureValue of four bytes, shorter than the RSA modulus", nil,
			Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed)),
			F("set-text-after-sign", "path", "Response/ds:Signature/ds:SignatureValue", "value", "AAAAAA==")).
			Covering("sig-verify-error-treated-as-success"),
		k("sig-response-stripped-assertion-never-signed", "Response signature removed when the Assertion was never signed", map[string]any{"assertionSignature": "Unsigned"},
			Both(RejectsWith(sp.ReasonSignatureMissing, MsgSignatureMissing)),
			F("strip-signature", "which", "response")).
			Covering("sig-strip-response-keep-unsigned-assertion", "cfg-signing-mismatch"),
		k("sig-sign-only-assertion-whatever-settings", "Only the Assertion signed although the app signs both", nil,
			Both(Accepts()),
			F("sign-only", "what", "assertion")).
			Covering("sig-unsigned-response-signed-assertion"),
		k("sig-xpath-transform", "An XPath transform added to the Reference (refused before it runs)", nil,
			Both(RejectsWith(sp.ReasonSignatureShape, MsgSignatureFailed)),
			F("extra-transform", "which", "assertion", "alg", "xpath")).
			Covering("xpath-transform-dos", "sig-unknown-transform"),
		Scenario{ID: "sig-rotation-two-certificates-no-keyinfo", Title: "Both rotation certificates pinned and no KeyInfo in the signatures",
			Category: CatSignature, Tags: []string{"area:signature", "area:certificate"}, Refs: []string{refSig, "xmldsig-core §4.4 (KeyInfo is optional and only a hint)"},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertRotated), fixtures.Pasted(fixtures.CertActive)}}, IdP: Faults(F("omit-keyinfo")), Expect: Both(Accepts())}.
			Covering("cfg-rotation-two-certs-no-keyinfo"),
		Scenario{ID: "issuer-other-trusted-idp", Title: "A response of another IdP whose certificate the workspace also holds, with that IdP's Issuer",
			Category: CatSignature, Tags: []string{"area:issuer", "area:signature", "attack:forgery"}, Refs: []string{refSig, "saml-profiles §4.1.4.2"},
			SP:     SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertActive), fixtures.Pasted(fixtures.CertAttacker)}},
			IdP:    IdPSide{Faults: []faultT{F("set-issuer", "which", "both", "value", "http://www.okta.com/exkOtherIdP00000000"), F("sign-with", "key", "attacker")}},
			Expect: Split(RejectsWith(sp.ReasonResponseIssuer, MsgResponseIssuer), RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed))}.
			Covering("issuer-other-trusted-idp"),
	)
}
