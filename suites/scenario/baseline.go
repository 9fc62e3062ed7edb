package scenario

import "github.com/samlharness/samlharness/sp"

// The baseline: a valid login as the setup guide configures it, and each
// failure the guide's Troubleshooting section (and the reference notes'
// "harness implications" table) describes.

const (
	refGuide               = "elevenlabs-okta-saml-sso.md#troubleshooting"
	refGIPChecks           = "okta-and-identity-platform.md#2.3"
	refHarnessImplications = "okta-and-identity-platform.md#4"
)

func init() {
	add(
		Scenario{
			ID:       "valid-login-guide-settings",
			Title:    "Okta app configured exactly as the setup guide says signs the user in",
			Category: CatInterop,
			Tags:     []string{"baseline", "okta:setting"},
			Refs:     []string{"elevenlabs-okta-saml-sso.md#set-up-okta-saml-sso", refHarnessImplications},
			Expect:   Both(Accepts()),
		},
		Scenario{
			ID:       "cert-pasted-broken-llm-reformatted",
			Title:    "Certificate re-wrapped by an LLM (fence, 64-column lines, one character changed) is refused with the certificate parse error",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:certificate"},
			Refs:     []string{refGuide, refGIPChecks},
			SP:       SPSide{Certificates: []string{"active:llm-rewrapped"}},
			Expect:   Both(RejectsWith(sp.ReasonCertParse, MsgCertParse)),
		}.Covering("cfg-pem-header-mangled"),
		Scenario{
			ID:       "cert-stale-after-okta-rotation",
			Title:    "Okta generated and activated a new signing certificate; the workspace still holds the old one",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:certificate", "area:signature"},
			Refs:     []string{"okta-and-identity-platform.md#1.3", refHarnessImplications},
			IdP:      IdPSide{RotateCertificate: true},
			Expect:   Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed)),
		}.Covering("cfg-wrong-cert-after-rotation"),
		Scenario{
			ID:       "nameid-unspecified-okta-username",
			Title:    "Name ID format Unspecified with Application username = Okta username sends a NameID that is not an email",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:subject", "area:workspace-policy", "okta:setting"},
			Refs:     []string{refGuide, "okta-and-identity-platform.md#3"},
			User:     "carol",
			IdP: IdPSide{Settings: map[string]any{
				"nameIdFormat":        "Unspecified",
				"applicationUsername": "Okta username",
			}},
			Expect: Both(RejectsWith(sp.ReasonNameIDNotEmail, `Unable to login with {providerId} : the SAML NameID "carol" is not an email address.`)),
		}.Covering("cfg-nameid-format-mismatch"),
		Scenario{
			ID:       "idp-entity-id-wrong",
			Title:    "Identity Provider Entity Id in the workspace is not Okta's issuer",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:issuer"},
			Refs:     []string{refGuide, refGIPChecks},
			SP:       SPSide{IdentityProviderEntityID: "http://www.okta.com/exk0000000000000000"},
			Expect:   Both(RejectsWith(sp.ReasonResponseIssuer, MsgResponseIssuer)),
		}.Covering("cfg-wrong-idp-entityid"),
		Scenario{
			ID:       "audience-uri-wrong",
			Title:    "Audience URI (SP Entity ID) in Okta is the Redirect URL instead of the Service Provider Entity Id",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:audience", "okta:setting"},
			Refs:     []string{refGuide, refGIPChecks},
			IdP:      IdPSide{Settings: map[string]any{"audienceUri": "{redirectUrl}"}},
			Expect:   Both(RejectsWith(sp.ReasonAudienceMismatch, MsgAudience)),
		}.Covering("audience-mismatch", "cfg-wrong-sp-entityid"),
		Scenario{
			ID:          "email-domain-not-allowed",
			Title:       "Okta sends an email on a verified domain that is not an allowed SSO domain",
			Category:    CatConfiguration,
			Tags:        []string{"baseline", "guide:troubleshooting", "area:workspace-policy"},
			Refs:        []string{"elevenlabs-okta-saml-sso.md#field-mappings"},
			User:        "erin",
			SignInEmail: "erin@acme.test",
			Expect:      Both(RejectsWith(sp.ReasonDomainNotAllowed, "Unable to login with {providerId} : the email domain acme-labs.test is not an allowed domain of this workspace.")),
		}.Covering("cfg-email-domain-not-allowed"),
		Scenario{
			ID:       "user-not-assigned",
			Title:    "A user who is not assigned to the Okta app gets Okta's 403 App Not Assigned page",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "area:idp"},
			Refs:     []string{"okta-and-identity-platform.md#1.6", refHarnessImplications},
			User:     "bob",
			Expect:   Both(RejectsWith(ReasonIdPAppNotAssigned, "403 App Not Assigned")),
		},
	)
}
