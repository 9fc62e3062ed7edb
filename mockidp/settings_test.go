package mockidp

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSettingsValidateListsEveryProblem(t *testing.T) {
	t.Parallel()
	s := SAMLSettings{
		SSOURL:                          "not a url",
		SeparateRecipientAndDestination: true,
		RecipientURL:                    "ftp://127.0.0.1/x",
		NameIDFormat:                    "Email",
		ApplicationUsername:             UsernameCustom,
		SignatureAlgorithm:              "RSA-SHA512",
		AssertionEncryption:             Encrypted,
		EncryptionCertificate:           "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		AttributeStatements:             []AttributeStatement{{Name: "", Value: "user.email"}, {Name: "x", Value: "user.mail"}},
		GroupAttributeStatements:        []GroupAttributeStatement{{Name: "g", Filter: FilterRegex, FilterValue: "("}},
		HonorForceAuthn:                 "maybe",
		AuthnContextClassRef:            "Retina",
	}
	err := s.Validate()
	var e *Error
	if !asError(err, &e) || e.Code != CodeInvalidSettings {
		t.Fatalf("Validate = %v, want %s", err, CodeInvalidSettings)
	}
	wants := []string{
		`Single sign-on URL "not a url" is not an absolute http(s) URL`,
		`Recipient URL "ftp://127.0.0.1/x" is not an absolute http(s) URL`,
		"Destination URL is required",
		"Audience URI (SP Entity ID) is required",
		`Name ID format "Email" is not an option`,
		"Application username is Custom but the custom expression is empty",
		`Signature Algorithm "RSA-SHA512" is not an option`,
		`Honor Force Authentication "maybe" is not an option`,
		"Encryption Certificate: the PEM block is a \"PRIVATE KEY\"",
		"Attribute Statements row 1: Name is required",
		`Attribute Statements row 2 ("x"): Value "user.mail": unknown user attribute "user.mail"`,
		`Group Attribute Statements row 1 ("g"): filter value "(" is not a valid regular expression`,
		`Authentication context class "Retina" is not an option`,
	}
	if len(e.Causes) != len(wants) {
		t.Errorf("%d causes, want %d:\n%s", len(e.Causes), len(wants), strings.Join(e.Causes, "\n"))
	}
	all := strings.Join(e.Causes, "\n")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("no cause mentions %q in:\n%s", w, all)
		}
	}
	if defaultSettings().Validate() != nil {
		t.Errorf("default settings do not validate")
	}
}

func TestExpressions(t *testing.T) {
	t.Parallel()
	u := &User{Login: "Ada@Example.com", Email: "ada.l@example.org", FirstName: "Ada", LastName: "Lovelace"}
	tests := []struct {
		src, want, err string
	}{
		{"user.login", "Ada@Example.com", ""},
		{"user.email", "ada.l@example.org", ""},
		{`String.substringBefore(user.login, "@")`, "Ada", ""},
		{`String.toLowerCase(String.substringBefore(user.email, "@"))`, "ada.l", ""},
		{`String.substringAfter(user.email, "@")`, "example.org", ""},
		{`String.toUpperCase(user.lastName)`, "LOVELACE", ""},
		{`user.firstName + " " + user.lastName`, "Ada Lovelace", ""},
		{`'it\'s'`, "it's", ""},
		{"user.mail", "", `unknown user attribute "user.mail"`},
		{"String.trim(user.login)", "", `unknown function "String.trim"`},
		{`String.toLowerCase(user.login`, "", "missing ')'"},
		{`String.toLowerCase(user.login, "x")`, "", "takes 1 argument(s), not 2"},
		{`"unclosed`, "", "is not closed"},
		{"user.login user.email", "", "unexpected"},
		{"", "", "ends where a value was expected"},
		{"login", "", `unknown name "login"`},
		{strings.Repeat("(", 2000), "", "longer than"},
		{strings.Repeat("String.toLowerCase(", 40) + "user.login" + strings.Repeat(")", 40), "", "nests too deeply"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			t.Parallel()
			e, err := parseExpr(tc.src)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseExpr(%q) error = %v, want %q", tc.src, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e(u); got != tc.want {
				t.Errorf("= %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSettingsJSON(t *testing.T) {
	t.Parallel()
	s := defaultSettings()
	s.SignatureAlgorithm = RSASHA1
	s.AttributeStatements = []AttributeStatement{{Name: "email", NameFormat: AttrBasic, Value: "user.email"}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"ssoUrl":`, `"audienceUri":`, `"signatureAlgorithm":"RSA-SHA1"`, `"attributeStatements":[{"name":"email","nameFormat":"Basic","value":"user.email"}]`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON %s lacks %s", b, k)
		}
	}
	var back SAMLSettings
	if err := json.Unmarshal(b, &back); err != nil || back.SignatureAlgorithm != RSASHA1 || back.AttributeStatements[0].Value != "user.email" {
		t.Errorf("round trip: %+v %v", back, err)
	}
}
