package diagnose

import (
	"sort"
	"strings"
)

// Severity ranks a finding.
type Severity string

// Severities, in report order.
const (
	// SeverityCause explains the result the SP gives.
	SeverityCause Severity = "cause"
	// SeverityProblem would also make the SP refuse the sign-in once the
	// cause is fixed.
	SeverityProblem Severity = "problem"
	// SeverityWarning does not stop this sign-in under this profile but is
	// wrong, risky, or refused by the strict profile.
	SeverityWarning Severity = "warning"
)

// Finding is one thing wrong, named as the setup guide's field-mapping
// table names it, with what was expected, what was found and the fix in
// the admin UIs' words.
type Finding struct {
	// Rank is the finding's 1-based position: the most likely cause first.
	Rank     int      `json:"rank"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Reason is the SP reason code this finding makes the SP give (when it
	// makes the SP refuse under some profile).
	Reason string `json:"reason,omitempty"`
	// StrictOnly marks a finding only the strict profile refuses.
	StrictOnly bool   `json:"strictOnly,omitempty"`
	Title      string `json:"title"`
	// Field is the Okta field ↔ workspace field pair (the guide's table).
	Field    string `json:"field"`
	Expected string `json:"expected,omitempty"`
	Found    string `json:"found,omitempty"`
	Fix      string `json:"fix"`
	// Certificate is the 1-based configured certificate concerned, Line and
	// Column the defect's place in its pasted text.
	Certificate int `json:"certificate,omitempty"`
	Line        int `json:"line,omitempty"`
	Column      int `json:"column,omitempty"`

	step int // position in the SP's check order, for ranking
}

// Fields, as the setup guide's field-mapping table pairs them.
const (
	FieldSSOProvider = "Sign-in method in Okta ↔ SSO Provider in the workspace"
	FieldAudience    = "Audience URI (SP Entity ID) in Okta ↔ Service Provider Entity Id in the workspace"
	FieldSSOURL      = "Single sign-on URL in Okta ↔ Redirect URL in the workspace"
	FieldRecipient   = "Recipient URL in Okta ↔ Redirect URL in the workspace"
	FieldDestination = "Destination URL in Okta ↔ Redirect URL in the workspace"
	FieldIssuer      = "SAML Issuer ID or metadata entityID in Okta ↔ Identity Provider Entity Id in the workspace"
	FieldSignInURL   = "Sign On URL or metadata SingleSignOnService Location in Okta ↔ Identity Provider Sign-In URL in the workspace"
	FieldCertificate = "X.509 Certificate or metadata ds:X509Certificate in Okta ↔ Certificate in the workspace"
	FieldNameID      = "Name ID format and Application username in Okta (set to EmailAddress and Email)"
	FieldDomain      = "User or app email domain in Okta ↔ Domain in the workspace"
	FieldSigning     = "Response and Assertion Signature in Okta (SAML settings, advanced)"
	FieldAlgorithms  = "Signature Algorithm and Digest Algorithm in Okta (SAML settings, advanced)"
	FieldEncryption  = "Assertion Encryption in Okta (SAML settings, advanced)"
	FieldClock       = "the clocks of Okta and the SP (NotBefore / NotOnOrAfter of the response)"
	FieldSignIn      = "how the sign-in starts: the workspace's sign-in page (SP-initiated), not the Okta tile"
	FieldStatus      = "Okta's answer (the response's StatusCode)"
	FieldEnabled     = "SSO Provider in the workspace (enabled)"
	FieldResponse    = "the SAMLResponse as the IdP posted it"
)

// Steps of the SP's check order (sp/pipeline.go), for ranking.
const (
	stepConfig = iota
	stepDecode
	stepStructure
	stepEncryption
	stepCertificates
	stepSignature
	stepStatus
	stepDestination
	stepResponseIssuer
	stepAssertionIssuer
	stepAudience
	stepNotBefore
	stepNotOnOrAfter
	stepRecipient
	stepInResponseTo
	stepNameID
	stepNameIDEmail
	stepDomain
	stepAdvice
)

// rank assigns severities against the SP's result and orders the
// findings: the cause first, then the problems in the SP's check order,
// then the warnings.
func rank(fs []Finding, resultReason string, strict bool) []Finding {
	causeSet := false
	for i := range fs {
		f := &fs[i]
		fatal := f.Reason != "" && (strict || !f.StrictOnly)
		switch {
		case !fatal:
			f.Severity = SeverityWarning
		case f.Reason == resultReason && !causeSet:
			f.Severity = SeverityCause
			causeSet = true
		default:
			f.Severity = SeverityProblem
		}
	}
	order := map[Severity]int{SeverityCause: 0, SeverityProblem: 1, SeverityWarning: 2}
	sort.SliceStable(fs, func(i, j int) bool {
		if order[fs[i].Severity] != order[fs[j].Severity] {
			return order[fs[i].Severity] < order[fs[j].Severity]
		}
		return fs[i].step < fs[j].step
	})
	for i := range fs {
		fs[i].Rank = i + 1
	}
	return fs
}

// firstSentence cuts an explanation at its first ". " for a title.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i]
	}
	return strings.TrimSuffix(s, ".")
}
