package sp

// CertificateShape is the SP's typed classification of how a pasted IdP
// certificate is shaped: what its parser (certificate.go, modelled on the
// PEM reading of Java's CertificateFactory) can tell about the text, as a
// value tools compare instead of message text.
type CertificateShape string

// Certificate shapes. ShapeOK and ShapeOKWith… parse; every other shape is
// a CERT_PARSE at sign-in.
const (
	// ShapeOK: a PEM certificate that parses.
	ShapeOK CertificateShape = "ok"
	// ShapeChain: parses; the text holds several certificates (the first is used).
	ShapeChain CertificateShape = "chain"
	// ShapeLeadingText: parses; text before the BEGIN line is ignored.
	ShapeLeadingText CertificateShape = "leading-text"

	// ShapeEmpty: nothing but whitespace.
	ShapeEmpty CertificateShape = "empty"
	// ShapeBinaryDER: binary DER of a certificate pasted as text.
	ShapeBinaryDER CertificateShape = "binary-der"
	// ShapeBinaryData: binary data that is not a certificate.
	ShapeBinaryData CertificateShape = "binary-data"
	// ShapeMissingArmor: only base64 that decodes to a certificate; the
	// BEGIN/END lines are missing.
	ShapeMissingArmor CertificateShape = "missing-armor"
	// ShapeBareBase64: only base64, which is not a certificate (e.g. the
	// base64 of a whole PEM file).
	ShapeBareBase64 CertificateShape = "bare-base64"
	// ShapeIndentedArmor: the BEGIN line does not start a line.
	ShapeIndentedArmor CertificateShape = "indented-armor"
	// ShapeMalformedHeader: a BEGIN line that is not -----BEGIN …----- (no
	// space, wrong dashes, missing dashes).
	ShapeMalformedHeader CertificateShape = "malformed-header"
	// ShapeBodyOnHeaderLine: the base64 continues on the BEGIN line (a
	// flattened certificate).
	ShapeBodyOnHeaderLine CertificateShape = "body-on-header-line"
	// ShapeXMLEscaped: XML character references (&#13;) in the text.
	ShapeXMLEscaped CertificateShape = "xml-escaped"
	// ShapeMissingBody: nothing follows the BEGIN line.
	ShapeMissingBody CertificateShape = "missing-body"
	// ShapeMissingFooter: no END line (the text was cut off).
	ShapeMissingFooter CertificateShape = "missing-footer"
	// ShapeMismatchedFooter: an END line that does not match the BEGIN line.
	ShapeMismatchedFooter CertificateShape = "mismatched-footer"
	// ShapePrivateKey, ShapePublicKey, ShapeCertificateRequest,
	// ShapeOtherPEMBlock: a PEM block of another kind.
	ShapePrivateKey         CertificateShape = "private-key"
	ShapePublicKey          CertificateShape = "public-key"
	ShapeCertificateRequest CertificateShape = "certificate-request"
	ShapeOtherPEMBlock      CertificateShape = "other-pem-block"
	// ShapeBadCharacter: a character that is not base64 in the body
	// (CertificateDiagnosis.Line/Column say where).
	ShapeBadCharacter CertificateShape = "bad-character"
	// ShapeEllipsis: an ellipsis (…) in the body: the text was shortened.
	ShapeEllipsis CertificateShape = "ellipsis"
	// ShapeNonASCII: a non-ASCII character in the body: the text was
	// reformatted.
	ShapeNonASCII CertificateShape = "non-ascii"
	// ShapeEmptyBody: BEGIN and END lines with nothing between them.
	ShapeEmptyBody CertificateShape = "empty-body"
	// ShapeBase64Length: the body's length is not a multiple of 4
	// (characters were lost or added).
	ShapeBase64Length CertificateShape = "base64-length"
	// ShapeBase64Invalid: the body does not decode as base64.
	ShapeBase64Invalid CertificateShape = "base64-invalid"
	// ShapeNotCertificate: the body decodes, but not to an X.509
	// certificate (a character was changed, or the body is cut short).
	ShapeNotCertificate CertificateShape = "not-certificate"
	// ShapeXMLDocument: XML (metadata) instead of PEM.
	ShapeXMLDocument CertificateShape = "xml-document"
	// ShapeNotPEM: anything else that is not PEM.
	ShapeNotPEM CertificateShape = "not-pem"
)

// Parses reports whether a certificate of this shape parses.
func (s CertificateShape) Parses() bool {
	return s == ShapeOK || s == ShapeChain || s == ShapeLeadingText
}
