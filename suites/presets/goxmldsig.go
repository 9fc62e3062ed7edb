package presets

import "github.com/samlharness/samlharness/sp"

// Both crewjam/saml and gosaml2 verify XML signatures with goxmldsig and
// pass its errors up inside their own wrappers ("cannot validate signature
// on Response: …", "error validating response: …"). These rules read the
// goxmldsig texts whose meaning does not depend on the caller; each
// library's preset puts its own rules first.

const (
	srcDsigValidate = "github.com/russellhaering/goxmldsig@v1.6.1 validate.go"
	srcDsigNS       = "github.com/russellhaering/goxmldsig@v1.6.1 etreeutils/namespace.go"
)

var goxmldsigRules = []Rule{
	// A trusted certificate, but the digest of the referenced element is
	// not the one signed (the content changed after signing), or there is
	// no SignatureValue to check.
	{`Signature could not be verified`, sp.ReasonSignatureInvalid,
		"Signature could not be verified", srcDsigValidate + " validateSignature (digest mismatch)"},
	// cert.CheckSignature over SignedInfo with the trusted certificate's
	// key: the signature value is not that key's signature.
	{`crypto/rsa: verification error`, sp.ReasonSignatureInvalid,
		"crypto/rsa: verification error", srcDsigValidate + " validateSignature (x509.Certificate.CheckSignature, crypto/rsa.ErrVerification)"},
	{`x509: ECDSA verification failure`, sp.ReasonSignatureInvalid,
		"x509: ECDSA verification failure", srcDsigValidate + " validateSignature (x509.Certificate.CheckSignature)"},
	{`Could not decode signature`, sp.ReasonSignatureInvalid,
		"Could not decode signature", srcDsigValidate + " validateSignature (SignatureValue is not base64)"},
	// The certificate in KeyInfo is not one the SP trusts.
	{`Could not verify certificate against trusted certs`, sp.ReasonSignatureUntrustedKey,
		"Could not verify certificate against trusted certs", srcDsigValidate + " verifyCertificate"},
	// The trusted certificate is outside its validity period.
	{`Cert is not valid at this time`, sp.ReasonCertExpired,
		"Cert is not valid at this time", srcDsigValidate + " verifyCertificate"},
	// The shape of the Signature: not exactly one SignedInfo and one
	// SignatureValue, or more than one KeyInfo (ErrInvalidSignature).
	{`\bInvalid Signature\b`, sp.ReasonSignatureShape,
		"Invalid Signature", srcDsigValidate + " validateShape (dsig.ErrInvalidSignature)"},
	{`Missing SignedInfo`, sp.ReasonSignatureShape,
		"Missing SignedInfo", srcDsigValidate + " findSignature"},
	{`missing CanonicalizationMethod on Signature`, sp.ReasonSignatureShape,
		"missing CanonicalizationMethod on Signature", srcDsigValidate + " findSignature"},
	{`Missing reference\b`, sp.ReasonSignatureShape,
		"Missing reference", srcDsigValidate + " validateSignature (no Reference to the signed element in the verified SignedInfo)"},
	// A transform other than enveloped-signature and canonicalization
	// (XSLT, XPath).
	{`Unknown Transform Algorithm: `, sp.ReasonSignatureShape,
		"Unknown Transform Algorithm: http://www.w3.org/TR/1999/REC-xslt-19991116", srcDsigValidate + " transform"},
	// A KeyInfo the library cannot read a certificate from.
	{`missing X509Certificate within KeyInfo`, sp.ReasonSignatureShape,
		"missing X509Certificate within KeyInfo", srcDsigValidate + " verifyCertificate"},
	{`Failed to parse certificate`, sp.ReasonSignatureShape,
		"Failed to parse certificate", srcDsigValidate + " verifyCertificate (KeyInfo X509Certificate is not base64)"},
	// Algorithms the library does not accept.
	{`Unknown signature method: `, sp.ReasonSignatureAlgorithm,
		"Unknown signature method: http://www.w3.org/2000/09/xmldsig#hmac-sha1", srcDsigValidate + " validateSignature"},
	{`Unknown digest algorithm: `, sp.ReasonSignatureAlgorithm,
		"Unknown digest algorithm: http://www.w3.org/2001/04/xmldsig-more#md5", srcDsigValidate + " validateSignature"},
	{`invalid CanonicalizationMethod on Signature: `, sp.ReasonSignatureAlgorithm,
		"invalid CanonicalizationMethod on Signature: http://www.w3.org/TR/1999/REC-xpath-19991116", srcDsigValidate + " findSignature"},
	// Namespace declarations the Namespaces in XML recommendation forbids.
	{`disallowed declaration of reserved namespace`, sp.ReasonResponseMalformed,
		"disallowed declaration of reserved namespace", srcDsigNS + " (etreeutils.ErrReservedNamespace)"},
	{`invalid default namespace declaration`, sp.ReasonResponseMalformed,
		"invalid default namespace declaration", srcDsigNS + " (etreeutils.ErrInvalidDefaultNamespace)"},
	{`traversal limit reached`, sp.ReasonXMLLimit,
		"traversal limit reached", srcDsigNS + " (etreeutils.ErrTraversalLimit)"},
}

var goxmldsigUnread = []Unread{
	{Match: `Missing x509 Element`, Example: "Missing x509 Element", Source: srcDsigValidate + " verifyCertificate",
		Why: "no KeyInfo while the SP trusts several certificates: a property of the SP's configuration as much as of the message; no reason of the harness says that"},
}

// The Go standard library's texts that both libraries pass up unchanged.
const (
	srcBase64 = "Go encoding/base64 CorruptInputError"
	srcXML    = "Go encoding/xml SyntaxError / UnmarshalError"
	srcTime   = "Go time.ParseError (encoding/xml unmarshalling an xs:dateTime attribute)"
	srcEtree  = "github.com/beevik/etree@v1.8.1 etree.go"
)

var stdlibRules = []Rule{
	// The SAMLResponse parameter (or, past a valid signature, another
	// base64 field of the message) is not base64.
	{`illegal base64 data at input byte \d+`, sp.ReasonResponseMalformed,
		"illegal base64 data at input byte 4802", srcBase64},
	// A reference to an entity other than the five XML predefines (a
	// character reference &#…; is not one: it falls to the next rule).
	{`XML syntax error on line \d+: invalid character entity &(?:amp;)?[A-Za-z_:]`, sp.ReasonXMLForbidden,
		"XML syntax error on line 33: invalid character entity &lol9;", srcXML + " (entity reference)"},
	{`XML syntax error on line \d+: `, sp.ReasonResponseMalformed,
		"XML syntax error on line 1: expected attribute name in element", srcXML},
	// Another element where the message's root (or a child) must be.
	{`expected element type \S+ but have \S+`, sp.ReasonStructure,
		"expected element type <Response> but have <NameID>", srcXML + " (UnmarshalError)"},
	{`parsing time .{1,200}? as \S*2006-01-02T15:04:05`, sp.ReasonResponseMalformed,
		`parsing time "not-a-time" as "2006-01-02T15:04:05Z07:00": cannot parse "not-a-time" as "2006"`, srcTime},
	{`etree: invalid XML format`, sp.ReasonResponseMalformed,
		"etree: invalid XML format", srcEtree + " (etree.ErrXML)"},
	{`etree: XML tree exceeds maximum depth`, sp.ReasonXMLLimit,
		"etree: XML tree exceeds maximum depth", srcEtree + " (etree.ErrMaxDepth)"},
}
