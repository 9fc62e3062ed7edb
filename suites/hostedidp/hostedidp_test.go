package hostedidp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHostedIdPPersistsItsIdentity(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "idp")
	cfg := HostedIdPConfig{Dir: dir, Addr: "127.0.0.1:7899"}
	first, err := OpenHostedIdP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created {
		t.Error("a new directory should be reported as created")
	}
	md1, err := first.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	key1, _ := os.ReadFile(filepath.Join(dir, hostedKeyFile))
	second, err := OpenHostedIdP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	md2, _ := second.Metadata()
	if second.Created || !bytes.Equal(md1, md2) {
		t.Errorf("reopening changed the IdP:\n%s\n%s", md1, md2)
	}
	if key2, _ := os.ReadFile(filepath.Join(dir, hostedKeyFile)); !bytes.Equal(key1, key2) {
		t.Error("the signing key was rewritten")
	}
	if second.EntityID() != first.EntityID() || second.SSOURL() != first.SSOURL() || second.CertificatePEM() != first.CertificatePEM() {
		t.Error("entity ID, SSO URL or certificate changed across runs")
	}
	moved, err := OpenHostedIdP(HostedIdPConfig{Dir: dir, Addr: "127.0.0.1:7898"})
	if err != nil || moved.Warning() == nil {
		t.Errorf("a new address should warn that the SSO URL changed: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, hostedStateFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenHostedIdP(cfg); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("a partial directory must be refused, got %v", err)
	}
	if key3, _ := os.ReadFile(filepath.Join(dir, hostedKeyFile)); !bytes.Equal(key1, key3) {
		t.Error("the signing key was replaced")
	}
}

func TestHostedIdPRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:7781", "10.0.0.1:7781", ":7781"} {
		if _, err := OpenHostedIdP(HostedIdPConfig{Addr: addr}); err == nil {
			t.Errorf("%s accepted", addr)
		}
	}
}
