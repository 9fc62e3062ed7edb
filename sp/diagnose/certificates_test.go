package diagnose

import (
	"strings"
	"testing"

	"github.com/samlharness/samlharness/fixtures"
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
		variant   string
		parses    bool
		problem   string
		shape     string
		cmp       string // in the comparison with the signer ("" = none expected)
		line, col int    // the comparison's location (0 = not checked)
	}{
		{variant: "as-downloaded", parses: true, shape: "as-downloaded"},
		{variant: "one-line", parses: true, shape: "one-line"},
		{variant: "crlf", parses: true, shape: "crlf"},
		{variant: "stray-spaces", parses: true, shape: "stray-spaces"},
		{variant: "llm-rewrapped", problem: sp.CertDER, shape: "llm-rewrapped", cmp: "1 character(s) changed", line: 7},
		{variant: "truncated", problem: sp.CertDER, shape: "truncated", cmp: "cut off after line"},
		{variant: "no-armor", problem: sp.CertNoPEMArmor, shape: "no-armor", cmp: "exactly that certificate"},
		{variant: "no-armor-one-line", problem: sp.CertNoPEMArmor, shape: "no-armor-one-line", cmp: "exactly that certificate"},
		{variant: "indented", problem: sp.CertPEMHeader, shape: "indented"},
		{variant: "flattened", problem: sp.CertPEMHeader, shape: "flattened"},
		{variant: "cr-entities", problem: sp.CertPEMHeader, shape: "cr-entities"},
		{variant: "begin-no-space", problem: sp.CertPEMHeader, shape: "begin-no-space"},
		{variant: "missing-end", problem: sp.CertPEMFooter, shape: "missing-end"},
		{variant: "unicode-dashes", problem: sp.CertNotPEM, shape: "unicode-dashes"},
		{variant: "utf8-bom", problem: sp.CertPEMHeader, shape: "utf8-bom"},
		{variant: "der-bytes", problem: sp.CertDER, shape: "der-bytes"},
		{variant: "base64-of-pem", problem: sp.CertNoPEMArmor, shape: "base64-of-pem"},
		{variant: "private-key", problem: sp.CertIsPrivateKey, shape: "private-key"},
		{variant: "public-key", problem: sp.CertIsPublicKey, shape: "public-key"},
		{variant: "metadata-xml", problem: sp.CertNotPEM, shape: "metadata-xml"},
	}
	for _, tc := range cases {
		t.Run(tc.variant, func(t *testing.T) {
			t.Parallel()
			text, err := fixtures.PEMVariant(fixtures.PEMShape(tc.variant), certPEM)
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
