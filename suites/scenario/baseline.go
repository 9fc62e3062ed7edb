package scenario

import (
	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/sp"
)

// The baseline: a valid login as the setup guide configures it, and each
// failure the guide's Troubleshooting section (and the reference notes'
// "harness implications" table) describes.

const (
	refGuide               = "setup guide: Troubleshooting"
	refGIPChecks           = "sp/REASONS.md"
	refHarnessImplications = "sp/REASONS.md"
)

func init() {
	add(
		Scenario{
			ID:       "valid-login-guide-settings",
			Title:    "Okta app configured exactly as the setup guide says signs the user in",
			Category: CatInterop,
			Tags:     []string{"baseline", "okta:setting"},
			Refs:     []string{"setup guide: Set up Okta SAML SSO", refHarnessImplications},
			Expect:   Both(Accepts()),
		},
		Scenario{
			ID:       "cert-pasted-broken-llm-reformatted",
			Title:    "Certificate re-wrapped by an LLM (fence, 64-column lines, one character changed) is refused with the certificate parse error",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:certificate"},
			Refs:     []string{refGuide, refGIPChecks},
			SP:       SPSide{Certificates: []fixtures.CertRef{fixtures.Pasted(fixtures.CertActive, pastedcert.LLMRewrapped)}},
			Expect:   Both(RejectsWith(sp.ReasonCertParse, MsgCertParse)),
		}.Covering("cfg-pem-header-mangled"),
		Scenario{
			ID:       "cert-stale-after-okta-rotation",
			Title:    "Okta generated and activated a new signing certificate; the workspace still holds the old one",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:certificate", "area:signature"},
			Refs:     []string{"Okta: the app's SAML signing certificate", refHarnessImplications},
			IdP:      IdPSide{RotateCertificate: true},
			Expect:   Both(RejectsWith(sp.ReasonSignatureUntrustedKey, MsgSignatureFailed)),
		}.Covering("cfg-wrong-cert-after-rotation"),
		Scenario{
			ID:       "nameid-unspecified-okta-username",
			Title:    "Name ID format Unspecified with Application username = Okta username sends a NameID that is not an email",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "guide:troubleshooting", "area:subject", "area:workspace-policy", "okta:setting"},
			Refs:     []string{refGuide, "ElevenLabs: workspace SSO docs"},
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
			Refs:        []string{"setup guide: Field mappings"},
			User:        "erin",
			SignInEmail: "erin@acme.test",
			Expect:      Both(RejectsWith(sp.ReasonDomainNotAllowed, "Unable to login with {providerId} : the email domain acme-labs.test is not an allowed domain of this workspace.")),
		}.Covering("cfg-email-domain-not-allowed"),
		Scenario{
			ID:       "user-not-assigned",
			Title:    "A user who is not assigned to the Okta app gets Okta's 403 App Not Assigned page",
			Category: CatConfiguration,
			Tags:     []string{"baseline", "area:idp"},
			Refs:     []string{"Okta: its end-user error pages", refHarnessImplications},
			User:     "bob",
			Expect:   Both(RejectsWith(ReasonIdPAppNotAssigned, "403 App Not Assigned")),
		},
	)
}
