// Package pastedcert names the shapes an IdP signing certificate takes on
// its way from Okta's "Download certificate" into an SP's certificate
// field: as downloaded, on one line, with CRLF, without armor, as a private
// key, and so on. It is the one vocabulary of the package that renders the
// shapes (fixtures.PEMVariant) and the one that recognises them in a pasted
// text (sp/diagnose), so a scenario, a diagnosis and a reproduction name a
// shape by the same typed value.
package pastedcert

// Shape names how a certificate was pasted.
type Shape string

// The shapes, by name (fixtures.PEMVariants describes each).
const (
	AsDownloaded    Shape = "as-downloaded"
	OneLine         Shape = "one-line"
	Flattened       Shape = "flattened"
	CRLF            Shape = "crlf"
	CREntities      Shape = "cr-entities"
	Indented        Shape = "indented"
	StraySpaces     Shape = "stray-spaces"
	NoArmor         Shape = "no-armor"
	NoArmorOneLine  Shape = "no-armor-one-line"
	BeginNoSpace    Shape = "begin-no-space"
	MissingEnd      Shape = "missing-end"
	Truncated       Shape = "truncated"
	LLMRewrapped    Shape = "llm-rewrapped"
	UnicodeDashes   Shape = "unicode-dashes"
	UTF8BOM         Shape = "utf8-bom"
	DERBytes        Shape = "der-bytes"
	Base64OfPEM     Shape = "base64-of-pem"
	PrivateKey      Shape = "private-key"
	PublicKey       Shape = "public-key"
	ChainLeafFirst  Shape = "chain-leaf-first"
	ChainCAFirst    Shape = "chain-ca-first"
	TrailingGarbage Shape = "trailing-garbage"
	OpenSSLText     Shape = "openssl-text"
	MetadataXML     Shape = "metadata-xml"
)
