package scenario

import (
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/sp"
)

// Provenance says what an expectation rests on.
type Provenance string

// The provenance kinds.
const (
	// Recorded: a public document, issue or capture shows Identity Platform
	// (or Okta, for IdP-side outcomes) behaving so; Source names it.
	Recorded Provenance = "recorded"
	// Specified: a SAML, XML-DSig or XML clause requires it; Source cites it.
	Specified Provenance = "specified"
	// Policy: the workspace's rule (the setup guide) or the strict profile's
	// deliberate hardening rule; Source names the rule.
	Policy Provenance = "policy"
	// Assumed: our choice where the real behaviour is unknown; Source gives
	// the one-line reason.
	Assumed Provenance = "assumed"
)

// Provenances lists the kinds in report order.
var Provenances = []Provenance{Recorded, Specified, Policy, Assumed}

// Valid reports whether p is one of Provenances.
func (p Provenance) Valid() bool {
	for _, k := range Provenances {
		if k == p {
			return true
		}
	}
	return false
}

// ParseProvenance accepts a provenance kind.
func ParseProvenance(s string) (Provenance, error) {
	if p := Provenance(s); p.Valid() {
		return p, nil
	}
	return "", fmt.Errorf("unknown provenance %q (want recorded, specified, policy or assumed)", s)
}

// Sources of recorded behaviour, in our own words. "fireemu" is the public
// Identity Platform emulator t-k/fireemu, whose SAML behaviour and message
// texts were recorded against production Identity Platform (2026).
const (
	srcFireemuSignature = "fireemu saml-smoke recording: a signature no configured certificate verifies gives 'Failed to verify the signature in SAMLResponse'"
	srcFireemuUnsigned  = "fireemu record-followup recording: neither Response nor Assertion signed gives 'Missing signature in Assertion and Response enclosing it'"
	srcFireemuPositions = "fireemu recorded test a_response_signed_in_each_position: Response-only, Assertion-only and both-signed responses sign in"
	srcFireemuChecks    = "fireemu production recordings of signInWithIdp (status, destination, issuer, audience, time bounds applied exactly, InResponseTo)"
	srcFireemuLenient   = "fireemu production recordings: Identity Platform does not check SubjectConfirmationData Recipient"
	srcFireemuCertTime  = "fireemu production recordings: Identity Platform accepts a signature by an expired IdP certificate"
	srcFireemuDisabled  = "fireemu production recordings: a disabled provider gives 'OPERATION_NOT_ALLOWED : The identity provider configuration is disabled.'"
	srcWindsurfIssuer   = "Windsurf (Codeium) SSO docs, an Identity Platform SP: a wrong IdP entity ID gives 'SAML Response <Issuer> mismatch'"
	srcElevenLabsCert   = "ElevenLabs Okta and Entra SSO docs, Troubleshooting: a reformatted or truncated certificate gives 'Error when parsing certificate'"
	srcGoogleNameID     = "Google Cloud docs, Identity Platform SAML sign-in: the response must carry Subject and NameID or the assertion fails"
	srcGoogleRotation   = "Firebase Admin SDK docs, SAMLAuthProviderConfig: several certificates are accepted so an IdP can rotate keys"
	srcFirebaseTile     = "firebase-js-sdk issues #7317 (Okta tile) and #4256: an IdP-initiated post shows the 'missing initial state' page"
	srcOktaNotAssigned  = "Okta support articles: a user not assigned to the app gets the '403 App Not Assigned' page"
	srcGuideValid       = "setup guide (ElevenLabs Okta SAML page) field mapping, with fireemu's recorded successful signInWithIdp answer"
)

// Clauses of the specifications, in our own words.
const (
	clauseValid          = "saml-profiles §4.1.4: a response that satisfies every rule of the Web Browser SSO profile is accepted"
	clauseSigRequired    = "saml-profiles §4.1.3.5: assertions delivered by HTTP-POST must be signed, by themselves or by the enclosing Response"
	clauseSigCore        = "xmldsig-core §3.2: a signature whose reference digest or SignatureValue does not verify fails core validation"
	clauseSigTrust       = "saml-core §5.4 with saml-profiles §4.1.4.3: the signature must be made by the asserting party's trusted key"
	clauseSigShape       = "saml-core §5.4.1-5.4.4: one enveloped signature whose single Reference is '#' plus the ID of its own parent, with only the enveloped and exclusive-c14n transforms"
	clauseStatus         = "saml-core §3.2.2.2: a top-level StatusCode other than Success means the request failed"
	clauseDestination    = "saml-bindings §3.5.5.2: a Destination must name the location the message was received at, and a signed Response must carry one"
	clauseIssuer         = "saml-profiles §4.1.4.2: the Issuer must identify the IdP (Format omitted or entity)"
	clauseAudience       = "saml-core §2.5.1.4 with saml-profiles §4.1.4.2: a bearer assertion must be restricted to an audience naming this SP"
	clauseTime           = "saml-core §2.5.1.2 and §2.4.1.2: NotBefore is inclusive, NotOnOrAfter exclusive"
	clauseInResponseTo   = "saml-profiles §4.1.4.2-4.1.4.3: the Response and bearer SubjectConfirmationData carry InResponseTo equal to the request's ID"
	clauseReplay         = "saml-profiles §4.1.4.5: the SP must make sure a bearer assertion is not used twice"
	clauseRecipient      = "saml-profiles §4.1.4.2: bearer SubjectConfirmationData Recipient must be the ACS URL the response arrived at"
	clauseSubjectConf    = "saml-profiles §4.1.4.2: at least one bearer SubjectConfirmation with SubjectConfirmationData carrying Recipient and NotOnOrAfter"
	clauseAssertion      = "saml-profiles §4.1.4.2: a successful response carries at least one assertion with an authentication statement"
	clauseVersion        = "saml-core §3.2.2 and §4.1: the major and minor version must be 2.0"
	clauseMalformed      = "saml-bindings §3.5.4 with XML 1.0 and Namespaces in XML: input that does not decode to one well-formed, namespace-well-formed message cannot be processed"
	clauseWellFormed     = "XML 1.0 §2.1 and §3.3.1: a document has exactly one root element and an ID value is unique"
	clauseBinding        = "saml-profiles §4.1.2: the HTTP-Redirect binding must not carry a Response"
	clauseCondition      = "saml-core §2.5.1.1: an unknown condition is Indeterminate, so the assertion must not be accepted"
	policyWorkspaceEmail = "setup guide: Name ID format EmailAddress with Application username Email; 'Unable to login with saml.workspace…' otherwise"
	policyWorkspaceDom   = "setup guide: the email's domain must be a verified domain added to the workspace's SSO"
	policyWorkspaceSSO   = "setup guide: SSO sign-in needs an enabled configuration for the email's domain"
	policyPEM            = "setup guide, Troubleshooting: paste the certificate as valid PEM with its BEGIN and END lines"
	policyStrictAlg      = "strict profile's allow-list: RSA-SHA256/512 with SHA-256/512 digests, exclusive c14n without comments, RSA ≥ 2048 (xmldsig-core1 §6 deprecates SHA-1)"
	policyStrictCertTime = "strict profile: a signing certificate outside its validity is refused (the metadata interop profile would allow it)"
	policyStrictStruct   = "strict profile: exactly one Assertion, a direct child of the Response, and element multiplicities as the schema gives them"
	policyStrictXML      = "strict profile: no DOCTYPE, entity, processing instruction or directive is ever processed"
	policyStrictLimits   = "strict profile: bounded response size, nesting depth and element count"
	policyStrictNameID   = "strict profile with the setup guide: the NameID is the user's email and must be present"
	policyNoDecryption   = "the workspace configures no SP decryption key, so an EncryptedAssertion cannot be read"
	policySPInitiated    = "ElevenLabs SSO docs FAQ: IdP-initiated SSO is not supported, only SP-initiated sign-in"
	policyDisabled       = "the workspace's SAML provider is turned off in its settings"
	unobservedIP         = " (Identity Platform's answer is unobserved)"
)

// provenanceRule is the default provenance of a reason code per profile.
type provenanceRule struct {
	ip, strict Expect // only Provenance and Source are used
}

func rule(ipP Provenance, ipS string, stP Provenance, stS string) provenanceRule {
	return provenanceRule{Expect{Provenance: ipP, Source: ipS}, Expect{Provenance: stP, Source: stS}}
}

// reasonProvenance gives the default provenance of a refusal by its reason.
var reasonProvenance = map[string]provenanceRule{
	string(sp.ReasonCertParse):             rule(Assumed, "which pastes Identity Platform's certificate parser refuses is modelled on Java's CertificateFactory; only reformatted or truncated PEMs are documented", Policy, policyPEM),
	string(sp.ReasonSignatureInvalid):      rule(Recorded, srcFireemuSignature, Specified, clauseSigCore),
	string(sp.ReasonSignatureUntrustedKey): rule(Recorded, srcFireemuSignature, Specified, clauseSigTrust),
	string(sp.ReasonSignatureMissing):      rule(Recorded, srcFireemuUnsigned, Specified, clauseSigRequired),
	string(sp.ReasonSignatureShape):        rule(Specified, clauseSigShape+unobservedIP, Specified, clauseSigShape),
	string(sp.ReasonSignatureAlgorithm):    rule(Assumed, "Identity Platform's algorithm allow-list is unobserved", Policy, policyStrictAlg),
	string(sp.ReasonCertExpired):           rule(Assumed, "Identity Platform's handling of this certificate validity is unobserved", Policy, policyStrictCertTime),
	string(sp.ReasonStatusNotSuccess):      rule(Recorded, srcFireemuChecks, Specified, clauseStatus),
	string(sp.ReasonDestinationMismatch):   rule(Recorded, srcFireemuChecks, Specified, clauseDestination),
	string(sp.ReasonResponseIssuer):        rule(Recorded, srcWindsurfIssuer, Specified, clauseIssuer),
	string(sp.ReasonIssuerMismatch):        rule(Recorded, srcFireemuChecks, Specified, clauseIssuer),
	string(sp.ReasonAudienceMismatch):      rule(Recorded, srcFireemuChecks, Specified, clauseAudience),
	string(sp.ReasonNotYetValid):           rule(Recorded, srcFireemuChecks, Specified, clauseTime),
	string(sp.ReasonExpired):               rule(Recorded, srcFireemuChecks, Specified, clauseTime),
	string(sp.ReasonInResponseToMissing):   rule(Recorded, srcFireemuChecks, Specified, clauseInResponseTo),
	string(sp.ReasonInResponseToMismatch):  rule(Recorded, srcFireemuChecks, Specified, clauseInResponseTo),
	string(sp.ReasonReplay):                rule(Specified, clauseReplay+" (the 'Duplicate credential' text was seen with a SAML IdP in thameera/saml-mock#2, cause unconfirmed)", Specified, clauseReplay),
	string(sp.ReasonRecipientMismatch):     rule(Specified, clauseRecipient+unobservedIP, Specified, clauseRecipient),
	string(sp.ReasonSubjectConfirmation):   rule(Specified, clauseSubjectConf+unobservedIP, Specified, clauseSubjectConf),
	string(sp.ReasonNameIDMissing):         rule(Recorded, srcGoogleNameID, Policy, policyStrictNameID),
	string(sp.ReasonAssertionMissing):      rule(Specified, clauseAssertion+unobservedIP, Specified, clauseAssertion),
	string(sp.ReasonStructure):             rule(Assumed, "Identity Platform's handling of this document shape is unobserved; refused because no single signed assertion can be chosen safely", Policy, policyStrictStruct),
	string(sp.ReasonVersionInvalid):        rule(Specified, clauseVersion+unobservedIP, Specified, clauseVersion),
	string(sp.ReasonResponseMalformed):     rule(Specified, clauseMalformed+" (Identity Platform's message is unobserved; an emulator answers a bare INVALID_IDP_RESPONSE)", Specified, clauseMalformed),
	string(sp.ReasonBindingUnsupported):    rule(Specified, clauseBinding+unobservedIP, Specified, clauseBinding),
	string(sp.ReasonResponseTooLarge):      rule(Assumed, "Identity Platform's size limit is unobserved; assumed it refuses a response far above any real one", Policy, policyStrictLimits),
	string(sp.ReasonXMLLimit):              rule(Assumed, "Identity Platform's parser limits are unobserved; assumed it refuses absurd nesting", Policy, policyStrictLimits),
	string(sp.ReasonXMLForbidden):          rule(Assumed, "Identity Platform's handling of DTDs, entities and processing instructions is unobserved; assumed refused, as no hardened SAML SP processes them", Policy, policyStrictXML),
	string(sp.ReasonEncryptedAssertion):    rule(Assumed, "Identity Platform has no SP decryption key setting; the refusal is inferred, never observed", Policy, policyNoDecryption),
	string(sp.ReasonConditionUnsupported):  rule(Specified, clauseCondition+unobservedIP, Specified, clauseCondition),
	string(sp.ReasonProviderDisabled):      rule(Recorded, srcFireemuDisabled, Policy, policyDisabled),
	string(sp.ReasonMissingInitialState):   rule(Recorded, srcFirebaseTile, Policy, policySPInitiated),
	string(sp.ReasonNameIDNotEmail):        rule(Policy, policyWorkspaceEmail, Policy, policyWorkspaceEmail),
	string(sp.ReasonDomainNotAllowed):      rule(Policy, policyWorkspaceDom, Policy, policyWorkspaceDom),
	string(sp.ReasonSSONotConfigured):      rule(Policy, policyWorkspaceSSO, Policy, policyWorkspaceSSO),
	string(ReasonIdPAppNotAssigned):        rule(Recorded, srcOktaNotAssigned, Recorded, srcOktaNotAssigned),
	string(ReasonIdPNotFound):              rule(Assumed, "the mock Okta answers 404 for a path it does not serve; real Okta's page is unobserved", Assumed, "the mock Okta answers 404 for a path it does not serve; real Okta's page is unobserved"),
	string(ReasonNotFound):                 rule(Assumed, "the workspace serves SAML only at its Redirect URL and answers 404 elsewhere", Assumed, "the workspace serves SAML only at its Redirect URL and answers 404 elsewhere"),
}

// scenarioProvenance overrides the default for one scenario and profile,
// where that scenario's evidence differs from its reason's.
var scenarioProvenance = map[string]map[Profile]Expect{
	// Recorded successes.
	"valid-login-guide-settings":                  {IdentityPlatform: Expect{Provenance: Recorded, Source: srcGuideValid}, Strict: Expect{Provenance: Policy, Source: "setup guide: the Okta app configured field by field as the guide says signs the user in"}},
	"okta-response-signed-assertion-unsigned":     {IdentityPlatform: Expect{Provenance: Recorded, Source: srcFireemuPositions}},
	"okta-response-unsigned-assertion-signed":     {IdentityPlatform: Expect{Provenance: Recorded, Source: srcFireemuPositions}},
	"sig-response-stripped-assertion-signed":      {IdentityPlatform: Expect{Provenance: Recorded, Source: srcFireemuPositions}},
	"cert-rotation-both-pasted-then-activated":    {IdentityPlatform: Expect{Provenance: Recorded, Source: srcGoogleRotation}},
	"cert-rotation-both-pasted-not-yet-activated": {IdentityPlatform: Expect{Provenance: Recorded, Source: srcGoogleRotation}},
	"recipient-other-sp":                          {IdentityPlatform: Expect{Provenance: Recorded, Source: srcFireemuLenient}},
	"recipient-missing":                           {IdentityPlatform: Expect{Provenance: Recorded, Source: srcFireemuLenient}},
	"recipient-only-mismatch":                     {IdentityPlatform: Expect{Provenance: Recorded, Source: srcFireemuLenient}},
	"cert-okta-expired-never-rotated":             {IdentityPlatform: Expect{Provenance: Recorded, Source: srcFireemuCertTime}},
	"cert-pasted-as-downloaded":                   {IdentityPlatform: Expect{Provenance: Policy, Source: "setup guide: paste the certificate Okta's Download certificate gives"}, Strict: Expect{Provenance: Policy, Source: "setup guide: paste the certificate Okta's Download certificate gives"}},
	// Recorded certificate parse errors.
	"cert-pasted-broken-llm-reformatted": {IdentityPlatform: Expect{Provenance: Recorded, Source: srcElevenLabsCert}},
	"cert-pasted-truncated":              {IdentityPlatform: Expect{Provenance: Recorded, Source: srcElevenLabsCert}},
	// Unobserved leniencies named in the issue.
	"xsw3":                         {IdentityPlatform: Expect{Provenance: Assumed, Source: "an emulator (fireemu) ignores the unsigned wrapped assertion; production Identity Platform is unobserved, so the genuine signed identity is assumed"}},
	"xsw7":                         {IdentityPlatform: Expect{Provenance: Assumed, Source: "an emulator (fireemu) ignores the unsigned wrapped assertion; production Identity Platform is unobserved, so the genuine signed identity is assumed"}},
	"okta-rsa-sha1-digest-sha1":    {IdentityPlatform: Expect{Provenance: Assumed, Source: "RSA-SHA1 acceptance by Identity Platform is unobserved; older Okta apps sign with SHA-1 and are assumed to sign in"}},
	"okta-rsa-sha256-digest-sha1":  {IdentityPlatform: Expect{Provenance: Assumed, Source: "SHA-1 digest acceptance by Identity Platform is unobserved; assumed accepted like other Okta defaults of older apps"}},
	"okta-rsa-sha1-digest-sha256":  {IdentityPlatform: Expect{Provenance: Assumed, Source: "RSA-SHA1 acceptance by Identity Platform is unobserved; older Okta apps sign with SHA-1 and are assumed to sign in"}},
	"okta-rsa-sha1-response-only":  {IdentityPlatform: Expect{Provenance: Assumed, Source: "RSA-SHA1 acceptance by Identity Platform is unobserved; older Okta apps sign with SHA-1 and are assumed to sign in"}},
	"subject-confirmation-missing": {IdentityPlatform: Expect{Provenance: Assumed, Source: "follows from the recorded rule that InResponseTo must be on the SubjectConfirmationData; not observed with the confirmation removed"}},
	// Well-formedness refusals.
	"xsw-duplicate-id":                      {IdentityPlatform: Expect{Provenance: Specified, Source: clauseWellFormed + unobservedIP}, Strict: Expect{Provenance: Specified, Source: clauseWellFormed}},
	"xsw-prolog-nameid-before-root":         {IdentityPlatform: Expect{Provenance: Specified, Source: clauseWellFormed + unobservedIP}, Strict: Expect{Provenance: Specified, Source: clauseWellFormed}},
	"xsw-signed-error-response-second-root": {IdentityPlatform: Expect{Provenance: Specified, Source: clauseWellFormed + unobservedIP}, Strict: Expect{Provenance: Specified, Source: clauseWellFormed}},
	"idp-initiated-okta-tile":               {Strict: Expect{Provenance: Recorded, Source: srcFirebaseTile}},
	"assertion-id-equals-response-id":       {IdentityPlatform: Expect{Provenance: Specified, Source: clauseWellFormed + unobservedIP}, Strict: Expect{Provenance: Specified, Source: clauseWellFormed}},
	// Spec-required refusals of the catalogue's coverage scenarios.
	"status-removed":                      bothSpecified(clauseStatusRequired),
	"assertion-id-removed":                bothSpecified(clauseIDRequired),
	"response-id-removed":                 bothSpecified(clauseIDRequired),
	"sig-hmac-keyed-with-idp-certificate": {IdentityPlatform: Expect{Provenance: Specified, Source: clauseHMAC + unobservedIP}},
	"sig-hmac-output-truncated":           {IdentityPlatform: Expect{Provenance: Specified, Source: clauseHMAC + unobservedIP}},
	"sig-rotation-two-certificates-no-keyinfo": {IdentityPlatform: Expect{Provenance: Recorded, Source: srcGoogleRotation},
		Strict: Expect{Provenance: Specified, Source: "xmldsig-core §4.4: KeyInfo is optional; the SP tries each pinned certificate"}},
	"assertion-id-xpath-injection":  {Strict: Expect{Provenance: Specified, Source: "saml-core §1.3.4: ID values are xs:ID, an XML name without quotes or brackets"}},
	"attribute-statement-empty":     {Strict: Expect{Provenance: Specified, Source: "saml-core §2.7.3: an AttributeStatement holds at least one Attribute or EncryptedAttribute"}},
	"authn-statement-removed":       {Strict: Expect{Provenance: Specified, Source: clauseAssertion}},
	"issuer-assertion-removed":      {Strict: Expect{Provenance: Specified, Source: "saml-core §2.3.3: an Assertion's Issuer is required"}},
	"xml-utf8-byte-order-mark":      bothPolicy("the workspace takes a plain UTF-8 SAMLResponse only; a byte order mark or another declared encoding is refused"),
	"xml-declaration-utf16-on-utf8": {IdentityPlatform: Expect{Provenance: Specified, Source: clauseEncoding + unobservedIP}, Strict: Expect{Provenance: Specified, Source: clauseEncoding}},
	"xml-declaration-euc-jp":        bothPolicy("the workspace takes a plain UTF-8 SAMLResponse only; a byte order mark or another declared encoding is refused"),
	"xml-declaration-version-1-1":   bothSpecified("saml-core §1.3: SAML messages are XML 1.0 documents"),
	"comment-in-digest-value":       bothSpecified("xml-exc-c14n §3 with xmldsig-core §3.2.1: comments are not part of the canonical form, and the digest read as the element's whole text matches"),
	"relaystate-absolute-url":       bothSpecified("saml-bindings §3.5.3: RelayState is opaque to the SP's SAML checks; the workspace never redirects to a RelayState value"),
}

const (
	clauseStatusRequired = "saml-core §3.2.2: a Response carries a Status with a top-level StatusCode"
	clauseIDRequired     = "saml-core §2.3.3 and §3.2.2: Assertion and Response carry a required ID"
	clauseHMAC           = "xmldsig-core §6.3 with saml-core §5.4: an HMAC needs a secret shared with the IdP; keyed with public certificate bytes it authenticates nothing"
	clauseEncoding       = "XML 1.0 §4.3.3: an entity in an encoding other than the one it declares is a fatal error"
)

func bothSpecified(clause string) map[Profile]Expect {
	return map[Profile]Expect{IdentityPlatform: {Provenance: Specified, Source: clause + unobservedIP}, Strict: {Provenance: Specified, Source: clause}}
}

func bothPolicy(rule string) map[Profile]Expect {
	return map[Profile]Expect{IdentityPlatform: {Provenance: Policy, Source: rule}, Strict: {Provenance: Policy, Source: rule}}
}

// settle gives every expectation of s without a provenance its default:
// the scenario's override, else the reason's rule for a refusal, else for an
// acceptance "specified" when the strict profile accepts too (a valid
// response) and "assumed" when only identity-platform is lenient.
func settle(s Scenario) Scenario {
	out := make(map[Profile]Expect, len(s.Expect))
	for p, e := range s.Expect {
		if e.Provenance == "" {
			d := defaultProvenance(s, p, e)
			e.Provenance, e.Source = d.Provenance, d.Source
		}
		out[p] = e
	}
	s.Expect = out
	return s
}

func defaultProvenance(s Scenario, p Profile, e Expect) Expect {
	if o, ok := scenarioProvenance[s.ID][p]; ok {
		return o
	}
	if e.Outcome == Reject {
		r, ok := reasonProvenance[e.Reason]
		if !ok {
			return Expect{}
		}
		if p == Strict {
			return r.strict
		}
		return r.ip
	}
	if len(s.SP.Certificates) > 0 && strings.HasPrefix(s.ID, "cert-") {
		return Expect{Provenance: Assumed, Source: "the certificate parser's leniency is modelled on Java's CertificateFactory; Identity Platform's is unobserved"}
	}
	if p == IdentityPlatform && s.Expect[Strict].Outcome == Reject {
		return Expect{Provenance: Assumed, Source: "Identity Platform is unobserved here; the profile models it as not enforcing what strict refuses (" + s.Expect[Strict].Reason + ")"}
	}
	return Expect{Provenance: Specified, Source: clauseValid}
}
