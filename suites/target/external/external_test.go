package external

import (
	"strings"
	"testing"

	"github.com/samlharness/samlharness/suites/scenario"
)

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
