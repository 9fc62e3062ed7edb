package diagnose

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/sp"
)

// checks_signature.go: which certificate made the response's signatures
// (every configured certificate, the KeyInfo's and the metadata's are tried
// with goxmldsig, signature.go) and, when the SP's signature steps refuse
// the response, what that says about the workspace's certificates: rotated,
// not yet active, altered, another certificate altogether.

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

	if spf, _, ok := a.sp.failed(sp.ReasonSignatureMissing); ok {
		found := fmt.Sprintf("neither the Response nor its %d Assertion(s) carries a ds:Signature", f.Assertions)
		if len(f.Signatures) > 0 {
			found = spf.Detail
		}
		if a.okta != nil && (a.okta.Response != "" || a.okta.AssertionSignature != "") {
			found += fmt.Sprintf("; Okta's settings say Response = %s, Assertion Signature = %s", orDefault(a.okta.Response, "Signed"), orDefault(a.okta.AssertionSignature, "Signed"))
		}
		a.add(Finding{Code: string(sp.ReasonSignatureMissing), Reason: string(sp.ReasonSignatureMissing), Title: "The response is not signed", Field: FieldSigning,
			Expected: "the Response, the Assertion or both signed (Okta's defaults: Response = Signed, Assertion Signature = Signed)", Found: found,
			Fix: oktaSAMLSettings + ", Show Advanced Settings, and set Response to Signed and Assertion Signature to Signed (the defaults).", step: stepSignature})
	}
	if len(f.Signatures) == 0 {
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
		if s.ContentChanged && len(s.VerifiedBy) == 0 && a.sp.failedAny(sp.ReasonSignatureInvalid, sp.ReasonSignatureUntrustedKey) {
			changed = true
			a.add(Finding{Code: "SIGNATURE_TAMPERED", Reason: string(sp.ReasonSignatureInvalid),
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
		if a.sp.failedAny(sp.ReasonSignatureUntrustedKey) {
			a.untrustedSigner(what)
		}
	}
	for _, s := range f.Signatures {
		if (strings.Contains(s.SignatureMethod, "sha1") || strings.Contains(s.DigestMethod, "sha1")) && a.sp.failedAny(sp.ReasonSignatureAlgorithm) {
			a.add(Finding{Code: "SIGNATURE_SHA1", Reason: string(sp.ReasonSignatureAlgorithm), StrictOnly: true,
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
		a.add(Finding{Code: "CERT_NOT_SIGNER", Reason: string(sp.ReasonSignatureUntrustedKey),
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
		a.add(Finding{Code: "CERT_NOT_ACTIVE_YET", Reason: string(sp.ReasonSignatureUntrustedKey),
			Title:    "Okta still signs with its older certificate; the workspace holds only a newer one that Okta has not activated",
			Field:    FieldCertificate,
			Expected: "the certificate Okta signs with (" + signerDesc + ") among the workspace's certificates",
			Found:    "the workspace holds " + describeConfigured(parseable),
			Fix:      "Either activate the new certificate in Okta (Sign On tab → SAML Signing Certificates → Actions → Activate), or add Okta's active certificate in " + securitySSO + " with Add Certificate next to the new one, then " + updateSSO + ".",
			step:     stepSignature, Certificate: newest.Index})
	case sameOrg(newest.cert, a.signer):
		a.add(Finding{Code: "CERT_ROTATED", Reason: string(sp.ReasonSignatureUntrustedKey),
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
		a.add(Finding{Code: "CERT_WRONG", Reason: string(sp.ReasonSignatureUntrustedKey),
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
