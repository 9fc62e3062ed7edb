package mockidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"

	"github.com/samlharness/samlharness/fixtures"
)

// BenchmarkRespond builds, signs (Response and Assertion: two RSA
// signatures) and encodes one SP-initiated response. Compare with
// BenchmarkRSASign: the floor is two of those.
func BenchmarkRespond(b *testing.B) {
	idp, app, _ := setup(b, defaultSettings())
	req := ResponseRequest{AppID: app.ID, Login: testLogin, SAMLRequest: redirectRequest(b, authnRequestXML("_bench")), RelayState: "r"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := idp.Respond(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRSASign is one RSA-2048 PKCS#1 v1.5 signature over a SHA-256
// digest with the same key.
func BenchmarkRSASign(b *testing.B) {
	key := fixtures.Key(fixtures.KeyIdPPrimary)
	digest := sha256.Sum256([]byte("samlharness"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}
