package sp

import "strings"

// Reason is the SP's stable, fine-grained failure code (`harness.reason` in
// every error envelope). Tests and tools assert reasons, never message text.
// A Reason is also an error value, so errors.Is(err, sp.ReasonReplay) reports
// whether an *APIError carries that reason.
type Reason string

// Error makes a Reason usable as an errors.Is target.
func (r Reason) Error() string { return string(r) }

// The reason codes. ReasonTable documents each one: the Identity Platform
// error code and message template it renders, where it surfaces, and which
// profile raises it.
const (
	ReasonCertParse             Reason = "CERT_PARSE"
	ReasonSignatureInvalid      Reason = "SIGNATURE_INVALID"
	ReasonSignatureUntrustedKey Reason = "SIGNATURE_UNTRUSTED_KEY"
	ReasonSignatureMissing      Reason = "SIGNATURE_MISSING"
	ReasonSignatureShape        Reason = "SIGNATURE_SHAPE"
	ReasonSignatureAlgorithm    Reason = "SIGNATURE_ALGORITHM"
	ReasonCertExpired           Reason = "CERT_EXPIRED"
	ReasonStatusNotSuccess      Reason = "STATUS_NOT_SUCCESS"
	ReasonDestinationMismatch   Reason = "DESTINATION_MISMATCH"
	ReasonResponseIssuer        Reason = "RESPONSE_ISSUER_MISMATCH"
	ReasonIssuerMismatch        Reason = "ISSUER_MISMATCH"
	ReasonAudienceMismatch      Reason = "AUDIENCE_MISMATCH"
	ReasonNotYetValid           Reason = "NOT_YET_VALID"
	ReasonExpired               Reason = "EXPIRED"
	ReasonInResponseToMissing   Reason = "IN_RESPONSE_TO_MISSING"
	ReasonInResponseToMismatch  Reason = "IN_RESPONSE_TO_MISMATCH"
	ReasonReplay                Reason = "REPLAY"
	ReasonRecipientMismatch     Reason = "RECIPIENT_MISMATCH"
	ReasonSubjectConfirmation   Reason = "SUBJECT_CONFIRMATION"
	ReasonNameIDMissing         Reason = "NAMEID_MISSING"
	ReasonAssertionMissing      Reason = "ASSERTION_MISSING"
	ReasonStructure             Reason = "STRUCTURE"
	ReasonVersionInvalid        Reason = "VERSION_INVALID"
	ReasonResponseMalformed     Reason = "RESPONSE_MALFORMED"
	ReasonBindingUnsupported    Reason = "BINDING_UNSUPPORTED"
	ReasonResponseTooLarge      Reason = "RESPONSE_TOO_LARGE"
	ReasonXMLForbidden          Reason = "XML_FORBIDDEN"
	ReasonXMLLimit              Reason = "XML_LIMIT"
	ReasonEncryptedAssertion    Reason = "ENCRYPTED_ASSERTION"
	ReasonConditionUnsupported  Reason = "CONDITION_UNSUPPORTED"
	ReasonProviderNotFound      Reason = "PROVIDER_NOT_FOUND"
	ReasonProviderDisabled      Reason = "PROVIDER_DISABLED"
	ReasonSessionUnknown        Reason = "SESSION_UNKNOWN"
	ReasonRequestURIMismatch    Reason = "REQUEST_URI_MISMATCH"
	ReasonMissingInitialState   Reason = "MISSING_INITIAL_STATE"
	ReasonNameIDNotEmail        Reason = "NAMEID_NOT_EMAIL"
	ReasonDomainNotAllowed      Reason = "DOMAIN_NOT_ALLOWED"
	ReasonSSONotConfigured      Reason = "SSO_NOT_CONFIGURED"

	// Reasons beyond the contract table, for requests the SP cannot act on.
	ReasonContinueURIMissing Reason = "CONTINUE_URI_MISSING"
	ReasonContinueURIInvalid Reason = "CONTINUE_URI_INVALID"
	ReasonRequestInvalid     Reason = "REQUEST_INVALID"
	ReasonIDTokenInvalid     Reason = "ID_TOKEN_INVALID"
	ReasonInternal           Reason = "INTERNAL"
)

// Identity Platform top-level error codes (the part of `error.message`
// before " : ").
const (
	CodeInvalidIdPResponse    = "INVALID_IDP_RESPONSE"
	CodeOperationNotAllowed   = "OPERATION_NOT_ALLOWED"
	CodeMissingOrInvalidNonce = "MISSING_OR_INVALID_NONCE"
	CodeMissingContinueURI    = "MISSING_CONTINUE_URI"
	CodeInvalidContinueURI    = "INVALID_CONTINUE_URI"
	CodeInvalidArgument       = "INVALID_ARGUMENT"
	CodeInvalidIDToken        = "INVALID_ID_TOKEN"
	CodeInternalError         = "INTERNAL_ERROR"
)

// Surface says where a reason is reported.
type Surface string

// Surfaces.
const (
	// SurfaceIdentityToolkit: the accounts:createAuthUri / accounts:signInWithIdp
	// API, HTTP 400, Identity Platform's envelope with `errors`.
	SurfaceIdentityToolkit Surface = "identitytoolkit"
	// SurfaceApp: the workspace's session step (/app/api/session), HTTP 403/401.
	SurfaceApp Surface = "app"
	// SurfacePage: an HTML page only (no API call is made).
	SurfacePage Surface = "page"
)

// Profiles lists which behaviour profiles raise a reason.
type Profiles string

// Profile applicability of a reason.
const (
	BothProfiles Profiles = "identity-platform,strict"
	StrictOnly   Profiles = "strict"
)

// ReasonInfo documents one reason code.
type ReasonInfo struct {
	Reason Reason
	// Code is the Identity Platform error code, e.g. INVALID_IDP_RESPONSE; for
	// the session step it is "Unable to login with {providerId}".
	Code string
	// Template is the detail after " : " with {placeholders}; empty means the
	// message is the bare Code.
	Template   string
	HTTPStatus int
	Surface    Surface
	Profiles   Profiles
	// Summary says when the reason is raised.
	Summary string
	// MessageProvenance says whether the message text (Code and Template)
	// is recorded from Identity Platform or ours; MessageSource names the
	// public source of recorded text, or says what is ours and why.
	MessageProvenance MessageProvenance
	MessageSource     string
}

// MessageProvenance is where a reason's message text comes from.
type MessageProvenance string

// Message provenances.
const (
	// MessageRecorded: a public source shows Identity Platform answering
	// this text in this situation.
	MessageRecorded MessageProvenance = "recorded"
	// MessagePartlyRecorded: part of the text is recorded, the rest is ours.
	MessagePartlyRecorded MessageProvenance = "partly-recorded"
	// MessageReused: the text is recorded for another situation; that
	// Identity Platform answers it here is assumed.
	MessageReused MessageProvenance = "reused"
	// MessageOurs: our own wording (or our choice of a bare code) where the
	// real answer is unknown.
	MessageOurs MessageProvenance = "ours"
)

// Message renders the reason's `error.message` with the given placeholder
// values (placeholders without a value are left as written).
func (ri ReasonInfo) Message(values map[string]string) string {
	code := renderTemplate(ri.Code, values)
	detail := renderTemplate(ri.Template, values)
	if detail == "" {
		return code
	}
	if code == "" {
		return detail
	}
	return code + " : " + detail
}

func renderTemplate(tmpl string, values map[string]string) string {
	if tmpl == "" || len(values) == 0 {
		return tmpl
	}
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

const msgFailedToVerify = "Failed to verify the signature in SAMLResponse"

// ReasonTable is every reason code the SP raises, in pipeline order. It is
// the single source for messages: docs and tests enumerate it.
var ReasonTable = []ReasonInfo{
	{ReasonRequestURIMismatch, CodeInvalidIdPResponse, "requestUri {requestUri} does not match RP callback URL {callback}.", 400, SurfaceIdentityToolkit, BothProfiles,
		"accounts:signInWithIdp requestUri is not the Redirect URL",
		MessageOurs, "our wording, modelled on the recorded Destination message; Identity Platform's answer to a wrong requestUri is not recorded"},
	{ReasonSessionUnknown, CodeInvalidIdPResponse, "The sessionId {sessionId} is unknown or has expired; start the sign-in again.", 400, SurfaceIdentityToolkit, BothProfiles,
		"accounts:signInWithIdp sessionId is missing, unknown or expired",
		MessageOurs, "our wording; Identity Platform's answer to an unknown sessionId is not recorded"},
	{ReasonProviderNotFound, CodeOperationNotAllowed, "The identity provider configuration is not found.", 400, SurfaceIdentityToolkit, BothProfiles,
		"the provider ID names no configured workspace SSO (also wrong case)",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers (record-oidc); Windsurf's SSO docs show the resulting auth/operation-not-allowed"},
	{ReasonProviderDisabled, CodeOperationNotAllowed, "The identity provider configuration is disabled.", 400, SurfaceIdentityToolkit, BothProfiles,
		"the workspace's SSO configuration is disabled",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonResponseTooLarge, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"the encoded SAMLResponse exceeds the size cap (checked before decoding)",
		MessageOurs, "our choice of the bare code; Identity Platform's size limit and its answer are not recorded"},
	{ReasonBindingUnsupported, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"the SAMLResponse came on the HTTP-Redirect binding (in the requestUri query), which saml-profiles §4.1.2 forbids for responses",
		MessageOurs, "our choice of the bare code; not recorded"},
	{ReasonResponseMalformed, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"empty, not strict base64, not well-formed XML, text outside the root, duplicate attributes, duplicate SAMLResponse parameters, a time value that is not xs:dateTime",
		MessageOurs, "our choice of the bare code: fireemu answers a bare INVALID_IDP_RESPONSE for an unreadable SAMLResponse, but production's message is unobserved"},
	{ReasonXMLForbidden, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"DOCTYPE/ENTITY declarations, entity references, processing instructions",
		MessageOurs, "our choice of the bare code; not recorded"},
	{ReasonXMLLimit, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"nesting depth or element count over the limit",
		MessageOurs, "our choice of the bare code; not recorded"},
	{ReasonStructure, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"wrong root, second root element, missing ID, duplicate IDs (identity-platform: among the Response and its Assertions; strict: anywhere), ambiguous assertions (several verified, or several under a signed Response); strict also: >1 Assertion, an Assertion anywhere but under the Response (Advice excepted), element multiplicities on the verified content",
		MessageOurs, "our choice of the bare code; not recorded"},
	{ReasonEncryptedAssertion, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"EncryptedAssertion: Identity Platform holds no SP decryption key",
		MessageOurs, "our choice of the bare code; Identity Platform's answer to an EncryptedAssertion is not recorded"},
	{ReasonVersionInvalid, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"Response or Assertion Version is not 2.0",
		MessageOurs, "our choice of the bare code; not recorded"},
	{ReasonSignatureShape, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, BothProfiles,
		"SAML signature profile: >1 Signature/SignedInfo/Reference, Reference not #ID of its parent, XSLT/XPath transforms, another signature referencing the element first; strict also: ds:Object, foreign children, signature out of schema position or outside Response/Assertion, unparseable KeyInfo, URI=\"\" on the Response",
		MessageReused, "the text is recorded for a signature no configured certificate verifies (fireemu, an Identity Platform emulator whose authors recorded production answers, saml-smoke); that Identity Platform answers it for these shapes is assumed"},
	{ReasonSignatureAlgorithm, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, StrictOnly,
		"RSA-SHA1 or SHA-1 digest, c14n other than exclusive without comments, RSA key < 2048 bits",
		MessageReused, "the text is recorded for a signature that does not verify (fireemu, an Identity Platform emulator whose authors recorded production answers, saml-smoke); strict-profile use is ours"},
	{ReasonCertParse, CodeInvalidIdPResponse, "Error when parsing certificate", 400, SurfaceIdentityToolkit, BothProfiles,
		"a configured IdP certificate is not parseable PEM (parsed at sign-in, as Identity Platform does)",
		MessageRecorded, "ElevenLabs' Okta and Entra SSO pages (\"INVALID_IDP_RESPONSE: Error when parsing certificate\"; the \" : \" separator is inferred from every other recorded message)"},
	{ReasonSignatureMissing, CodeInvalidIdPResponse, "Missing signature in Assertion and Response enclosing it (if present).", 400, SurfaceIdentityToolkit, BothProfiles,
		"neither the Response nor the Assertion carries an enveloped signature",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers (record-followup)"},
	{ReasonSignatureUntrustedKey, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, BothProfiles,
		"no configured certificate produced the signature (rotation, attacker key); strict also: KeyInfo names another certificate",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers (saml-smoke: other key, rotated certificate); Windsurf's SSO docs"},
	{ReasonSignatureInvalid, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, BothProfiles,
		"a configured certificate's key made the signature but the digest or value does not verify (tampering), or the signature cannot be evaluated",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers (saml-smoke: tampered response)"},
	{ReasonCertExpired, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, StrictOnly,
		"the configured certificate that verified the signature is outside its validity period",
		MessageReused, "the text is recorded for a signature that does not verify (fireemu, an Identity Platform emulator whose authors recorded production answers); production accepts an expired certificate (recorded), so this strict-profile use is ours"},
	{ReasonStatusNotSuccess, CodeInvalidIdPResponse, "SAMLResponse status code not SUCCESS, instead it is: {status}", 400, SurfaceIdentityToolkit, BothProfiles,
		"top-level StatusCode is not Success",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonAssertionMissing, CodeInvalidIdPResponse, "Missing Assertion in SAMLResponse.", 400, SurfaceIdentityToolkit, BothProfiles,
		"a successful Response carries no Assertion",
		MessageOurs, "our wording; not recorded"},
	{ReasonDestinationMismatch, CodeInvalidIdPResponse, "SAMLResponse destination {destination} does not match RP callback URL {callback}.", 400, SurfaceIdentityToolkit, BothProfiles,
		"Response Destination present and not the Redirect URL; strict also: signed Response without Destination",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonResponseIssuer, CodeInvalidIdPResponse, "SAML Response <Issuer> mismatch.", 400, SurfaceIdentityToolkit, BothProfiles,
		"Response Issuer present and not the Identity Provider Entity Id; strict also: Format not entity, or no Issuer on a signed Response",
		MessageRecorded, "Windsurf's SSO docs and VirusTotal's docs (\"SAML Response <Issuer> mismatch.\" as the SDK shows it); the server-side form and that it concerns the Response Issuer are inferred"},
	{ReasonIssuerMismatch, CodeInvalidIdPResponse, "Assertion has Issuer {issuer} which is different from expected Issuer {expected}.", 400, SurfaceIdentityToolkit, BothProfiles,
		"Assertion Issuer is not the Identity Provider Entity Id",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonAudienceMismatch, CodeInvalidIdPResponse, "All <AudienceRestriction>s should contain the SAML RP entity ID: '{spEntityId}'.", 400, SurfaceIdentityToolkit, BothProfiles,
		"an AudienceRestriction lacks the Service Provider Entity Id; strict also: no AudienceRestriction",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonConditionUnsupported, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, StrictOnly,
		"Conditions holds a condition other than AudienceRestriction/OneTimeUse",
		MessageOurs, "our choice of the bare code; strict profile only"},
	{ReasonNotYetValid, CodeInvalidIdPResponse, "Current instant, {now}, is before NotBefore attribute, {notBefore}", 400, SurfaceIdentityToolkit, BothProfiles,
		"now < Conditions NotBefore (exact bound)",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonExpired, CodeInvalidIdPResponse, "Current instant, {now}, is on or after NotOnOrAfter attribute, {notOnOrAfter}", 400, SurfaceIdentityToolkit, BothProfiles,
		"now >= Conditions NotOnOrAfter, then SubjectConfirmationData NotOnOrAfter",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonSubjectConfirmation, CodeInvalidIdPResponse, "{what}", 400, SurfaceIdentityToolkit, StrictOnly,
		"no bearer SubjectConfirmation, no SubjectConfirmationData, SCD without NotOnOrAfter or with NotBefore",
		MessageOurs, "our wording; strict profile only"},
	{ReasonRecipientMismatch, CodeInvalidIdPResponse, "SubjectConfirmationData Recipient {recipient} does not match RP callback URL {callback}.", 400, SurfaceIdentityToolkit, StrictOnly,
		"SubjectConfirmationData Recipient missing or not the Redirect URL",
		MessageOurs, "our wording; production does not check Recipient (recorded), strict profile only"},
	{ReasonInResponseToMissing, CodeInvalidIdPResponse, "InResponseTo attribute must be present in both Response and SubjectConfirmationData.", 400, SurfaceIdentityToolkit, BothProfiles,
		"InResponseTo absent on the Response or the SubjectConfirmationData",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonInResponseToMismatch, CodeInvalidIdPResponse, "InResponseTo in both Response and SubjectConfirmationData must match the request ID.", 400, SurfaceIdentityToolkit, BothProfiles,
		"InResponseTo differs from the AuthnRequest ID of this sessionId",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers"},
	{ReasonReplay, CodeMissingOrInvalidNonce, "Duplicate credential received. Please try again with a new credential.", 400, SurfaceIdentityToolkit, BothProfiles,
		"the Assertion ID (or Response ID) was already accepted and has not expired",
		MessageRecorded, "thameera/saml-mock issue #2 (a user saw it with a SAML IdP; root cause not confirmed) and fireemu's OIDC recordings"},
	{ReasonNameIDMissing, CodeInvalidIdPResponse, "Missing NameID in SAMLResponse.", 400, SurfaceIdentityToolkit, BothProfiles,
		"no Subject (checked before the SubjectConfirmation), no NameID or an empty NameID",
		MessageOurs, "our wording; production's answer without a NameID is unobserved (fireemu answers a bare INVALID_IDP_RESPONSE)"},
	{ReasonContinueURIMissing, CodeMissingContinueURI, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"accounts:createAuthUri without continueUri",
		MessageRecorded, "fireemu, an Identity Platform emulator whose authors recorded production answers (error code only)"},
	{ReasonContinueURIInvalid, CodeInvalidContinueURI, "{continueUri} is not an authorized URL of this project.", 400, SurfaceIdentityToolkit, BothProfiles,
		"accounts:createAuthUri continueUri is not on the SP's origin",
		MessageOurs, "the code INVALID_CONTINUE_URI is recorded (fireemu, an Identity Platform emulator whose authors recorded production answers); the detail is our wording"},
	{ReasonRequestInvalid, CodeInvalidArgument, "{what}", 400, SurfaceIdentityToolkit, BothProfiles,
		"the request body is not the JSON the endpoint expects",
		MessageOurs, "our wording (Google APIs' generic text for a bad body, not recorded for Identity Platform)"},
	{ReasonInternal, CodeInternalError, "{what}", 500, SurfaceIdentityToolkit, BothProfiles,
		"the SP could not complete the request (e.g. its random source failed)",
		MessageOurs, "our wording"},
	{ReasonMissingInitialState, "", "Unable to process request due to missing initial state. This may happen if browser sessionStorage is inaccessible or accidentally cleared. Some specific scenarios are - 1) Using IDP-Initiated SAML SSO. 2) Using signInWithRedirect in a storage-partitioned browser environment.", 200, SurfacePage, BothProfiles,
		"the Redirect URL was posted to without the gip_session tracking cookie (IdP-initiated, cookie lost)",
		MessageRecorded, "firebase-js-sdk issues #7317 (Okta tile) and #4256"},
	{ReasonSSONotConfigured, "", "SSO is not configured for {domain}. Ask your workspace admin to add it under Workspace settings › Security & SSO, or sign in another way.", 200, SurfacePage, BothProfiles,
		"the sign-in page was asked for SSO with an email whose domain is no workspace's allowed SSO domain (data-error-code on the page)",
		MessageOurs, "our wording on the workspace's own sign-in page; the setup guide does not show this page's text"},
	{ReasonIDTokenInvalid, CodeInvalidIDToken, "", 401, SurfaceApp, BothProfiles,
		"/app/api/session got an unknown or expired idToken",
		MessageOurs, "our choice of the bare code for the workspace app's session step"},
	{ReasonNameIDNotEmail, "Unable to login with {providerId}", "the SAML NameID \"{nameId}\" is not an email address.", 403, SurfaceApp, BothProfiles,
		"workspace policy: the NameID must be the user's email",
		MessagePartlyRecorded, "\"Unable to login with saml.workspace...\" is recorded in ElevenLabs' SSO docs; the detail after \" : \" is our wording"},
	{ReasonDomainNotAllowed, "Unable to login with {providerId}", "the email domain {domain} is not an allowed domain of this workspace.", 403, SurfaceApp, BothProfiles,
		"workspace policy: the email's domain must be one of the workspace's allowed SSO domains",
		MessagePartlyRecorded, "\"Unable to login with saml.workspace...\" is recorded in ElevenLabs' SSO docs; the detail after \" : \" is our wording"},
}

var reasonIndex = func() map[Reason]ReasonInfo {
	m := make(map[Reason]ReasonInfo, len(ReasonTable))
	for _, ri := range ReasonTable {
		m[ri.Reason] = ri
	}
	return m
}()

// LookupReason returns the table entry of a reason.
func LookupReason(r Reason) (ReasonInfo, bool) {
	ri, ok := reasonIndex[r]
	return ri, ok
}

// Info returns the reason's table entry (the zero ReasonInfo for an unknown reason).
func (r Reason) Info() ReasonInfo { return reasonIndex[r] }
