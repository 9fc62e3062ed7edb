package mockidp

import (
	"net/url"
	"slices"
	"strings"
)

// The admin console's SAML settings form ("Configure SAML" in the app
// integration wizard, and "Edit" on the app's General tab): how
// SAMLSettings are shown as form fields and read back. Field names are the
// JSON names of SAMLSettings; a value equal to the option Okta preselects is
// stored as "" (the default), so a form left as Okta shows it yields the
// zero settings.

// option is one <option> of a <select>.
type option struct {
	Value    string
	Label    string
	Selected bool
}

func options(current string, values ...string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{Value: v, Label: v, Selected: v == current}
	}
	return out
}

// Okta's options, in the order its settings page lists them; the first is
// the default.
var (
	nameIDFormatOptions = []string{string(NameIDUnspecified), string(NameIDEmailAddress), string(NameIDX509SubjectName), string(NameIDPersistent), string(NameIDTransient)}
	usernameOptions     = []string{string(UsernameOkta), string(UsernameEmail), string(UsernameOktaPrefix), string(UsernameEmailPrefix), string(UsernameCustom)}
	signingOptions      = []string{string(Signed), string(Unsigned)}
	sigAlgOptions       = []string{string(RSASHA256), string(RSASHA1)}
	digestOptions       = []string{string(SHA256), string(SHA1)}
	encryptionOptions   = []string{string(Unencrypted), string(Encrypted)}
	encAlgOptions       = []string{string(AES256CBC), string(AES128CBC), string(AES256GCM)}
	keyTransportOptions = []string{string(RSAOAEP), string(RSA15)}
	attrFormatOptions   = []string{string(AttrUnspecified), string(AttrURIReference), string(AttrBasic)}
	groupFilterOptions  = []string{string(FilterStartsWith), string(FilterEquals), string(FilterContains), string(FilterRegex)}
	yesNoOptions        = []string{string(Yes), string(No)}
	authnContextOptions = []string{"PasswordProtectedTransport", "Password", "X.509 Certificate", "Integrated Windows Authentication",
		"Kerberos", "TLS Client", "Smartcard PKI", "Unspecified"}
)

// attrRow and groupAttrRow are rows of the attribute statement tables.
type attrRow struct {
	Name, Value string
	NameFormat  []option
}

type groupAttrRow struct {
	Name, FilterValue string
	NameFormat        []option
	Filter            []option
}

// samlFormView is the settings form, ready for the template.
type samlFormView struct {
	SSOURL, RecipientURL, DestinationURL, AudienceURI, DefaultRelayState string
	UseForRecipientAndDestination                                        bool
	NameIDFormat, ApplicationUsername                                    []option
	CustomUsernameExpression                                             string
	Response, AssertionSignature, SignatureAlgorithm, DigestAlgorithm    []option
	AssertionEncryption, EncryptionAlgorithm, KeyTransportAlgorithm      []option
	EncryptionCertificate                                                string
	AuthnContextClassRef, HonorForceAuthn                                []option
	SAMLIssuerID                                                         string
	Attributes                                                           []attrRow
	GroupAttributes                                                      []groupAttrRow
	// ShowAdvanced opens "Show Advanced Settings" (when an advanced field
	// differs from Okta's default).
	ShowAdvanced bool
}

func orDefault(v string, def string) string {
	if v == "" {
		return def
	}
	return v
}

// newSAMLFormView shows s as the settings page does.
func newSAMLFormView(s SAMLSettings) samlFormView {
	authn := s.AuthnContextClassRef
	authnOpts := authnContextOptions
	if authn != "" && !slices.Contains(authnOpts, authn) {
		authnOpts = append(slices.Clone(authnOpts), authn) // a URN typed through the API
	}
	v := samlFormView{
		SSOURL:                        s.SSOURL,
		RecipientURL:                  s.RecipientURL,
		DestinationURL:                s.DestinationURL,
		AudienceURI:                   s.AudienceURI,
		DefaultRelayState:             s.DefaultRelayState,
		UseForRecipientAndDestination: !s.SeparateRecipientAndDestination,
		NameIDFormat:                  options(orDefault(string(s.NameIDFormat), string(NameIDUnspecified)), nameIDFormatOptions...),
		ApplicationUsername:           options(orDefault(string(s.ApplicationUsername), string(UsernameOkta)), usernameOptions...),
		CustomUsernameExpression:      s.CustomUsernameExpression,
		Response:                      options(orDefault(string(s.Response), string(Signed)), signingOptions...),
		AssertionSignature:            options(orDefault(string(s.AssertionSignature), string(Signed)), signingOptions...),
		SignatureAlgorithm:            options(orDefault(string(s.SignatureAlgorithm), string(RSASHA256)), sigAlgOptions...),
		DigestAlgorithm:               options(orDefault(string(s.DigestAlgorithm), string(SHA256)), digestOptions...),
		AssertionEncryption:           options(orDefault(string(s.AssertionEncryption), string(Unencrypted)), encryptionOptions...),
		EncryptionAlgorithm:           options(orDefault(string(s.EncryptionAlgorithm), string(AES256CBC)), encAlgOptions...),
		KeyTransportAlgorithm:         options(orDefault(string(s.KeyTransportAlgorithm), string(RSAOAEP)), keyTransportOptions...),
		EncryptionCertificate:         s.EncryptionCertificate,
		AuthnContextClassRef:          options(orDefault(authn, authnContextOptions[0]), authnOpts...),
		HonorForceAuthn:               options(orDefault(string(s.HonorForceAuthn), string(Yes)), yesNoOptions...),
		SAMLIssuerID:                  orDefault(s.SAMLIssuerID, defaultIssuerTemplate),
	}
	for _, a := range s.AttributeStatements {
		v.Attributes = append(v.Attributes, attrRow{Name: a.Name, Value: a.Value,
			NameFormat: options(orDefault(string(a.NameFormat), string(AttrUnspecified)), attrFormatOptions...)})
	}
	v.Attributes = append(v.Attributes, attrRow{NameFormat: options(string(AttrUnspecified), attrFormatOptions...)})
	for _, g := range s.GroupAttributeStatements {
		v.GroupAttributes = append(v.GroupAttributes, groupAttrRow{Name: g.Name, FilterValue: g.FilterValue,
			NameFormat: options(orDefault(string(g.NameFormat), string(AttrUnspecified)), attrFormatOptions...),
			Filter:     options(orDefault(string(g.Filter), string(FilterStartsWith)), groupFilterOptions...)})
	}
	v.GroupAttributes = append(v.GroupAttributes, groupAttrRow{
		NameFormat: options(string(AttrUnspecified), attrFormatOptions...),
		Filter:     options(string(FilterStartsWith), groupFilterOptions...)})
	v.ShowAdvanced = s.Response != "" && s.Response != Signed ||
		s.AssertionSignature != "" && s.AssertionSignature != Signed ||
		s.SignatureAlgorithm != "" && s.SignatureAlgorithm != RSASHA256 ||
		s.DigestAlgorithm != "" && s.DigestAlgorithm != SHA256 ||
		s.AssertionEncryption == Encrypted ||
		s.SAMLIssuerID != "" && s.SAMLIssuerID != defaultIssuerTemplate ||
		s.HonorForceAuthn == No ||
		authn != "" && authn != authnContextOptions[0]
	return v
}

// field returns a trimmed form value, "" when it is Okta's preselected
// option def.
func field(form url.Values, name, def string) string {
	v := strings.TrimSpace(form.Get(name))
	if v == def {
		return ""
	}
	return v
}

// parseSAMLForm reads the settings form. It never fails: what is wrong is
// for SAMLSettings.Validate to say, field by field.
func parseSAMLForm(form url.Values) SAMLSettings {
	s := SAMLSettings{
		SSOURL:                          strings.TrimSpace(form.Get("ssoUrl")),
		SeparateRecipientAndDestination: form.Get("useForRecipientAndDestination") == "",
		AudienceURI:                     strings.TrimSpace(form.Get("audienceUri")),
		DefaultRelayState:               strings.TrimSpace(form.Get("defaultRelayState")),
		NameIDFormat:                    NameIDFormat(field(form, "nameIdFormat", string(NameIDUnspecified))),
		ApplicationUsername:             ApplicationUsername(field(form, "applicationUsername", string(UsernameOkta))),
		Response:                        Signing(field(form, "response", string(Signed))),
		AssertionSignature:              Signing(field(form, "assertionSignature", string(Signed))),
		SignatureAlgorithm:              SignatureAlgorithm(field(form, "signatureAlgorithm", string(RSASHA256))),
		DigestAlgorithm:                 DigestAlgorithm(field(form, "digestAlgorithm", string(SHA256))),
		AssertionEncryption:             AssertionEncryption(field(form, "assertionEncryption", string(Unencrypted))),
		AuthnContextClassRef:            field(form, "authnContextClassRef", authnContextOptions[0]),
		HonorForceAuthn:                 YesNo(field(form, "honorForceAuthn", string(Yes))),
		SAMLIssuerID:                    field(form, "samlIssuerId", defaultIssuerTemplate),
	}
	if s.SeparateRecipientAndDestination {
		s.RecipientURL = strings.TrimSpace(form.Get("recipientUrl"))
		s.DestinationURL = strings.TrimSpace(form.Get("destinationUrl"))
	}
	if s.ApplicationUsername == UsernameCustom {
		s.CustomUsernameExpression = strings.TrimSpace(form.Get("customUsernameExpression"))
	}
	// Encryption details matter only when encrypting (Okta keeps them
	// hidden otherwise); a pasted certificate is kept as it is.
	if s.AssertionEncryption == Encrypted {
		s.EncryptionAlgorithm = EncryptionAlgorithm(field(form, "encryptionAlgorithm", string(AES256CBC)))
		s.KeyTransportAlgorithm = KeyTransportAlgorithm(field(form, "keyTransportAlgorithm", string(RSAOAEP)))
		s.EncryptionCertificate = strings.TrimSpace(form.Get("encryptionCertificate"))
	}
	names, formats, values := form["attributeName"], form["attributeNameFormat"], form["attributeValue"]
	for i := range names {
		name, value := strings.TrimSpace(names[i]), strings.TrimSpace(at(values, i))
		if name == "" && value == "" {
			continue // the empty row Okta always shows
		}
		s.AttributeStatements = append(s.AttributeStatements, AttributeStatement{
			Name: name, Value: value, NameFormat: AttributeNameFormat(orEmpty(at(formats, i), string(AttrUnspecified)))})
	}
	gnames, gformats, gfilters, gvalues := form["groupAttributeName"], form["groupAttributeNameFormat"], form["groupAttributeFilter"], form["groupAttributeFilterValue"]
	for i := range gnames {
		name, value := strings.TrimSpace(gnames[i]), strings.TrimSpace(at(gvalues, i))
		if name == "" && value == "" {
			continue
		}
		s.GroupAttributeStatements = append(s.GroupAttributeStatements, GroupAttributeStatement{
			Name: name, FilterValue: value,
			NameFormat: AttributeNameFormat(orEmpty(at(gformats, i), string(AttrUnspecified))),
			Filter:     GroupFilter(orEmpty(at(gfilters, i), string(FilterStartsWith)))})
	}
	return s
}

// at returns s[i], or "" past its end (a tampered form may send fewer
// values of one column than of another).
func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// orEmpty maps the default option def to "".
func orEmpty(v, def string) string {
	v = strings.TrimSpace(v)
	if v == def {
		return ""
	}
	return v
}

// settingRow is one line of the read-only settings summary on the General
// tab.
type settingRow struct {
	Key, Name, Value string
}

// settingsSummary lists the settings as the General tab shows them.
func settingsSummary(a App) []settingRow {
	s := a.Settings
	v := newSAMLFormView(s)
	sel := func(opts []option) string {
		for _, o := range opts {
			if o.Selected {
				return o.Value
			}
		}
		return ""
	}
	rows := []settingRow{
		{"ssoUrl", "Single Sign On URL", s.SSOURL},
		{"recipientUrl", "Recipient URL", s.recipient()},
		{"destinationUrl", "Destination URL", s.destination()},
		{"audienceUri", "Audience Restriction", s.AudienceURI},
		{"defaultRelayState", "Default Relay State", s.DefaultRelayState},
		{"nameIdFormat", "Name ID Format", sel(v.NameIDFormat)},
		{"applicationUsername", "Application username", sel(v.ApplicationUsername)},
		{"response", "Response", sel(v.Response)},
		{"assertionSignature", "Assertion Signature", sel(v.AssertionSignature)},
		{"signatureAlgorithm", "Signature Algorithm", sel(v.SignatureAlgorithm)},
		{"digestAlgorithm", "Digest Algorithm", sel(v.DigestAlgorithm)},
		{"assertionEncryption", "Assertion Encryption", sel(v.AssertionEncryption)},
		{"authnContextClassRef", "Authentication context class", sel(v.AuthnContextClassRef)},
		{"honorForceAuthn", "Honor Force Authentication", sel(v.HonorForceAuthn)},
		{"samlIssuerId", "SAML Issuer ID", v.SAMLIssuerID},
	}
	if s.ApplicationUsername == UsernameCustom {
		rows = append(rows, settingRow{"customUsernameExpression", "Custom username expression", s.CustomUsernameExpression})
	}
	for _, at := range s.AttributeStatements {
		rows = append(rows, settingRow{"attribute", "Attribute statement", at.Name + " = " + at.Value})
	}
	for _, g := range s.GroupAttributeStatements {
		rows = append(rows, settingRow{"groupAttribute", "Group attribute statement", g.Name + ": " + orDefault(string(g.Filter), string(FilterStartsWith)) + " " + g.FilterValue})
	}
	return rows
}
