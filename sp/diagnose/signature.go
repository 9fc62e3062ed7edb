package diagnose

// signature.go tries certificates on the response's signatures with
// goxmldsig only (one ValidationContext per certificate, KeyInfo removed so
// the certificate tried is the one used), to say which certificate made
// each signature. It writes no canonicalization or signature code.

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/samlharness/samlharness/internal/wire"
)

// candidate is a certificate to try, with the label VerifiedBy uses.
type candidate struct {
	label string
	cert  *x509.Certificate
}

// trialOutcome is what one certificate made of one signature.
type trialOutcome int

const (
	trialVerified trialOutcome = iota
	trialValueMismatch
	trialDigestMismatch
	trialError
)

// verifySignatures fills VerifiedBy and ContentChanged of every signature.
func verifySignatures(f *ResponseFacts, cands []candidate, at time.Time) {
	for i := range f.Signatures {
		sf := &f.Signatures[i]
		for _, c := range cands {
			switch tryCertificate(sf.el, sf.sig, c.cert, at) {
			case trialVerified:
				sf.VerifiedBy = append(sf.VerifiedBy, c.label)
			case trialDigestMismatch:
				sf.ContentChanged = true
			}
		}
	}
}

// tryCertificate verifies el's enveloped signature with cert alone.
func tryCertificate(el, sig *etree.Element, cert *x509.Certificate, at time.Time) trialOutcome {
	if child(sig, wire.NSDSig, "SignatureValue") == nil {
		return trialError
	}
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return trialError
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return trialError
	}
	if idx := sig.Index(); idx >= 0 && idx < len(detached.Child) {
		if sigCopy, ok := detached.Child[idx].(*etree.Element); ok {
			for _, ki := range children(sigCopy, wire.NSDSig, "KeyInfo") {
				sigCopy.RemoveChild(ki)
			}
		}
	}
	now := at
	if now.Before(cert.NotBefore) {
		now = cert.NotBefore
	}
	if now.After(cert.NotAfter) {
		now = cert.NotAfter
	}
	vctx := &dsig.ValidationContext{
		CertificateStore: &dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}},
		IdAttribute:      dsig.DefaultIdAttr,
		Clock:            dsig.NewFakeClockAt(now),
	}
	_, err = vctx.Validate(detached)
	switch {
	case err == nil:
		return trialVerified
	case err.Error() == "Signature could not be verified":
		return trialDigestMismatch
	case isValueError(err):
		return trialValueMismatch
	}
	return trialError
}

// isValueError: the key does not verify the SignatureValue over the
// canonical SignedInfo (x509.Certificate.CheckSignature failed).
func isValueError(err error) bool {
	var ia x509.InsecureAlgorithmError
	return errors.Is(err, rsa.ErrVerification) || errors.Is(err, x509.ErrUnsupportedAlgorithm) ||
		errors.As(err, &ia) || strings.HasPrefix(err.Error(), "x509: ")
}
