package diagnose

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/sp"
)

// altered.go: a pasted certificate that still parses but is not the signer's
// certificate, although its subject and validity are the signer's: the
// signer's certificate with a few characters changed (retyped, "corrected"
// by an LLM), not a rotation.

// CodeCertAltered is the finding of an altered-but-parseable paste.
const CodeCertAltered = "CERT_ALTERED"

// maxListedChanges bounds the positions a finding lists; maxAlteredChars
// is the most changed characters an altered copy has: two certificates
// minted apart (a rotation, even one with the same subject and validity)
// differ in hundreds.
const (
	maxListedChanges = 8
	maxAlteredChars  = 16
)

// sameIdentity reports a certificate that claims to be the signer's: the
// same subject, issuer and validity window, but other bytes.
func sameIdentity(c, signer *x509.Certificate) bool {
	return c != nil && signer != nil && !c.Equal(signer) &&
		c.Subject.String() == signer.Subject.String() && c.Issuer.String() == signer.Issuer.String() &&
		c.NotBefore.Equal(signer.NotBefore) && c.NotAfter.Equal(signer.NotAfter)
}

// charChange is one pasted base64 character that differs from the signer's.
type charChange struct {
	line, column int
	got, want    byte
}

// changedCharacters lists where the pasted base64 differs from the signer's
// certificate, when the two have the same length (an altered copy, not a cut
// or another certificate).
func changedCharacters(text string, signer *x509.Certificate) ([]charChange, bool) {
	want := strings.TrimRight(base64.StdEncoding.EncodeToString(signer.Raw), "=")
	got := pastedBase64(text)
	if len(got) != len(want) {
		return nil, false
	}
	var out []charChange
	for i := range got {
		if got[i].c != want[i] {
			out = append(out, charChange{got[i].line, got[i].column, got[i].c, want[i]})
		}
	}
	return out, len(out) > 0
}

// alteredCopy adds a CERT_ALTERED finding for each parseable certificate
// that has the signer's subject and validity and differs from it in a few
// base64 characters (at most maxAlteredChars, same length), and reports
// whether it found one.
func (a *analysis) alteredCopy(parseable []ConfiguredCertificate, signerDesc string) bool {
	found := false
	for _, cc := range parseable {
		if !sameIdentity(cc.cert, a.signer) {
			continue
		}
		changes, ok := changedCharacters(cc.text, a.signer)
		if !ok || len(changes) > maxAlteredChars {
			continue // another certificate with the same name and dates: a rotation
		}
		parts := make([]string, 0, min(len(changes), maxListedChanges))
		for _, ch := range changes[:min(len(changes), maxListedChanges)] {
			parts = append(parts, fmt.Sprintf("line %d, column %d has %q where the certificate has %q%s", ch.line, ch.column, ch.got, ch.want, lookAlike(ch.got, ch.want)))
		}
		more := ""
		if len(changes) > maxListedChanges {
			more = fmt.Sprintf("; and %d more", len(changes)-maxListedChanges)
		}
		where := fmt.Sprintf("%d character(s) of the pasted base64 differ from it: %s%s", len(changes), strings.Join(parts, "; "), more)
		line, col := changes[0].line, changes[0].column
		a.certs[cc.Index-1].Comparison = "the pasted text is the signing certificate altered: " + where
		title := fmt.Sprintf("Certificate %d in the workspace is Okta's signing certificate with characters changed (first at line %d, column %d)", cc.Index, line, col)
		a.add(Finding{Code: CodeCertAltered, Reason: string(sp.ReasonSignatureUntrustedKey), Title: title,
			Field:    FieldCertificate,
			Expected: "the certificate Okta signs with, exactly as downloaded: " + signerDesc,
			Found: fmt.Sprintf("certificate %d still parses and has the same subject and validity as that certificate, but not its bytes (SHA-256 %s), so its key does not verify the signature: %s",
				cc.Index, short(cc.Certificate.SHA256), where),
			Fix: fmt.Sprintf("In %s, remove certificate %d, then click Add Certificate and paste Okta's certificate exactly as downloaded (Okta: the app's Sign On tab → SAML Signing Certificates → Actions → Download certificate); do not retype it or have an LLM format it. Then %s.",
				securitySSO, cc.Index, updateSSO),
			Certificate: cc.Index, Line: line, Column: col, step: stepSignature})
		found = true
	}
	return found
}
