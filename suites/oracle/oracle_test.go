package oracle

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"sync"
	"testing"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/suites/demo"
)

var update = flag.Bool("update", false, "rewrite DISAGREEMENTS.md from this run (explanations are kept)")

// at is the harness clock of every test: the catalogue's baseline instant.
var at = time.Date(2026, 8, 29, 12, 0, 0, 0, time.UTC)

// needXMLSec1 returns the xmlsec1 runner, skipping the test when xmlsec1 is
// missing — unless CI=true or SAMLHARNESS_REQUIRE_XMLSEC1 is set, where a
// missing xmlsec1 fails it.
func needXMLSec1(t *testing.T) XMLSec1 {
	t.Helper()
	path, err := Locate()
	if err != nil {
		if Required() {
			t.Fatalf("xmlsec1 is required here (CI=true or %s set): %v", EnvRequire, err)
		}
		t.Skipf("skipped: %v (set %s=1 to make this a failure)", err, EnvRequire)
	}
	x := XMLSec1{Path: path}
	if v, err := x.Version(context.Background()); err != nil {
		t.Fatalf("%s --version: %v (%s)", path, err, v)
	}
	return x
}

// oktaCertPEM is an Okta-shaped certificate (the mock org's subject, valid
// around the harness clock) for a fixture key: xmlsec1 takes only its public
// key (--pubkey-cert-pem), so it stands for the certificate the mock org
// holds for that key. Cached per key.
var oktaCerts sync.Map

func oktaCertPEM(t testing.TB, keyName fixtures.KeyName) []byte {
	t.Helper()
	if v, ok := oktaCerts.Load(keyName); ok {
		return v.([]byte)
	}
	x, err := mockidp.MintCertificate(fixtures.Key(keyName), demo.Org, at.AddDate(-1, 0, 0), at.AddDate(9, 0, 0))
	if err != nil {
		t.Fatalf("mint certificate for %s: %v", keyName, err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.Raw})
	v, _ := oktaCerts.LoadOrStore(keyName, p)
	return v.([]byte)
}

// keyPEM is a fixture private key as PKCS #8 PEM, for xmlsec1 --privkey-pem.
func keyPEM(t testing.TB, keyName fixtures.KeyName) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(fixtures.Key(keyName))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func TestLocateHonoursOverride(t *testing.T) {
	t.Setenv(EnvBinary, t.TempDir())
	if _, err := Locate(); err == nil {
		t.Fatalf("a directory in %s must be refused", EnvBinary)
	}
	t.Setenv(EnvBinary, "")
	t.Setenv(EnvRequire, "")
	t.Setenv("CI", "true")
	if !Required() {
		t.Fatal("CI=true must require xmlsec1")
	}
	t.Setenv("CI", "")
	if Required() {
		t.Fatal("without CI or SAMLHARNESS_REQUIRE_XMLSEC1 a missing xmlsec1 is a skip")
	}
	t.Setenv(EnvRequire, "1")
	if !Required() {
		t.Fatalf("%s=1 must require xmlsec1", EnvRequire)
	}
}
