package sp

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Certificate problem codes (Problem.Code of a certificate warning, and the
// first word of a CERT_PARSE reason detail).
const (
	CertEmpty        = "CERT_EMPTY"
	CertNoPEMArmor   = "CERT_NO_PEM_ARMOR"
	CertPEMHeader    = "CERT_PEM_HEADER"
	CertPEMFooter    = "CERT_PEM_FOOTER"
	CertIsPrivateKey = "CERT_IS_PRIVATE_KEY"
	CertIsPublicKey  = "CERT_IS_PUBLIC_KEY"
	CertIsCSR        = "CERT_IS_CSR"
	CertPEMLabel     = "CERT_PEM_LABEL"
	CertBase64Char   = "CERT_BASE64_CHAR"
	CertBase64       = "CERT_BASE64"
	CertDER          = "CERT_DER"
	CertNotPEM       = "CERT_NOT_PEM"
	// Non-fatal findings about a parseable certificate.
	CertExpired     = string(ReasonCertExpired)
	CertNotYetValid = "CERT_NOT_YET_VALID"
	CertWeakKey     = "CERT_WEAK_KEY"
	CertChain       = "CERT_CHAIN"
	CertDuplicate   = "CERT_DUPLICATE"
	CertLeadingText = "CERT_LEADING_TEXT"
)

// certError is why a pasted certificate cannot be parsed.
type certError struct {
	Code    string
	Message string
	// Shape is the typed classification; Line and Column locate a bad
	// character (1-based; 0 when not applicable).
	Shape        CertificateShape
	Line, Column int
}

// as sets the shape of a certificate error.
func (e *certError) as(shape CertificateShape) *certError {
	e.Shape = shape
	return e
}

func (e *certError) Error() string { return e.Code + ": " + e.Message }

func certErrorf(code, format string, args ...any) *certError {
	return &certError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// parsedCert is the outcome of parsing one configured certificate.
type parsedCert struct {
	cert        *x509.Certificate
	chain       int  // certificates found in the text (the first is used)
	leadingText bool // text before the BEGIN line (ignored, as Java does)
	err         *certError
}

// parseCertificateText parses a pasted IdP certificate the way Identity
// Platform's Java CertificateFactory reads PEM: the armor is required and
// its BEGIN line must start a line (text on earlier lines is skipped, an
// indented BEGIN line is not found), CR, LF, spaces and tabs inside the
// base64 body are ignored, anything else there is an error, and the END line
// must match. Binary DER pasted into the text field is refused. The first certificate of a chain is used. The
// error says precisely what is wrong and where.
func parseCertificateText(text string) parsedCert {
	if strings.TrimSpace(text) == "" {
		return parsedCert{err: certErrorf(CertEmpty, "the certificate is empty: paste the IdP signing certificate in PEM format, including -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----").as(ShapeEmpty)}
	}
	if text[0] == 0x30 { // ASN.1 SEQUENCE: binary DER
		msg := "this is binary DER, not text: paste the PEM form (openssl x509 -inform der -in okta.cer), including -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----"
		shape := ShapeBinaryDER
		if _, err := x509.ParseCertificate([]byte(text)); err != nil {
			msg = "this is binary data, not a PEM certificate: paste the IdP's certificate in PEM format, including -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----"
			shape = ShapeBinaryData
		}
		return parsedCert{err: certErrorf(CertDER, "%s", msg).as(shape)}
	}

	begin := findLineStart(text, "-----BEGIN ")
	if begin < 0 {
		return parsedCert{err: diagnoseNoArmor(text)}
	}
	res := parsedCert{leadingText: strings.TrimSpace(text[:begin]) != ""}

	headerEnd := strings.IndexAny(text[begin:], "\r\n")
	if headerEnd < 0 {
		headerEnd = len(text) - begin
	}
	header := strings.TrimRight(text[begin:begin+headerEnd], " \t")
	if rest, ok := strings.CutPrefix(header, "-----BEGIN CERTIFICATE-----"); ok && rest != "" {
		if strings.HasPrefix(rest, "&#") {
			return parsedCert{err: certErrorf(CertPEMHeader, "the -----BEGIN CERTIFICATE----- line ends with %q, an XML character reference: paste the PEM text itself, not XML-escaped text", truncate(rest, 8)).as(ShapeXMLEscaped)}
		}
		return parsedCert{err: certErrorf(CertPEMHeader, "the base64 body continues on the -----BEGIN CERTIFICATE----- line: the BEGIN and END lines must be on lines of their own (was the certificate flattened onto one line?)").as(ShapeBodyOnHeaderLine)}
	}
	if begin+headerEnd == len(text) {
		return parsedCert{err: certErrorf(CertPEMFooter, "nothing follows the header line %q: the base64 body and the -----END CERTIFICATE----- line are missing", truncate(header, 40)).as(ShapeMissingBody)}
	}
	if !strings.HasSuffix(header, "-----") || len(header) < 16 {
		return parsedCert{err: certErrorf(CertPEMHeader, "the header line %q is malformed: it must be exactly -----BEGIN CERTIFICATE-----", truncate(header, 60)).as(ShapeMalformedHeader)}
	}
	label := header[len("-----BEGIN ") : len(header)-len("-----")]
	if e := checkPEMLabel(label); e != nil {
		return parsedCert{err: e}
	}

	// Body: up to the first '-', ignoring CR, LF, spaces and tabs.
	bodyStart := begin + headerEnd
	var body strings.Builder
	line, col := 1+strings.Count(text[:begin], "\n"), 0
	i := bodyStart
	for i < len(text) {
		c := text[i]
		if c == '-' {
			break
		}
		switch c {
		case '\n':
			line++
			col = 0
			i++
			continue
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
				continue
			}
			line++
			col = 0
			i++
			continue
		case ' ', '\t':
			col++
			i++
			continue
		}
		col++
		if !isBase64Char(c) {
			r, _ := utf8.DecodeRuneInString(text[i:])
			hint, shape := "", ShapeBadCharacter
			switch {
			case strings.HasPrefix(text[i:], "&#13;") || strings.HasPrefix(text[i:], "&#xD;"):
				hint, shape = " (an XML character reference: paste the PEM text itself, not XML-escaped text)", ShapeXMLEscaped
			case r == '\u2026':
				hint, shape = " (an ellipsis: the certificate was shortened when it was copied)", ShapeEllipsis
			case r >= 0x80:
				hint, shape = " (a non-ASCII character: the text was reformatted when it was copied; copy the certificate file exactly)", ShapeNonASCII
			}
			ce := certErrorf(CertBase64Char, "line %d, column %d of the certificate has %q (U+%04X), which is not a base64 character%s", line, col, r, r, hint).as(shape)
			ce.Line, ce.Column = line, col
			return parsedCert{err: ce}
		}
		body.WriteByte(c)
		i++
	}
	if i >= len(text) {
		return parsedCert{err: certErrorf(CertPEMFooter, "the -----END CERTIFICATE----- line is missing: the certificate was cut off when it was copied").as(ShapeMissingFooter)}
	}
	footerEnd := strings.IndexAny(text[i:], "\r\n")
	footer := text[i:]
	if footerEnd >= 0 {
		footer = text[i : i+footerEnd]
	}
	footer = strings.TrimRight(footer, " \t")
	if want := "-----END " + label + "-----"; footer != want {
		return parsedCert{err: certErrorf(CertPEMFooter, "the footer line %q does not match the header: it must be exactly %s", truncate(footer, 60), want).as(ShapeMismatchedFooter)}
	}
	b64 := body.String()
	if b64 == "" {
		return parsedCert{err: certErrorf(CertBase64, "the certificate has no base64 body between its BEGIN and END lines").as(ShapeEmptyBody)}
	}
	if len(b64)%4 != 0 {
		return parsedCert{err: certErrorf(CertBase64, "the base64 body has %d characters, which is not a multiple of 4: characters were lost or added when it was copied", len(b64)).as(ShapeBase64Length)}
	}
	der, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return parsedCert{err: certErrorf(CertBase64, "the base64 body does not decode: %v", err).as(ShapeBase64Invalid)}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return parsedCert{err: certErrorf(CertDER, "the base64 body decodes to %d bytes that are not a valid X.509 certificate (%v): a character was probably changed when it was copied", len(der), err).as(ShapeNotCertificate)}
	}
	res.cert = c
	res.chain = 1 + strings.Count(text[i:], "-----BEGIN ")
	return res
}

func checkPEMLabel(label string) *certError {
	switch label {
	case "CERTIFICATE", "X509 CERTIFICATE":
		return nil
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY":
		return certErrorf(CertIsPrivateKey, "this is a %s, not a certificate: paste the IdP's signing certificate (-----BEGIN CERTIFICATE-----), and treat this key as exposed", label).as(ShapePrivateKey)
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		return certErrorf(CertIsPublicKey, "this is a %s, not an X.509 certificate: paste the IdP's signing certificate (-----BEGIN CERTIFICATE-----)", label).as(ShapePublicKey)
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		return certErrorf(CertIsCSR, "this is a %s, not a certificate: paste the IdP's signing certificate", label).as(ShapeCertificateRequest)
	}
	return certErrorf(CertPEMLabel, "the PEM block is labelled %q: it must be -----BEGIN CERTIFICATE-----", label).as(ShapeOtherPEMBlock)
}

// indexFoldASCII is the byte index of the first instance of upper (ASCII
// capitals) in s, ignoring ASCII case. Unlike indexing strings.ToUpper(s),
// the index is s's own: ToUpper turns each invalid UTF-8 byte into a
// three-byte U+FFFD, shifting everything after it.
func indexFoldASCII(s, upper string) int {
	for i := 0; i+len(upper) <= len(s); i++ {
		j := 0
		for ; j < len(upper); j++ {
			c := s[i+j]
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			if c != upper[j] {
				break
			}
		}
		if j == len(upper) {
			return i
		}
	}
	return -1
}

// diagnoseNoArmor explains text that has no "-----BEGIN " at a line start.
func diagnoseNoArmor(text string) *certError {
	if i := strings.Index(text, "-----BEGIN "); i >= 0 {
		start := strings.LastIndexAny(text[:i], "\r\n") + 1
		if strings.TrimLeft(text[start:i], " \t") == "" {
			return certErrorf(CertPEMHeader, "the -----BEGIN line is indented by %d character(s): the armor lines must start at the beginning of a line (remove the indentation, e.g. from YAML or code)", i-start).as(ShapeIndentedArmor)
		}
	}
	if idx := indexFoldASCII(text, "BEGIN"); idx >= 0 && strings.Contains(text, "-") {
		lineEnd := strings.IndexAny(text[idx:], "\r\n")
		if lineEnd < 0 {
			lineEnd = len(text) - idx
		}
		start := strings.LastIndexAny(text[:idx], "\r\n") + 1
		return certErrorf(CertPEMHeader, "the header line %q is malformed: it must be exactly -----BEGIN CERTIFICATE----- at the start of a line", truncate(text[start:idx+lineEnd], 60)).as(ShapeMalformedHeader)
	}
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, text)
	onlyBase64 := compact != ""
	for i := 0; i < len(compact); i++ {
		if !isBase64Char(compact[i]) {
			onlyBase64 = false
			break
		}
	}
	if onlyBase64 {
		msg := "the certificate has no -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines: paste the full PEM, including them"
		shape := ShapeBareBase64
		if der, err := base64.StdEncoding.DecodeString(compact); err == nil {
			if _, err := x509.ParseCertificate(der); err == nil {
				msg += " (the base64 itself is a valid certificate; only the armor lines are missing)"
				shape = ShapeMissingArmor
			}
		}
		return certErrorf(CertNoPEMArmor, "%s", msg).as(shape)
	}
	if strings.HasPrefix(strings.TrimSpace(text), "<") {
		return certErrorf(CertNotPEM, "this looks like XML (metadata?), not a PEM certificate: paste the content of ds:X509Certificate between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines, or the downloaded okta.cert file").as(ShapeXMLDocument)
	}
	return certErrorf(CertNotPEM, "this is not a PEM certificate: it must start with -----BEGIN CERTIFICATE-----").as(ShapeNotPEM)
}

// findLineStart returns the index of prefix where it starts a line (column
// 1, as Java's PEM reader requires), or -1.
func findLineStart(s, prefix string) int {
	off := 0
	for {
		i := strings.Index(s[off:], prefix)
		if i < 0 {
			return -1
		}
		i += off
		if i == 0 || s[i-1] == '\n' || s[i-1] == '\r' {
			return i
		}
		off = i + 1
	}
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// certificateWarnings lists what is wrong with each pasted certificate, for
// the admin at save time. Certificates are never rejected at save time
// (Identity Platform parses them only at sign-in); an unparseable one is
// reported with the code that explains it and the note that sign-in will
// fail with "Error when parsing certificate".
func certificateWarnings(texts []string, now time.Time) []Problem {
	var out []Problem
	seen := map[string]int{}
	for i, text := range texts {
		field := fmt.Sprintf("certificates[%d]", i)
		n := i + 1
		pc := parseCertificateText(text)
		if pc.err != nil {
			out = append(out, Problem{Field: field, Code: pc.err.Code,
				Message: fmt.Sprintf("certificate %d: %s. Sign-in will fail with %q until it is removed and re-added.", n, pc.err.Message, ReasonCertParse.Info().Message(nil))})
			continue
		}
		c := pc.cert
		fp := certFingerprint(c)
		if j, dup := seen[fp]; dup {
			out = append(out, Problem{Field: field, Code: CertDuplicate,
				Message: fmt.Sprintf("certificate %d is the same certificate as certificate %d (SHA-256 %s)", n, j+1, fp)})
		} else {
			seen[fp] = i
		}
		if pc.leadingText {
			out = append(out, Problem{Field: field, Code: CertLeadingText,
				Message: fmt.Sprintf("certificate %d has text before its -----BEGIN CERTIFICATE----- line; it is ignored", n)})
		}
		if pc.chain > 1 {
			out = append(out, Problem{Field: field, Code: CertChain,
				Message: fmt.Sprintf("certificate %d contains %d certificates; only the first (%s) is used to verify signatures", n, pc.chain, c.Subject.String())})
		}
		if now.After(c.NotAfter) {
			out = append(out, Problem{Field: field, Code: CertExpired,
				Message: fmt.Sprintf("certificate %d (%s) expired on %s: the identity-platform profile still verifies with it, the strict profile refuses it (%s)", n, c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339), ReasonCertExpired)})
		} else if now.Before(c.NotBefore) {
			out = append(out, Problem{Field: field, Code: CertNotYetValid,
				Message: fmt.Sprintf("certificate %d (%s) is not valid before %s: the strict profile refuses it until then (%s)", n, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339), ReasonCertExpired)})
		}
		if bits, least := publicKeyBits(c), PolicyFor(ProfileStrict).MinRSAKeyBits; bits > 0 && bits < least {
			out = append(out, Problem{Field: field, Code: CertWeakKey,
				Message: fmt.Sprintf("certificate %d has a %d-bit RSA key: the strict profile requires at least %d bits (%s)", n, bits, least, ReasonSignatureAlgorithm)})
		}
	}
	return out
}

// publicKeyBits is the RSA modulus size, or 0 for other key types.
func publicKeyBits(c *x509.Certificate) int {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PublicKey:
		return 0
	}
	return 0
}

// certFingerprint is the SHA-256 fingerprint of a certificate, colon-free hex.
func certFingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// describeCert names a certificate for an explanation.
func describeCert(c *x509.Certificate) string {
	return fmt.Sprintf("%q (SHA-256 %s…, valid %s to %s)", c.Subject.String(), certFingerprint(c)[:16],
		c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
}
