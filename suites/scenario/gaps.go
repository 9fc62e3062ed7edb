package scenario

// SPGap is a scenario whose expectation is right and which the built-in SP
// judges wrongly today, under one profile: a protection the SP lacks. The
// expectation stays as the specification or policy requires; the gap is
// listed here until the SP is fixed, and the conformance suite reports the
// scenario as skipped with this reason (and fails once the SP passes it, so
// the list cannot go stale).
type SPGap struct {
	Scenario string
	Profile  Profile
	// Now is what the SP does today; Must is what it must do.
	Now, Must string
}

var knownSPGaps = []SPGap{
	{"nameid-zero-width-signed-by-idp", Strict, "signs in a\u200blice@acme.test as a distinct user",
		"refuse a NameID carrying invisible or format characters (U+200B…) with NAMEID_NOT_EMAIL"},
	{"assertion-id-xpath-injection", Strict, "accepts an Assertion whose ID contains quotes and XPath syntax",
		"refuse an ID that is not an xs:ID (NCName) with STRUCTURE"},
	{"attribute-statement-empty", Strict, "accepts an AttributeStatement with no Attribute",
		"refuse it with STRUCTURE (the schema requires at least one Attribute or EncryptedAttribute)"},
	{"authn-statement-removed", Strict, "accepts an Assertion without AuthnStatement",
		"refuse with STRUCTURE: saml-profiles §4.1.4.2 requires an AuthnStatement in the SSO assertion"},
	{"time-issue-instant-future", Strict, "accepts a Response and Assertion issued ten minutes in the future",
		"refuse with NOT_YET_VALID an IssueInstant later than now (plus the profile's skew, none today)"},
	{"time-session-not-on-or-after-past", Strict, "accepts an AuthnStatement whose SessionNotOnOrAfter has passed",
		"refuse with EXPIRED when now is on or after AuthnStatement SessionNotOnOrAfter"},
}

// KnownSPGaps returns the known gaps of the built-in SP.
func KnownSPGaps() []SPGap { return append([]SPGap(nil), knownSPGaps...) }

// KnownSPGap returns the gap recorded for a scenario under a profile.
func KnownSPGap(id string, p Profile) (SPGap, bool) {
	for _, g := range knownSPGaps {
		if g.Scenario == id && g.Profile == p {
			return g, true
		}
	}
	return SPGap{}, false
}
