package scenario

import "github.com/samlharness/samlharness/sp"

// Okta's "Assertion Encryption: Encrypted" option (attack catalogue §7).
// Identity Platform has no SP decryption key to configure, so it cannot read
// an EncryptedAssertion: every variant is refused with one uniform reason —
// which also leaves no padding or decryption oracle to probe.

const refEnc = "xmlenc-core §3.1"

func init() {
	enc := func(id, title string, kv ...any) Scenario {
		s := Settings(append([]any{"assertionEncryption", "Encrypted", "encryptionCertificate", "{spEncryptionCertificate}"}, kv...)...)
		return Scenario{ID: id, Title: title, Category: CatEncryption, Tags: []string{"area:encryption", "okta:setting"},
			Refs: []string{refEnc, "Okta: the SAML Response it sends (POST binding)"}, IdP: s, Expect: Both(Rejects(sp.ReasonEncryptedAssertion))}
	}
	add(
		enc("encrypted-assertion-okta-default", "Assertion Encryption on with Okta's defaults (AES256-CBC, RSA-OAEP)").Covering("enc-padding-oracle-errors"),
		enc("encrypted-assertion-aes128-cbc", "Assertion Encryption with AES128-CBC", "encryptionAlgorithm", "AES128-CBC").Covering("enc-padding-oracle-errors"),
		enc("encrypted-assertion-aes256-gcm", "Assertion Encryption with AES256-GCM", "encryptionAlgorithm", "AES256-GCM").Covering("enc-padding-oracle-errors"),
		enc("encrypted-assertion-rsa1-5-key-transport", "Assertion Encryption with the weak RSA1_5 key transport", "keyTransportAlgorithm", "RSA1_5").Covering("enc-rsa15-key-transport"),
		enc("encrypted-assertion-response-unsigned", "Encrypted, signed Assertion inside an unsigned Response", "response", "Unsigned").Covering("enc-cbc-unsigned-response"),
		Scenario{ID: "encrypted-assertion-wrong-key", Title: "Assertion encrypted to a key that is not the SP's",
			Category: CatEncryption, Tags: []string{"area:encryption"}, Refs: []string{refEnc},
			IdP: IdPSide{Settings: map[string]any{"assertionEncryption": "Encrypted", "encryptionCertificate": "{spEncryptionCertificate}"},
				Faults: []faultT{F("encrypt-with", "key", "wrong")}},
			Expect: Both(Rejects(sp.ReasonEncryptedAssertion))}.Covering("enc-wrong-sp-key", "enc-padding-oracle-errors"),
		Scenario{ID: "encrypted-assertion-corrupt-ciphertext", Title: "EncryptedAssertion with a corrupted ciphertext",
			Category: CatEncryption, Tags: []string{"area:encryption"}, Refs: []string{refEnc},
			IdP: IdPSide{Settings: map[string]any{"assertionEncryption": "Encrypted", "encryptionCertificate": "{spEncryptionCertificate}"},
				Faults: []faultT{F("corrupt-ciphertext", "target", "data")}},
			Expect: Both(Rejects(sp.ReasonEncryptedAssertion))}.Covering("enc-padding-oracle-errors"),
	)
}
