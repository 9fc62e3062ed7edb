package mysp_test

// policyChoices are the catalogue's strict expectations this SP does not
// meet, each with why: what crewjam/saml does with the options mysp.New
// sets (reviewed, and accepted for this example). In each case the harness
// observed the right user signed in, or a refusal of a valid login — never
// a forged identity. ginkgospec.Allow reports them as skipped with this
// reason, and fails a spec once the SP meets its expectation, so the list
// stays true when the library or the app changes.
var policyChoices = map[string]string{}

func init() {
	for reason, ids := range map[string][]string{
		"crewjam/saml (goxmldsig) accepts SHA-1 signatures and digests, and exclusive canonicalization WithComments; it has no option to refuse them": {
			"okta-rsa-sha1-digest-sha1", "okta-rsa-sha1-digest-sha256", "okta-rsa-sha1-response-only", "okta-rsa-sha256-digest-sha1", "sig-c14n-with-comments",
		},
		"crewjam/saml verifies the signature over the assertion it then uses and ignores the rest of the document's shape (the signed user signs in)": {
			"sig-placed-last-child", "xsw-forged-assertion-hidden-in-extensions", "xsw7", "assertion-id-equals-response-id", "assertion-id-xpath-injection",
			"assertion-duplicated", "attribute-statement-empty", "encrypted-assertion-beside-signed-plaintext",
		},
		"crewjam/saml parses with Go's encoding/xml, which expands no entities; it does not refuse these XML features or encodings": {
			"duplicate-destination-attribute", "duplicate-id-attribute", "xml-declaration-euc-jp", "xml-declaration-utf16-on-utf8",
			"xml-utf8-byte-order-mark", "doctype-internal-subset", "processing-instruction", "xxe-parameter-entity", "saml-response-duplicated-parameter",
		},
		"crewjam/saml reads a NameID's own text with encoding/xml and skips an element inside it (the signed user signs in); it does not require NameID to be text only": {
			"nameid-child-element-signed-by-idp",
		},
		"crewjam/saml checks the assertion's Issuer value, not its Format, and accepts a Response without an Issuer": {
			"issuer-assertion-format-unspecified", "issuer-response-missing",
		},
		"crewjam/saml's time windows: saml.MaxClockSkew (180 s) around every bound, saml.MaxIssueDelay (90 s) after IssueInstant": {
			"time-idp-clock-behind-4m", "time-not-before-1m-ahead", "time-not-before-1ms-ahead", "time-not-on-or-after-now", "time-not-on-or-after-past",
			"time-scd-not-before-present", "time-scd-not-on-or-after-now", "time-scd-not-on-or-after-past", "time-session-not-on-or-after-past",
		},
		"samlsp takes the RelayState as the key of a request it tracks (a cookie): a RelayState it did not issue fails the sign-in, whatever it holds": {
			"relaystate-absolute-url", "relaystate-backslash-url", "relaystate-javascript-url", "relaystate-over-long", "relaystate-protocol-relative-url",
		},
	} {
		for _, id := range ids {
			policyChoices[id] = reason
		}
	}
}
