package mockidp

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/samlharness/samlharness/internal/wire"
)

// SAMLSettings mirrors the SAML settings page of an Okta app integration
// (App Integration Wizard → "Configure SAML", including "Show Advanced
// Settings"). The zero value holds the wizard's defaults, so every enum is a
// string whose empty value means the default option; the option names are
// the UI's words ("RSA-SHA256", "Okta username", …).
type SAMLSettings struct {
	// SSOURL is "Single sign-on URL": where Okta POSTs the response (the
	// SP's ACS URL, for Identity Platform its /__/auth/handler).
	SSOURL string `json:"ssoUrl"`
	// SeparateRecipientAndDestination is the cleared state of the checkbox
	// "Use this for Recipient URL and Destination URL" (false, the default,
	// means checked: Recipient and Destination are the Single sign-on URL).
	// When true, RecipientURL and DestinationURL apply.
	SeparateRecipientAndDestination bool   `json:"separateRecipientAndDestination,omitempty"`
	RecipientURL                    string `json:"recipientUrl,omitempty"`
	DestinationURL                  string `json:"destinationUrl,omitempty"`
	// AudienceURI is "Audience URI (SP Entity ID)".
	AudienceURI string `json:"audienceUri"`
	// DefaultRelayState is sent as RelayState on IdP-initiated sign-on.
	DefaultRelayState string `json:"defaultRelayState,omitempty"`
	// NameIDFormat is "Name ID format" (default "Unspecified").
	NameIDFormat NameIDFormat `json:"nameIdFormat,omitempty"`
	// ApplicationUsername is "Application username" (default "Okta
	// username"); with "Custom", CustomUsernameExpression is used.
	ApplicationUsername      ApplicationUsername `json:"applicationUsername,omitempty"`
	CustomUsernameExpression string              `json:"customUsernameExpression,omitempty"`
	// Response and AssertionSignature are "Signed" (default) or "Unsigned".
	Response           Signing `json:"response,omitempty"`
	AssertionSignature Signing `json:"assertionSignature,omitempty"`
	// SignatureAlgorithm is "RSA-SHA256" (default) or "RSA-SHA1";
	// DigestAlgorithm is "SHA256" (default) or "SHA1". Mixed combinations
	// are allowed, as in Okta.
	SignatureAlgorithm SignatureAlgorithm `json:"signatureAlgorithm,omitempty"`
	DigestAlgorithm    DigestAlgorithm    `json:"digestAlgorithm,omitempty"`
	// AssertionEncryption is "Unencrypted" (default) or "Encrypted"; when
	// encrypted, EncryptionCertificate (PEM, the SP's) is required.
	AssertionEncryption   AssertionEncryption   `json:"assertionEncryption,omitempty"`
	EncryptionAlgorithm   EncryptionAlgorithm   `json:"encryptionAlgorithm,omitempty"`
	KeyTransportAlgorithm KeyTransportAlgorithm `json:"keyTransportAlgorithm,omitempty"`
	EncryptionCertificate string                `json:"encryptionCertificate,omitempty"`
	// AttributeStatements and GroupAttributeStatements are the
	// "Attribute Statements" and "Group Attribute Statements" tables.
	AttributeStatements      []AttributeStatement      `json:"attributeStatements,omitempty"`
	GroupAttributeStatements []GroupAttributeStatement `json:"groupAttributeStatements,omitempty"`
	// SAMLIssuerID is "SAML Issuer ID"; default
	// "http://www.okta.com/${org.externalKey}" (the app's entity ID).
	SAMLIssuerID string `json:"samlIssuerId,omitempty"`
	// AuthnContextClassRef is "Authentication context class": an option
	// name ("PasswordProtectedTransport", the default, "X.509 Certificate",
	// "Integrated Windows Authentication", "Kerberos", "Unspecified", …) or
	// a full URN.
	AuthnContextClassRef string `json:"authnContextClassRef,omitempty"`
	// HonorForceAuthn is "Honor Force Authentication": "Yes" (default) or
	// "No".
	HonorForceAuthn YesNo `json:"honorForceAuthn,omitempty"`
}

// AttributeStatement is one row of "Attribute Statements".
type AttributeStatement struct {
	Name       string              `json:"name"`
	NameFormat AttributeNameFormat `json:"nameFormat,omitempty"`
	// Value is an Okta expression: user.email, user.firstName,
	// String.toLowerCase(user.login), "literal", concatenation with +.
	Value string `json:"value"`
}

// GroupAttributeStatement is one row of "Group Attribute Statements": the
// user's groups whose name passes Filter/FilterValue, as one multi-valued
// attribute.
type GroupAttributeStatement struct {
	Name        string              `json:"name"`
	NameFormat  AttributeNameFormat `json:"nameFormat,omitempty"`
	Filter      GroupFilter         `json:"filter,omitempty"`
	FilterValue string              `json:"filterValue"`
}

// NameIDFormat is the "Name ID format" option.
type NameIDFormat string

// Name ID format options.
const (
	NameIDUnspecified     NameIDFormat = "Unspecified"
	NameIDEmailAddress    NameIDFormat = "EmailAddress"
	NameIDX509SubjectName NameIDFormat = "x509SubjectName"
	NameIDPersistent      NameIDFormat = "Persistent"
	NameIDTransient       NameIDFormat = "Transient"
)

// URN is the SAML name identifier format URN of the option.
func (f NameIDFormat) URN() string {
	switch f {
	case NameIDEmailAddress:
		return wire.NameIDEmailAddress
	case NameIDX509SubjectName:
		return wire.NameIDX509SubjectName
	case NameIDPersistent:
		return wire.NameIDPersistent
	case NameIDTransient:
		return wire.NameIDTransient
	default:
		return wire.NameIDUnspecified
	}
}

// ApplicationUsername is the "Application username" option.
type ApplicationUsername string

// Application username options.
const (
	UsernameOkta        ApplicationUsername = "Okta username"
	UsernameEmail       ApplicationUsername = "Email"
	UsernameOktaPrefix  ApplicationUsername = "Okta username prefix"
	UsernameEmailPrefix ApplicationUsername = "Email prefix"
	UsernameCustom      ApplicationUsername = "Custom"
)

// expression returns the Okta expression behind the option.
func (u ApplicationUsername) expression(custom string) string {
	switch u {
	case UsernameEmail:
		return "user.email"
	case UsernameOktaPrefix:
		return `String.substringBefore(user.login, "@")`
	case UsernameEmailPrefix:
		return `String.substringBefore(user.email, "@")`
	case UsernameCustom:
		return custom
	default:
		return "user.login"
	}
}

// Signing is "Signed" or "Unsigned".
type Signing string

// Signing options.
const (
	Signed   Signing = "Signed"
	Unsigned Signing = "Unsigned"
)

// SignatureAlgorithm is the "Signature Algorithm" option.
type SignatureAlgorithm string

// Signature algorithm options.
const (
	RSASHA256 SignatureAlgorithm = "RSA-SHA256"
	RSASHA1   SignatureAlgorithm = "RSA-SHA1"
)

// URI is the XML Signature SignatureMethod of the option.
func (a SignatureAlgorithm) URI() string {
	if a == RSASHA1 {
		return wire.AlgRSASHA1
	}
	return wire.AlgRSASHA256
}

// DigestAlgorithm is the "Digest Algorithm" option.
type DigestAlgorithm string

// Digest algorithm options.
const (
	SHA256 DigestAlgorithm = "SHA256"
	SHA1   DigestAlgorithm = "SHA1"
)

// URI is the XML Signature DigestMethod of the option.
func (a DigestAlgorithm) URI() string {
	if a == SHA1 {
		return wire.AlgDigestSHA1
	}
	return wire.AlgDigestSHA256
}

// AssertionEncryption is "Unencrypted" or "Encrypted".
type AssertionEncryption string

// Assertion encryption options.
const (
	Unencrypted AssertionEncryption = "Unencrypted"
	Encrypted   AssertionEncryption = "Encrypted"
)

// EncryptionAlgorithm is the "Encryption Algorithm" option.
type EncryptionAlgorithm string

// Encryption algorithm options.
const (
	AES256CBC EncryptionAlgorithm = "AES256-CBC"
	AES128CBC EncryptionAlgorithm = "AES128-CBC"
	AES256GCM EncryptionAlgorithm = "AES256-GCM"
)

// KeyTransportAlgorithm is the "Key Transport Algorithm" option.
type KeyTransportAlgorithm string

// Key transport options.
const (
	RSAOAEP KeyTransportAlgorithm = "RSA-OAEP"
	RSA15   KeyTransportAlgorithm = "RSA1_5"
)

// AttributeNameFormat is an attribute's "Name format" option.
type AttributeNameFormat string

// Attribute name format options.
const (
	AttrUnspecified  AttributeNameFormat = "Unspecified"
	AttrURIReference AttributeNameFormat = "URI Reference"
	AttrBasic        AttributeNameFormat = "Basic"
)

// URN is the SAML attribute NameFormat URN of the option.
func (f AttributeNameFormat) URN() string {
	switch f {
	case AttrURIReference:
		return wire.AttrNameFormatURI
	case AttrBasic:
		return wire.AttrNameFormatBasic
	default:
		return wire.AttrNameFormatUnspecified
	}
}

// GroupFilter is a group attribute statement's "Filter" option.
type GroupFilter string

// Group filter options.
const (
	FilterStartsWith GroupFilter = "Starts with"
	FilterEquals     GroupFilter = "Equals"
	FilterContains   GroupFilter = "Contains"
	FilterRegex      GroupFilter = "Matches regex"
)

// YesNo is a "Yes"/"No" option whose default is "Yes".
type YesNo string

// Yes/No options.
const (
	Yes YesNo = "Yes"
	No  YesNo = "No"
)

// authnContextClasses maps the "Authentication context class" option names
// to their URNs.
var authnContextClasses = map[string]string{
	"PasswordProtectedTransport":        wire.ACPasswordProtectedTransport,
	"Password":                          "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
	"X.509 Certificate":                 "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
	"Integrated Windows Authentication": "urn:federation:authentication:windows",
	"Kerberos":                          "urn:oasis:names:tc:SAML:2.0:ac:classes:Kerberos",
	"TLS Client":                        "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient",
	"Smartcard PKI":                     "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
	"Unspecified":                       "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
}

// defaultIssuerTemplate is the default "SAML Issuer ID".
const defaultIssuerTemplate = "http://www.okta.com/${org.externalKey}"

// Validate checks the settings and reports every problem at once in an
// *Error with Code INVALID_SETTINGS (one Cause per problem, in the words of
// the settings page).
func (s SAMLSettings) Validate() error {
	_, err := compileSettings(s)
	return err
}

// compiled holds what a response needs from validated settings: parsed
// expressions, the encryption certificate, URNs.
type compiled struct {
	username     expr
	attributes   []compiledAttr
	groupAttrs   []compiledGroupAttr
	encryptCert  *x509.Certificate
	authnContext string
}

type compiledAttr struct {
	name, nameFormat string
	value            expr
}

type compiledGroupAttr struct {
	name, nameFormat string
	match            func(group string) bool
}

// compileSettings validates s and compiles its expressions.
func compileSettings(s SAMLSettings) (*compiled, error) {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	c := &compiled{}

	checkURL := func(field, v string) {
		if v == "" {
			add("%s is required: enter the service provider's URL (for Identity Platform, its Redirect URL ending in /__/auth/handler)", field)
			return
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("%s %q is not an absolute http(s) URL: enter the full URL, e.g. https://sp.example.com/__/auth/handler", field, v)
		}
	}
	checkURL("Single sign-on URL", s.SSOURL)
	if s.SeparateRecipientAndDestination {
		checkURL("Recipient URL", s.RecipientURL)
		checkURL("Destination URL", s.DestinationURL)
	}
	if strings.TrimSpace(s.AudienceURI) == "" {
		add("Audience URI (SP Entity ID) is required: enter the service provider's entity ID")
	}

	enum := func(field, v string, options ...string) bool {
		if v == "" {
			return true
		}
		for _, o := range options {
			if v == o {
				return true
			}
		}
		add("%s %q is not an option: choose one of %s", field, v, quoteList(options))
		return false
	}
	enum("Name ID format", string(s.NameIDFormat), string(NameIDUnspecified), string(NameIDEmailAddress),
		string(NameIDX509SubjectName), string(NameIDPersistent), string(NameIDTransient))
	if enum("Application username", string(s.ApplicationUsername), string(UsernameOkta), string(UsernameEmail),
		string(UsernameOktaPrefix), string(UsernameEmailPrefix), string(UsernameCustom)) {
		src := s.ApplicationUsername.expression(s.CustomUsernameExpression)
		if s.ApplicationUsername == UsernameCustom && strings.TrimSpace(src) == "" {
			add("Application username is Custom but the custom expression is empty: enter an expression such as user.email")
		} else if e, err := parseExpr(src); err != nil {
			add("Application username expression %q: %v", src, err)
		} else {
			c.username = e
		}
	}
	enum("Response", string(s.Response), string(Signed), string(Unsigned))
	enum("Assertion Signature", string(s.AssertionSignature), string(Signed), string(Unsigned))
	enum("Signature Algorithm", string(s.SignatureAlgorithm), string(RSASHA256), string(RSASHA1))
	enum("Digest Algorithm", string(s.DigestAlgorithm), string(SHA256), string(SHA1))
	enum("Assertion Encryption", string(s.AssertionEncryption), string(Unencrypted), string(Encrypted))
	enum("Encryption Algorithm", string(s.EncryptionAlgorithm), string(AES256CBC), string(AES128CBC), string(AES256GCM))
	enum("Key Transport Algorithm", string(s.KeyTransportAlgorithm), string(RSAOAEP), string(RSA15))
	enum("Honor Force Authentication", string(s.HonorForceAuthn), string(Yes), string(No))

	if s.AssertionEncryption == Encrypted {
		if strings.TrimSpace(s.EncryptionCertificate) == "" {
			add("Assertion Encryption is Encrypted but no Encryption Certificate is set: upload the service provider's encryption certificate (PEM)")
		} else if cert, err := parseEncryptionCert(s.EncryptionCertificate); err != nil {
			add("Encryption Certificate: %v", err)
		} else {
			c.encryptCert = cert
		}
	} else if strings.TrimSpace(s.EncryptionCertificate) != "" {
		// Kept for encryption faults that turn encryption on.
		if cert, err := parseEncryptionCert(s.EncryptionCertificate); err != nil {
			add("Encryption Certificate: %v", err)
		} else {
			c.encryptCert = cert
		}
	}

	seen := map[string]bool{}
	for i, a := range s.AttributeStatements {
		row := fmt.Sprintf("Attribute Statements row %d", i+1)
		if strings.TrimSpace(a.Name) == "" {
			add("%s: Name is required", row)
		} else {
			row = fmt.Sprintf("Attribute Statements row %d (%q)", i+1, a.Name)
			if seen[a.Name] {
				add("%s: the name is used by another attribute statement; attribute names must be unique", row)
			}
			seen[a.Name] = true
		}
		enum(row+" Name format", string(a.NameFormat), string(AttrUnspecified), string(AttrURIReference), string(AttrBasic))
		if strings.TrimSpace(a.Value) == "" {
			add("%s: Value is required: enter an expression such as user.email", row)
			continue
		}
		e, err := parseExpr(a.Value)
		if err != nil {
			add("%s: Value %q: %v", row, a.Value, err)
			continue
		}
		c.attributes = append(c.attributes, compiledAttr{name: a.Name, nameFormat: a.NameFormat.URN(), value: e})
	}
	for i, g := range s.GroupAttributeStatements {
		row := fmt.Sprintf("Group Attribute Statements row %d", i+1)
		if strings.TrimSpace(g.Name) == "" {
			add("%s: Name is required", row)
		} else {
			row = fmt.Sprintf("Group Attribute Statements row %d (%q)", i+1, g.Name)
			if seen[g.Name] {
				add("%s: the name is used by another attribute statement; attribute names must be unique", row)
			}
			seen[g.Name] = true
		}
		enum(row+" Name format", string(g.NameFormat), string(AttrUnspecified), string(AttrURIReference), string(AttrBasic))
		if !enum(row+" Filter", string(g.Filter), string(FilterStartsWith), string(FilterEquals), string(FilterContains), string(FilterRegex)) {
			continue
		}
		m, err := groupMatcher(g.Filter, g.FilterValue)
		if err != nil {
			add("%s: %v", row, err)
			continue
		}
		c.groupAttrs = append(c.groupAttrs, compiledGroupAttr{name: g.Name, nameFormat: g.NameFormat.URN(), match: m})
	}

	if s.SAMLIssuerID != "" && strings.TrimSpace(s.SAMLIssuerID) == "" {
		add("SAML Issuer ID is blank: leave it empty for the default %s or enter a value", defaultIssuerTemplate)
	}
	switch ref := s.AuthnContextClassRef; {
	case ref == "":
		c.authnContext = wire.ACPasswordProtectedTransport
	case strings.Contains(ref, ":"):
		c.authnContext = ref
	default:
		if urn, ok := authnContextClasses[ref]; ok {
			c.authnContext = urn
		} else {
			names := make([]string, 0, len(authnContextClasses))
			for n := range authnContextClasses {
				names = append(names, n)
			}
			slices.Sort(names)
			add("Authentication context class %q is not an option: choose one of %s, or enter a URN", ref, quoteList(names))
		}
	}

	if len(problems) > 0 {
		msg := "the SAML settings have 1 problem"
		if len(problems) > 1 {
			msg = fmt.Sprintf("the SAML settings have %d problems", len(problems))
		}
		return nil, &Error{Code: CodeInvalidSettings, Message: msg, Causes: problems}
	}
	return c, nil
}

func groupMatcher(f GroupFilter, v string) (func(string) bool, error) {
	switch f {
	case FilterEquals:
		return func(g string) bool { return g == v }, nil
	case FilterContains:
		return func(g string) bool { return strings.Contains(g, v) }, nil
	case FilterRegex:
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			return nil, fmt.Errorf("filter value %q is not a valid regular expression: %v", v, err)
		}
		return re.MatchString, nil
	default: // Starts with
		return func(g string) bool { return strings.HasPrefix(g, v) }, nil
	}
}

func parseEncryptionCert(p string) (*x509.Certificate, error) {
	blk, _ := pem.Decode([]byte(strings.TrimSpace(p)))
	if blk == nil {
		return nil, fmt.Errorf("not a PEM certificate: paste the certificate including the -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines")
	}
	if blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("the PEM block is a %q, not a CERTIFICATE: upload the certificate, never a private key", blk.Type)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the certificate cannot be parsed (%v): download it again from the service provider", err)
	}
	if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("the certificate's key is not RSA: Okta encrypts with RSA keys only")
	}
	return cert, nil
}

func quoteList(options []string) string {
	q := make([]string, len(options))
	for i, o := range options {
		q[i] = fmt.Sprintf("%q", o)
	}
	return strings.Join(q, ", ")
}

// resolved accessors (zero value = default option).

func (s SAMLSettings) destination() string {
	if s.SeparateRecipientAndDestination {
		return s.DestinationURL
	}
	return s.SSOURL
}

func (s SAMLSettings) recipient() string {
	if s.SeparateRecipientAndDestination {
		return s.RecipientURL
	}
	return s.SSOURL
}

func (s SAMLSettings) issuer(externalKey string) string {
	t := s.SAMLIssuerID
	if t == "" {
		t = defaultIssuerTemplate
	}
	return strings.ReplaceAll(t, "${org.externalKey}", externalKey)
}

func (s SAMLSettings) nameIDFormat() NameIDFormat {
	if s.NameIDFormat == "" {
		return NameIDUnspecified
	}
	return s.NameIDFormat
}

func (s SAMLSettings) encrypted() bool { return s.AssertionEncryption == Encrypted }

func (s SAMLSettings) honorForceAuthn() bool { return s.HonorForceAuthn != No }

// copySettings returns s with its slices copied.
func copySettings(s SAMLSettings) SAMLSettings {
	s.AttributeStatements = append([]AttributeStatement(nil), s.AttributeStatements...)
	s.GroupAttributeStatements = append([]GroupAttributeStatement(nil), s.GroupAttributeStatements...)
	return s
}
