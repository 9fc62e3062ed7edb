package scenario

import (
	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/sp"
)

// What customers get wrong between the two admin UIs: the certificate as
// pasted, rotation, entity IDs, URLs, domains and assignments.

const refConfig = "saml-metadata §2.4.1.1 (the IdP signing certificate)"

func init() {
	// The certificate as pasted into "Add Certificate". The variants are
	// fixtures.PEMVariants; the parser the SP models is Java's
	// CertificateFactory as Identity Platform uses it: armor required,
	// whitespace inside the base64 ignored, the first certificate of a chain
	// used, anything else "Error when parsing certificate".
	pasted := func(variant fixtures.PEMShape, title string, e Expect) Scenario {
		return Scenario{
			ID: "cert-pasted-" + string(variant), Title: "Certificate pasted " + title, Category: CatConfiguration,
			Tags: []string{"area:certificate"}, Refs: []string{refGuide, refConfig},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertActive, variant)}}, Expect: Both(e),
		}
	}
	parseError := RejectsWith(sp.ReasonCertParse, MsgCertParse)
	add(
		pasted(pastedcert.AsDownloaded, "exactly as Okta's Download certificate gives it (76-column lines)", Accepts()),
		pasted(pastedcert.OneLine, "with its base64 body on one line between the BEGIN/END lines", Accepts()).Covering("cfg-pem-one-line-no-armor"),
		pasted(pastedcert.CRLF, "with Windows CRLF line endings", Accepts()).Covering("cfg-pem-bad-line-breaks"),
		pasted(pastedcert.StraySpaces, "with stray spaces inside the base64 lines", Accepts()).Covering("cfg-pem-bad-line-breaks"),
		pasted(pastedcert.ChainLeafFirst, "as a chain, the Okta certificate first", Accepts()).Covering("cfg-cert-chain-in-one-element"),
		pasted(pastedcert.TrailingGarbage, "with text after the END line", Accepts()),
		pasted(pastedcert.OpenSSLText, "as openssl x509 -text prints it, the human-readable dump before the PEM", Accepts()),
		pasted(pastedcert.Indented, "with every line indented, armor included (from YAML or code)", parseError).Covering("cfg-pem-bad-line-breaks"),
		pasted(pastedcert.Flattened, "from a single-line field that turned line breaks into spaces", parseError).Covering("cfg-pem-bad-line-breaks"),
		pasted(pastedcert.CREntities, "with &#13; at every line end (an XML-escaped CR)", parseError).Covering("cfg-pem-bad-line-breaks"),
		pasted(pastedcert.NoArmorOneLine, "as the bare one-line base64 of metadata's ds:X509Certificate", parseError).Covering("cfg-pem-one-line-no-armor"),
		pasted(pastedcert.BeginNoSpace, "with the armor's spaces stripped (-----BEGINCERTIFICATE-----)", parseError).Covering("cfg-pem-header-mangled"),
		pasted(pastedcert.UTF8BOM, "from a file saved with a UTF-8 byte order mark", parseError).Covering("cfg-pem-header-mangled"),
		pasted(pastedcert.NoArmor, "without the BEGIN/END CERTIFICATE lines", parseError).Covering("cfg-pem-header-mangled"),
		pasted(pastedcert.MissingEnd, "without the END CERTIFICATE line", parseError).Covering("cfg-pem-header-mangled"),
		pasted(pastedcert.Truncated, "with its last lines cut off", parseError),
		pasted(pastedcert.UnicodeDashes, "after a word processor turned the armor's dashes into en dashes", parseError).Covering("cfg-pem-header-mangled"),
		pasted(pastedcert.DERBytes, "as raw DER bytes", parseError).Covering("cfg-der-instead-of-pem"),
		pasted(pastedcert.Base64OfPEM, "as the base64 of the whole PEM file", parseError).Covering("cfg-base64-of-pem"),
		pasted(pastedcert.PrivateKey, "as a private key instead of the certificate", parseError).Covering("sig-validation-fail-open-null-cert", "cfg-private-key-pasted"),
		pasted(pastedcert.PublicKey, "as a bare public key instead of the certificate", parseError).Covering("cfg-public-key-not-cert"),
		pasted(pastedcert.MetadataXML, "as the whole IdP metadata XML", parseError).Covering("sig-validation-fail-open-null-cert"),
		Scenario{
			ID: "cert-pasted-chain-ca-first", Title: "Certificate pasted as a chain with an unrelated CA certificate first",
			Category: CatConfiguration, Tags: []string{"area:certificate", "area:signature"}, Refs: []string{refConfig},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertActive, pastedcert.ChainCAFirst)}}, Expect: Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed)),
		}.Covering("cfg-cert-chain-in-one-element"),
		Scenario{
			ID: "cert-one-broken-one-good", Title: "Two certificates pasted, one of them truncated",
			Category: CatConfiguration, Tags: []string{"area:certificate"}, Refs: []string{refGuide, refConfig},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertActive, pastedcert.Truncated), fixtures.Pasted(fixtures.CertActive)}}, Expect: Both(RejectsWith(sp.ReasonCertParse, MsgCertParse)),
		}.Covering("sig-validation-fail-open-null-cert"),
		Scenario{
			ID: "cert-pasted-twice", Title: "The same certificate added twice",
			Category: CatConfiguration, Tags: []string{"area:certificate"}, Refs: []string{refConfig},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertActive), fixtures.Pasted(fixtures.CertActive)}}, Expect: Both(Accepts()),
		},
		Scenario{
			ID: "cert-wrong-certificate-pasted", Title: "A certificate of another key (the IdP's TLS certificate, another app) pasted",
			Category: CatConfiguration, Tags: []string{"area:certificate", "area:signature"}, Refs: []string{refConfig},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertAttacker)}}, Expect: Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed)),
		}.Covering("sig-wrong-idp-cert", "cfg-tls-cert-instead-of-signing-cert"),
		Scenario{
			ID: "cert-rotation-both-pasted-then-activated", Title: "Rotation done right: both certificates pasted, then Okta activates the new one",
			Category: CatConfiguration, Tags: []string{"area:certificate"}, Refs: []string{"Okta: the app's SAML signing certificate", "Identity Platform: SAML provider configuration"},
			IdP: IdPSide{RotateCertificate: true}, SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertActive), fixtures.Pasted(fixtures.CertRotated)}}, Expect: Both(Accepts()),
		}.Covering("cfg-wrong-cert-after-rotation"),
		Scenario{
			ID: "cert-rotation-both-pasted-not-yet-activated", Title: "Both certificates pasted while Okta still signs with the old one",
			Category: CatConfiguration, Tags: []string{"area:certificate"}, Refs: []string{"Okta: the app's SAML signing certificate"},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertRotated), fixtures.Pasted(fixtures.CertActive)}}, Expect: Both(Accepts()),
		}.Covering("cfg-wrong-cert-after-rotation"),
		Scenario{
			ID: "cert-rotation-new-pasted-too-early", Title: "Only the new (still Inactive) Okta certificate pasted before it was activated",
			Category: CatConfiguration, Tags: []string{"area:certificate", "area:signature"}, Refs: []string{"Okta: the app's SAML signing certificate"},
			SP: SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertRotated)}}, Expect: Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed)),
		}.Covering("cfg-wrong-cert-after-rotation"),
		Scenario{
			ID: "idp-entity-id-is-sign-in-url", Title: "Identity Provider Entity Id filled with the Sign-In URL",
			Category: CatConfiguration, Tags: []string{"area:issuer"}, Refs: []string{refGuide},
			SP: SPSide{IdentityProviderEntityID: "{ssoUrl}"}, Expect: Both(RejectsWith(sp.ReasonResponseIssuer, MsgResponseIssuer)),
		}.Covering("cfg-wrong-idp-entityid"),
		Scenario{
			ID: "idp-entity-id-trailing-slash", Title: "Identity Provider Entity Id with a trailing slash",
			Category: CatConfiguration, Tags: []string{"area:issuer"}, Refs: []string{refConfig},
			SP: SPSide{IdentityProviderEntityID: "{idpEntityId}/"}, Expect: Both(RejectsWith(sp.ReasonResponseIssuer, MsgResponseIssuer)),
		}.Covering("cfg-wrong-idp-entityid"),
		Scenario{
			ID: "idp-sign-in-url-wrong", Title: "Identity Provider Sign-In URL pointing at a path Okta does not serve",
			Category: CatConfiguration, Tags: []string{"area:idp"}, Refs: []string{refConfig},
			SP: SPSide{IdentityProviderSignInURL: "{ssoUrl}/wrong"}, Expect: Both(Rejects(ReasonIdPNotFound)),
		}.Covering("cfg-wrong-idp-sso-url"),
		Scenario{
			ID: "audience-uri-trailing-slash", Title: "Audience URI (SP Entity ID) typed with a trailing slash",
			Category: CatConfiguration, Tags: []string{"area:audience", "okta:setting"}, Refs: []string{refGuide, refGIPChecks},
			IdP: Settings("audienceUri", "{spEntityId}/"), Expect: Both(RejectsWith(sp.ReasonAudienceMismatch, MsgAudience)),
		}.Covering("audience-mismatch"),
		Scenario{
			ID: "audience-uri-template-placeholder", Title: "Audience URI left at a placeholder from another app's template",
			Category: CatConfiguration, Tags: []string{"area:audience", "okta:setting"}, Refs: []string{refGIPChecks},
			IdP: Settings("audienceUri", "urn:example:sp"), Expect: Both(RejectsWith(sp.ReasonAudienceMismatch, MsgAudience)),
		}.Covering("audience-mismatch"),
		Scenario{
			ID: "recipient-only-mismatch", Title: "\"Use this for Recipient URL and Destination URL\" cleared, Recipient URL wrong",
			Category: CatConfiguration, Tags: []string{"area:recipient", "okta:setting"}, Refs: []string{refGIPChecks, refHarnessImplications},
			IdP:    Settings("separateRecipientAndDestination", true, "recipientUrl", "{spEntityId}/acs", "destinationUrl", "{redirectUrl}"),
			Expect: Split(Accepts(), Rejects(sp.ReasonRecipientMismatch)),
		}.Covering("recipient-mismatch"),
		Scenario{
			ID: "destination-only-mismatch", Title: "\"Use this for Recipient URL and Destination URL\" cleared, Destination URL wrong",
			Category: CatConfiguration, Tags: []string{"area:destination", "okta:setting"}, Refs: []string{refGIPChecks},
			IdP: Settings("separateRecipientAndDestination", true, "recipientUrl", "{redirectUrl}", "destinationUrl", "{spEntityId}/acs"),
			Expect: Both(RejectsWith(sp.ReasonDestinationMismatch,
				"INVALID_IDP_RESPONSE : SAMLResponse destination {spEntityId}/acs does not match RP callback URL {redirectUrl}.")),
		}.Covering("destination-mismatch", "cfg-wrong-acs-url"),
		Scenario{
			ID: "sso-url-wrong-path", Title: "Single sign-on URL in Okta pointing at a path the workspace does not serve",
			Category: CatConfiguration, Tags: []string{"area:destination", "okta:setting"}, Refs: []string{refConfig},
			IdP: Settings("ssoUrl", "{spEntityId}/saml/acs"), Expect: Both(Rejects(ReasonNotFound)),
		}.Covering("cfg-wrong-acs-url"),
		Scenario{
			ID: "email-domain-unverified", Title: "Okta sends an email on a domain the workspace never verified",
			Category: CatConfiguration, Tags: []string{"area:workspace-policy"}, Refs: []string{refConfig},
			User: "frank", SignInEmail: "frank@acme.test", Expect: Both(Rejects(sp.ReasonDomainNotAllowed)),
		}.Covering("cfg-email-domain-not-allowed"),
		Scenario{
			ID: "sign-in-email-domain-not-configured", Title: "Signing in with an email whose domain has no SSO configuration",
			Category: CatConfiguration, Tags: []string{"area:workspace-policy"}, Refs: []string{"setup guide: Set up Okta SAML SSO"},
			SignInEmail: "alice@unknown.test", Expect: Both(Rejects(sp.ReasonSSONotConfigured)),
		},
		Scenario{
			ID: "allowed-domain-removed", Title: "The workspace's allowed SSO domains no longer include the users' domain",
			Category: CatConfiguration, Tags: []string{"area:workspace-policy"}, Refs: []string{"setup guide: Field mappings"},
			SP: SPSide{Domains: []string{"acme-labs.test"}}, Expect: Both(Rejects(sp.ReasonSSONotConfigured)),
		},
		Scenario{
			ID: "sso-provider-disabled", Title: "The workspace's SAML provider is disabled",
			Category: CatConfiguration, Tags: []string{"area:workspace-policy"}, Refs: []string{refGIPChecks},
			SP: SPSide{Disabled: true}, Expect: Both(Rejects(sp.ReasonProviderDisabled)),
		},
	)
}

func init() {
	add(
		Scenario{
			ID: "cert-okta-expired-never-rotated", Title: "Okta's signing certificate expired a year ago and was never rotated",
			Category: CatConfiguration, Tags: []string{"area:certificate"}, Refs: []string{refGIPChecks},
			IdP: IdPSide{SigningCertificate: fixtures.CertExpired}, Expect: Split(Accepts(), RejectsWith(sp.ReasonCertExpired, MsgSignatureFailed)),
		}.Covering("time-idp-cert-validity-vs-issueinstant", "cfg-idp-cert-expired"),
		Scenario{
			ID: "cert-okta-not-yet-valid", Title: "Okta's signing certificate only becomes valid tomorrow",
			Category: CatConfiguration, Tags: []string{"area:certificate"}, Refs: []string{refConfig},
			IdP: IdPSide{SigningCertificate: fixtures.CertNotYetValid}, Expect: Split(Accepts(), RejectsWith(sp.ReasonCertExpired, MsgSignatureFailed)),
		}.Covering("time-idp-cert-validity-vs-issueinstant", "cfg-idp-cert-not-yet-valid"),
		Scenario{
			ID: "cert-okta-rsa-1024", Title: "Signing certificate with an RSA-1024 key",
			Category: CatConfiguration, Tags: []string{"area:certificate", "attack:downgrade"}, Refs: []string{refSig},
			IdP: IdPSide{SigningCertificate: fixtures.CertWeak1024}, Expect: Split(Accepts(), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed)),
		}.Covering("sig-md5-dsa-weak-rsa"),
	)
}
