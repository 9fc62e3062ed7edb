// Package wire holds the SAML 2.0 wire constants that both the mock IdP and the
// SP must agree on because the specifications fix them: namespaces, binding,
// name-identifier format, status and algorithm URIs. It holds names only —
// never signing, verifying or parsing code, which the two roles keep apart.
package wire

// XML namespaces.
const (
	NSProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	NSAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	NSMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	NSDSig      = "http://www.w3.org/2000/09/xmldsig#"
	NSXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	NSExcC14N   = "http://www.w3.org/2001/10/xml-exc-c14n#"
	NSXS        = "http://www.w3.org/2001/XMLSchema"
	NSXSI       = "http://www.w3.org/2001/XMLSchema-instance"
)

// Bindings.
const (
	BindingHTTPPost     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
	BindingHTTPRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
)

// Name identifier formats, as Okta's "Name ID format" options map to them.
const (
	NameIDUnspecified     = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	NameIDEmailAddress    = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	NameIDX509SubjectName = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
	NameIDPersistent      = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	NameIDTransient       = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
	NameIDEntity          = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
)

// Status codes.
const (
	StatusSuccess         = "urn:oasis:names:tc:SAML:2.0:status:Success"
	StatusRequester       = "urn:oasis:names:tc:SAML:2.0:status:Requester"
	StatusResponder       = "urn:oasis:names:tc:SAML:2.0:status:Responder"
	StatusVersionMismatch = "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch"
	StatusAuthnFailed     = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
	StatusRequestDenied   = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
)

// Subject confirmation and authentication context.
const (
	CMBearer                     = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	ACPasswordProtectedTransport = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
)

// Attribute name formats (Okta's "Name format": Unspecified, URI Reference, Basic).
const (
	AttrNameFormatUnspecified = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
	AttrNameFormatURI         = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
	AttrNameFormatBasic       = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
)

// XML Signature and XML Encryption algorithm identifiers.
const (
	AlgRSASHA1         = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	AlgRSASHA256       = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	AlgRSASHA512       = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	AlgDigestSHA1      = "http://www.w3.org/2000/09/xmldsig#sha1"
	AlgDigestSHA256    = "http://www.w3.org/2001/04/xmlenc#sha256"
	AlgDigestSHA512    = "http://www.w3.org/2001/04/xmlenc#sha512"
	AlgExcC14N         = "http://www.w3.org/2001/10/xml-exc-c14n#"
	AlgExcC14NComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	AlgEnveloped       = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	AlgAES128CBC       = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	AlgAES256CBC       = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	AlgAES256GCM       = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
	AlgRSAOAEPMGF1P    = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	AlgRSA15           = "http://www.w3.org/2001/04/xmlenc#rsa-1_5"
)

// More XML Signature algorithm identifiers (RFC 6931 and the C14N
// recommendations).
const (
	AlgRSASHA384      = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
	AlgECDSASHA256    = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	AlgECDSASHA384    = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
	AlgECDSASHA512    = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"
	AlgDigestSHA384   = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	AlgC14N10         = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	AlgC14N10Comments = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	AlgC14N11         = "http://www.w3.org/2006/12/xml-c14n11"
	AlgC14N11Comments = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
)

// TimeLayout is the UTC, millisecond timestamp layout both Okta and Identity
// Platform put on the wire (e.g. 2026-08-29T12:01:00.000Z).
const TimeLayout = "2006-01-02T15:04:05.000Z"
