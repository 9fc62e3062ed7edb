package hostedidp

import (
	"bytes"
	"errors"
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

func TestHostedIdPRecordsItsAddressAndIssue(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "idp")
	if _, err := OpenHostedIdP(HostedIdPConfig{Dir: dir, Existing: true}); !errors.Is(err, ErrNoIdP) {
		t.Fatalf("Existing on a missing dir: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("Existing created the directory")
	}
	first, err := OpenHostedIdP(HostedIdPConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if first.BaseURL() == "" || strings.HasSuffix(first.Addr(), ":0") || first.Addr() == "127.0.0.1:7781" {
		t.Errorf("a new dir should get a free port now, got %q", first.Addr())
	}
	if first.MetadataIssued() {
		t.Error("a new IdP's metadata is not issued yet")
	}
	if err := first.MarkMetadataIssued(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenHostedIdP(HostedIdPConfig{Dir: dir, Existing: true})
	if err != nil {
		t.Fatal(err)
	}
	if again.Addr() != first.Addr() || again.SSOURL() != first.SSOURL() || !again.MetadataIssued() || again.IssuedAt().IsZero() {
		t.Errorf("reopened: addr %s (was %s), issued %v", again.Addr(), first.Addr(), again.MetadataIssued())
	}
	if again.Warning() != nil {
		t.Errorf("the recorded address warns: %v", again.Warning())
	}
	if err := again.Start(); err != nil {
		t.Fatal(err)
	}
	again.Close()
	if mem, err := OpenHostedIdP(HostedIdPConfig{}); err != nil || mem.Addr() != "127.0.0.1:0" || !mem.MetadataIssued() {
		t.Errorf("without a dir: %v", err)
	}
}

func TestDefaultDirIsAbsolute(t *testing.T) {
	t.Setenv(DirEnv, "")
	if d := DefaultDir(); !filepath.IsAbs(d) || !strings.HasSuffix(d, filepath.Join("samlharness", "idp")) {
		t.Errorf("DefaultDir() = %q", d)
	}
	t.Setenv(DirEnv, "rel/idp")
	if d := DefaultDir(); !filepath.IsAbs(d) || !strings.HasSuffix(d, filepath.Join("rel", "idp")) {
		t.Errorf("with %s=rel/idp: %q", DirEnv, d)
	}
}
