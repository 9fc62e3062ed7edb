package scenario

import "github.com/samlharness/samlharness/sp"

// Protocol checks of the Web Browser SSO profile (attack catalogue §6,
// saml-profiles §4.1.4): time windows with exact boundaries and skew,
// audience, destination, recipient, issuer, request correlation, status,
// version, subject and conditions. Every change here is made before signing:
// the signature is valid, the content is not.

const (
	refTime     = "saml-core §2.5.1.2"
	refAudience = "saml-core §2.5.1.4"
	refCorr     = "saml-profiles §4.1.4.3"
	refStatus   = "saml-core §3.2.2"
	refProfiles = "saml-profiles §4.1.4.2"
)

func init() {
	proto := func(id, title, area, ref string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatProtocol, Tags: []string{area},
			Refs: []string{ref, refProfiles, refGIPChecks}, IdP: IdPSide{Faults: f}, Expect: e}
	}
	notYet := Both(Rejects(sp.ReasonNotYetValid))
	expired := Both(Rejects(sp.ReasonExpired))
	ok := Both(Accepts())
	shift := func(attr, offset string) faultT { return F("shift-time", "attr", attr, "offset", offset) }
	add(
		// Time: the SP's clock is the IdP's clock unless a fault shifts it;
		// NotBefore is inclusive, NotOnOrAfter exclusive, no skew allowance.
		proto("time-not-before-1ms-ahead", "Conditions NotBefore 1 ms in the future", "area:time", refTime, notYet, shift("NotBefore", "1ms")).Covering("time-conditions-not-yet-valid"),
		proto("time-not-before-now", "Conditions NotBefore exactly now (inclusive bound)", "area:time", refTime, ok, shift("NotBefore", "0s")).Covering("time-skew-boundary"),
		proto("time-not-before-1m-ahead", "Conditions NotBefore one minute in the future", "area:time", refTime, notYet, shift("NotBefore", "1m")).Covering("time-conditions-not-yet-valid"),
		proto("time-not-on-or-after-now", "Conditions NotOnOrAfter exactly now (exclusive bound)", "area:time", refTime, expired, shift("NotOnOrAfter", "0s")).Covering("time-conditions-expired"),
		proto("time-not-on-or-after-1ms-left", "Conditions NotOnOrAfter 1 ms from now", "area:time", refTime, ok, shift("NotOnOrAfter", "1ms")).Covering("time-skew-boundary"),
		proto("time-not-on-or-after-past", "Conditions NotOnOrAfter one second ago", "area:time", refTime, expired, shift("NotOnOrAfter", "-1s")).Covering("time-conditions-expired"),
		proto("time-scd-not-on-or-after-past", "SubjectConfirmationData NotOnOrAfter one second ago", "area:time", refTime, expired, shift("SCDNotOnOrAfter", "-1s")).Covering("time-scd-notonorafter-expired"),
		proto("time-scd-not-on-or-after-now", "SubjectConfirmationData NotOnOrAfter exactly now", "area:time", refTime, expired, shift("SCDNotOnOrAfter", "0s")).Covering("time-scd-notonorafter-expired"),
		proto("time-response-issued-10m-ago", "A response issued ten minutes ago (all times shifted)", "area:time", refTime, expired, shift("all", "-10m")).Covering("time-response-issueinstant-stale"),
		proto("time-idp-clock-ahead-2m", "IdP clock two minutes ahead (within Okta's ±5 min window)", "area:time", refTime, ok, shift("all", "2m")).Covering("time-skew-boundary"),
		proto("time-idp-clock-ahead-6m", "IdP clock six minutes ahead: NotBefore in the future", "area:time", refTime, notYet, shift("all", "6m")).Covering("time-conditions-not-yet-valid", "cfg-clock-drift"),
		proto("time-idp-clock-behind-4m", "IdP clock four minutes behind (within the window)", "area:time", refTime, ok, shift("all", "-4m")).Covering("time-skew-boundary"),
		proto("time-idp-clock-behind-6m", "IdP clock six minutes behind: already expired", "area:time", refTime, expired, shift("all", "-6m")).Covering("time-conditions-expired", "cfg-clock-drift"),
		proto("time-no-milliseconds", "Timestamps without milliseconds", "area:time", refTime, ok, F("reformat-time", "attr", "all", "layout", "no-millis")).Covering("time-bad-format"),
		proto("time-utc-offset-notation", "Timestamps written with a +00:00 offset instead of Z", "area:time", refTime, ok, F("reformat-time", "attr", "all", "layout", "offset-zero")).Covering("time-bad-format"),
		proto("time-not-before-garbage", "Conditions NotBefore that is not a time", "area:time", refTime, Both(Rejects(sp.ReasonResponseMalformed)), F("set-time", "attr", "NotBefore", "value", "not-a-time")).Covering("time-bad-format"),
		proto("time-conditions-removed", "No Conditions at all (no audience, no window)", "area:time", refTime,
			Split(Accepts(), Rejects(sp.ReasonAudienceMismatch)), F("remove-conditions")).Covering("conditions-missing", "nil-deref-fuzz"),

		// Audience.
		proto("audience-extra-restriction", "A second AudienceRestriction for another SP", "area:audience", refAudience,
			Both(RejectsWith(sp.ReasonAudienceMismatch, MsgAudience)), F("add-audience-restriction", "value", "https://other-sp.example")).Covering("audience-multiple-restrictions-and"),
		proto("audience-two-values-one-restriction", "One AudienceRestriction listing another SP and this one", "area:audience", refAudience, ok,
			F("add-audience", "value", "https://other-sp.example", "position", "first")).Covering("audience-or-within-restriction"),
		proto("audience-missing", "AudienceRestriction removed", "area:audience", refAudience,
			Split(Accepts(), Rejects(sp.ReasonAudienceMismatch)), F("remove-element", "path", "Response/Assertion/Conditions/AudienceRestriction")).Covering("audience-missing"),
		proto("audience-query-appended", "Audience with a query string appended", "area:audience", refAudience,
			Both(RejectsWith(sp.ReasonAudienceMismatch, MsgAudience)), F("set-audience", "value", "{spEntityId}?tenant=acme")).Covering("audience-mismatch"),

		// Destination and Recipient.
		proto("destination-other-sp", "Destination of another SP", "area:destination", refAudience,
			Both(RejectsWith(sp.ReasonDestinationMismatch, "INVALID_IDP_RESPONSE : SAMLResponse destination https://other-sp.example/__/auth/handler does not match RP callback URL {redirectUrl}.")),
			F("set-destination", "value", "https://other-sp.example/__/auth/handler")).Covering("destination-mismatch"),
		proto("destination-missing", "Destination removed from a signed Response", "area:destination", refAudience,
			Split(Accepts(), Rejects(sp.ReasonDestinationMismatch)), F("set-destination", "remove", "true")).Covering("destination-missing-signed"),
		proto("recipient-other-sp", "SubjectConfirmationData Recipient of another SP", "area:recipient", refAudience,
			Split(Accepts(), Rejects(sp.ReasonRecipientMismatch)), F("set-recipient", "value", "https://other-sp.example/__/auth/handler")).Covering("recipient-mismatch"),
		proto("recipient-missing", "SubjectConfirmationData Recipient removed", "area:recipient", refAudience,
			Split(Accepts(), Rejects(sp.ReasonRecipientMismatch)), F("remove-attr", "path", "Response/Assertion/Subject/SubjectConfirmation/SubjectConfirmationData", "attr", "Recipient")).Covering("recipient-missing"),

		// Issuer.
		proto("issuer-response-other-idp", "Response Issuer of another IdP", "area:issuer", refAudience,
			Both(RejectsWith(sp.ReasonResponseIssuer, MsgResponseIssuer)), F("set-issuer", "which", "response", "value", "http://www.okta.com/exkAttacker000000000")).Covering("issuer-response-mismatch"),
		proto("issuer-assertion-other-idp", "Assertion Issuer of another IdP", "area:issuer", refAudience,
			Both(RejectsWith(sp.ReasonIssuerMismatch, "INVALID_IDP_RESPONSE : Assertion has Issuer http://www.okta.com/exkAttacker000000000 which is different from expected Issuer {idpEntityId}.")),
			F("set-issuer", "which", "assertion", "value", "http://www.okta.com/exkAttacker000000000")).Covering("issuer-assertion-mismatch"),
		proto("issuer-response-missing", "Response Issuer removed from a signed Response", "area:issuer", refAudience,
			Split(Accepts(), Rejects(sp.ReasonResponseIssuer)), F("remove-element", "path", "Response/Issuer")).Covering("issuer-missing"),
		proto("issuer-assertion-format-unspecified", "Assertion Issuer with Format unspecified instead of entity", "area:issuer", refAudience,
			Split(Accepts(), Rejects(sp.ReasonIssuerMismatch)), F("set-issuer", "which", "assertion", "format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")).Covering("issuer-format-not-entity"),

		// Request correlation.
		proto("in-response-to-missing-on-response", "InResponseTo removed from the Response", "area:in-response-to", refCorr,
			Both(RejectsWith(sp.ReasonInResponseToMissing, MsgInResponseToGone)), F("remove-in-response-to", "where", "response")).Covering("inresponseto-missing-sp-initiated"),
		proto("in-response-to-missing-on-scd", "InResponseTo removed from SubjectConfirmationData", "area:in-response-to", refCorr,
			Both(RejectsWith(sp.ReasonInResponseToMissing, MsgInResponseToGone)), F("remove-in-response-to", "where", "scd")).Covering("inresponseto-missing-sp-initiated"),
		proto("in-response-to-missing-both", "InResponseTo removed everywhere", "area:in-response-to", refCorr,
			Both(RejectsWith(sp.ReasonInResponseToMissing, MsgInResponseToGone)), F("remove-in-response-to", "where", "both")).Covering("inresponseto-missing-sp-initiated"),
		proto("in-response-to-foreign", "InResponseTo of another request, on both", "area:in-response-to", refCorr,
			Both(RejectsWith(sp.ReasonInResponseToMismatch, MsgInResponseToWrong)), F("set-in-response-to", "where", "both", "value", "_0123456789abcdef0123456789abcdef")).Covering("inresponseto-mismatch"),
		proto("in-response-to-scd-disagrees", "SubjectConfirmationData InResponseTo of another request", "area:in-response-to", refCorr,
			Both(RejectsWith(sp.ReasonInResponseToMismatch, MsgInResponseToWrong)), F("set-in-response-to", "where", "scd", "value", "_0123456789abcdef0123456789abcdef")).Covering("inresponseto-response-vs-assertion"),

		// Status and version.
		proto("status-responder", "StatusCode Responder", "area:status", refStatus,
			Both(RejectsWith(sp.ReasonStatusNotSuccess, MsgStatusPrefix+"urn:oasis:names:tc:SAML:2.0:status:Responder")), F("set-status", "code", "urn:oasis:names:tc:SAML:2.0:status:Responder")).Covering("status-not-success"),
		proto("status-requester-request-denied", "StatusCode Requester with RequestDenied", "area:status", refStatus,
			Both(RejectsWith(sp.ReasonStatusNotSuccess, MsgStatusPrefix+"urn:oasis:names:tc:SAML:2.0:status:Requester")),
			F("set-status", "code", "urn:oasis:names:tc:SAML:2.0:status:Requester", "subcode", "urn:oasis:names:tc:SAML:2.0:status:RequestDenied")).Covering("status-not-success", "status-double-code"),
		proto("status-authn-failed", "StatusCode Responder with AuthnFailed and a message", "area:status", refStatus,
			Both(RejectsWith(sp.ReasonStatusNotSuccess, MsgStatusPrefix+"urn:oasis:names:tc:SAML:2.0:status:Responder")),
			F("set-status", "code", "urn:oasis:names:tc:SAML:2.0:status:Responder", "subcode", "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "message", "User cancelled")).Covering("status-not-success", "status-double-code"),
		proto("version-1-1", "Response Version 1.1", "area:structure", refStatus, Both(Rejects(sp.ReasonVersionInvalid)), F("set-version", "value", "1.1")).Covering("version-not-2-0"),

		// Assertion count and subject.
		proto("assertion-missing", "A Success Response without an Assertion", "area:structure", refStatus, Both(Rejects(sp.ReasonAssertionMissing)), F("remove-assertion")).Covering("status-success-no-assertion", "nil-deref-fuzz"),
		proto("assertion-duplicated", "Two identical signed Assertions", "area:structure", refStatus, Both(Rejects(sp.ReasonStructure)), F("duplicate-assertion")).Covering("go-xml-last-element-wins", "assertions-multiple"),
		proto("nameid-missing", "NameID removed", "area:subject", refStatus, Both(Rejects(sp.ReasonNameIDMissing)), F("remove-nameid")).Covering("nameid-missing", "nil-deref-fuzz"),
		proto("nameid-empty", "NameID empty", "area:subject", refStatus, Both(Rejects(sp.ReasonNameIDMissing)), F("empty-nameid")).Covering("nameid-empty"),
		proto("subject-missing", "Subject removed", "area:subject", refStatus, Both(Rejects(sp.ReasonNameIDMissing)), F("remove-subject")).Covering("subject-missing", "nil-deref-fuzz"),
		proto("nameid-email-format-not-email", "NameID Format emailAddress with a value that is not an email (Okta does not check)", "area:subject", refStatus,
			Both(Rejects(sp.ReasonNameIDNotEmail)), F("set-nameid", "value", "123456789")),
		proto("subject-confirmation-missing", "SubjectConfirmation removed", "area:subject", refStatus,
			Split(RejectsWith(sp.ReasonInResponseToMissing, MsgInResponseToGone), Rejects(sp.ReasonSubjectConfirmation)), F("remove-subject-confirmation")).Covering("subjectconfirmation-missing"),
		proto("subject-confirmation-holder-of-key", "SubjectConfirmation Method holder-of-key instead of bearer", "area:subject", refStatus,
			Split(Accepts(), Rejects(sp.ReasonSubjectConfirmation)), F("set-subject-confirmation-method", "method", "holder-of-key")).Covering("subjectconfirmation-method-not-bearer"),

		// Conditions.
		proto("condition-one-time-use", "OneTimeUse condition (the replay cache honours it)", "area:structure", refStatus, ok,
			F("add-condition", "kind", "one-time-use")).Covering("replay-onetimeuse"),
		proto("condition-unknown", "An unknown Condition element", "area:structure", refStatus, Split(Accepts(), Rejects(sp.ReasonConditionUnsupported)),
			F("add-condition", "kind", "unknown")).Covering("condition-unknown"),
		proto("attribute-email-differs-from-nameid", "An email attribute that differs from the NameID (identity comes from NameID)", "area:subject", refStatus, ok,
			F("add-attribute", "name", "email", "value", "admin@acme.test")).Covering("attribute-smuggling", "cfg-attribute-name-mapping"),
	)
}
