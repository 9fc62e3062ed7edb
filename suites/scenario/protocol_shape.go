package scenario

import "github.com/samlharness/samlharness/sp"

// Protocol checks beyond the basic set: missing or extra elements and
// attributes the Web Browser SSO profile speaks about (Status, IDs,
// statements, confirmations, qualifiers), and the time attributes Okta
// writes that are removed, added or moved. Every change is made before
// signing: the signature is valid, the content is not.

func init() {
	p := func(id, title, area string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatProtocol, Tags: []string{area},
			Refs: []string{refProfiles, refStatus}, IdP: IdPSide{Faults: f}, Expect: e}
	}
	scd := "Response/Assertion/Subject/SubjectConfirmation/SubjectConfirmationData"
	structure := Both(Rejects(sp.ReasonStructure))
	ok := Both(Accepts())
	add(
		// Structure.
		p("status-removed", "A Response without Status", "area:status", structure, F("remove-status")).Covering("status-missing"),
		p("status-error-with-assertion", "StatusCode Responder on a Response that still carries its Assertion", "area:status",
			Both(RejectsWith(sp.ReasonStatusNotSuccess, MsgStatusPrefix+"urn:oasis:names:tc:SAML:2.0:status:Responder")),
			F("set-status", "code", "urn:oasis:names:tc:SAML:2.0:status:Responder")).Covering("status-error-with-assertion", "status-not-success"),
		p("assertion-id-removed", "An Assertion without ID (its signature then references the whole document)", "area:structure",
			structure, F("remove-id", "which", "assertion")).Covering("assertion-id-missing"),
		p("response-id-removed", "A Response without ID", "area:structure",
			structure, F("remove-id", "which", "response")).Covering("assertion-id-missing"),
		p("authn-statement-removed", "An Assertion without AuthnStatement", "area:structure",
			Split(Accepts(), Rejects(sp.ReasonStructure)), F("remove-authn-statement")).Covering("authnstatement-missing"),
		p("attribute-statement-empty", "An AttributeStatement without any Attribute", "area:structure",
			Split(Accepts(), Rejects(sp.ReasonStructure)), F("empty-attribute-statement")).Covering("attributestatement-empty", "schema-invalid-crash"),
		p("attribute-email-twice", "Two email Attributes with different values (identity comes from the NameID)", "area:subject", ok,
			F("add-attribute", "name", "email", "value", "alice@acme.test"), F("add-attribute", "name", "email", "value", "admin@acme.test")).
			Covering("attributes-duplicate", "attribute-smuggling"),
		p("audience-element-duplicated", "The Audience element written twice in its restriction", "area:audience", ok,
			F("duplicate-element", "path", "Response/Assertion/Conditions/AudienceRestriction/Audience")).Covering("audience-or-within-restriction"),
		p("audience-restrictions-all-removed", "Every AudienceRestriction removed", "area:audience",
			Split(Accepts(), Rejects(sp.ReasonAudienceMismatch)), F("remove-audience-restriction")).Covering("audience-missing"),
		p("audience-text-other-sp", "The Audience text set to another SP before signing", "area:audience",
			Both(RejectsWith(sp.ReasonAudienceMismatch, MsgAudience)),
			F("set-text", "path", "Response/Assertion/Conditions/AudienceRestriction/Audience", "value", "https://other-sp.example")).Covering("audience-mismatch"),
		p("issuer-assertion-removed", "The Assertion's Issuer removed", "area:issuer",
			Split(Rejects(sp.ReasonIssuerMismatch).Because(Assumed, "follows the recorded Assertion-Issuer check; Identity Platform's answer for a missing Issuer is unobserved"), Rejects(sp.ReasonStructure)),
			F("remove-issuer", "which", "assertion")).Covering("issuer-missing"),

		// Subject and confirmation.
		p("subject-confirmation-data-removed", "Bearer SubjectConfirmation without SubjectConfirmationData", "area:subject",
			Split(RejectsWith(sp.ReasonInResponseToMissing, MsgInResponseToGone), Rejects(sp.ReasonSubjectConfirmation)),
			F("remove-subject-confirmation-data")).Covering("subjectconfirmationdata-missing"),
		p("subject-confirmation-extra-failing-first", "A sender-vouches confirmation for another ACS before the good bearer one", "area:subject", ok,
			F("add-subject-confirmation", "method", "sender-vouches", "recipient", "https://other-sp.example/__/auth/handler")).
			Covering("subjectconfirmation-multiple"),
		p("scd-address-other-client", "SubjectConfirmationData Address of another client (ignored behind proxies)", "area:subject", ok,
			F("set-attr", "path", scd, "attr", "Address", "value", "203.0.113.9")).Covering("scd-address-mismatch"),
		p("nameid-sp-name-qualifier-other-sp", "NameID SPNameQualifier naming another SP", "area:subject", ok,
			F("set-attr", "path", "Response/Assertion/Subject/NameID", "attr", "SPNameQualifier", "value", "https://other-sp.example")).
			Covering("nameid-spnamequalifier-wrong"),
		p("authn-context-password", "AuthnContextClassRef Password (the workspace asks for no minimum)", "area:subject", ok,
			F("set-authn-context", "class", "Password")).Covering("authncontext-downgrade"),

		// Destination and the ACS.
		p("destination-missing-unsigned-response", "No Destination on an unsigned Response (signed Assertion)", "area:destination", ok,
			F("unsigned", "what", "response"), F("set-destination", "remove", "true")).Covering("destination-missing-unsigned"),
		p("destination-trailing-slash", "Destination is the Redirect URL with a trailing slash", "area:destination",
			Both(RejectsWith(sp.ReasonDestinationMismatch, "INVALID_IDP_RESPONSE : SAMLResponse destination {redirectUrl}/ does not match RP callback URL {redirectUrl}.")),
			F("set-destination", "value", "{redirectUrl}/")).Covering("destination-normalisation"),
		p("destination-and-recipient-other-acs-same-sp", "Destination and Recipient agree on another ACS URL of the same SP, posted to this one", "area:destination",
			Both(RejectsWith(sp.ReasonDestinationMismatch, "INVALID_IDP_RESPONSE : SAMLResponse destination {sp}/sso/other-workspace/acs does not match RP callback URL {redirectUrl}.")),
			F("set-destination", "value", "{sp}/sso/other-workspace/acs"), F("set-recipient", "value", "{sp}/sso/other-workspace/acs")).Covering("cfg-wrong-acs-url", "destination-mismatch", "cfg-acs-url-behind-proxy"),

		// Time attributes.
		p("time-conditions-not-on-or-after-removed", "Conditions without NotOnOrAfter (the confirmation still expires)", "area:time", ok,
			F("remove-time", "attr", "NotOnOrAfter")).Covering("time-conditions-missing-notonorafter"),
		p("time-scd-not-on-or-after-removed", "Bearer SubjectConfirmationData without NotOnOrAfter", "area:time",
			Split(Accepts(), Rejects(sp.ReasonSubjectConfirmation)), F("remove-time", "attr", "SCDNotOnOrAfter")).Covering("time-scd-missing-notonorafter"),
		p("time-scd-not-before-present", "Bearer SubjectConfirmationData carrying NotBefore", "area:time",
			Split(Accepts(), Rejects(sp.ReasonSubjectConfirmation)), F("shift-time", "attr", "SCDNotBefore", "offset", "-1m")).Covering("time-scd-notbefore-present"),
		p("time-issue-instant-future", "Response and Assertion IssueInstant ten minutes in the future", "area:time",
			Split(Accepts().Because(Assumed, "Identity Platform's use of IssueInstant is unobserved; its recorded time checks are the Conditions and confirmation windows"),
				Rejects(sp.ReasonNotYetValid).Because(Policy, "strict profile: a message issued in the future by more than the allowed skew is not yet valid")),
			F("shift-time", "attr", "IssueInstant", "offset", "10m")).Covering("time-response-issueinstant-future"),
		p("time-session-not-on-or-after-past", "AuthnStatement SessionNotOnOrAfter already past", "area:time",
			Split(Accepts().Because(Assumed, "Identity Platform issues its own session; its use of SessionNotOnOrAfter is unobserved"),
				Rejects(sp.ReasonExpired).Because(Specified, "saml-core §2.7.2: SessionNotOnOrAfter bounds any session derived from the assertion, so none can start after it")),
			F("shift-time", "attr", "SessionNotOnOrAfter", "offset", "-1m")).Covering("time-session-not-on-or-after"),
	)
}
