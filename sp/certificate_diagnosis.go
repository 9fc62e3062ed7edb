package sp

import (
	"crypto/x509"
	"time"
)

// CertificateDiagnosis is what the SP makes of one pasted IdP certificate:
// the certificate it would verify with, or precisely why the text cannot be
// parsed (the reason sign-in fails with "Error when parsing certificate").
type CertificateDiagnosis struct {
	// Certificate is the parsed certificate (the first of a chain); nil when
	// the text cannot be parsed.
	Certificate *x509.Certificate
	// Code is "" when the text parses, otherwise one of the Cert… problem
	// codes (CertBase64Char, CertNoPEMArmor, CertIsPrivateKey, …).
	Code string
	// Message says what is wrong and where (line and column for a bad
	// character), in the admin's terms.
	Message string
	// Chain is how many certificates the text holds (only the first is used).
	Chain int
	// LeadingText reports text before the BEGIN line (ignored by the parser).
	LeadingText bool
	// Shape is the typed classification of the text (ShapeOK, ShapeChain,
	// ShapeLeadingText when it parses).
	Shape CertificateShape
	// Line and Column locate a character that is not base64 (1-based; 0
	// when the problem has no position).
	Line, Column int
}

// OK reports whether the text parses into a certificate.
func (d CertificateDiagnosis) OK() bool { return d.Certificate != nil }

// DiagnoseCertificate parses a pasted certificate exactly as the SP does at
// sign-in (Identity Platform's Java CertificateFactory reading PEM) and
// explains the outcome.
func DiagnoseCertificate(text string) CertificateDiagnosis {
	pc := parseCertificateText(text)
	if pc.err != nil {
		return CertificateDiagnosis{Code: pc.err.Code, Message: pc.err.Message, Shape: pc.err.Shape, Line: pc.err.Line, Column: pc.err.Column}
	}
	shape := ShapeOK
	switch {
	case pc.chain > 1:
		shape = ShapeChain
	case pc.leadingText:
		shape = ShapeLeadingText
	}
	return CertificateDiagnosis{Certificate: pc.cert, Chain: pc.chain, LeadingText: pc.leadingText, Shape: shape}
}

// CertificateWarnings lists what is wrong with each pasted certificate, as
// the admin UI reports it at save time (unparseable, duplicate, chain,
// leading text, expired or not yet valid at now, weak key).
func CertificateWarnings(texts []string, now time.Time) []Problem {
	return certificateWarnings(texts, now)
}

// CertificateFingerprint is the SHA-256 fingerprint of a certificate as the
// SP's explanations print it: lower-case hex without colons.
func CertificateFingerprint(c *x509.Certificate) string { return certFingerprint(c) }
