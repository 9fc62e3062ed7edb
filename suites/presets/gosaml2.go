package presets

import "github.com/samlharness/samlharness/sp"

// gosaml2's RetrieveAssertionInfo returns typed errors: ErrVerification
// ("error validating response: " + the cause) around everything
// ValidateEncodedResponse refuses, ErrMissingElement ("missing X element",
// "missing A attribute on X element"), ErrInvalidValue ("Unrecognized K
// value, Expected: E, Actual: A"; "Unsupported …"; "Expired …") and
// ErrParsing. Time and audience come back as flags in WarningInfo that the
// caller must check; an integrator shows the flag it refused on by its
// name, e.g. "WarningInfo.NotInAudience".

const (
	srcG2Validate = "github.com/russellhaering/gosaml2@v0.12.0 validate.go"
	srcG2Decode   = "github.com/russellhaering/gosaml2@v0.12.0 decode_response.go"
	srcG2Retrieve = "github.com/russellhaering/gosaml2@v0.12.0 retrieve_assertion.go"
	srcG2Warning  = "github.com/russellhaering/gosaml2@v0.12.0 validate.go VerifyAssertionConditions (WarningInfo)"
)

var gosaml2Rules = []Rule{
	{`missing Subject element`, sp.ReasonNameIDMissing,
		"missing Subject element", srcG2Validate + " Validate, " + srcG2Retrieve + " (ErrMissingElement)"},
	{`missing NameID element`, sp.ReasonNameIDMissing,
		"missing NameID element", srcG2Retrieve + " RetrieveAssertionInfo (ErrMissingElement)"},
	{`missing SubjectConfirmation element`, sp.ReasonSubjectConfirmation,
		"missing SubjectConfirmation element", srcG2Validate + " Validate (ErrMissingElement)"},
	{`missing SubjectConfirmationData element`, sp.ReasonSubjectConfirmation,
		"missing SubjectConfirmationData element", srcG2Validate + " Validate (ErrMissingElement)"},
	{`missing NotOnOrAfter attribute on SubjectConfirmationData element`, sp.ReasonSubjectConfirmation,
		"missing NotOnOrAfter attribute on SubjectConfirmationData element", srcG2Validate + " Validate (ErrMissingElement)"},
	{`Unsupported SubjectConfirmation value`, sp.ReasonSubjectConfirmation,
		"Unsupported SubjectConfirmation value, Expected: urn:oasis:names:tc:SAML:2.0:cm:bearer, Actual: urn:oasis:names:tc:SAML:2.0:cm:holder-of-key", srcG2Validate + " Validate (ErrInvalidValue)"},
	{`missing Assertion element`, sp.ReasonAssertionMissing,
		"missing Assertion element", srcG2Retrieve + " (ErrMissingAssertion)"},
	{`Unrecognized StatusCode value`, sp.ReasonStatusNotSuccess,
		"Unrecognized StatusCode value, Expected: urn:oasis:names:tc:SAML:2.0:status:Success, Actual: urn:oasis:names:tc:SAML:2.0:status:Responder", srcG2Validate + " Validate (ErrInvalidValue)"},
	{`Unrecognized Destination value`, sp.ReasonDestinationMismatch,
		"Unrecognized Destination value, Expected: http://127.0.0.1:7790/saml/acs, Actual: https://other.example/acs", srcG2Decode + " validateResponseAttributes (ErrInvalidValue)"},
	{`Unrecognized Recipient value`, sp.ReasonRecipientMismatch,
		"Unrecognized Recipient value, Expected: http://127.0.0.1:7790/saml/acs, Actual: ", srcG2Validate + " Validate (ErrInvalidValue)"},
	{`Unsupported SAML version value`, sp.ReasonVersionInvalid,
		"Unsupported SAML version value, Expected: 2.0, Actual: 1.1", srcG2Decode + " validateResponseAttributes (ErrInvalidValue)"},
	{`Expired NotOnOrAfter value`, sp.ReasonExpired,
		"Expired NotOnOrAfter value, Expected: 2026-01-15T09:30:00Z, Actual: 2026-01-15T09:29:00.000Z", srcG2Validate + " Validate (SubjectConfirmationData NotOnOrAfter, ErrInvalidValue)"},
	// ErrParsing prints the value where it means the type.
	{`Error parsing \w+ tag value as type `, sp.ReasonResponseMalformed,
		"Error parsing NotBefore tag value as type not-a-time", srcG2Validate + " (ErrParsing)"},
	{`unable to parse response`, sp.ReasonResponseMalformed,
		"error validating response: unable to parse response", srcG2Decode + " parseResponse (no root element)"},
	{`found (?:encrypted )?assertion with unexpected parent element`, sp.ReasonStructure,
		"error validating response: found assertion with unexpected parent element: Extensions", srcG2Decode + " ValidateEncodedResponse, decryptAssertions"},
	{`invalid to have both signed and unsigned assertions`, sp.ReasonStructure,
		"invalid to have both signed and unsigned assertions", srcG2Decode + " validateAssertionSignatures"},
	{`unable to decrypt encrypted assertion`, sp.ReasonEncryptedAssertion,
		"error validating response: unable to decrypt encrypted assertion: cannot decrypt, error retrieving private key: key decryption attempted with mismatched cert, SP cert(ef:27:dc:fe), assertion cert(8c:20:5c:c7)", srcG2Decode + " decryptAssertions"},
	// Only decryptAssertions raises this: the plaintext it decrypted does
	// not parse. gosaml2 decrypts every CBC method with an AES cipher, so
	// a triple-DES key (24 bytes, read as AES-192) yields noise whose
	// padding byte passes now and then; the parse (and the DEFLATE retry
	// in maybeDeflate) then fails on it.
	{`unable to create element from decrypted assertion bytes`, sp.ReasonEncryptedAssertion,
		"error validating response: unable to create element from decrypted assertion bytes: flate: corrupt input before offset 1", srcG2Decode + " decryptAssertions"},
	{`unable to unmarshal encrypted assertion`, sp.ReasonEncryptedAssertion,
		"error validating response: unable to unmarshal encrypted assertion: EOF", srcG2Decode + " decryptAssertions"},
	{`deflated response exceeds maximum size`, sp.ReasonResponseTooLarge,
		"error validating response: deflated response exceeds maximum size of 5242880 bytes", srcG2Decode + " maybeDeflate"},
	{`document contains too many XML tokens`, sp.ReasonXMLLimit,
		"error validating response: document contains too many XML tokens: upper bound 60001 exceeds maximum of 50000", srcG2Decode + " parseResponse"},
	// gosaml2 looks for a signature on the Response, then on each
	// assertion of an unsigned Response: neither has one that references
	// it.
	{`Missing signature referencing the top-level element`, sp.ReasonSignatureMissing,
		"error validating response: Missing signature referencing the top-level element", srcG2Decode + " ValidateEncodedResponse (dsig.ErrMissingSignature)"},
	{`WarningInfo\.NotInAudience\b`, sp.ReasonAudienceMismatch,
		"WarningInfo.NotInAudience", srcG2Warning},
}

var gosaml2Unread = []Unread{
	{Match: `Unrecognized Issuer value`, Candidates: []sp.Reason{sp.ReasonResponseIssuer, sp.ReasonIssuerMismatch},
		Example: "error validating response: Unrecognized Issuer value, Expected: http://www.okta.com/exk1, Actual: http://www.okta.com/exk2", Source: srcG2Validate + " Validate (ErrInvalidValue)",
		Why: "the same text for the Response's Issuer and for an Assertion's"},
	{Match: `missing Issuer element`, Candidates: []sp.Reason{sp.ReasonResponseIssuer, sp.ReasonIssuerMismatch, sp.ReasonStructure},
		Example: "error validating response: missing Issuer element", Source: srcG2Validate + " Validate (ErrMissingElement)",
		Why: "the same text for the Response's Issuer and for an Assertion's; a required element that is missing is also a structural defect (STRUCTURE)"},
	{Match: `flate: corrupt input before offset`, Candidates: []sp.Reason{sp.ReasonResponseMalformed, sp.ReasonXMLForbidden, sp.ReasonXMLLimit},
		Example: "error validating response: flate: corrupt input before offset 3", Source: srcG2Decode + " maybeDeflate",
		Why: "when the XML does not parse (malformed, an entity reference, too many tokens) gosaml2 tries DEFLATE and reports only that error"},
	{Match: `WarningInfo\.InvalidTime\b`, Candidates: []sp.Reason{sp.ReasonNotYetValid, sp.ReasonExpired},
		Example: "WarningInfo.InvalidTime", Source: srcG2Warning,
		Why: "one flag for Conditions NotBefore in the future and NotOnOrAfter past"},
	{Match: `validator: in token starting at`, Candidates: []sp.Reason{sp.ReasonResponseMalformed, sp.ReasonXMLForbidden},
		Example: "error validating response: validator: in token starting at 33:256: EOF", Source: "github.com/mattermost/xml-roundtrip-validator@v0.1.0 (through " + srcG2Decode + " parseResponse)",
		Why: "a token encoding/xml would change: malformed names and forbidden directives alike"},
	{Match: `missing Conditions element`, Candidates: []sp.Reason{sp.ReasonAudienceMismatch},
		Example: "missing Conditions element", Source: srcG2Validate + " VerifyAssertionConditions (ErrMissingElement)",
		Why: "the harness has no reason for a missing Conditions element; gosaml2 requires it for its time bounds, not its audience"},
	{Match: `missing \w+ attribute on Conditions element`, Example: "missing NotOnOrAfter attribute on Conditions element",
		Source: srcG2Validate + " VerifyAssertionConditions (ErrMissingElement)", Why: "the harness has no reason for a Conditions element without a time bound"},
	{Match: `missing Status(?:Code)? element`, Candidates: []sp.Reason{sp.ReasonStatusNotSuccess, sp.ReasonResponseMalformed, sp.ReasonStructure},
		Example: "missing Status element", Source: srcG2Validate + " Validate (ErrMissingElement)", Why: "a Response without a Status is malformed, structurally incomplete or not a success: the harness's reasons split it, the text does not"},
}

func gosaml2Preset() *Preset {
	return &Preset{
		Name:      NameGosaml2,
		Libraries: []string{"github.com/russellhaering/gosaml2@v0.12.0", "github.com/russellhaering/goxmldsig@v1.6.1"},
		Rules:     concat(gosaml2Rules, goxmldsigRules, stdlibRules),
		Unread:    append(append([]Unread(nil), gosaml2Unread...), goxmldsigUnread...),
	}
}
