package scenario

import "github.com/samlharness/samlharness/sp"

// Encryption variants beyond Okta's settings, made with the mock IdP's
// encryption faults: every one is refused with the one uniform reason, before
// any decryption.

func init() {
	ev := func(id, title string, settings map[string]any, covers []string, f ...faultT) Scenario {
		s := map[string]any{"assertionEncryption": "Encrypted", "encryptionCertificate": "{spEncryptionCertificate}"}
		for k, v := range settings {
			s[k] = v
		}
		return Scenario{ID: id, Title: title, Category: CatEncryption, Tags: []string{"area:encryption"},
			Refs: []string{refEnc}, IdP: IdPSide{Settings: s, Faults: f}, Expect: Both(Rejects(sp.ReasonEncryptedAssertion))}.Covering(covers...)
	}
	add(
		ev("encrypted-assertion-nothing-signed", "An EncryptedAssertion with no signature anywhere", map[string]any{"response": "Unsigned", "assertionSignature": "Unsigned"},
			[]string{"enc-unsigned-inner-unsigned-response"}),
		ev("encrypted-assertion-cbc-bad-padding", "An AES-CBC EncryptedAssertion whose last byte (the padding) is flipped", nil,
			[]string{"enc-cbc-bad-padding-crash"}, F("data-encryption", "alg", "aes256-cbc"), F("corrupt-ciphertext", "target", "data", "how", "flip-last")),
		ev("encrypted-assertion-gcm-tag-damaged", "An AES-GCM EncryptedAssertion with a damaged tag", nil,
			[]string{"enc-gcm-tag-not-checked"}, F("data-encryption", "alg", "aes256-gcm"), F("corrupt-ciphertext", "target", "data", "how", "flip-last")),
		ev("encrypted-assertion-triple-des", "An EncryptedAssertion with triple-DES", nil,
			[]string{"enc-3des-weak"}, F("data-encryption", "alg", "tripledes-cbc")),
		ev("encrypted-assertion-rsa1-5-fault", "The content key wrapped with RSA PKCS#1 v1.5 by a fault", nil,
			[]string{"enc-rsa15-key-transport"}, F("key-transport", "alg", "rsa-1_5")),
		ev("encrypted-key-truncated", "An EncryptedAssertion whose wrapped key is cut short", nil,
			[]string{"enc-padding-oracle-errors"}, F("corrupt-ciphertext", "target", "key", "how", "truncate")),
		Scenario{ID: "encrypted-assertion-beside-signed-plaintext", Title: "An EncryptedAssertion next to the signed plaintext Assertion",
			Category: CatEncryption, Tags: []string{"area:encryption", "attack:xsw"}, Refs: []string{refEnc},
			IdP: Faults(F("insert-xml", "path", "Response/Assertion", "position", "after",
				"xml", `<saml2:EncryptedAssertion><xenc:EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml2:EncryptedAssertion>`)),
			Expect: Both(Rejects(sp.ReasonEncryptedAssertion))}.Covering("enc-plaintext-and-encrypted", "xsw-encrypted-assertion-wrapping"),
		Scenario{ID: "encrypted-id-instead-of-nameid", Title: "An EncryptedID without method or key in place of the NameID",
			Category: CatEncryption, Tags: []string{"area:encryption", "area:subject"}, Refs: []string{refEnc, "saml-core §2.2.4"},
			IdP: Faults(F("remove-nameid"), F("insert-xml", "path", "Response/Assertion/Subject", "position", "first",
				"xml", `<saml2:EncryptedID><xenc:EncryptedData><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml2:EncryptedID>`)),
			Expect: Both(Rejects(sp.ReasonNameIDMissing))}.Covering("enc-encryptedid-attributes"),
	)
}
