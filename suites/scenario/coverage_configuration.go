package scenario

// Attack entries: configuration mistakes and the IdP's own failures.

const naIdPSide = "an IdP-side failure: the mock IdP must not reproduce it, and the SP under test cannot detect it"

func init() {
	family(FamConfiguration,
		entry("cfg-pem-one-line-no-armor", "the certificate pasted as one base64 line without BEGIN/END"),
		entry("cfg-pem-bad-line-breaks", "the certificate with CRLF, escaped CRs, other line widths, spaces or tabs"),
		entry("cfg-pem-header-mangled", "the PEM armor mangled (spaces stripped, doubled, other dashes)"),
		entry("cfg-der-instead-of-pem", "binary DER where PEM is expected"),
		entry("cfg-base64-of-pem", "the base64 of a whole PEM file"),
		entry("cfg-private-key-pasted", "a private key pasted as the IdP certificate"),
		entry("cfg-public-key-not-cert", "a bare public key instead of a certificate"),
		entry("cfg-cert-chain-in-one-element", "a certificate chain pasted in one field"),
		entry("cfg-tls-cert-instead-of-signing-cert", "the IdP's HTTPS certificate pasted instead of its signing certificate"),
		entry("cfg-wrong-cert-after-rotation", "the IdP rotated its signing key and the SP still pins the old certificate"),
		entry("cfg-rotation-two-certs-no-keyinfo", "two pinned certificates during a rotation and no KeyInfo in the signature"),
		na("cfg-fingerprint-mode-without-keyinfo", "a pinned fingerprint with no certificate in KeyInfo", "the workspace pins whole certificates, never fingerprints"),
		entry("cfg-idp-cert-expired", "the pinned IdP certificate has expired"),
		entry("cfg-idp-cert-not-yet-valid", "the pinned IdP certificate is not yet valid"),
		na("cfg-metadata-keydescriptor-encryption-only", "IdP metadata with encryption keys only", naNoMetadata),
		na("cfg-metadata-no-use-attr", "a metadata KeyDescriptor without use", naNoMetadata),
		na("cfg-metadata-expired-validuntil", "IdP metadata past its validUntil", naNoMetadata),
		na("cfg-metadata-aggregate-wrong-entity", "the wrong entity chosen from aggregate metadata", naNoMetadata),
		na("cfg-metadata-unsigned-fetched-http", "unsigned metadata fetched over plain HTTP and trusted", naNoMetadata),
		entry("cfg-wrong-idp-entityid", "the SP configured with the IdP's sign-in URL or a typo as its entity ID"),
		entry("cfg-wrong-sp-entityid", "the IdP app configured with another audience than the SP's entity ID"),
		entry("cfg-wrong-acs-url", "the IdP sends to an old or different ACS"),
		entry("cfg-acs-url-behind-proxy", "an SP behind a TLS proxy compares against a URL it rebuilt with the wrong scheme or host"),
		entry("cfg-wrong-idp-sso-url", "the SP sends the AuthnRequest to a wrong IdP sign-in URL"),
		entry("cfg-clock-drift", "the clocks of IdP and SP apart by minutes"),
		entry("cfg-signing-mismatch", "the SP wants one element signed and the IdP signs the other, or neither"),
		entry("cfg-sha1-only-idp", "a legacy IdP that signs only with SHA-1"),
		na("cfg-encryption-expected-not-sent", "the SP requires encrypted assertions and receives plaintext", "the workspace never requires encryption: it cannot decrypt"),
		na("cfg-sp-encryption-cert-expired", "the SP's own decryption certificate is outside its validity", "the workspace has no SP decryption certificate"),
		entry("cfg-email-domain-not-allowed", "the IdP asserts an email on a domain the workspace has not verified for this connection"),
		entry("cfg-nameid-format-mismatch", "the SP keys accounts by email and the IdP sends an opaque or short identifier"),
		entry("cfg-attribute-name-mapping", "the email travels in an attribute under another name than the one the SP reads"),
		entry("cfg-idp-initiated-tile", "the user starts from the IdP's dashboard tile while the SP allows only SP-initiated sign-in"),
	)
	family(FamIdPSide,
		na("idp-xml-injection-attribute", "the IdP builds XML from templates and a user attribute injects markup", naIdPSide),
		na("idp-acs-javascript-url", "the IdP renders a javascript: ACS location into its auto-post form", naIdPSide),
		na("idp-acs-url-not-validated", "the IdP sends the response to any ACS URL an AuthnRequest names", naIdPSide),
		na("idp-memory-overread", "crafted requests make the IdP leak memory", naIdPSide),
		na("idp-golden-saml", "a stolen IdP signing key signs anything every SP accepts", naIdPSide),
	)
}
