package sp

import (
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
)

// pemLines re-encodes a certificate's DER as PEM with the given line width
// and line ending.
func pemLines(der []byte, width int, eol string) string {
	b64 := strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	body := strings.Join(strings.Split(b64, "\n")[1:], "")
	body = strings.TrimSuffix(body, "-----END CERTIFICATE-----")
	var lines []string
	for len(body) > width {
		lines = append(lines, body[:width])
		body = body[width:]
	}
	lines = append(lines, body)
	return "-----BEGIN CERTIFICATE-----" + eol + strings.Join(lines, eol) + eol + "-----END CERTIFICATE-----" + eol
}

func TestParseCertificateText(t *testing.T) {
	t.Parallel()
	s := idpSigner(t)
	der := s.cert.Raw
	okta := pemLines(der, 76, "\n")
	other := newSigner(t, fixtures.KeySpare, testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0)).certPEM
	oneLineBody := "-----BEGIN CERTIFICATE-----\n" + strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(okta, "-----BEGIN CERTIFICATE-----\n"), "-----END CERTIFICATE-----\n"), "\n", "") + "\n-----END CERTIFICATE-----\n"
	lines := strings.Split(okta, "\n")
	cases := []struct {
		name     string
		text     string
		wantCode string // "" = parses to the IdP certificate
		wantIn   string // substring of the error message
	}{
		{"as downloaded from Okta (76 columns)", okta, "", ""},
		{"64 columns", pemLines(der, 64, "\n"), "", ""},
		{"body on one line", oneLineBody, "", ""},
		{"CRLF line endings", strings.ReplaceAll(okta, "\n", "\r\n"), "", ""},
		{"every line indented", "  " + strings.ReplaceAll(strings.TrimSuffix(okta, "\n"), "\n", "\n  ") + "\n", CertPEMHeader, "indented by 2"},
		{"body lines indented, armor not", strings.ReplaceAll(okta, "\n"+lines[2][:4], "\n    "+lines[2][:4]), "", ""},
		{"binary DER", string(der), CertDER, "binary DER"},
		{"stray spaces and tabs in the body", strings.Replace(strings.Replace(okta, lines[2], lines[2][:10]+" \t "+lines[2][10:], 1), lines[3], "\t"+lines[3]+"  ", 1), "", ""},
		{"chain, IdP certificate first", okta + other, "", ""},
		{"text after the END line", okta + "Bag Attributes: none\n", "", ""},
		{"text before the BEGIN line", "subject=CN=dev-123456\n" + okta, "", ""},
		{"no trailing newline", strings.TrimSuffix(okta, "\n"), "", ""},
		{"empty", "  \n ", CertEmpty, "empty"},
		{"no armor, base64 only", strings.Join(lines[1:len(lines)-2], "\n"), CertNoPEMArmor, "only the armor lines are missing"},
		{"header without spaces", strings.Replace(okta, "-----BEGIN CERTIFICATE-----", "-----BEGINCERTIFICATE-----", 1), CertPEMHeader, "BEGINCERTIFICATE"},
		{"flattened onto one line", strings.ReplaceAll(okta, "\n", ""), CertPEMHeader, "one line"},
		{"END line missing (cut off)", strings.Join(lines[:len(lines)-2], "\n"), CertPEMFooter, "cut off"},
		{"footer mismatch", strings.Replace(okta, "-----END CERTIFICATE-----", "-----END CERT-----", 1), CertPEMFooter, "does not match"},
		{"smart quote inserted by an editor", strings.Replace(okta, lines[3], lines[3][:5]+"’"+lines[3][6:], 1), CertBase64Char, "line 4, column 6"},
		{"XML-escaped carriage returns", strings.ReplaceAll(okta, "\n", "&#13;\n"), CertPEMHeader, "XML character reference"},
		{"XML-escaped carriage returns in the body", strings.Replace(okta, lines[2]+"\n", lines[2]+"&#13;\n", 1), CertBase64Char, "XML character reference"},
		{"ellipsis (shortened)", strings.Replace(okta, lines[5], lines[5][:20]+"…", 1), CertBase64Char, "ellipsis"},
		{"a character lost", strings.Replace(okta, lines[4], lines[4][1:], 1), CertBase64, "not a multiple of 4"},
		{"a character changed", strings.Replace(okta, lines[1], "MIIZ"+lines[1][4:], 1), CertDER, "not a valid X.509 certificate"},
		{"private key pasted", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", CertIsPrivateKey, "PRIVATE KEY"},
		{"public key pasted", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n", CertIsPublicKey, "PUBLIC KEY"},
		{"metadata XML pasted", `<md:EntityDescriptor entityID="x"/>`, CertNotPEM, "XML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pc := parseCertificateText(tc.text)
			if tc.wantCode == "" {
				if pc.err != nil {
					t.Fatalf("want the certificate, got %v", pc.err)
				}
				if !pc.cert.Equal(s.cert) {
					t.Fatalf("parsed another certificate: %s", pc.cert.Subject)
				}
				return
			}
			if pc.err == nil {
				t.Fatalf("want %s, got a certificate", tc.wantCode)
			}
			if pc.err.Code != tc.wantCode || !strings.Contains(pc.err.Message, tc.wantIn) {
				t.Fatalf("got %s %q, want %s containing %q", pc.err.Code, pc.err.Message, tc.wantCode, tc.wantIn)
			}
		})
	}
}

// TestSignInWithIdpCertificates covers the configured certificates: parsed at
// sign-in (CERT_PARSE), rotation, chains, expiry and key size per profile.
func TestSignInWithIdpCertificates(t *testing.T) {
	t.Parallel()
	idp := idpSigner(t)
	rotated := newSigner(t, fixtures.KeyIdPRotated, testNow.AddDate(0, -1, 0), testNow.AddDate(9, 0, 0))
	spare := newSigner(t, fixtures.KeySpare, testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0))
	expired := newSigner(t, fixtures.KeyIdPPrimary, testNow.AddDate(-10, 0, 0), testNow.AddDate(0, 0, -1))
	notYet := newSigner(t, fixtures.KeyIdPPrimary, testNow.Add(time.Hour), testNow.AddDate(10, 0, 0))
	weak := newSigner(t, fixtures.KeyWeak1024, testNow.AddDate(-1, 0, 0), testNow.AddDate(9, 0, 0))
	truncated := idp.certPEM[:len(idp.certPEM)/2]
	cases := []struct {
		name       string
		configured []string
		signer     *testSigner
		ip, strict outcome
	}{
		{"a certificate that cannot be parsed", []string{truncated, idp.certPEM}, idp, reject(ReasonCertParse, msgCertParse), reject(ReasonCertParse, msgCertParse)},
		{"the same certificate twice", []string{idp.certPEM, idp.certPEM}, idp, accept(), accept()},
		{"rotation: old and new configured, signed with the new", []string{idp.certPEM, rotated.certPEM}, rotated, accept(), accept()},
		{"rotation: new configured first", []string{rotated.certPEM, idp.certPEM}, idp, accept(), accept()},
		{"only the new certificate configured, signed with the old", []string{rotated.certPEM}, idp, reject(ReasonSignatureUntrustedKey, msgSigFailed), reject(ReasonSignatureUntrustedKey, msgSigFailed)},
		{"chain with another certificate first", []string{spare.certPEM + idp.certPEM}, idp, reject(ReasonSignatureUntrustedKey, msgSigFailed), reject(ReasonSignatureUntrustedKey, msgSigFailed)},
		{"chain with the IdP certificate first", []string{idp.certPEM + spare.certPEM}, idp, accept(), accept()},
		{"expired IdP certificate", []string{expired.certPEM}, expired, accept(), reject(ReasonCertExpired, msgSigFailed)},
		{"IdP certificate not yet valid", []string{notYet.certPEM}, notYet, accept(), reject(ReasonCertExpired, msgSigFailed)},
		{"RSA-1024 key", []string{weak.certPEM}, weak, accept(), reject(ReasonSignatureAlgorithm, msgSigFailed)},
	}
	for _, tc := range cases {
		for _, profile := range AllProfiles() {
			want := tc.ip
			if profile == ProfileStrict {
				want = tc.strict
			}
			t.Run(profile.String()+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, profile, withCertificates(tc.configured...))
				got, apiErr := e.signIn(func(s *respSpec) { s.Signer = tc.signer })
				checkOutcome(t, want, got, apiErr)
			})
		}
	}
}

func TestCertParseDetailIsPrecise(t *testing.T) {
	t.Parallel()
	okta := idpSigner(t).certPEM
	lines := strings.Split(okta, "\n")
	mangled := strings.Replace(okta, lines[2], lines[2][:7]+"*"+lines[2][8:], 1)
	e := newEnv(t, ProfileIdentityPlatform, withCertificates(okta, mangled))
	cfg, err := e.srv.SSO(e.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].Field != "certificates[1]" || cfg.Warnings[0].Code != CertBase64Char || !strings.Contains(cfg.Warnings[0].Message, "line 3, column 8") {
		t.Fatalf("warnings: %+v", cfg.Warnings)
	}
	_, apiErr := e.signIn(nil)
	if apiErr == nil || apiErr.Reason != ReasonCertParse || apiErr.Message() != msgCertParse {
		t.Fatalf("got %v", apiErr)
	}
	if !strings.Contains(apiErr.ReasonDetail, "certificate 2 of 2") || !strings.Contains(apiErr.ReasonDetail, "line 3, column 8") {
		t.Fatalf("detail %q", apiErr.ReasonDetail)
	}
}
