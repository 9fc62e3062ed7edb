package mockidp

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
)

func TestCertificateShape(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	c, err := idp.ActiveCertificate(app.ID)
	if err != nil {
		t.Fatal(err)
	}
	x := c.X509
	if x.Version != 3 {
		t.Errorf("version = %d, want 3", x.Version)
	}
	if len(x.Extensions) != 0 {
		t.Errorf("certificate has %d extensions, want none", len(x.Extensions))
	}
	if x.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("signature algorithm = %v, want SHA256-RSA", x.SignatureAlgorithm)
	}
	if k, ok := x.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != 2048 {
		t.Errorf("key is not RSA-2048")
	}
	if got, want := x.SerialNumber.Int64(), testNow.UnixMilli(); got != want {
		t.Errorf("serial = %d, want creation time in Unix ms %d", got, want)
	}
	wantNB := time.Date(2026, 3, 14, 9, 25, 53, 0, time.UTC)
	if !x.NotBefore.Equal(wantNB) {
		t.Errorf("NotBefore = %v, want %v (creation − 60 s, truncated)", x.NotBefore, wantNB)
	}
	if want := wantNB.AddDate(10, 0, 0).Add(time.Minute); !x.NotAfter.Equal(want) {
		t.Errorf("NotAfter = %v, want %v", x.NotAfter, want)
	}
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(x.RawSubject, &rdns); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rdn := range rdns {
		for _, atv := range rdn {
			got = append(got, fmt.Sprintf("%v=%v", atv.Type, atv.Value))
		}
	}
	want := "2.5.4.6=US 2.5.4.8=California 2.5.4.7=San Francisco 2.5.4.10=Okta 2.5.4.11=SSOProvider 2.5.4.3=dev-123456 1.2.840.113549.1.9.1=info@okta.com"
	if strings.Join(got, " ") != want {
		t.Errorf("subject = %v, want %s", got, want)
	}
	if err := x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if !bytes.Equal(x.RawSubject, x.RawIssuer) {
		t.Errorf("issuer differs from subject")
	}
	// Okta's string types: C PrintableString, others UTF8String, email IA5String.
	if !bytes.Contains(x.RawSubject, []byte{0x13, 0x02, 'U', 'S'}) || !bytes.Contains(x.RawSubject, append([]byte{0x0c, 0x0a}, "California"...)) ||
		!bytes.Contains(x.RawSubject, append([]byte{0x16, 0x0d}, "info@okta.com"...)) {
		t.Errorf("subject string types differ from Okta's")
	}
	if c.Status != CertActive || len(c.KID) != 43 || strings.ContainsAny(c.KID, "+/=") {
		t.Errorf("status %q kid %q: want Active and a 43-character URL-safe kid", c.Status, c.KID)
	}
	if len(c.Fingerprint) != 95 {
		t.Errorf("fingerprint %q is not SHA-256 colon hex", c.Fingerprint)
	}

	p := c.PEM()
	if !bytes.HasPrefix(p, []byte("-----BEGIN CERTIFICATE-----\n")) || !bytes.HasSuffix(p, []byte("\n-----END CERTIFICATE-----\n")) {
		t.Errorf("PEM framing: %q", p)
	}
	lines := strings.Split(strings.TrimSpace(string(p)), "\n")
	body := lines[1 : len(lines)-1]
	for i, l := range body {
		if (i < len(body)-1 && len(l) != 76) || len(l) > 76 {
			t.Errorf("PEM line %d has %d characters, want 76", i+1, len(l))
		}
	}
	blk, _ := pem.Decode(p)
	if blk == nil || !bytes.Equal(blk.Bytes, x.Raw) {
		t.Errorf("PEM does not decode to the certificate")
	}
}

func TestCertificateRotation(t *testing.T) {
	t.Parallel()
	cfg := testConfig(7)
	keys := []fixtures.KeyName{fixtures.KeyIdPPrimary, fixtures.KeyIdPRotated}
	n := 0
	cfg.NewKey = func() (*rsa.PrivateKey, error) {
		k := fixtures.Key(keys[n%len(keys)])
		n++
		return k, nil
	}
	idp, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app, err := idp.CreateApp("Rotating", defaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.AddUser(User{Login: testLogin}); err != nil {
		t.Fatal(err)
	}
	if err := idp.AssignUser(app.ID, testLogin); err != nil {
		t.Fatal(err)
	}
	old, _ := idp.ActiveCertificate(app.ID)

	for _, years := range []int{0, 1, 11} {
		if _, err := idp.GenerateCertificate(app.ID, years); ErrorCode(err) != CodeInvalidRequest {
			t.Errorf("GenerateCertificate(%d years) = %v, want %s", years, err, CodeInvalidRequest)
		}
	}
	fresh, err := idp.GenerateCertificate(app.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Status != CertInactive || fresh.KID == old.KID {
		t.Fatalf("generated certificate: status %q kid %q", fresh.Status, fresh.KID)
	}
	if want := fresh.X509.NotBefore.AddDate(2, 0, 0).Add(time.Minute); !fresh.X509.NotAfter.Equal(want) {
		t.Errorf("2-year certificate NotAfter = %v, want %v", fresh.X509.NotAfter, want)
	}
	if cur, _ := idp.ActiveCertificate(app.ID); cur.KID != old.KID {
		t.Errorf("generating a certificate changed the active one")
	}
	// Before activation, responses verify with the old certificate only.
	verifyWith := func(cert *x509.Certificate) error {
		resp, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: testLogin})
		if err != nil {
			t.Fatal(err)
		}
		return verifyElement(parseDoc(t, resp.XML).Root(), cert)
	}
	if err := verifyWith(old.X509); err != nil {
		t.Errorf("before activation: %v", err)
	}
	if _, err := idp.ActivateCertificate(app.ID, "nope"); ErrorCode(err) != CodeCertNotFound {
		t.Errorf("activating an unknown kid: %v, want %s", err, CodeCertNotFound)
	}
	if _, err := idp.ActivateCertificate(app.ID, fresh.KID); err != nil {
		t.Fatal(err)
	}
	certs, _ := idp.Certificates(app.ID)
	if len(certs) != 2 || certs[0].KID != old.KID || certs[0].Status != CertInactive || certs[1].Status != CertActive {
		t.Fatalf("after activation: %+v", certs)
	}
	if err := verifyWith(fresh.X509); err != nil {
		t.Errorf("after activation, new certificate: %v", err)
	}
	if err := verifyWith(old.X509); err == nil {
		t.Errorf("after activation the old certificate still verifies")
	}
	md, _ := idp.Metadata(app.ID)
	if !bytes.Contains(md, []byte(wrap76(b64(fresh.X509.Raw))[:76])) {
		t.Errorf("metadata does not publish the newly active certificate")
	}
}

func TestMintAndAddCertificate(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	key := fixtures.Key(fixtures.KeyIdPRotated)
	nb := testNow.AddDate(-3, 0, 0)
	cert, err := MintCertificate(key, "dev-123456", nb, testNow.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if !cert.NotAfter.Before(testNow) || cert.SerialNumber.Int64() != nb.Add(time.Minute).UnixMilli() {
		t.Errorf("minted certificate: NotAfter %v serial %v", cert.NotAfter, cert.SerialNumber)
	}
	if _, err := MintCertificate(key, "x", testNow, testNow); ErrorCode(err) != CodeInvalidCert {
		t.Errorf("zero validity: %v, want %s", err, CodeInvalidCert)
	}
	if _, err := idp.AddCertificate(app.ID, fixtures.Key(fixtures.KeyAttacker), cert); ErrorCode(err) != CodeInvalidCert {
		t.Errorf("mismatched key: %v, want %s", err, CodeInvalidCert)
	}
	added, err := idp.AddCertificate(app.ID, key, cert)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.ActivateCertificate(app.ID, added.KID); err != nil {
		t.Fatal(err)
	}
	resp, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: testLogin})
	if err != nil {
		t.Fatal(err)
	}
	// Signed with the expired certificate's key; verify ignoring validity.
	if err := verifyElementAt(parseDoc(t, resp.XML).Root(), cert, cert.NotBefore.Add(time.Hour)); err != nil {
		t.Errorf("response not signed with the added certificate: %v", err)
	}
}
