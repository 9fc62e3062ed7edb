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
}

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
		"accounts:signInWithIdp requestUri is not the Redirect URL"},
	{ReasonSessionUnknown, CodeInvalidIdPResponse, "The sessionId {sessionId} is unknown or has expired; start the sign-in again.", 400, SurfaceIdentityToolkit, BothProfiles,
		"accounts:signInWithIdp sessionId is missing, unknown or expired"},
	{ReasonProviderNotFound, CodeOperationNotAllowed, "The identity provider configuration is not found.", 400, SurfaceIdentityToolkit, BothProfiles,
		"the provider ID names no configured workspace SSO (also wrong case)"},
	{ReasonProviderDisabled, CodeOperationNotAllowed, "The identity provider configuration is disabled.", 400, SurfaceIdentityToolkit, BothProfiles,
		"the workspace's SSO configuration is disabled"},
	{ReasonResponseTooLarge, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"the encoded SAMLResponse exceeds the size cap (checked before decoding)"},
	{ReasonBindingUnsupported, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"the SAMLResponse came on the HTTP-Redirect binding (in the requestUri query), which saml-profiles §4.1.2 forbids for responses"},
	{ReasonResponseMalformed, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"empty, not strict base64, not well-formed XML, text outside the root, duplicate attributes, duplicate SAMLResponse parameters, a time value that is not xs:dateTime"},
	{ReasonXMLForbidden, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"DOCTYPE/ENTITY declarations, entity references, processing instructions"},
	{ReasonXMLLimit, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"nesting depth or element count over the limit"},
	{ReasonStructure, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"wrong root, second root element, missing ID, duplicate IDs (identity-platform: among the Response and its Assertions; strict: anywhere), ambiguous assertions (several verified, or several under a signed Response); strict also: >1 Assertion, an Assertion anywhere but under the Response (Advice excepted), element multiplicities on the verified content"},
	{ReasonEncryptedAssertion, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"EncryptedAssertion: Identity Platform holds no SP decryption key"},
	{ReasonVersionInvalid, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"Response or Assertion Version is not 2.0"},
	{ReasonSignatureShape, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, BothProfiles,
		"SAML signature profile: >1 Signature/SignedInfo/Reference, Reference not #ID of its parent, XSLT/XPath transforms, another signature referencing the element first; strict also: ds:Object, foreign children, signature out of schema position or outside Response/Assertion, unparseable KeyInfo, URI=\"\" on the Response"},
	{ReasonSignatureAlgorithm, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, StrictOnly,
		"RSA-SHA1 or SHA-1 digest, c14n other than exclusive without comments, RSA key < 2048 bits"},
	{ReasonCertParse, CodeInvalidIdPResponse, "Error when parsing certificate", 400, SurfaceIdentityToolkit, BothProfiles,
		"a configured IdP certificate is not parseable PEM (parsed at sign-in, as Identity Platform does)"},
	{ReasonSignatureMissing, CodeInvalidIdPResponse, "Missing signature in Assertion and Response enclosing it (if present).", 400, SurfaceIdentityToolkit, BothProfiles,
		"neither the Response nor the Assertion carries an enveloped signature"},
	{ReasonSignatureUntrustedKey, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, BothProfiles,
		"no configured certificate produced the signature (rotation, attacker key); strict also: KeyInfo names another certificate"},
	{ReasonSignatureInvalid, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, BothProfiles,
		"a configured certificate's key made the signature but the digest or value does not verify (tampering), or the signature cannot be evaluated"},
	{ReasonCertExpired, CodeInvalidIdPResponse, msgFailedToVerify, 400, SurfaceIdentityToolkit, StrictOnly,
		"the configured certificate that verified the signature is outside its validity period"},
	{ReasonStatusNotSuccess, CodeInvalidIdPResponse, "SAMLResponse status code not SUCCESS, instead it is: {status}", 400, SurfaceIdentityToolkit, BothProfiles,
		"top-level StatusCode is not Success"},
	{ReasonAssertionMissing, CodeInvalidIdPResponse, "Missing Assertion in SAMLResponse.", 400, SurfaceIdentityToolkit, BothProfiles,
		"a successful Response carries no Assertion"},
	{ReasonDestinationMismatch, CodeInvalidIdPResponse, "SAMLResponse destination {destination} does not match RP callback URL {callback}.", 400, SurfaceIdentityToolkit, BothProfiles,
		"Response Destination present and not the Redirect URL; strict also: signed Response without Destination"},
	{ReasonResponseIssuer, CodeInvalidIdPResponse, "SAML Response <Issuer> mismatch.", 400, SurfaceIdentityToolkit, BothProfiles,
		"Response Issuer present and not the Identity Provider Entity Id; strict also: Format not entity, or no Issuer on a signed Response"},
	{ReasonIssuerMismatch, CodeInvalidIdPResponse, "Assertion has Issuer {issuer} which is different from expected Issuer {expected}.", 400, SurfaceIdentityToolkit, BothProfiles,
		"Assertion Issuer is not the Identity Provider Entity Id"},
	{ReasonAudienceMismatch, CodeInvalidIdPResponse, "All <AudienceRestriction>s should contain the SAML RP entity ID: '{spEntityId}'.", 400, SurfaceIdentityToolkit, BothProfiles,
		"an AudienceRestriction lacks the Service Provider Entity Id; strict also: no AudienceRestriction"},
	{ReasonConditionUnsupported, CodeInvalidIdPResponse, "", 400, SurfaceIdentityToolkit, StrictOnly,
		"Conditions holds a condition other than AudienceRestriction/OneTimeUse"},
	{ReasonNotYetValid, CodeInvalidIdPResponse, "Current instant, {now}, is before NotBefore attribute, {notBefore}", 400, SurfaceIdentityToolkit, BothProfiles,
		"now < Conditions NotBefore (exact bound)"},
	{ReasonExpired, CodeInvalidIdPResponse, "Current instant, {now}, is on or after NotOnOrAfter attribute, {notOnOrAfter}", 400, SurfaceIdentityToolkit, BothProfiles,
		"now >= Conditions NotOnOrAfter, then SubjectConfirmationData NotOnOrAfter"},
	{ReasonSubjectConfirmation, CodeInvalidIdPResponse, "{what}", 400, SurfaceIdentityToolkit, StrictOnly,
		"no bearer SubjectConfirmation, no SubjectConfirmationData, SCD without NotOnOrAfter or with NotBefore"},
	{ReasonRecipientMismatch, CodeInvalidIdPResponse, "SubjectConfirmationData Recipient {recipient} does not match RP callback URL {callback}.", 400, SurfaceIdentityToolkit, StrictOnly,
		"SubjectConfirmationData Recipient missing or not the Redirect URL"},
	{ReasonInResponseToMissing, CodeInvalidIdPResponse, "InResponseTo attribute must be present in both Response and SubjectConfirmationData.", 400, SurfaceIdentityToolkit, BothProfiles,
		"InResponseTo absent on the Response or the SubjectConfirmationData"},
	{ReasonInResponseToMismatch, CodeInvalidIdPResponse, "InResponseTo in both Response and SubjectConfirmationData must match the request ID.", 400, SurfaceIdentityToolkit, BothProfiles,
		"InResponseTo differs from the AuthnRequest ID of this sessionId"},
	{ReasonReplay, CodeMissingOrInvalidNonce, "Duplicate credential received. Please try again with a new credential.", 400, SurfaceIdentityToolkit, BothProfiles,
		"the Assertion ID (or Response ID) was already accepted and has not expired"},
	{ReasonNameIDMissing, CodeInvalidIdPResponse, "Missing NameID in SAMLResponse.", 400, SurfaceIdentityToolkit, BothProfiles,
		"no Subject (checked before the SubjectConfirmation), no NameID or an empty NameID"},
	{ReasonContinueURIMissing, CodeMissingContinueURI, "", 400, SurfaceIdentityToolkit, BothProfiles,
		"accounts:createAuthUri without continueUri"},
	{ReasonContinueURIInvalid, CodeInvalidContinueURI, "{continueUri} is not an authorized URL of this project.", 400, SurfaceIdentityToolkit, BothProfiles,
		"accounts:createAuthUri continueUri is not on the SP's origin"},
	{ReasonRequestInvalid, CodeInvalidArgument, "{what}", 400, SurfaceIdentityToolkit, BothProfiles,
		"the request body is not the JSON the endpoint expects"},
	{ReasonInternal, CodeInternalError, "{what}", 500, SurfaceIdentityToolkit, BothProfiles,
		"the SP could not complete the request (e.g. its random source failed)"},
	{ReasonMissingInitialState, "", "Unable to process request due to missing initial state. This may happen if browser sessionStorage is inaccessible or accidentally cleared. Some specific scenarios are - 1) Using IDP-Initiated SAML SSO. 2) Using signInWithRedirect in a storage-partitioned browser environment.", 200, SurfacePage, BothProfiles,
		"the Redirect URL was posted to without the gip_session tracking cookie (IdP-initiated, cookie lost)"},
	{ReasonIDTokenInvalid, CodeInvalidIDToken, "", 401, SurfaceApp, BothProfiles,
		"/app/api/session got an unknown or expired idToken"},
	{ReasonNameIDNotEmail, "Unable to login with {providerId}", "the SAML NameID \"{nameId}\" is not an email address.", 403, SurfaceApp, BothProfiles,
		"workspace policy: the NameID must be the user's email"},
	{ReasonDomainNotAllowed, "Unable to login with {providerId}", "the email domain {domain} is not an allowed domain of this workspace.", 403, SurfaceApp, BothProfiles,
		"workspace policy: the email's domain must be one of the workspace's allowed SSO domains"},
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
