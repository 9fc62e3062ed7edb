package repro_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/sp/diagnose"
)

// alterInKey changes one base64 character of a PEM certificate inside its
// RSA modulus, so that the text still parses — same subject, same validity
// — but carries another key. It returns the text and the 1-based line and
// column of the changed character.
func alterInKey(t *testing.T, certPEM string) (string, int, int) {
	t.Helper()
	blk, _ := pem.Decode([]byte(certPEM))
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	n := c.PublicKey.(*rsa.PublicKey).N.Bytes()
	off := bytes.Index(c.Raw, n)
	if off < 0 {
		t.Fatal("modulus not found")
	}
	target := 4*((off+len(n)/2)/3) + 1 // a base64 character inside the modulus
	lines := strings.Split(certPEM, "\n")
	seen := 0
	for li, l := range lines {
		if strings.HasPrefix(l, "-----") {
			continue
		}
		if seen+len(l) > target {
			col := target - seen
			repl := byte('A')
			if l[col] == 'A' {
				repl = 'B'
			}
			lines[li] = l[:col] + string(repl) + l[col+1:]
			out := strings.Join(lines, "\n")
			if d := sp.DiagnoseCertificate(out); !d.OK() {
				t.Fatalf("the altered certificate does not parse: %s", d.Message)
			}
			return out, li + 1, col + 1
		}
		seen += len(l)
	}
	t.Fatal("target past the end")
	return "", 0, 0
}

// A pasted certificate altered by one character that still parses, whose
// subject and validity equal the signer's, is named as altered with the
// character's position — not "certificate rotation".
func TestDiagnoseAlteredButParseableCertificate(t *testing.T) {
	t.Parallel()
	var line, col int
	s := situation{name: "altered", metadata: true,
		sso: func(t *testing.T, s *sp.SSOSettings, cw *customerWorld) {
			var text string
			text, line, col = alterInKey(t, cw.activePEM(t))
			s.Certificates = []string{text}
		}}
	ev := reproduce(t, s, 11)
	rep := diagnoseEvidence(t, ev, false, customerAt)
	var out bytes.Buffer
	_ = rep.WriteText(&out)
	if rep.Result.Reason != string(sp.ReasonSignatureUntrustedKey) {
		t.Fatalf("the SP answers %+v\n%s", rep.Result, out.String())
	}
	f := rep.Findings[0]
	if f.Code != diagnose.CodeCertAltered || f.Severity != diagnose.SeverityCause || f.Certificate != 1 {
		t.Fatalf("first finding %s (%s):\n%s", f.Code, f.Severity, out.String())
	}
	if f.Line != line || f.Column != col || !strings.Contains(f.Found, fmt.Sprintf("line %d, column %d has", line, col)) {
		t.Errorf("the finding places the change at %d:%d, it is at %d:%d: %s", f.Line, f.Column, line, col, f.Found)
	}
	if !strings.Contains(f.Found, "1 character(s)") {
		t.Errorf("found %q", f.Found)
	}
	for _, g := range rep.Findings {
		if g.Code == "CERT_ROTATED" || g.Code == "CERT_WRONG" {
			t.Errorf("also reported as %s: %s", g.Code, g.Title)
		}
	}
}
