package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/sp"
)

// ---- certificates ----

// checkCertificateParsing reports each pasted certificate the SP cannot
// parse; the comparison with the signer is added once it is known.
func (a *analysis) checkCertificateParsing() {
	for i := range a.certs {
		cc := &a.certs[i]
		if cc.Parses {
			continue
		}
		found := fmt.Sprintf("%s (%s)", cc.Message, cc.Problem)
		if cc.Shape != "" {
			found += "; the text is shaped like " + shapeDescription(cc.Shape)
		}
		a.add(Finding{Code: "CERT_UNPARSEABLE", Reason: string(sp.ReasonCertParse),
			Title:    certTitle(*cc),
			Field:    FieldCertificate,
			Expected: "Okta's X.509 signing certificate in valid PEM format, exactly as downloaded: a -----BEGIN CERTIFICATE----- line, the base64 lines, an -----END CERTIFICATE----- line",
			Found:    found,
			Fix: fmt.Sprintf("In %s, remove certificate %d, then click Add Certificate and paste Okta's certificate exactly as downloaded (Okta: the app's Sign On tab → SAML Signing Certificates → Actions → Download certificate), including -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----; do not use an LLM to format the certificate. Then %s.",
				securitySSO, cc.Index, updateSSO),
			Certificate: cc.Index, Line: cc.Line, Column: cc.Column, step: stepCertificates})
	}
}

// shapeDescription explains a paste shape in a few words.
func shapeDescription(shape pastedcert.Shape) string {
	d := map[pastedcert.Shape]string{
		pastedcert.LLMRewrapped:   "text reformatted by a chat assistant (re-wrapped, fenced, characters changed)",
		pastedcert.Truncated:      "a partial selection (lines cut off)",
		pastedcert.Indented:       "indented lines (pasted from YAML or code)",
		pastedcert.Flattened:      "a single line where line breaks became spaces",
		pastedcert.CREntities:     "XML-escaped text (&#13; at line ends)",
		pastedcert.NoArmor:        "the base64 lines without the BEGIN/END lines",
		pastedcert.NoArmorOneLine: "the bare base64 of metadata's ds:X509Certificate",
		pastedcert.BeginNoSpace:   "armor lines with their spaces removed",
		pastedcert.UTF8BOM:        "a file saved with a byte order mark",
		pastedcert.MissingEnd:     "a selection without the END line",
		pastedcert.UnicodeDashes:  "armor dashes turned into en dashes by a word processor",
		pastedcert.DERBytes:       "raw DER bytes (a .cer/.der file)",
		pastedcert.Base64OfPEM:    "the whole PEM file base64-encoded again",
		pastedcert.PrivateKey:     "a private key, not the certificate",
		pastedcert.PublicKey:      "a public key, not the certificate",
		pastedcert.MetadataXML:    "the whole metadata XML",
	}
	if v, ok := d[shape]; ok {
		return v
	}
	return string(shape)
}

// compareUnparseable adds, to each unparseable certificate's finding, how
// the pasted base64 compares with the certificate that signed the response,
// and locates the defect.
func (a *analysis) compareUnparseable() {
	if a.signer == nil {
		return
	}
	label := "the certificate Okta signed this response with"
	switch a.signerFrom {
	case "metadata":
		label = "the certificate in Okta's metadata"
	case "keyinfo":
		label = "the certificate Okta signed this response with (its KeyInfo)"
	}
	for i := range a.certs {
		cc := &a.certs[i]
		switch cc.Shape {
		case "der-bytes", "private-key", "public-key", "metadata-xml", "base64-of-pem":
			continue
		}
		if cc.Parses {
			continue
		}
		cmp, line, col := compareWithSigner(cc.text, a.signer)
		if cmp == "" {
			continue
		}
		cc.Comparison = cmp
		before := cc.Shape
		switch {
		case strings.Contains(cmp, "cut off"):
			cc.Shape = pastedcert.Truncated
		case strings.Contains(cmp, "changed") && cc.Problem == sp.CertDER:
			cc.Shape = pastedcert.LLMRewrapped
		}
		for j := range a.findings {
			f := &a.findings[j]
			if f.Code != "CERT_UNPARSEABLE" || f.Certificate != cc.Index {
				continue
			}
			if before != cc.Shape && before != "" {
				f.Found = strings.Replace(f.Found, shapeDescription(before), shapeDescription(cc.Shape), 1)
			}
			f.Found += "; compared with " + label + ": " + cmp
			if line > 0 && (f.Line == 0 || cc.Problem == sp.CertDER || cc.Problem == sp.CertBase64) {
				f.Line, f.Column = line, col
				cc.Line, cc.Column = line, col
				if cc.Problem == sp.CertDER {
					f.Title = fmt.Sprintf("Certificate %d in the workspace cannot be parsed: a character was changed at line %d, column %d", cc.Index, line, col)
				}
			}
		}
	}
}

// certTitle is a short statement of why a pasted certificate cannot be parsed.
func certTitle(cc ConfiguredCertificate) string {
	why := map[string]string{
		sp.CertEmpty:        "it is empty",
		sp.CertNoPEMArmor:   "it has no -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines",
		sp.CertPEMHeader:    "its -----BEGIN CERTIFICATE----- line is malformed",
		sp.CertPEMFooter:    "its -----END CERTIFICATE----- line is missing or malformed",
		sp.CertIsPrivateKey: "it is a private key, not a certificate",
		sp.CertIsPublicKey:  "it is a public key, not a certificate",
		sp.CertIsCSR:        "it is a certificate request, not a certificate",
		sp.CertPEMLabel:     "its PEM block is not a CERTIFICATE",
		sp.CertBase64:       "its base64 body is incomplete",
		sp.CertDER:          "its base64 decodes to something that is not a certificate",
		sp.CertNotPEM:       "it is not a PEM certificate",
	}[cc.Problem]
	if cc.Problem == sp.CertBase64Char {
		why = fmt.Sprintf("a character that is not base64 at line %d, column %d", cc.Line, cc.Column)
	}
	if why == "" {
		why = firstSentence(cc.Message)
	}
	return fmt.Sprintf("Certificate %d in the workspace cannot be parsed: %s", cc.Index, why)
}

// checkCertificateWarnings reports what the admin UI warns about for the
// certificates that parse (duplicates, chains, validity, weak keys).
func (a *analysis) checkCertificateWarnings() {
	texts := make([]string, len(a.certs))
	for i, cc := range a.certs {
		texts[i] = cc.text
	}
	for _, p := range sp.CertificateWarnings(texts, a.at) {
		var idx int
		fmt.Sscanf(p.Field, "certificates[%d]", &idx)
		if idx < 0 || idx >= len(a.certs) || !a.certs[idx].Parses {
			continue
		}
		f := Finding{Code: p.Code, Title: p.Message, Field: FieldCertificate, Found: p.Message, Certificate: idx + 1, step: stepAdvice}
		switch p.Code {
		case sp.CertExpired, sp.CertNotYetValid:
			f.Expected = "a certificate valid at " + instant(a.at)
			f.Fix = "In Okta, generate a new signing certificate (Sign On tab → SAML Signing Certificates → Generate new certificate), add it in " + securitySSO + " with Add Certificate, then activate it in Okta."
			if a.certs[idx].Role == RoleSigner {
				f.Reason, f.StrictOnly, f.step = string(sp.ReasonCertExpired), true, stepSignature
			}
		case sp.CertWeakKey:
			f.Expected = "an RSA key of at least 2048 bits"
			f.Fix = "In Okta, generate a new signing certificate (2048-bit) and replace this one in " + securitySSO + "."
			if a.certs[idx].Role == RoleSigner {
				f.Reason, f.StrictOnly, f.step = string(sp.ReasonSignatureAlgorithm), true, stepSignature
			}
		case sp.CertDuplicate:
			f.Fix = "Remove the duplicate in " + securitySSO + "."
		case sp.CertChain:
			f.Fix = "Paste Okta's signing certificate alone."
		case sp.CertLeadingText:
			f.Fix = "Paste the certificate alone, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----."
		default:
			f.Fix = "See " + securitySSO + "."
		}
		a.add(f)
	}
	for _, cc := range a.certs {
		if cc.Role != RoleSigner || cc.cert == nil {
			continue
		}
		if left := cc.cert.NotAfter.Sub(a.at); left > 0 && left < 60*24*time.Hour {
			a.add(Finding{Code: "CERT_EXPIRES_SOON", Title: fmt.Sprintf("Okta's signing certificate (certificate %d) expires in %d days", cc.Index, int(left.Hours()/24)),
				Field: FieldCertificate, Expected: "a rotation before " + instant(cc.cert.NotAfter), Found: "valid until " + instant(cc.cert.NotAfter),
				Fix:         "In Okta, generate a new certificate (Sign On tab → SAML Signing Certificates → Generate new certificate), add it in " + securitySSO + " with Add Certificate next to the current one, then activate it in Okta. Okta does not rotate by itself.",
				Certificate: cc.Index, step: stepAdvice})
		}
	}
}
