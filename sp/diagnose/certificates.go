package diagnose

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/sp"
)

// CertificateInfo describes a certificate with the fingerprints admin UIs
// and openssl print.
type CertificateInfo struct {
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	SerialNumber string    `json:"serialNumber"`
	NotBefore    time.Time `json:"notBefore"`
	NotAfter     time.Time `json:"notAfter"`
	// SHA256 and SHA1 are colon-separated upper-case hex (openssl's form).
	SHA256  string `json:"sha256"`
	SHA1    string `json:"sha1"`
	KeyBits int    `json:"keyBits,omitempty"`
	// Okta reports an Okta-issued SAML signing certificate: self-signed,
	// O=Okta, OU=SSOProvider, valid whole years plus 60 seconds.
	Okta bool `json:"okta"`
}

func certInfo(c *x509.Certificate) *CertificateInfo {
	s256 := sha256.Sum256(c.Raw)
	s1 := sha1.Sum(c.Raw)
	ci := &CertificateInfo{
		Subject: nameString(c.Subject), Issuer: nameString(c.Issuer), SerialNumber: c.SerialNumber.String(),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		SHA256: colonHex(s256[:]), SHA1: colonHex(s1[:]), Okta: oktaIssued(c),
	}
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok {
		ci.KeyBits = k.N.BitLen()
	}
	return ci
}

// nameString renders a distinguished name as openssl does ("C=US, ST=…,
// O=Okta, OU=SSOProvider, CN=…, emailAddress=…"), in the certificate's order.
func nameString(n pkix.Name) string {
	short := map[string]string{"2.5.4.6": "C", "2.5.4.8": "ST", "2.5.4.7": "L", "2.5.4.10": "O", "2.5.4.11": "OU",
		"2.5.4.3": "CN", "1.2.840.113549.1.9.1": "emailAddress", "2.5.4.5": "serialNumber", "0.9.2342.19200300.100.1.25": "DC"}
	parts := make([]string, 0, len(n.Names))
	for _, atv := range n.Names {
		k, ok := short[atv.Type.String()]
		if !ok {
			k = atv.Type.String()
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, atv.Value))
	}
	if len(parts) == 0 {
		return n.String()
	}
	return strings.Join(parts, ", ")
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}

// short is the start of a fingerprint, for sentences.
func short(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "…"
	}
	return fp
}

// oktaIssued reports a certificate shaped as Okta mints SAML signing
// certificates: self-signed, O=Okta, OU=SSOProvider, valid a whole number
// of years plus 60 seconds (reference §1.3).
func oktaIssued(c *x509.Certificate) bool {
	if c.Subject.String() != c.Issuer.String() || !hasValue(c.Subject.Organization, "Okta") || !hasValue(c.Subject.OrganizationalUnit, "SSOProvider") {
		return false
	}
	for years := 1; years <= 20; years++ {
		d := c.NotAfter.Sub(c.NotBefore.AddDate(years, 0, 0))
		if d >= 59*time.Second && d <= 61*time.Second {
			return true
		}
	}
	return false
}

func hasValue(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// sameOrg reports two Okta certificates of the same Okta org (same subject).
func sameOrg(a, b *x509.Certificate) bool {
	return oktaIssued(a) && oktaIssued(b) && a.Subject.String() == b.Subject.String()
}

// Roles of a configured certificate.
const (
	RoleSigner      = "signer"      // it verifies the response's signature
	RoleNotSigner   = "not-signer"  // it parses but did not make the signature
	RoleUnparseable = "unparseable" // the SP cannot parse it
	RoleUnchecked   = "unchecked"   // it parses; the response carries no signature to check it against
)

// ConfiguredCertificate is one certificate of the workspace, as pasted.
type ConfiguredCertificate struct {
	// Index is 1-based, as the admin UI lists them.
	Index int `json:"index"`
	// Parses reports whether the SP can parse the pasted text.
	Parses bool `json:"parses"`
	// Problem and Message say why it cannot be parsed (the SP's codes:
	// CERT_BASE64_CHAR, CERT_NO_PEM_ARMOR, CERT_IS_PRIVATE_KEY, …).
	Problem string `json:"problem,omitempty"`
	Message string `json:"message,omitempty"`
	// Line and Column locate the defect in the pasted text, when known.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Shape names how the text was pasted, when recognised: a PEM variant
	// of the fixtures (as-downloaded, one-line, crlf, llm-rewrapped,
	// truncated, indented, no-armor, private-key, …).
	Shape pastedcert.Shape `json:"shape,omitempty"`
	// Certificate is the parsed certificate.
	Certificate *CertificateInfo `json:"certificate,omitempty"`
	// Role is signer, not-signer, unparseable or unchecked.
	Role string `json:"role"`
	// Comparison compares the pasted base64 with the certificate that
	// signed the response, when the paste is not that certificate.
	Comparison string `json:"comparison,omitempty"`

	cert *x509.Certificate
	text string
}

// configuredCertificates parses each pasted certificate with the SP's parser.
func configuredCertificates(texts []string) []ConfiguredCertificate {
	out := make([]ConfiguredCertificate, len(texts))
	for i, t := range texts {
		d := sp.DiagnoseCertificate(t)
		cc := ConfiguredCertificate{Index: i + 1, Parses: d.OK(), Problem: d.Code, Message: d.Message, text: t, Role: RoleUnchecked}
		if d.OK() {
			cc.cert = d.Certificate
			cc.Certificate = certInfo(d.Certificate)
		} else {
			cc.Role = RoleUnparseable
			cc.Line, cc.Column = d.Line, d.Column
		}
		cc.Shape = pasteShape(t, d)
		out[i] = cc
	}
	return out
}

// pasteShape recognises how a certificate was pasted, in the names of the
// fixtures' PEM variants.
func pasteShape(t string, d sp.CertificateDiagnosis) pastedcert.Shape {
	has := func(s string) bool { return strings.Contains(t, s) }
	switch {
	case strings.HasPrefix(t, "\ufeff"):
		return pastedcert.UTF8BOM
	case len(t) > 0 && t[0] == 0x30:
		return pastedcert.DERBytes
	case d.Code == sp.CertIsPrivateKey:
		return pastedcert.PrivateKey
	case d.Code == sp.CertIsPublicKey:
		return pastedcert.PublicKey
	case strings.HasPrefix(strings.TrimSpace(t), "<"):
		return pastedcert.MetadataXML
	case has("\u2013") || has("\u2014"):
		return pastedcert.UnicodeDashes
	case has("BEGINCERTIFICATE"):
		return pastedcert.BeginNoSpace
	case has("&#13;") || has("&#xD;") || has("&#xd;"):
		return pastedcert.CREntities
	case has("```"):
		return pastedcert.LLMRewrapped
	}
	if d.OK() {
		switch {
		case d.Chain > 1:
			return pastedcert.ChainLeafFirst
		case d.LeadingText:
			return pastedcert.OpenSSLText
		case has("\r\n"):
			return pastedcert.CRLF
		}
		lines := strings.Split(strings.TrimSpace(t), "\n")
		if len(lines) == 3 {
			return pastedcert.OneLine
		}
		if len(lines) > 2 && len(strings.TrimRight(lines[1], " ")) == 76 && !strings.Contains(lines[1], " ") {
			return pastedcert.AsDownloaded
		}
		if len(lines) > 2 && strings.Contains(lines[1], " ") {
			return pastedcert.StraySpaces
		}
		return ""
	}
	switch d.Code {
	case sp.CertNoPEMArmor:
		if b, err := base64.StdEncoding.DecodeString(stripSpace(t)); err == nil && strings.HasPrefix(string(b), "-----BEGIN") {
			return pastedcert.Base64OfPEM
		}
		if strings.Contains(strings.TrimSpace(t), "\n") {
			return pastedcert.NoArmor
		}
		return pastedcert.NoArmorOneLine
	case sp.CertPEMHeader:
		switch d.Shape {
		case sp.ShapeIndentedArmor:
			return pastedcert.Indented
		case sp.ShapeBodyOnHeaderLine:
			return pastedcert.Flattened
		}
	case sp.CertPEMFooter:
		if !has("-----END") {
			return pastedcert.MissingEnd
		}
	case sp.CertBase64:
		return pastedcert.Truncated
	case sp.CertDER:
		if d.LeadingText || rewrapped(t) {
			return pastedcert.LLMRewrapped
		}
		return pastedcert.Truncated
	case sp.CertBase64Char:
		if d.Shape == sp.ShapeEllipsis {
			return pastedcert.Truncated
		}
		return pastedcert.LLMRewrapped
	}
	return pastedcert.Truncated
}

// rewrapped reports base64 lines of 64 characters, where Okta's are 76.
func rewrapped(t string) bool {
	for _, l := range strings.Split(strings.ReplaceAll(t, "\r\n", "\n"), "\n") {
		if len(strings.TrimSpace(l)) == 64 && !strings.Contains(l, "-----") {
			return true
		}
	}
	return false
}

// base64Char is one base64 character of a pasted text and where it is.
type base64Char struct {
	c            byte
	line, column int
}

// pastedBase64 extracts the base64 characters of a pasted certificate with
// their positions: those between the BEGIN and END lines when there are
// armor lines, otherwise all of them.
func pastedBase64(t string) []base64Char {
	lines := strings.Split(strings.ReplaceAll(t, "\r\n", "\n"), "\n")
	start, end := 0, len(lines)
	for i, l := range lines {
		if strings.Contains(l, "BEGIN") && strings.Contains(l, "-----") {
			start = i + 1
			break
		}
	}
	for i := start; i < len(lines); i++ {
		if strings.Contains(lines[i], "END") && strings.Contains(lines[i], "-----") {
			end = i
			break
		}
	}
	var out []base64Char
	for i := start; i < end; i++ {
		col := 0
		for _, r := range lines[i] {
			col++
			if r < 0x80 && isBase64Byte(byte(r)) && r != '=' {
				out = append(out, base64Char{byte(r), i + 1, col})
			}
		}
	}
	return out
}

// compareWithSigner compares a pasted text with the certificate that signed
// the response ("it" in the sentences): the same certificate, a few changed
// characters (where), a truncated copy, or another certificate altogether.
// It returns a sentence and the location of the first difference.
func compareWithSigner(t string, signer *x509.Certificate) (string, int, int) {
	want := strings.TrimRight(base64.StdEncoding.EncodeToString(signer.Raw), "=")
	got := pastedBase64(t)
	if len(got) == 0 {
		return "", 0, 0
	}
	var diffs []int
	n := min(len(got), len(want))
	for i := 0; i < n; i++ {
		if got[i].c != want[i] {
			diffs = append(diffs, i)
		}
	}
	switch {
	case len(got) == len(want) && len(diffs) == 0:
		return "the pasted base64 is exactly that certificate: only the way it was pasted is wrong", 0, 0
	case len(diffs) > 0 && len(diffs) <= 4 && len(got) == len(want):
		parts := make([]string, len(diffs))
		for k, i := range diffs {
			parts[k] = fmt.Sprintf("line %d, column %d has %q where the certificate has %q%s", got[i].line, got[i].column, got[i].c, want[i], lookAlike(got[i].c, want[i]))
		}
		return fmt.Sprintf("the pasted text is that certificate with %d character(s) changed: %s", len(diffs), strings.Join(parts, "; ")), got[diffs[0]].line, got[diffs[0]].column
	case len(diffs) == 0 && len(got) < len(want):
		last := got[len(got)-1]
		return fmt.Sprintf("the pasted text is the start of that certificate, cut off after line %d: %d of its %d base64 characters are there, the last %d are missing", last.line, len(got), len(want), len(want)-len(got)), last.line, last.column + 1
	case len(diffs) == 0 && len(got) > len(want):
		extra := got[len(want)]
		return fmt.Sprintf("the pasted text is that certificate followed by %d extra base64 character(s) from line %d, column %d", len(got)-len(want), extra.line, extra.column), extra.line, extra.column
	}
	return "the pasted text is not that certificate: another certificate, or damaged beyond a few characters", 0, 0
}

// lookAlike names the confusion behind a changed character.
func lookAlike(got, want byte) string {
	pairs := map[[2]byte]bool{{'0', 'O'}: true, {'O', '0'}: true, {'l', 'I'}: true, {'I', 'l'}: true, {'1', 'l'}: true, {'l', '1'}: true, {'1', 'I'}: true, {'I', '1'}: true, {'5', 'S'}: true, {'S', '5'}: true}
	if pairs[[2]byte{got, want}] {
		return " (look-alike characters swapped: the text was retyped or reformatted, e.g. by an LLM)"
	}
	return ""
}
