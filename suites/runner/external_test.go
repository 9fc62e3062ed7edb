package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/suites/scenario"
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

const targetYAML = `
name: my-sp
sp:
  entityId: http://127.0.0.1:7790/saml/metadata
  acsUrl: http://127.0.0.1:7790/saml/acs
signIn:
  url: http://127.0.0.1:7790/app?email={email}
session:
  url: http://127.0.0.1:7790/whoami
  pattern: 'signed in as ([^<\s]+)'
errors:
  pattern: 'data-reason="([A-Z_]+)"'
user:
  email: alice@acme.test
`

func TestTargetFile(t *testing.T) {
	t.Parallel()
	spec, err := ParseTargetSpec([]byte(targetYAML), true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := compileSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	if c.Profile != scenario.Strict || c.Session.Status != 200 || c.User.Domains[0] != "acme.test" || c.spOrigin != "http://127.0.0.1:7790" {
		t.Errorf("defaults not filled: %+v", c)
	}
	if got := c.readReason([]byte(`<p data-reason="REPLAY">`)); got != "REPLAY" {
		t.Errorf("error rule read %q", got)
	}
	for name, bad := range map[string]string{
		"unknown field":  strings.Replace(targetYAML, "name:", "nmae:", 1),
		"not loopback":   strings.ReplaceAll(targetYAML, "127.0.0.1", "192.168.1.10"),
		"no pattern":     strings.Replace(targetYAML, "  pattern: 'signed in as ([^<\\s]+)'\n", "", 1),
		"bad email":      strings.Replace(targetYAML, "alice@acme.test", "alice", 1),
		"not yaml":       "sp: [",
		"group-less err": strings.Replace(targetYAML, `'data-reason="([A-Z_]+)"'`, `'data-reason'`, 1),
	} {
		if _, err := ParseTargetSpec([]byte(bad), true); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseTargetSpec([]byte(`{"name": 1}`), false); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestJudgeForeign(t *testing.T) {
	t.Parallel()
	reject := scenario.Rejects("REPLAY")
	cases := []struct {
		name    string
		exp     scenario.Expect
		obs     Observation
		control bool
		want    Verdict
	}{
		{"refusal, reason unknown", reject, Observation{Stage: StageACS}, true, Pass},
		{"refusal, reason read", reject, Observation{Stage: StageACS, Reason: "REPLAY"}, true, Pass},
		{"refusal, wrong reason read", reject, Observation{Stage: StageACS, Reason: "EXPIRED"}, true, Fail},
		{"no control", reject, Observation{Stage: StageACS}, false, Inconclusive},
		{"SP down", reject, Observation{Stage: StageACS, Reason: ReasonTransport}, true, Fail},
		{"stopped at the IdP", reject, Observation{Stage: StageIdPSSO, Reason: ReasonUnexpectedPage}, true, Fail},
		{"session", reject, Observation{Session: true, Identity: "alice@acme.test"}, true, Fail},
		{"forged identity", scenario.Accepts(), Observation{Session: true, Identity: "admin@acme.test"}, true, Fail},
		{"accepted", scenario.Accepts(), Observation{Session: true, Identity: "ALICE@acme.test"}, true, Pass},
		{"IdP 403", scenario.Rejects(ReasonIdPAppNotAssigned), Observation{Stage: StageIdPSSO, Reason: ReasonIdPAppNotAssigned}, true, Pass},
	}
	for _, c := range cases {
		if got, why := judgeForeign(c.exp, c.obs, "alice@acme.test", nil, c.control); got != c.want {
			t.Errorf("%s: %s (%s), want %s", c.name, got, why, c.want)
		}
	}
}
