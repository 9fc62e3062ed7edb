package scenario

import "github.com/samlharness/samlharness/sp"

// Okta's SAML settings, combination by combination: what the workspace must
// accept, and which combinations break the guide's rule that the NameID is
// the user's email.

const (
	refOktaSettings = "Okta: the app's SAML settings"
	refOktaResponse = "Okta: the SAML Response it sends (POST binding)"
)

func init() {
	accept := func(id, title string, idp IdPSide, user string) Scenario {
		return Scenario{ID: id, Title: title, Category: CatInterop, Tags: []string{"okta:setting"},
			Refs: []string{refOktaSettings, refHarnessImplications}, IdP: idp, User: user, Expect: Both(Accepts())}
	}
	notEmail := func(id, title string, idp IdPSide, user string) Scenario {
		return Scenario{ID: id, Title: title, Category: CatInterop, Tags: []string{"okta:setting", "area:subject", "area:workspace-policy"},
			Refs: []string{refOktaSettings, refGuide}, IdP: idp, User: user, Expect: Both(Rejects(sp.ReasonNameIDNotEmail))}
	}
	add(
		accept("okta-response-signed-assertion-unsigned", "Response Signed, Assertion Signature Unsigned",
			Settings("assertionSignature", "Unsigned"), "").Covering("sig-signed-response-unsigned-assertion"),
		accept("okta-response-unsigned-assertion-signed", "Response Unsigned, Assertion Signature Signed",
			Settings("response", "Unsigned"), "").Covering("sig-unsigned-response-signed-assertion"),
		Scenario{ID: "okta-response-and-assertion-unsigned", Title: "Response and Assertion Signature both Unsigned",
			Category: CatInterop, Tags: []string{"okta:setting", "area:signature"}, Refs: []string{refOktaSettings, refGIPChecks},
			IdP: Settings("response", "Unsigned", "assertionSignature", "Unsigned"), Expect: Both(RejectsWith(sp.ReasonSignatureMissing, MsgSignatureMissing))}.Covering("sig-strip-all", "cfg-signing-mismatch"),
		Scenario{ID: "okta-rsa-sha1-digest-sha1", Title: "Signature Algorithm RSA-SHA1 with Digest Algorithm SHA1 (older Okta apps)",
			Category: CatInterop, Tags: []string{"okta:setting", "area:signature", "attack:downgrade"}, Refs: []string{refOktaSettings},
			IdP:    Settings("signatureAlgorithm", "RSA-SHA1", "digestAlgorithm", "SHA1"),
			Expect: Split(Accepts(), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed))}.Covering("sig-sha1", "cfg-sha1-only-idp"),
		Scenario{ID: "okta-rsa-sha256-digest-sha1", Title: "Signature Algorithm RSA-SHA256 with Digest Algorithm SHA1",
			Category: CatInterop, Tags: []string{"okta:setting", "area:signature", "attack:downgrade"}, Refs: []string{refOktaSettings},
			IdP:    Settings("digestAlgorithm", "SHA1"),
			Expect: Split(Accepts(), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed))}.Covering("sig-sha1"),
		Scenario{ID: "okta-rsa-sha1-digest-sha256", Title: "Signature Algorithm RSA-SHA1 with Digest Algorithm SHA256",
			Category: CatInterop, Tags: []string{"okta:setting", "area:signature", "attack:downgrade"}, Refs: []string{refOktaSettings},
			IdP:    Settings("signatureAlgorithm", "RSA-SHA1"),
			Expect: Split(Accepts(), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed))}.Covering("sig-sha1"),
		Scenario{ID: "okta-rsa-sha1-response-only", Title: "RSA-SHA1 with only the Response signed",
			Category: CatInterop, Tags: []string{"okta:setting", "area:signature", "attack:downgrade"}, Refs: []string{refOktaSettings},
			IdP:    Settings("signatureAlgorithm", "RSA-SHA1", "digestAlgorithm", "SHA1", "assertionSignature", "Unsigned"),
			Expect: Split(Accepts(), RejectsWith(sp.ReasonSignatureAlgorithm, MsgSignatureFailed))}.Covering("sig-sha1"),
		accept("okta-nameid-unspecified-username-email", "Name ID format Unspecified with Application username Email",
			Settings("nameIdFormat", "Unspecified", "applicationUsername", "Email"), "").Covering("nameid-format-unexpected"),
		accept("okta-nameid-unspecified-okta-username-is-email", "Name ID format Unspecified with Okta username, where the Okta username is the email",
			Settings("nameIdFormat", "Unspecified", "applicationUsername", "Okta username"), ""),
		accept("okta-nameid-persistent-email", "Name ID format Persistent carrying the email",
			Settings("nameIdFormat", "Persistent"), "").Covering("nameid-format-unexpected"),
		accept("okta-nameid-transient-email", "Name ID format Transient carrying the email",
			Settings("nameIdFormat", "Transient"), "").Covering("nameid-format-unexpected"),
		accept("okta-nameid-x509-subject-email", "Name ID format x509SubjectName carrying the email",
			Settings("nameIdFormat", "x509SubjectName"), "").Covering("nameid-format-unexpected"),
		accept("okta-username-custom-lowercase-email", "Application username Custom: String.toLowerCase(user.email)",
			Settings("applicationUsername", "Custom", "customUsernameExpression", "String.toLowerCase(user.email)"), ""),
		accept("okta-user-assigned-directly", "A user assigned to the app directly rather than through a group",
			Settings("applicationUsername", "Email"), "carol"),
		notEmail("okta-username-email-prefix", "Application username Email prefix sends the part before @",
			Settings("applicationUsername", "Email prefix"), "").Covering("cfg-nameid-format-mismatch"),
		notEmail("okta-username-okta-username-prefix", "Application username Okta username prefix sends the part before @",
			Settings("applicationUsername", "Okta username prefix"), ""),
		notEmail("okta-username-custom-first-name", "Application username Custom: user.firstName",
			Settings("applicationUsername", "Custom", "customUsernameExpression", "user.firstName"), ""),
		notEmail("okta-nameid-emailaddress-okta-username-not-email", "Name ID format EmailAddress does not make a short Okta username an email",
			Settings("nameIdFormat", "EmailAddress", "applicationUsername", "Okta username"), "carol").Covering("cfg-nameid-format-mismatch"),
		accept("okta-attribute-statements", "Attribute statements for email, first and last name",
			IdPSide{Settings: map[string]any{"attributeStatements": []map[string]string{
				{"name": "email", "nameFormat": "Unspecified", "value": "user.email"},
				{"name": "firstName", "nameFormat": "Basic", "value": "user.firstName"},
				{"name": "lastName", "nameFormat": "URI Reference", "value": "user.lastName"},
			}}}, "").Covering("cfg-attribute-name-mapping"),
		accept("okta-group-attribute-statement", "A group attribute statement (groups starting with Eng)",
			IdPSide{Settings: map[string]any{"groupAttributeStatements": []map[string]string{
				{"name": "groups", "filter": "Starts with", "filterValue": "Eng"},
			}}}, ""),
		accept("okta-authn-context-x509", "Authentication context class X.509 Certificate",
			Settings("authnContextClassRef", "X.509 Certificate"), ""),
		accept("okta-default-relaystate-set", "A Default RelayState set in Okta does not disturb SP-initiated sign-in",
			Settings("defaultRelayState", "/app/projects"), ""),
		Scenario{ID: "okta-saml-issuer-id-changed", Title: "SAML Issuer ID changed in Okta but not in the workspace",
			Category: CatInterop, Tags: []string{"okta:setting", "area:issuer"}, Refs: []string{refOktaSettings, refGIPChecks},
			IdP: Settings("samlIssuerId", "http://www.okta.com/exkCustomIssuer000001"), Expect: Both(RejectsWith(sp.ReasonResponseIssuer, MsgResponseIssuer))}.Covering("issuer-response-mismatch"),
	)
}
