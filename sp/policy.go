package sp

import "time"

// Policy is a profile's behaviour as named switches that the checklist's
// steps read (replacing a "strict" boolean threaded through the pipeline).
// The identity-platform profile's values follow what Identity Platform was
// observed to do where that is recorded, and are our assumption otherwise
// (each step's Rule says which); the strict profile turns on what the SAML
// specifications and the attack catalogue require.
type Policy struct {
	// UniqueIDsEverywhere compares the IDs of every element of the document;
	// off, only the Response's and its Assertions' IDs are compared.
	UniqueIDsEverywhere bool
	// AssertionPlacement allows at most one Assertion, only as a child of
	// the Response (Advice excepted).
	AssertionPlacement bool
	// SignaturePlacement allows a ds:Signature only in the Response or the
	// Assertion, at its schema position.
	SignaturePlacement bool
	// SignatureSchemaShape applies the strict shape of a ds:Signature
	// (no Object, no foreign children, parseable KeyInfo, …).
	SignatureSchemaShape bool
	// SignatureAlgorithmAllowList refuses SHA-1, inclusive or commented
	// canonicalization.
	SignatureAlgorithmAllowList bool
	// WholeDocumentReference lets the Response's signature reference the
	// whole document (Reference URI="").
	WholeDocumentReference bool
	// PinKeyInfo requires a KeyInfo certificate, when present, to be the
	// configured certificate that verified.
	PinKeyInfo bool
	// MinRSAKeyBits is the smallest RSA key of a verifying certificate (0:
	// any).
	MinRSAKeyBits int
	// CertificateValidity refuses a verifying certificate outside its
	// validity period.
	CertificateValidity bool
	// ElementMultiplicity checks the multiplicities of Issuer, Status,
	// Subject, Conditions and NameID on the verified content.
	ElementMultiplicity bool
	// DestinationRequiredWhenSigned requires Destination on a signed Response.
	DestinationRequiredWhenSigned bool
	// IssuerRequiredWhenSigned requires an Issuer on a signed Response.
	IssuerRequiredWhenSigned bool
	// IssuerFormatEntity requires an Issuer Format, when present, to be the
	// entity format.
	IssuerFormatEntity bool
	// AudienceRestrictionRequired requires at least one AudienceRestriction.
	AudienceRestrictionRequired bool
	// UnknownConditionsRefused refuses conditions other than
	// AudienceRestriction and OneTimeUse.
	UnknownConditionsRefused bool
	// BearerConfirmation requires a bearer SubjectConfirmation with data
	// carrying NotOnOrAfter and no NotBefore.
	BearerConfirmation bool
	// RecipientChecked requires SubjectConfirmationData Recipient = the
	// Redirect URL.
	RecipientChecked bool
	// NameIDTextOnly refuses a NameID with child elements.
	NameIDTextOnly bool
	// IDsAreXMLNames refuses a Response or Assertion ID that is not an
	// xs:ID (an XML NCName).
	IDsAreXMLNames bool
	// StatementsRequired requires an AuthnStatement in the assertion and at
	// least one Attribute in each AttributeStatement.
	StatementsRequired bool
	// IssueInstantNotFuture refuses a Response or Assertion issued more
	// than IssueInstantSkew after now.
	IssueInstantNotFuture bool
	// IssueInstantSkew is the clock skew IssueInstantNotFuture tolerates:
	// the five minutes Okta puts between IssueInstant and NotBefore, so an
	// IdP clock ahead by less than that is judged by the same bound on
	// both attributes.
	IssueInstantSkew time.Duration
	// SessionNotOnOrAfter refuses an assertion whose AuthnStatement
	// SessionNotOnOrAfter has passed.
	SessionNotOnOrAfter bool
	// NameIDVisibleOnly refuses (as not an email) a NameID carrying
	// invisible or format characters (Unicode category Cf, e.g. U+200B).
	NameIDVisibleOnly bool
}

// PolicyFor returns a profile's Policy (an unknown profile gets the
// default profile's).
func PolicyFor(p Profile) Policy {
	if p != ProfileStrict {
		return Policy{WholeDocumentReference: true}
	}
	return Policy{
		UniqueIDsEverywhere:           true,
		AssertionPlacement:            true,
		SignaturePlacement:            true,
		SignatureSchemaShape:          true,
		SignatureAlgorithmAllowList:   true,
		PinKeyInfo:                    true,
		MinRSAKeyBits:                 2048,
		CertificateValidity:           true,
		ElementMultiplicity:           true,
		DestinationRequiredWhenSigned: true,
		IssuerRequiredWhenSigned:      true,
		IssuerFormatEntity:            true,
		AudienceRestrictionRequired:   true,
		UnknownConditionsRefused:      true,
		BearerConfirmation:            true,
		RecipientChecked:              true,
		NameIDTextOnly:                true,
		IDsAreXMLNames:                true,
		StatementsRequired:            true,
		IssueInstantNotFuture:         true,
		IssueInstantSkew:              5 * time.Minute,
		SessionNotOnOrAfter:           true,
		NameIDVisibleOnly:             true,
	}
}
