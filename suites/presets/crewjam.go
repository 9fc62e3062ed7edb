package presets

import "github.com/samlharness/samlharness/sp"

// crewjam/saml returns *saml.InvalidResponseError from ParseResponse, whose
// Error() is always "Authentication failed"; the reason is in PrivateErr
// (samlsp passes the error to Middleware.OnError). An integrator shows or
// logs PrivateErr's text; these rules read it.

const (
	srcCrewjamSP  = "github.com/crewjam/saml@v0.6.3 service_provider.go"
	srcCrewjamRT  = "github.com/crewjam/saml@v0.6.3 internal/xmlroundtrip/validate.go"
	srcCrewjamSig = "github.com/crewjam/saml@v0.6.3 signature_reference.go"
)

var crewjamRules = []Rule{
	// Replay: samlsp's ReplayCache (saml.ErrAssertionReplayed), wrapped as
	// `assertion "ID": assertion has already been used`.
	{`assertion has already been used`, sp.ReasonReplay,
		`assertion "id123": assertion has already been used`, srcCrewjamSP + " consumeAssertion (saml.ErrAssertionReplayed)"},
	// No request of this browser is pending at all (samlsp found no tracked
	// request): an unsolicited response, or the tracking cookie is gone.
	{`does not match any of the possible request IDs \(expected \[\]\)`, sp.ReasonMissingInitialState,
		"`InResponseTo` does not match any of the possible request IDs (expected [])", srcCrewjamSP + " validateRequestID"},
	{`Destination. does not match requested URL or AcsURL`, sp.ReasonDestinationMismatch,
		"`Destination` does not match requested URL or AcsURL (destination \"https://other.example/acs\", requested \"/saml/acs\", acs \"http://127.0.0.1:7790/saml/acs\")", srcCrewjamSP + " parseReceivedResponse"},
	{`response Issuer does not match the IDP metadata`, sp.ReasonResponseIssuer,
		`response Issuer does not match the IDP metadata (expected "http://www.okta.com/exk1")`, srcCrewjamSP + " parseReceivedResponse"},
	{`\bissuer is not \S`, sp.ReasonIssuerMismatch,
		`issuer is not "http://www.okta.com/exk1"`, srcCrewjamSP + " validateAssertion"},
	{`\b(?:response|assertion) Version \S* is not 2\.0`, sp.ReasonVersionInvalid,
		`response Version "1.1" is not 2.0`, srcCrewjamSP + " checkVersion"},
	// saml.ErrBadStatus renders the top-level StatusCode alone.
	{`urn:oasis:names:tc:SAML:2\.0:status:(?:Requester|Responder|VersionMismatch)\b`, sp.ReasonStatusNotSuccess,
		"urn:oasis:names:tc:SAML:2.0:status:Responder", srcCrewjamSP + " parseReceivedResponse (saml.ErrBadStatus)"},
	{`an unsigned Response must contain exactly one Assertion or EncryptedAssertion`, sp.ReasonStructure,
		"an unsigned Response must contain exactly one Assertion or EncryptedAssertion, not 2", srcCrewjamSP + " parseReceivedResponse"},
	{`expected at least one valid Assertion, none found`, sp.ReasonAssertionMissing,
		"expected at least one valid Assertion, none found", srcCrewjamSP + " parseReceivedResponse"},
	{`RequireSignedResponseForCBC refuses to decrypt`, sp.ReasonEncryptedAssertion,
		"the Response is not signed, and RequireSignedResponseForCBC refuses to decrypt an EncryptedAssertion encrypted with http://www.w3.org/2001/04/xmlenc#aes128-cbc", srcCrewjamSP + " checkCBCIntegrity"},
	{`failed to decrypt EncryptedAssertion`, sp.ReasonEncryptedAssertion,
		"failed to decrypt EncryptedAssertion: failed to decrypt key from response: certificate does not match provided key", srcCrewjamSP + " parseEncryptedAssertion"},
	// Time: IssueInstant older than MaxIssueDelay or in the future,
	// Conditions and SubjectConfirmationData bounds (with MaxClockSkew).
	{`IssueInstant expired at `, sp.ReasonExpired,
		"response IssueInstant expired at 2026-01-15 09:25:30 +0000 UTC", srcCrewjamSP + " checkIssueInstant"},
	{`\bexpired on \d{4}-\d\d-\d\d`, sp.ReasonExpired,
		"expired on 2026-01-15 09:25:30 +0000 UTC", srcCrewjamSP + " validateAssertion (IssueInstant + MaxIssueDelay)"},
	{`IssueInstant .{1,80}? is in the future`, sp.ReasonNotYetValid,
		"response IssueInstant 2026-01-15 09:36:00 +0000 UTC is in the future", srcCrewjamSP + " checkIssueInstant, validateAssertion"},
	{`assertion Conditions is not yet valid`, sp.ReasonNotYetValid,
		"assertion Conditions is not yet valid", srcCrewjamSP + " validateAssertion"},
	{`assertion Conditions is expired`, sp.ReasonExpired,
		"assertion Conditions is expired", srcCrewjamSP + " validateAssertion"},
	{`assertion SubjectConfirmationData is not yet valid`, sp.ReasonNotYetValid,
		"assertion SubjectConfirmationData is not yet valid", srcCrewjamSP + " validateBearerSubjectConfirmationData"},
	{`assertion SubjectConfirmationData is expired`, sp.ReasonExpired,
		"assertion SubjectConfirmationData is expired", srcCrewjamSP + " validateBearerSubjectConfirmationData"},
	{`assertion has no Subject\b`, sp.ReasonNameIDMissing,
		"assertion has no Subject", srcCrewjamSP + " validateAssertion"},
	{`assertion Subject has no BaseID, NameID or EncryptedID`, sp.ReasonNameIDMissing,
		"assertion Subject has no BaseID, NameID or EncryptedID", srcCrewjamSP + " validateSubjectIdentifier"},
	{`assertion has no bearer SubjectConfirmation`, sp.ReasonSubjectConfirmation,
		"assertion has no bearer SubjectConfirmation", srcCrewjamSP + " validateBearerSubjectConfirmations"},
	{`assertion SubjectConfirmation has no SubjectConfirmationData`, sp.ReasonSubjectConfirmation,
		"assertion SubjectConfirmation has no SubjectConfirmationData", srcCrewjamSP + " validateBearerSubjectConfirmationData"},
	{`assertion SubjectConfirmation Recipient is not `, sp.ReasonRecipientMismatch,
		"assertion SubjectConfirmation Recipient is not http://127.0.0.1:7790/saml/acs", srcCrewjamSP + " validateBearerSubjectConfirmationData"},
	{`assertion Conditions has unrecognised conditions`, sp.ReasonConditionUnsupported,
		`assertion Conditions has unrecognised conditions ["{urn:example}Custom"]: the assertion is Indeterminate`, srcCrewjamSP + " validateUnknownConditions"},
	{`assertion Conditions has no AudienceRestriction for `, sp.ReasonAudienceMismatch,
		`assertion Conditions has no AudienceRestriction for "http://127.0.0.1:7790/saml/metadata"`, srcCrewjamSP + " validateAudienceRestriction"},
	{`assertion Conditions AudienceRestriction does not contain `, sp.ReasonAudienceMismatch,
		`assertion Conditions AudienceRestriction does not contain "http://127.0.0.1:7790/saml/metadata"`, srcCrewjamSP + " validateAudienceRestriction"},
	{`audience restriction validation failed: `, sp.ReasonAudienceMismatch,
		"audience restriction validation failed: not for us", srcCrewjamSP + " validateAudienceRestriction (ValidateAudienceRestriction hook)"},
	{`assertion has no ID to check for replay`, sp.ReasonStructure,
		"assertion has no ID to check for replay", srcCrewjamSP + " consumeAssertion"},
	{`the signed \w+ has \d+ \S+ elements, but \d+ were received`, sp.ReasonStructure,
		"the signed Response has 1 urn:oasis:names:tc:SAML:2.0:assertion:Assertion elements, but 2 were received", srcCrewjamSP + " receivedChildren"},
	{`the signed \w+ does not match the \w+ as received`, sp.ReasonStructure,
		"the signed Assertion does not match the Assertion as received", srcCrewjamSP + " receivedChildren"},
	{`signed \w+ has no ID for its signature to reference`, sp.ReasonStructure,
		"signed Assertion has no ID for its signature to reference", srcCrewjamSig + " checkSignatureReference"},
	// The Signature's shape.
	{`expected at most one http://www\.w3\.org/2000/09/xmldsig#:Signature element`, sp.ReasonSignatureShape,
		"expected at most one http://www.w3.org/2000/09/xmldsig#:Signature element", srcCrewjamSP + " findChild"},
	{`signature must contain exactly one Reference`, sp.ReasonSignatureShape,
		"signature must contain exactly one Reference, not 2", srcCrewjamSig + " checkSignatureReference"},
	{`signature Reference URI must be `, sp.ReasonSignatureShape,
		`signature Reference URI must be "#id1", not [""]`, srcCrewjamSig + " checkSignatureReference"},
	// crewjam hands goxmldsig an element only when a ds:Signature is its
	// child ("signature element not present" otherwise), so goxmldsig
	// finding no signature that references the element means that child
	// references another element.
	{`cannot validate signature on \w+: Missing signature referencing the top-level element`, sp.ReasonSignatureShape,
		"cannot validate signature on Response: Missing signature referencing the top-level element", srcCrewjamSP + " validateSignatureUnclassified (dsig.ErrMissingSignature)"},
	{`cannot validate signature on \w+: fingerprint mismatch`, sp.ReasonSignatureUntrustedKey,
		"cannot validate signature on Response: fingerprint mismatch", srcCrewjamSP + " getCertBasedOnFingerprint"},
	{`expected (?:at most|exactly) one \S+ element`, sp.ReasonStructure,
		"expected exactly one urn:oasis:names:tc:SAML:2.0:protocol:Response element", srcCrewjamSP + " findChild, findOneChild"},
	// Neither the Response nor the assertion read carries a ds:Signature.
	{`signature element not present`, sp.ReasonSignatureMissing,
		"signature element not present", srcCrewjamSP + " errSignatureElementNotPresent"},
	{`SHA-1 based signature algorithms are not accepted`, sp.ReasonSignatureAlgorithm,
		`cannot validate signature on Response: signature algorithm "http://www.w3.org/2000/09/xmldsig#rsa-sha1": SHA-1 based signature algorithms are not accepted`, "github.com/crewjam/saml@v0.6.3 sha1_policy.go (RejectSHA1Signatures)"},
	{`invalid xml: no root`, sp.ReasonResponseMalformed,
		"invalid xml: no root", srcCrewjamSP + " parseXMLResponse"},
	{`\S+ cannot find prefix \S+`, sp.ReasonResponseMalformed,
		"[urn:oasis:names:tc:SAML:2.0:assertion]:Assertion cannot find prefix x: undeclared prefix", srcCrewjamSP + " findChildren"},
	{`elements nested more than \d+ deep`, sp.ReasonXMLLimit,
		"invalid xml: xml: in token starting at 17:301: xml: elements nested more than 64 deep", srcCrewjamRT + " (ErrTooDeep)"},
	{`more than \d+ namespace declarations in scope`, sp.ReasonXMLLimit,
		"invalid xml: xml: in token starting at 1:1: xml: more than 64 namespace declarations in scope", srcCrewjamRT + " (ErrTooManyNamespaces)"},
}

var crewjamUnread = []Unread{
	{Match: `does not match any of the possible request IDs`, Candidates: []sp.Reason{sp.ReasonInResponseToMissing, sp.ReasonInResponseToMismatch},
		Example: "`InResponseTo` does not match any of the possible request IDs (expected [id-1])", Source: srcCrewjamSP + " validateRequestID",
		Why: "the same text for a Response without InResponseTo and for one answering another request"},
	{Match: `assertion SubjectConfirmation one of the possible request IDs`, Candidates: []sp.Reason{sp.ReasonInResponseToMissing, sp.ReasonInResponseToMismatch},
		Example: "assertion SubjectConfirmation one of the possible request IDs ([id-1])", Source: srcCrewjamSP + " validateAssertionInResponseTo",
		Why: "the same text for a SubjectConfirmationData without InResponseTo and for one answering another request"},
	{Match: `roundtrip error`, Candidates: []sp.Reason{sp.ReasonResponseMalformed, sp.ReasonXMLForbidden},
		Example: "invalid xml: xml: in token starting at 33:256: roundtrip error: expected [], observed {{ _} []}", Source: srcCrewjamRT,
		Why: "a token encoding/xml would change: malformed names and forbidden directives alike"},
	{Match: `assertion has no Conditions`, Candidates: []sp.Reason{sp.ReasonAudienceMismatch},
		Example: "assertion has no Conditions", Source: srcCrewjamSP + " validateAssertion",
		Why: "the harness has no reason for a missing Conditions element; the text does not say the audience was the check that failed"},
	{Match: `assertion has no AuthnStatement`, Example: "assertion has no AuthnStatement", Source: srcCrewjamSP + " validateAssertion",
		Why: "the harness has no reason for a missing AuthnStatement"},
}

func crewjamPreset() *Preset {
	return &Preset{
		Name:      NameCrewjam,
		Libraries: []string{"github.com/crewjam/saml@v0.6.3", "github.com/russellhaering/goxmldsig@v1.6.1"},
		Rules:     concat(crewjamRules, goxmldsigRules, stdlibRules),
		Unread:    append(append([]Unread(nil), crewjamUnread...), goxmldsigUnread...),
	}
}
