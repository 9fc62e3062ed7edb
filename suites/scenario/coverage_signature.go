package scenario

// Attack entries: signature presence, trust and algorithms; encryption;
// dangerous XML and resource limits.

const (
	naNoSLO       = "the workspace has no SAML single logout: it never receives a LogoutRequest or LogoutResponse"
	naNoMetadata  = "the workspace takes the IdP entity ID, sign-in URL and certificate by hand; it never imports IdP metadata"
	naNoDecryptor = "the workspace holds no decryption key and refuses every EncryptedAssertion before any decryption, so no plaintext is ever parsed"
)

func init() {
	family(FamSignature,
		entry("sig-strip-all", "every signature removed"),
		entry("sig-strip-response-keep-unsigned-assertion", "the Response signature removed when the Assertion was never signed"),
		entry("sig-signed-response-unsigned-assertion", "a valid Response signature over an unsigned Assertion (accepted unless signed assertions are required)"),
		entry("sig-unsigned-response-signed-assertion", "an unsigned Response around a signed Assertion, the usual Okta shape"),
		entry("sig-inner-assertion-signed-by-attacker", "the IdP signs the Response while the Assertion inside carries an attacker's signature"),
		entry("sig-tamper-after-signing", "one byte of signed content changed after signing"),
		entry("sig-empty-signaturevalue", "an empty or whitespace SignatureValue"),
		entry("sig-keyinfo-attacker-cert", "content re-signed with an attacker key whose certificate travels in KeyInfo"),
		entry("sig-keyinfo-keyvalue-only", "KeyInfo carries a bare key value instead of an X.509 certificate"),
		entry("sig-keyinfo-retrievalmethod", "KeyInfo points at a remote or recursive key the SP must never fetch"),
		entry("sig-keyinfo-malformed-crash", "malformed KeyInfo content (empty X509Data, garbage base64) must fail cleanly"),
		entry("sig-wrong-idp-cert", "a well-formed signature by another, untrusted certificate"),
		entry("sig-hmac-key-confusion", "an HMAC SignatureMethod keyed with the IdP's public certificate bytes"),
		entry("sig-hmac-truncation", "an HMAC signature with a tiny HMACOutputLength"),
		entry("sig-verify-error-treated-as-success", "input that makes the crypto layer return an error rather than false, which must fail closed"),
		entry("sig-digest-loose-compare", "digests compared loosely instead of byte for byte"),
		entry("sig-multiple-signedinfo", "two SignedInfo elements in one Signature"),
		entry("sig-references-from-unverified-signedinfo", "references read from the document rather than from the verified SignedInfo"),
		entry("sig-sha1", "RSA-SHA1 signatures or SHA-1 digests"),
		entry("sig-md5-dsa-weak-rsa", "MD5, DSA-SHA1 or RSA keys below 2048 bits"),
		entry("sig-unknown-transform", "extra transforms (XPath, XSLT, base64, XPointer) in a Reference"),
		entry("sig-signature-in-wrong-parent", "a signature that is not a direct child of the element it signs"),
		na("sig-metadata-use-missing-disables-validation", "a metadata key without a use attribute makes an importer turn verification off", naNoMetadata),
		entry("sig-validation-fail-open-null-cert", "an empty or unusable trust anchor must not skip verification"),
		na("sig-unsigned-logout", "unsigned logout messages while signatures are required", naNoSLO),
	)
	family(FamEncryption,
		entry("enc-wrong-sp-key", "the assertion is encrypted to a certificate the SP does not hold"),
		entry("enc-unsigned-inner-unsigned-response", "an EncryptedAssertion with no signature anywhere: encryption is not authentication"),
		entry("enc-cbc-unsigned-response", "an unsigned Response around a CBC-encrypted assertion lets an attacker probe the ciphertext"),
		entry("enc-rsa15-key-transport", "the content key wrapped with RSA PKCS#1 v1.5"),
		entry("enc-padding-oracle-errors", "ciphertext variants must all give one uniform error"),
		entry("enc-cbc-bad-padding-crash", "a CBC ciphertext with impossible padding must fail without a crash"),
		entry("enc-gcm-tag-not-checked", "an AES-GCM ciphertext with a damaged tag"),
		entry("enc-3des-weak", "triple-DES content encryption"),
		na("enc-decrypted-doctype-xslt", "a DOCTYPE or transforms in the decrypted plaintext", naNoDecryptor),
		na("enc-encryptedkey-recursion", "many or recursive EncryptedKey and RetrievalMethod references", naNoDecryptor),
		entry("enc-plaintext-and-encrypted", "an EncryptedAssertion next to a plaintext Assertion"),
		entry("enc-encryptedid-attributes", "an EncryptedID or EncryptedAttribute without method or key information"),
	)
	family(FamResources,
		entry("xxe-external-entity", "an external entity or parameter entity that reads files or fetches a remote DTD"),
		entry("dtd-billion-laughs", "nested internal entities expanding exponentially"),
		entry("dtd-internal-entity-in-value", "an internal entity used inside Issuer or NameID"),
		entry("xslt-transform-in-signature", "an XSLT transform in the signature that would run before verification"),
		entry("xpath-transform-dos", "an XPath filter transform with an expensive expression"),
		entry("c14n-quadratic-memory", "a namespace-heavy structure whose canonicalisation costs quadratic memory"),
		entry("xml-deep-nesting", "tens of thousands of nested elements"),
		entry("xml-huge-payload", "a response of many megabytes"),
		entry("deflate-bomb-redirect", "a highly compressed message on the Redirect binding"),
		entry("schema-invalid-crash", "well-formed but schema-invalid messages must give clean errors"),
		entry("nil-deref-fuzz", "children missing everywhere must give clean errors, never a crash"),
	)
}
