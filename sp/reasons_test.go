package sp

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/fixtures"
)

func TestReasonTable(t *testing.T) {
	t.Parallel()
	seen := map[Reason]bool{}
	for _, ri := range ReasonTable {
		if seen[ri.Reason] {
			t.Fatalf("%s listed twice", ri.Reason)
		}
		seen[ri.Reason] = true
		if ri.HTTPStatus == 0 || ri.Surface == "" || ri.Profiles == "" || ri.Summary == "" {
			t.Fatalf("%s is incompletely documented: %+v", ri.Reason, ri)
		}
		if msg := ri.Message(nil); ri.Surface == SurfaceIdentityToolkit && !strings.HasPrefix(msg, ri.Code) {
			t.Fatalf("%s message %q does not start with its code", ri.Reason, msg)
		}
	}
	// The contract's reasons, all present.
	for _, r := range []Reason{ReasonCertParse, ReasonSignatureInvalid, ReasonSignatureUntrustedKey, ReasonSignatureMissing, ReasonSignatureShape,
		ReasonSignatureAlgorithm, ReasonCertExpired, ReasonStatusNotSuccess, ReasonDestinationMismatch, ReasonResponseIssuer, ReasonIssuerMismatch,
		ReasonAudienceMismatch, ReasonNotYetValid, ReasonExpired, ReasonInResponseToMissing, ReasonInResponseToMismatch, ReasonReplay,
		ReasonRecipientMismatch, ReasonSubjectConfirmation, ReasonNameIDMissing, ReasonAssertionMissing, ReasonStructure, ReasonVersionInvalid,
		ReasonResponseMalformed, ReasonResponseTooLarge, ReasonXMLForbidden, ReasonXMLLimit, ReasonEncryptedAssertion, ReasonConditionUnsupported,
		ReasonProviderNotFound, ReasonProviderDisabled, ReasonSessionUnknown, ReasonRequestURIMismatch, ReasonMissingInitialState,
		ReasonNameIDNotEmail, ReasonDomainNotAllowed} {
		if !seen[r] {
			t.Fatalf("%s missing from ReasonTable", r)
		}
	}
	got := ReasonDestinationMismatch.Info().Message(map[string]string{"destination": "D", "callback": "C"})
	if got != "INVALID_IDP_RESPONSE : SAMLResponse destination D does not match RP callback URL C." {
		t.Fatalf("rendered %q", got)
	}
}

// BenchmarkSignInWithIdp verifies one both-signed response end to end
// (decode, scan, parse, two signature verifications, checks, tokens).
func BenchmarkSignInWithIdp(b *testing.B) {
	e := newEnv(b, ProfileIdentityPlatform)
	started := e.start()
	resp := e.spec(started).build(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.srv.replay = newReplayCache()
		if _, apiErr := e.submit(started, resp); apiErr != nil {
			b.Fatal(apiErr)
		}
	}
}

// BenchmarkSignInWithIdpStrict is the same under the strict profile.
func BenchmarkSignInWithIdpStrict(b *testing.B) {
	e := newEnv(b, ProfileStrict)
	started := e.start()
	resp := e.spec(started).build(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.srv.replay = newReplayCache()
		if _, apiErr := e.submit(started, resp); apiErr != nil {
			b.Fatal(apiErr)
		}
	}
}

// BenchmarkRSAVerify is one rsa.VerifyPKCS1v15 (RSA-2048, SHA-256): the
// floor the pipeline is compared with.
func BenchmarkRSAVerify(b *testing.B) {
	key := fixtures.Key(fixtures.KeyIdPPrimary)
	digest := sha256.Sum256([]byte("SignedInfo"))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
