package diagnose

import (
	"strings"
	"testing"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/sp"
)

// Each way a certificate gets pasted is recognised, and each defect is
// located precisely: the SP's parser gives the code (and line and column
// for a bad character), the comparison with the signing certificate pins a
// changed character or a cut.
func TestPastedCertificateDefects(t *testing.T) {
	t.Parallel()
	cert, certPEM := testOktaCert(t)
	cases := []struct {
		variant   pastedcert.Shape
		parses    bool
		problem   string
		shape     pastedcert.Shape
		cmp       string // in the comparison with the signer ("" = none expected)
		line, col int    // the comparison's location (0 = not checked)
	}{
		{variant: pastedcert.AsDownloaded, parses: true, shape: pastedcert.AsDownloaded},
		{variant: pastedcert.OneLine, parses: true, shape: pastedcert.OneLine},
		{variant: pastedcert.CRLF, parses: true, shape: pastedcert.CRLF},
		{variant: pastedcert.StraySpaces, parses: true, shape: pastedcert.StraySpaces},
		{variant: pastedcert.LLMRewrapped, problem: sp.CertDER, shape: pastedcert.LLMRewrapped, cmp: "1 character(s) changed", line: 7},
		{variant: pastedcert.Truncated, problem: sp.CertDER, shape: pastedcert.Truncated, cmp: "cut off after line"},
		{variant: pastedcert.NoArmor, problem: sp.CertNoPEMArmor, shape: pastedcert.NoArmor, cmp: "exactly that certificate"},
		{variant: pastedcert.NoArmorOneLine, problem: sp.CertNoPEMArmor, shape: pastedcert.NoArmorOneLine, cmp: "exactly that certificate"},
		{variant: pastedcert.Indented, problem: sp.CertPEMHeader, shape: pastedcert.Indented},
		{variant: pastedcert.Flattened, problem: sp.CertPEMHeader, shape: pastedcert.Flattened},
		{variant: pastedcert.CREntities, problem: sp.CertPEMHeader, shape: pastedcert.CREntities},
		{variant: pastedcert.BeginNoSpace, problem: sp.CertPEMHeader, shape: pastedcert.BeginNoSpace},
		{variant: pastedcert.MissingEnd, problem: sp.CertPEMFooter, shape: pastedcert.MissingEnd},
		{variant: pastedcert.UnicodeDashes, problem: sp.CertNotPEM, shape: pastedcert.UnicodeDashes},
		{variant: pastedcert.UTF8BOM, problem: sp.CertPEMHeader, shape: pastedcert.UTF8BOM},
		{variant: pastedcert.DERBytes, problem: sp.CertDER, shape: pastedcert.DERBytes},
		{variant: pastedcert.Base64OfPEM, problem: sp.CertNoPEMArmor, shape: pastedcert.Base64OfPEM},
		{variant: pastedcert.PrivateKey, problem: sp.CertIsPrivateKey, shape: pastedcert.PrivateKey},
		{variant: pastedcert.PublicKey, problem: sp.CertIsPublicKey, shape: pastedcert.PublicKey},
		{variant: pastedcert.MetadataXML, problem: sp.CertNotPEM, shape: pastedcert.MetadataXML},
	}
	for _, tc := range cases {
		t.Run(string(tc.variant), func(t *testing.T) {
			t.Parallel()
			text, err := fixtures.PEMVariant(tc.variant, certPEM)
			if err != nil {
				t.Fatal(err)
			}
			cc := configuredCertificates([]string{text})[0]
			if cc.Parses != tc.parses || cc.Problem != tc.problem {
				t.Fatalf("parses %v problem %q, want %v %q (%s)", cc.Parses, cc.Problem, tc.parses, tc.problem, cc.Message)
			}
			if cc.Shape != tc.shape {
				t.Errorf("shape %q, want %q", cc.Shape, tc.shape)
			}
			if tc.cmp == "" {
				return
			}
			got, line, _ := compareWithSigner(text, cert)
			if !strings.Contains(got, tc.cmp) {
				t.Errorf("comparison %q does not say %q", got, tc.cmp)
			}
			if tc.line > 0 && line != tc.line {
				t.Errorf("comparison at line %d, want %d (%s)", line, tc.line, got)
			}
		})
	}
}

// A stray character is located by the SP's parser, and the finding carries
// its line and column.
func TestUnparseableCertificateFinding(t *testing.T) {
	t.Parallel()
	_, certPEM := testOktaCert(t)
	lines := strings.Split(certPEM, "\n")
	lines[3] = lines[3][:20] + "é" + lines[3][21:]
	cfg := testConfig(t)
	cfg.Certificates = []string{certPEM, strings.Join(lines, "\n")}
	ev, err := ParseResponse([]byte(b64(responseXML("alice@acme.test"))))
	if err != nil {
		t.Fatal(err)
	}
	rep := Diagnose(Input{Config: cfg, Evidence: ev, At: testAt})
	if rep.Result.Reason != "CERT_PARSE" || rep.Result.Message != "INVALID_IDP_RESPONSE : Error when parsing certificate" {
		t.Fatalf("result %+v", rep.Result)
	}
	f := rep.Findings[0]
	if f.Code != "CERT_UNPARSEABLE" || f.Severity != SeverityCause || f.Certificate != 2 || f.Line != 4 || f.Column != 21 {
		t.Fatalf("first finding %+v", f)
	}
	for _, want := range []string{"line 4, column 21", "'é'", "not a base64 character"} {
		if !strings.Contains(f.Title+" "+f.Found, want) {
			t.Errorf("finding does not say %q: %s / %s", want, f.Title, f.Found)
		}
	}
	if !strings.Contains(f.Fix, "Add Certificate") || !strings.Contains(f.Fix, "do not use an LLM") {
		t.Errorf("fix %q", f.Fix)
	}
	if f.Field != FieldCertificate {
		t.Errorf("field %q", f.Field)
	}
}

func TestOktaIssued(t *testing.T) {
	t.Parallel()
	cert, _ := testOktaCert(t)
	if !oktaIssued(cert) {
		t.Error("an Okta-shaped certificate is not recognised")
	}
	if got := certInfo(cert).Subject; got != "C=US, ST=California, L=San Francisco, O=Okta, OU=SSOProvider, CN=dev-000000" {
		t.Errorf("subject %q", got)
	}
	if fp := certInfo(cert).SHA256; len(fp) != 95 || strings.ToUpper(fp) != fp {
		t.Errorf("fingerprint %q", fp)
	}
}
