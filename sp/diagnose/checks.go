package diagnose

import (
	"crypto/x509"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/sp"
)

// analysis is one diagnosis in progress.
type analysis struct {
	cfg      Config
	ev       *Evidence
	md       *Metadata
	okta     *OktaSettings
	at       time.Time
	atSource string

	facts  *ResponseFacts
	certs  []ConfiguredCertificate
	signer *x509.Certificate // the certificate that made the signatures, when known
	// signerFrom says where the signer was found: "certificate N",
	// "keyinfo" or "metadata".
	signerFrom string

	findings []Finding
	passed   []string
}

func (a *analysis) add(f Finding) { a.findings = append(a.findings, f) }
func (a *analysis) pass(s string) { a.passed = append(a.passed, s) }
func (a *analysis) has(code string) bool {
	for _, f := range a.findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// findingFor returns the finding on a field, to attach more evidence.
func (a *analysis) findingFor(field string) *Finding {
	for i := range a.findings {
		if a.findings[i].Field == field {
			return &a.findings[i]
		}
	}
	return nil
}

const securitySSO = "Workspace settings → Security & SSO"
const updateSSO = "tick \"I acknowledge this change will log out users currently using SSO\" and click Update SSO"
const oktaSAMLSettings = "In the Okta Admin Console, open the app → General → SAML Settings → Edit"

// ---- the workspace's configuration ----

func (a *analysis) checkConfig() {
	c := a.cfg
	if p := strings.TrimSpace(c.SSOProvider); p != "" && !strings.EqualFold(p, "SAML") {
		a.add(Finding{Code: "SSO_PROVIDER", Title: "The workspace's SSO Provider is not SAML", Field: FieldSSOProvider,
			Expected: "SAML", Found: p, Fix: "In " + securitySSO + ", select SAML as SSO Provider, then " + updateSSO + ".", step: stepConfig})
	}
	a.checkUnusualValues()
	if c.Enabled != nil && !*c.Enabled {
		a.add(Finding{Code: "PROVIDER_DISABLED", Reason: "PROVIDER_DISABLED", Title: "The workspace's SAML provider is disabled", Field: FieldEnabled,
			Expected: "enabled", Found: "disabled", Fix: "Enable SSO in " + securitySSO + ".", step: stepConfig})
	}
	if u := strings.TrimSpace(c.IdentityProviderSignInURL); u != "" && !strings.HasSuffix(strings.TrimRight(u, "/"), "/sso/saml") {
		a.add(Finding{Code: "SIGN_IN_URL_SHAPE", Title: "The Identity Provider Sign-In URL does not end in /sso/saml", Field: FieldSignInURL,
			Expected: "Okta's SSO URL, https://{org}.okta.com/app/{app}/{exk…}/sso/saml (metadata SingleSignOnService Location)", Found: u,
			Fix:  "In " + securitySSO + ", set Identity Provider Sign-In URL to the SingleSignOnService Location of Okta's IdP metadata (the URL ending in /sso/saml), then " + updateSSO + ". A wrong URL makes Okta answer 404 before any response is sent.",
			step: stepAdvice})
	}
	if a.md != nil {
		if len(a.md.SSOLocations) > 0 && c.IdentityProviderSignInURL != "" && !contains(a.md.SSOLocations, strings.TrimSpace(c.IdentityProviderSignInURL)) {
			a.add(Finding{Code: "SIGN_IN_URL_MISMATCH", Title: "The Identity Provider Sign-In URL is not the metadata's SingleSignOnService Location", Field: FieldSignInURL,
				Expected: a.md.SSOLocations[0], Found: c.IdentityProviderSignInURL,
				Fix: "In " + securitySSO + ", set Identity Provider Sign-In URL to " + a.md.SSOLocations[0] + ", then " + updateSSO + ".", step: stepAdvice})
		} else if len(a.md.SSOLocations) > 0 {
			a.pass("Identity Provider Sign-In URL is the metadata's SingleSignOnService Location")
		}
	}
}

// checkSize reports a response over the SP's size cap.
func (a *analysis) checkSize() {
	n := len(a.ev.SAMLResponse)
	if n <= sp.DefaultMaxResponseBytes {
		return
	}
	found := fmt.Sprintf("the encoded SAMLResponse is %s", byteSize(n))
	if x := len(a.ev.XML); x > 0 {
		found += fmt.Sprintf(" (%s of XML)", byteSize(x))
	}
	a.add(Finding{Code: "RESPONSE_TOO_LARGE", Reason: "RESPONSE_TOO_LARGE", Title: "The SAMLResponse is larger than the SP accepts",
		Field: FieldResponse, Expected: fmt.Sprintf("at most %s encoded; an Okta response is 5–15 KB", byteSize(sp.DefaultMaxResponseBytes)),
		Found: found + ": something inflated it (thousands of group values in a Group Attribute Statement, a huge attribute, or content added on the way)",
		Fix:   "In Okta, narrow the Group Attribute Statements' filter (e.g. Starts with a prefix instead of Matches regex .*) and remove attributes the workspace does not use; then sign in again.",
		step:  stepDecode})
}

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
		a.add(Finding{Code: "CERT_UNPARSEABLE", Reason: "CERT_PARSE",
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
func shapeDescription(shape string) string {
	d := map[string]string{
		"llm-rewrapped":     "text reformatted by a chat assistant (re-wrapped, fenced, characters changed)",
		"truncated":         "a partial selection (lines cut off)",
		"indented":          "indented lines (pasted from YAML or code)",
		"flattened":         "a single line where line breaks became spaces",
		"cr-entities":       "XML-escaped text (&#13; at line ends)",
		"no-armor":          "the base64 lines without the BEGIN/END lines",
		"no-armor-one-line": "the bare base64 of metadata's ds:X509Certificate",
		"begin-no-space":    "armor lines with their spaces removed",
		"utf8-bom":          "a file saved with a byte order mark",
		"missing-end":       "a selection without the END line",
		"unicode-dashes":    "armor dashes turned into en dashes by a word processor",
		"der-bytes":         "raw DER bytes (a .cer/.der file)",
		"base64-of-pem":     "the whole PEM file base64-encoded again",
		"private-key":       "a private key, not the certificate",
		"public-key":        "a public key, not the certificate",
		"metadata-xml":      "the whole metadata XML",
	}
	if v, ok := d[shape]; ok {
		return v
	}
	return shape
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
			cc.Shape = "truncated"
		case strings.Contains(cmp, "changed") && cc.Problem == sp.CertDER:
			cc.Shape = "llm-rewrapped"
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
				f.Reason, f.StrictOnly, f.step = "CERT_EXPIRED", true, stepSignature
			}
		case sp.CertWeakKey:
			f.Expected = "an RSA key of at least 2048 bits"
			f.Fix = "In Okta, generate a new signing certificate (2048-bit) and replace this one in " + securitySSO + "."
			if a.certs[idx].Role == RoleSigner {
				f.Reason, f.StrictOnly, f.step = "SIGNATURE_ALGORITHM", true, stepSignature
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

// ---- signatures ----

func (a *analysis) checkSignatures() {
	f := a.facts
	var cands []candidate
	for _, cc := range a.certs[:min(len(a.certs), MaxCertificates)] {
		if cc.cert != nil {
			cands = append(cands, candidate{fmt.Sprintf("certificate %d", cc.Index), cc.cert})
		}
	}
	for _, s := range f.Signatures {
		if s.keyInfo != nil {
			cands = append(cands, candidate{"keyinfo", s.keyInfo})
			break
		}
	}
	if a.md != nil {
		for _, c := range a.md.Certificates[:min(len(a.md.Certificates), MaxMetadataCertificates)] {
			cands = append(cands, candidate{"metadata", c})
		}
	}
	verifySignatures(f, cands, a.at)

	if len(f.Signatures) == 0 {
		found := fmt.Sprintf("neither the Response nor its %d Assertion(s) carries a ds:Signature", f.Assertions)
		if a.okta != nil && (a.okta.Response != "" || a.okta.AssertionSignature != "") {
			found += fmt.Sprintf("; Okta's settings say Response = %s, Assertion Signature = %s", orDefault(a.okta.Response, "Signed"), orDefault(a.okta.AssertionSignature, "Signed"))
		}
		a.add(Finding{Code: "SIGNATURE_MISSING", Reason: "SIGNATURE_MISSING", Title: "The response is not signed", Field: FieldSigning,
			Expected: "the Response, the Assertion or both signed (Okta's defaults: Response = Signed, Assertion Signature = Signed)", Found: found,
			Fix: oktaSAMLSettings + ", Show Advanced Settings, and set Response to Signed and Assertion Signature to Signed (the defaults).", step: stepSignature})
		return
	}

	// Who signed: a configured certificate, else the KeyInfo's, else the metadata's.
	for _, s := range f.Signatures {
		for _, by := range s.VerifiedBy {
			var c *x509.Certificate
			var n int
			if _, err := fmt.Sscanf(by, "certificate %d", &n); err == nil {
				c = a.certs[n-1].cert
				a.certs[n-1].Role = RoleSigner
			}
			if a.signer == nil {
				switch by {
				case "keyinfo":
					c = s.keyInfo
				case "metadata":
					for _, mc := range a.md.Certificates {
						if tryCertificate(s.el, s.sig, mc, a.at) == trialVerified {
							c = mc
						}
					}
				}
				if c != nil {
					a.signer, a.signerFrom = c, by
				}
			}
		}
	}
	configuredVerifies := false
	for _, cc := range a.certs {
		if cc.Role == RoleSigner {
			configuredVerifies = true
		}
	}
	for i := range a.certs {
		if a.certs[i].Parses && a.certs[i].Role == RoleUnchecked {
			a.certs[i].Role = RoleNotSigner
		}
	}

	var what []string
	for _, s := range f.Signatures {
		what = append(what, s.Element)
	}
	alg := f.Signatures[0]
	algs := fmt.Sprintf("%s, digest %s, %s", algName(alg.SignatureMethod), algName(alg.DigestMethod), algName(alg.Canonicalization))

	changed := false
	for _, s := range f.Signatures {
		if s.ContentChanged && len(s.VerifiedBy) == 0 {
			changed = true
			a.add(Finding{Code: "SIGNATURE_TAMPERED", Reason: "SIGNATURE_INVALID",
				Title:    fmt.Sprintf("The %s was changed after Okta signed it", s.Element),
				Field:    FieldResponse,
				Expected: fmt.Sprintf("the %s exactly as Okta signed it", s.Element),
				Found:    "the signature's key matches a known certificate, but the signed content no longer matches its digest",
				Fix:      "Capture the response again without anything that rewrites it (a proxy, a browser extension, a hand edit); an unmodified Okta response verifies.",
				step:     stepSignature})
		}
	}
	if configuredVerifies {
		var by []string
		for _, cc := range a.certs {
			if cc.Role == RoleSigner {
				by = append(by, fmt.Sprintf("certificate %d (SHA-256 %s)", cc.Index, short(cc.Certificate.SHA256)))
			}
		}
		a.pass(fmt.Sprintf("signature: %s signed (%s), verified by %s", strings.Join(what, " and "), algs, strings.Join(by, ", ")))
	} else if !changed {
		if len(parseableOf(a.certs)) == 0 && a.signer != nil {
			a.pass(fmt.Sprintf("signature: %s signed (%s), valid with the certificate it carries (SHA-256 %s); no workspace certificate could be checked against it",
				strings.Join(what, " and "), algs, short(certInfo(a.signer).SHA256)))
		}
		a.untrustedSigner(what)
	}
	for _, s := range f.Signatures {
		if strings.Contains(s.SignatureMethod, "sha1") || strings.Contains(s.DigestMethod, "sha1") {
			a.add(Finding{Code: "SIGNATURE_SHA1", Reason: "SIGNATURE_ALGORITHM", StrictOnly: true,
				Title: fmt.Sprintf("The %s is signed with SHA-1", s.Element), Field: FieldAlgorithms,
				Expected: "RSA-SHA256 and SHA256 (Okta's defaults)", Found: fmt.Sprintf("%s, digest %s", algName(s.SignatureMethod), algName(s.DigestMethod)),
				Fix:  oktaSAMLSettings + ", Show Advanced Settings, and set Signature Algorithm to RSA-SHA256 and Digest Algorithm to SHA256. Identity Platform accepts SHA-1 today; the strict profile refuses it.",
				step: stepSignature})
			break
		}
	}
}

// untrustedSigner explains a signature no configured certificate verifies.
func (a *analysis) untrustedSigner(what []string) {
	var parseable []ConfiguredCertificate
	for _, cc := range a.certs {
		if cc.Parses {
			parseable = append(parseable, cc)
		}
	}
	if a.signer == nil {
		if len(parseable) == 0 {
			return // the unparseable certificates are the finding
		}
		a.add(Finding{Code: "CERT_NOT_SIGNER", Reason: "SIGNATURE_UNTRUSTED_KEY",
			Title: "None of the workspace's certificates verifies the response's signature", Field: FieldCertificate,
			Expected: "Okta's active signing certificate among the workspace's certificates",
			Found:    fmt.Sprintf("the %s signature is not verified by %s; the response carries no certificate to compare with (pass --okta-metadata to compare with Okta's)", strings.Join(what, " and "), describeConfigured(parseable)),
			Fix:      "Download Okta's active certificate (the app's Sign On tab → SAML Signing Certificates → Actions → Download certificate) and add it in " + securitySSO + " with Add Certificate, then " + updateSSO + ".",
			step:     stepSignature})
		return
	}
	signer := certInfo(a.signer)
	signerDesc := fmt.Sprintf("%q, SHA-256 %s, valid %s to %s", signer.Subject, signer.SHA256, day(signer.NotBefore), day(signer.NotAfter))
	if a.md != nil {
		for _, mc := range a.md.Certificates {
			if mc.Equal(a.signer) {
				signerDesc += "; it is the certificate in Okta's metadata (the active one)"
			}
		}
	}
	if len(parseable) == 0 {
		return // CERT_PARSE comes first; the comparison is on that finding
	}
	if a.alteredCopy(parseable, signerDesc) {
		return
	}
	newest := parseable[0]
	for _, cc := range parseable[1:] {
		if cc.cert.NotBefore.After(newest.cert.NotBefore) {
			newest = cc
		}
	}
	fix := "Download Okta's active certificate (the app's Sign On tab → SAML Signing Certificates → Actions → Download certificate) and add it in " + securitySSO + " with Add Certificate; keep the old one until no Okta app signs with it, then " + updateSSO + "."
	switch {
	case sameOrg(newest.cert, a.signer) && newest.cert.NotBefore.After(a.signer.NotBefore):
		a.add(Finding{Code: "CERT_NOT_ACTIVE_YET", Reason: "SIGNATURE_UNTRUSTED_KEY",
			Title:    "Okta still signs with its older certificate; the workspace holds only a newer one that Okta has not activated",
			Field:    FieldCertificate,
			Expected: "the certificate Okta signs with (" + signerDesc + ") among the workspace's certificates",
			Found:    "the workspace holds " + describeConfigured(parseable),
			Fix:      "Either activate the new certificate in Okta (Sign On tab → SAML Signing Certificates → Actions → Activate), or add Okta's active certificate in " + securitySSO + " with Add Certificate next to the new one, then " + updateSSO + ".",
			step:     stepSignature, Certificate: newest.Index})
	case sameOrg(newest.cert, a.signer):
		a.add(Finding{Code: "CERT_ROTATED", Reason: "SIGNATURE_UNTRUSTED_KEY",
			Title:    "Okta signs with a newer certificate than the one in the workspace (certificate rotation)",
			Field:    FieldCertificate,
			Expected: "the certificate Okta signs with: " + signerDesc,
			Found:    "the workspace holds " + describeConfigured(parseable) + ": an older certificate of the same Okta org",
			Fix:      fix,
			step:     stepSignature, Certificate: newest.Index})
	default:
		found := "the workspace holds " + describeConfigured(parseable)
		if !newest.Certificate.Okta {
			found += ": not an Okta SAML signing certificate (e.g. a TLS certificate, or another IdP's)"
		} else {
			found += ": a certificate of another Okta org or app"
		}
		a.add(Finding{Code: "CERT_WRONG", Reason: "SIGNATURE_UNTRUSTED_KEY",
			Title:    "The certificate in the workspace is not Okta's signing certificate for this app",
			Field:    FieldCertificate,
			Expected: "the certificate Okta signs with: " + signerDesc,
			Found:    found,
			Fix:      "Replace the certificate: download the app's signing certificate in Okta (Sign On tab → SAML Signing Certificates → Actions → Download certificate), remove the wrong one in " + securitySSO + ", click Add Certificate, paste it, then " + updateSSO + ".",
			step:     stepSignature, Certificate: newest.Index})
	}
}

func describeConfigured(ccs []ConfiguredCertificate) string {
	parts := make([]string, len(ccs))
	for i, cc := range ccs {
		parts[i] = fmt.Sprintf("certificate %d (%q, SHA-256 %s, valid %s to %s)", cc.Index, cc.Certificate.Subject, short(cc.Certificate.SHA256), day(cc.Certificate.NotBefore), day(cc.Certificate.NotAfter))
	}
	return strings.Join(parts, ", ")
}

// ---- what the response says ----

func (a *analysis) checkStatus() {
	f := a.facts
	if f.Status == "" || f.Status == wire.StatusSuccess {
		if f.Status != "" {
			a.pass("status: Success")
		}
		return
	}
	found := f.Status
	if f.SubStatus != "" {
		found += " / " + f.SubStatus
	}
	if f.StatusMessage != "" {
		found += fmt.Sprintf(" (StatusMessage %q)", f.StatusMessage)
	}
	a.add(Finding{Code: "STATUS_NOT_SUCCESS", Reason: "STATUS_NOT_SUCCESS", Title: "Okta answered with a failure status instead of signing the user in",
		Field: FieldStatus, Expected: wire.StatusSuccess, Found: found,
		Fix:  "Look up this sign-in in Okta's System Log (Reports → System Log, filter by the user and the app): it says why Okta refused. A Requester status usually means Okta could not accept the workspace's request.",
		step: stepStatus})
}

func (a *analysis) checkStructure() {
	f := a.facts
	if f.EncryptedAssertions > 0 {
		found := "the Response carries an EncryptedAssertion"
		if a.okta != nil && a.okta.AssertionEncryption != "" {
			found += "; Okta's settings say Assertion Encryption = " + a.okta.AssertionEncryption
		}
		a.add(Finding{Code: "ENCRYPTED_ASSERTION", Reason: "ENCRYPTED_ASSERTION", Title: "The assertion is encrypted; the workspace cannot decrypt it",
			Field: FieldEncryption, Expected: "Assertion Encryption = Unencrypted", Found: found,
			Fix: oktaSAMLSettings + ", Show Advanced Settings, and set Assertion Encryption to Unencrypted: Identity Platform holds no decryption key.", step: stepEncryption})
	}
}

func (a *analysis) checkDestination() {
	d, want := a.facts.Destination, a.cfg.RedirectURL
	if d == "" {
		a.pass("Destination: absent (Identity Platform checks it only when present)")
		return
	}
	if d == want {
		a.pass("Destination = Redirect URL")
		return
	}
	field, fix := FieldSSOURL, oktaSAMLSettings+", set Single sign-on URL to "+want+" (the workspace's Redirect URL) and select \"Use this for Recipient URL and Destination URL\", then Save."
	if a.okta != nil && a.okta.SeparateRecipientAndDestination {
		field, fix = FieldDestination, oktaSAMLSettings+", set Destination URL to "+want+" (the workspace's Redirect URL), or select \"Use this for Recipient URL and Destination URL\" with Single sign-on URL = "+want+", then Save."
	}
	a.add(Finding{Code: "DESTINATION_MISMATCH", Reason: "DESTINATION_MISMATCH", Title: "The response's Destination is not the workspace's Redirect URL",
		Field: field, Expected: want, Found: d + " (" + urlRelation(d, want, a.cfg) + ")", Fix: fix, step: stepDestination})
}

func (a *analysis) checkRecipient() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	want := a.cfg.RedirectURL
	if as.Recipient == want {
		a.pass("Recipient = Redirect URL")
		return
	}
	found := as.Recipient
	if found == "" {
		found = "no Recipient"
	} else {
		found += " (" + urlRelation(found, want, a.cfg) + ")"
	}
	a.add(Finding{Code: "RECIPIENT_MISMATCH", Reason: "RECIPIENT_MISMATCH", StrictOnly: true,
		Title: "The SubjectConfirmationData Recipient is not the workspace's Redirect URL", Field: FieldRecipient,
		Expected: want, Found: found + "; Identity Platform does not check Recipient, the strict profile does",
		Fix:  oktaSAMLSettings + ", select \"Use this for Recipient URL and Destination URL\" with Single sign-on URL = " + want + ", or set Recipient URL to it, then Save.",
		step: stepRecipient})
}

func (a *analysis) checkIssuer() {
	want := strings.TrimSpace(a.cfg.IdentityProviderEntityID)
	f := a.facts
	issuer := f.Issuer
	step, code := stepResponseIssuer, "RESPONSE_ISSUER_MISMATCH"
	if issuer == want || issuer == "" {
		step, code = stepAssertionIssuer, "ISSUER_MISMATCH"
		if f.Assertion != nil {
			issuer = f.Assertion.Issuer
		}
	}
	if issuer == "" || issuer == want {
		if issuer != "" {
			a.pass("Issuer = Identity Provider Entity Id")
		}
		a.metadataEntityID(issuer)
		return
	}
	found := fmt.Sprintf("the workspace has %q", a.cfg.IdentityProviderEntityID)
	if rel := entityRelation(a.cfg.IdentityProviderEntityID, issuer, a.cfg, a.md); rel != "" {
		found += " (" + rel + ")"
	}
	if a.md != nil {
		if a.md.EntityID == issuer {
			found += "; Okta's metadata has entityID " + a.md.EntityID + ", the response's Issuer"
		} else {
			found += "; Okta's metadata has entityID " + a.md.EntityID
		}
	}
	a.add(Finding{Code: code, Reason: code, Title: "The Identity Provider Entity Id in the workspace is not Okta's issuer",
		Field: FieldIssuer, Expected: issuer + " (the Issuer of the response)", Found: found,
		Fix: fmt.Sprintf("In %s, set Identity Provider Entity Id to %s — the entityID of Okta's IdP metadata (Okta: Sign On tab → View SAML setup instructions → Identity Provider Issuer) — then %s.",
			securitySSO, issuer, updateSSO),
		step: step})
}

// metadataEntityID warns when the metadata given is another IdP's.
func (a *analysis) metadataEntityID(issuer string) {
	if a.md == nil || issuer == "" || a.md.EntityID == issuer {
		return
	}
	a.add(Finding{Code: "METADATA_OTHER_APP", Title: "The metadata given is not this app's", Field: FieldIssuer,
		Expected: issuer, Found: "the metadata's entityID is " + a.md.EntityID,
		Fix: "Pass the metadata of the Okta app the workspace signs in with (Sign On tab → View IdP metadata).", step: stepAdvice})
}

func (a *analysis) checkAudience() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	want := a.cfg.ServiceProviderEntityID
	for i, ar := range as.Audiences {
		if contains(ar, want) {
			continue
		}
		found := fmt.Sprintf("AudienceRestriction %d of %d lists %s", i+1, len(as.Audiences), quoteList(ar))
		if len(ar) == 1 {
			found += " (" + urlRelation(ar[0], want, a.cfg) + ")"
		}
		if a.okta != nil && a.okta.AudienceURI != "" {
			found += "; Okta's settings say Audience URI = " + a.okta.AudienceURI
		}
		a.add(Finding{Code: "AUDIENCE_MISMATCH", Reason: "AUDIENCE_MISMATCH", Title: "Okta's Audience URI (SP Entity ID) is not the workspace's Service Provider Entity Id",
			Field: FieldAudience, Expected: want, Found: found,
			Fix:  oktaSAMLSettings + ", set Audience URI (SP Entity ID) to " + want + " (copy the Service Provider Entity Id from " + securitySSO + "), then Save.",
			step: stepAudience})
		return
	}
	if len(as.Audiences) > 0 {
		a.pass("Audience = Service Provider Entity Id")
	}
}

func (a *analysis) checkTime() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	atNote := ""
	if a.atSource == "now" {
		atNote = " (the current time: neither --at nor a HAR timestamp was given; pass --at with the time of the failed sign-in)"
	}
	issued := ""
	if t, ok := parseInstant(a.facts.IssueInstant); ok {
		issued = fmt.Sprintf("; Okta issued it at %s", instant(t))
		if gap := a.at.Sub(t); gap > time.Minute || gap < -time.Minute {
			rel := "after"
			if gap < 0 {
				rel = "before"
			}
			issued += fmt.Sprintf(", %s %s the instant judged", roundDur(gap), rel)
			if l := a.ev.Login; l != nil {
				if posted := harTime(l.StartedDateTime); !posted.IsZero() && posted.Sub(a.at).Abs() < time.Minute {
					issued += fmt.Sprintf("; the HAR shows the browser posted it at %s, and a response is posted within seconds of being issued, so Okta's clock and the SP's disagree by about %s", instant(posted), roundDur(gap))
				}
			}
		}
	}
	if nb, ok := parseInstant(as.NotBefore); ok && a.at.Before(nb) {
		a.add(Finding{Code: "NOT_YET_VALID", Reason: "NOT_YET_VALID", Title: fmt.Sprintf("The response is not valid yet: Okta's clock is %s ahead of the SP's", roundDur(nb.Sub(a.at)+5*time.Minute)),
			Field: FieldClock, Expected: "the SP's clock at or after NotBefore " + instant(nb), Found: "judged at " + instant(a.at) + atNote + ", " + roundDur(nb.Sub(a.at)) + " before NotBefore" + issued,
			Fix:  "Okta's responses are valid from 5 minutes before they are issued: a response that is not valid yet means the clocks disagree by more than that. Check the time of the machine that judged it (and of any proxy); sign in again.",
			step: stepNotBefore})
		return
	}
	for _, w := range []struct{ v, what string }{{as.NotOnOrAfter, "Conditions NotOnOrAfter"}, {as.SCDNotOnOrAfter, "SubjectConfirmationData NotOnOrAfter"}} {
		if noa, ok := parseInstant(w.v); ok && !a.at.Before(noa) {
			a.add(Finding{Code: "EXPIRED", Reason: "EXPIRED", Title: fmt.Sprintf("The response expired %s before the SP judged it", roundDur(a.at.Sub(noa))),
				Field: FieldClock, Expected: "the SP's clock before " + w.what + " " + instant(noa), Found: "judged at " + instant(a.at) + atNote + ", " + roundDur(a.at.Sub(noa)) + " after it" + issued,
				Fix:  "An Okta response is valid for 5 minutes after it is issued. Sign in again from the workspace's sign-in page; a response replayed later, a tab left open, or an SP clock that runs late all fail this way.",
				step: stepNotOnOrAfter})
			return
		}
	}
	if as.NotBefore != "" || as.NotOnOrAfter != "" {
		a.pass(fmt.Sprintf("validity window: %s ≤ %s < %s", orDefault(as.NotBefore, "-∞"), instant(a.at), orDefault(as.NotOnOrAfter, "∞")))
	}
}

func (a *analysis) checkInResponseTo() {
	f, as := a.facts, a.facts.Assertion
	if as == nil {
		return
	}
	resp, scd := f.InResponseTo, as.SCDInResponseTo
	if resp == "" || scd == "" {
		where := "the Response and the SubjectConfirmationData"
		switch {
		case resp != "":
			where = "the SubjectConfirmationData"
		case scd != "":
			where = "the Response"
		}
		found := "no InResponseTo on " + where
		if resp == "" && scd == "" {
			found += ": the response was not sent for a sign-in the workspace started (IdP-initiated, e.g. the Okta tile)"
		}
		a.add(Finding{Code: "IN_RESPONSE_TO_MISSING", Reason: "IN_RESPONSE_TO_MISSING", Title: "The response does not answer a sign-in the workspace started",
			Field: FieldSignIn, Expected: "InResponseTo on both the Response and the SubjectConfirmationData, naming the workspace's AuthnRequest", Found: found,
			Fix:  "Start the sign-in from the workspace (" + signInURL(a.cfg) + "), not from the Okta dashboard tile: the workspace supports SP-initiated sign-in only.",
			step: stepInResponseTo})
		return
	}
	want := a.ev.RequestID
	switch {
	case resp != scd:
		a.add(Finding{Code: "IN_RESPONSE_TO_MISMATCH", Reason: "IN_RESPONSE_TO_MISMATCH", Title: "The response's two InResponseTo values differ",
			Field: FieldSignIn, Expected: "the same request ID on the Response and the SubjectConfirmationData", Found: fmt.Sprintf("Response %q, SubjectConfirmationData %q", resp, scd),
			Fix: "This is not how Okta builds responses: capture the response again, unmodified.", step: stepInResponseTo})
	case want != "" && resp != want:
		a.add(Finding{Code: "IN_RESPONSE_TO_MISMATCH", Reason: "IN_RESPONSE_TO_MISMATCH", Title: "The response answers another sign-in than the one in progress",
			Field: FieldSignIn, Expected: fmt.Sprintf("InResponseTo = %s, the ID of the sign-in's AuthnRequest (%s)", want, a.ev.RequestIDSource),
			Found: "InResponseTo = " + resp,
			Fix:   "Start the sign-in again from the workspace's sign-in page in one tab; a response to an older attempt (back button, a second tab, a stale Okta page) is refused.",
			step:  stepInResponseTo})
	case want != "":
		a.pass("InResponseTo = the sign-in's AuthnRequest ID")
	default:
		a.pass("InResponseTo present (the AuthnRequest ID is unknown without a HAR)")
	}
}

func (a *analysis) checkNameID() {
	as := a.facts.Assertion
	if as == nil {
		return
	}
	settings := ""
	if a.okta != nil && (a.okta.NameIDFormat != "" || a.okta.ApplicationUsername != "") {
		settings = fmt.Sprintf("; Okta's settings say Name ID format = %s, Application username = %s", orDefault(a.okta.NameIDFormat, "Unspecified"), orDefault(a.okta.ApplicationUsername, "Okta username"))
	}
	fix := oktaSAMLSettings + ", set Name ID format to EmailAddress and Application username to Email, then Save."
	if !as.hasSubject || as.NameID == "" {
		a.add(Finding{Code: "NAMEID_MISSING", Reason: "NAMEID_MISSING", Title: "The response has no NameID", Field: FieldNameID,
			Expected: "the user's email address as NameID", Found: "no Subject/NameID" + settings, Fix: fix, step: stepNameID})
		return
	}
	if !isEmail(as.NameID) {
		found := fmt.Sprintf("NameID %q (Format %s)%s", as.NameID, orDefault(shortFormat(as.NameIDFormat), "none"), settings)
		for _, at := range as.Attributes {
			for _, v := range at.Values {
				if isEmail(v) {
					found += fmt.Sprintf("; the attribute %q carries %s, which should be the NameID", at.Name, v)
					break
				}
			}
		}
		a.add(Finding{Code: "NAMEID_NOT_EMAIL", Reason: "NAMEID_NOT_EMAIL", Title: "Okta sends a NameID that is not the user's email address",
			Field: FieldNameID, Expected: "the user's email address, Name ID format EmailAddress (" + wire.NameIDEmailAddress + ")", Found: found, Fix: fix, step: stepNameIDEmail})
		return
	}
	if as.NameIDFormat != wire.NameIDEmailAddress {
		a.add(Finding{Code: "NAMEID_FORMAT", Title: "The NameID is an email address, but its format is not EmailAddress", Field: FieldNameID,
			Expected: wire.NameIDEmailAddress, Found: orDefault(as.NameIDFormat, "no Format") + settings, Fix: fix, step: stepAdvice})
	} else {
		a.pass("NameID is an email address (Format EmailAddress)")
	}
	a.checkDomain(as.NameID)
}

func (a *analysis) checkDomain(email string) {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	allowed := lowerAll(a.cfg.Domains)
	if contains(allowed, domain) {
		a.pass("email domain " + domain + " is an allowed domain")
		return
	}
	found := fmt.Sprintf("%s: %s is not among the allowed domains (%s)", email, domain, strings.Join(allowed, ", "))
	fix := fmt.Sprintf("If %s users should sign in with SSO, add %s in %s with Add Domain (only verified domains can be added: verify it first with its DNS TXT record), then %s. If the user should use an address on %s, change their email in Okta.",
		domain, domain, securitySSO, updateSSO, strings.Join(allowed, " or "))
	if len(a.cfg.VerifiedDomains) > 0 {
		if contains(lowerAll(a.cfg.VerifiedDomains), domain) {
			found += "; it is a verified domain of the workspace"
			fix = fmt.Sprintf("In %s, click Add Domain, select %s, then %s.", securitySSO, domain, updateSSO)
		} else {
			found += "; it is not a verified domain of the workspace either (verified: " + strings.Join(lowerAll(a.cfg.VerifiedDomains), ", ") + ")"
		}
	}
	a.add(Finding{Code: "DOMAIN_NOT_ALLOWED", Reason: "DOMAIN_NOT_ALLOWED", Title: "The user's email domain is not an allowed SSO domain of the workspace",
		Field: FieldDomain, Expected: "an email on " + strings.Join(allowed, " or "), Found: found, Fix: fix, step: stepDomain})
}

// checkOktaSettings compares Okta's settings with the workspace where the
// response did not already show the difference.
func (a *analysis) checkOktaSettings() {
	s := a.okta
	if s == nil {
		return
	}
	mismatch := func(code, title, field, want, got, fix string) {
		if want == "" || got == "" || got == want || a.findingFor(field) != nil {
			return
		}
		a.add(Finding{Code: code, Title: title + " (Okta's settings; the response given does not show it)", Field: field, Expected: want, Found: got, Fix: fix, step: stepAdvice})
	}
	mismatch("OKTA_SSO_URL", "Okta's Single sign-on URL is not the Redirect URL", FieldSSOURL, a.cfg.RedirectURL, s.SSOURL,
		oktaSAMLSettings+", set Single sign-on URL to "+a.cfg.RedirectURL+" and select \"Use this for Recipient URL and Destination URL\".")
	mismatch("OKTA_AUDIENCE", "Okta's Audience URI is not the Service Provider Entity Id", FieldAudience, a.cfg.ServiceProviderEntityID, s.AudienceURI,
		oktaSAMLSettings+", set Audience URI (SP Entity ID) to "+a.cfg.ServiceProviderEntityID+".")
	if s.SeparateRecipientAndDestination {
		mismatch("OKTA_DESTINATION", "Okta's Destination URL is not the Redirect URL", FieldDestination, a.cfg.RedirectURL, s.destination(),
			oktaSAMLSettings+", select \"Use this for Recipient URL and Destination URL\".")
	}
	if f := s.NameIDFormat; f != "" && !strings.EqualFold(f, "EmailAddress") && a.findingFor(FieldNameID) == nil {
		a.add(Finding{Code: "OKTA_NAMEID_FORMAT", Title: "Okta's Name ID format is not EmailAddress", Field: FieldNameID, Expected: "EmailAddress", Found: f,
			Fix: oktaSAMLSettings + ", set Name ID format to EmailAddress and Application username to Email.", step: stepAdvice})
	}
	if u := s.ApplicationUsername; u != "" && !strings.EqualFold(u, "Email") && a.findingFor(FieldNameID) == nil {
		a.add(Finding{Code: "OKTA_APPLICATION_USERNAME", Title: "Okta's Application username is not Email", Field: FieldNameID, Expected: "Email", Found: u,
			Fix: oktaSAMLSettings + ", set Application username to Email.", step: stepAdvice})
	}
}

// checkMetadataCertificate warns when Okta's metadata shows a certificate
// the workspace does not hold although the response verified.
func (a *analysis) checkMetadataCertificate() {
	if a.md == nil || len(a.md.Certificates) == 0 || a.findingFor(FieldCertificate) != nil {
		return
	}
	for _, mc := range a.md.Certificates {
		held := false
		for _, cc := range a.certs {
			if cc.cert != nil && cc.cert.Equal(mc) {
				held = true
			}
		}
		if !held {
			ci := certInfo(mc)
			a.add(Finding{Code: "CERT_METADATA_NOT_CONFIGURED", Title: "Okta's metadata shows a signing certificate the workspace does not hold",
				Field: FieldCertificate, Expected: "the metadata's certificate (SHA-256 " + ci.SHA256 + ") among the workspace's certificates",
				Found: "the workspace holds " + describeConfigured(parseableOf(a.certs)),
				Fix:   "If Okta activated this certificate, sign-in fails: add it in " + securitySSO + " with Add Certificate (Okta: Sign On tab → SAML Signing Certificates → Actions → Download certificate), then " + updateSSO + ".",
				step:  stepAdvice})
		}
	}
}

func parseableOf(ccs []ConfiguredCertificate) []ConfiguredCertificate {
	var out []ConfiguredCertificate
	for _, cc := range ccs {
		if cc.Parses {
			out = append(out, cc)
		}
	}
	return out
}

// ---- helpers ----

// urlRelation says how a URL found relates to the one expected, in the
// workspace's terms.
func urlRelation(found, want string, c Config) string {
	switch {
	case found == want:
		return "the same"
	case found == c.RedirectURL:
		return "the workspace's Redirect URL, not its Service Provider Entity Id"
	case found == c.ServiceProviderEntityID:
		return "the workspace's Service Provider Entity Id, not its Redirect URL"
	case strings.TrimRight(found, "/") == strings.TrimRight(want, "/"):
		return "a trailing slash differs"
	case strings.EqualFold(found, want):
		return "differs only in letter case"
	case strings.TrimSpace(found) == want:
		return "extra whitespace around it"
	}
	fu, err1 := url.Parse(found)
	wu, err2 := url.Parse(want)
	if err1 == nil && err2 == nil && fu.Host != "" {
		switch {
		case fu.Host == wu.Host && fu.Scheme != wu.Scheme:
			return fu.Scheme + " instead of " + wu.Scheme
		case strings.EqualFold(fu.Host, wu.Host) && fu.Path != wu.Path:
			return "the right host, another path"
		case !strings.EqualFold(fu.Host, wu.Host):
			return "another host: " + fu.Host
		}
	}
	return "another value"
}

// entityRelation says how the configured IdP entity ID relates to Okta's.
func entityRelation(configured, issuer string, c Config, md *Metadata) string {
	configured = strings.TrimSpace(configured)
	switch {
	case configured == strings.TrimSpace(c.IdentityProviderSignInURL) && configured != "":
		return "it is the Identity Provider Sign-In URL, not the entity ID"
	case md != nil && contains(md.SSOLocations, configured):
		return "it is the metadata's SingleSignOnService Location, not its entityID"
	case strings.HasSuffix(configured, "/sso/saml/metadata"):
		return "it is the metadata URL, not the entityID"
	case strings.TrimRight(configured, "/") == strings.TrimRight(issuer, "/"):
		return "a trailing slash differs"
	case strings.Replace(configured, "https://", "http://", 1) == issuer:
		return "https instead of Okta's http://www.okta.com/…"
	case strings.EqualFold(configured, issuer):
		return "differs only in letter case"
	case strings.HasPrefix(configured, "http://www.okta.com/exk") && strings.HasPrefix(issuer, "http://www.okta.com/exk"):
		return "another Okta app's entity ID"
	}
	return ""
}

func signInURL(c Config) string {
	u, err := url.Parse(c.ServiceProviderEntityID)
	if err != nil || u.Host == "" {
		return "the workspace's /app/sign-in?use_sso=true"
	}
	return strings.TrimRight(c.ServiceProviderEntityID, "/") + "/app/sign-in?use_sso=true"
}

// isEmail mirrors the SP's rule: a bare local@domain with a dot in the domain.
func isEmail(s string) bool {
	if strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	ad, err := mail.ParseAddress(s)
	if err != nil || ad.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	d := s[at+1:]
	return at > 0 && strings.Contains(d, ".") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}

func shortFormat(urn string) string {
	switch urn {
	case wire.NameIDEmailAddress:
		return "emailAddress"
	case wire.NameIDUnspecified:
		return "unspecified"
	case wire.NameIDPersistent:
		return "persistent"
	case wire.NameIDTransient:
		return "transient"
	case wire.NameIDX509SubjectName:
		return "X509SubjectName"
	}
	return urn
}

func algName(uri string) string {
	names := map[string]string{
		wire.AlgRSASHA256: "RSA-SHA256", wire.AlgRSASHA1: "RSA-SHA1", wire.AlgRSASHA512: "RSA-SHA512", wire.AlgRSASHA384: "RSA-SHA384",
		wire.AlgDigestSHA256: "SHA-256", wire.AlgDigestSHA1: "SHA-1", wire.AlgDigestSHA512: "SHA-512", wire.AlgDigestSHA384: "SHA-384",
		wire.AlgExcC14N: "exclusive c14n", wire.AlgExcC14NComments: "exclusive c14n with comments",
		wire.AlgC14N10: "c14n 1.0", wire.AlgC14N10Comments: "c14n 1.0 with comments", wire.AlgC14N11: "c14n 1.1",
	}
	if n, ok := names[uri]; ok {
		return n
	}
	if uri == "" {
		return "none"
	}
	return uri
}

func parseInstant(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t.UTC(), err == nil
}

// instant formats a time as the SP's messages do.
func instant(t time.Time) string { return t.UTC().Format(wire.TimeLayout) }

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func roundDur(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= time.Second {
		d = d.Round(time.Second)
	}
	return d.String()
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func lowerAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}
