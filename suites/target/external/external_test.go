package external

import (
	"fmt"
	"strings"
	"testing"
	"time"

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

// laughs is a "billion laughs" target file: nine levels of ten aliases,
// 10^9 values once expanded, in under 1 KB.
func laughs() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return targetYAML + b.String()
}

// wide is the shape of the probe's 924 KB file in small: one anchor of
// 5,000 values and 2,000 aliases to it, 10^7 values once expanded, which
// the YAML decoder's own aliasing limit lets through.
func wide() string {
	return targetYAML + "w: &w [" + strings.Repeat("1,", 4999) + "1]\nv: [" + strings.Repeat("*w,", 1999) + "*w]\n"
}

func TestTargetFileRefusesAliasFanOut(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"billion laughs": laughs(),
		"self alias":     targetYAML + "x: &x [*x]\n",
		"wide fan-out":   wide(),
		"deep nesting":   targetYAML + "x: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n",
	} {
		start := time.Now()
		_, err := ParseTargetSpec([]byte(doc), true)
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("%s: refused in %s, want well under a second", name, elapsed)
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "alias") && !strings.Contains(msg, "nests deeper") {
			t.Errorf("%s: unclear refusal %q", name, msg)
		}
	}
	// The fan-outs are refused by the budget, before the decoder expands
	// anything (its own aliasing limit answers too, but only after
	// expanding: 0.5 s here, 18.8 s and 3.9 GB on a 924 KB file).
	for name, doc := range map[string]string{"billion laughs": laughs(), "wide fan-out": wide()} {
		if _, err := ParseTargetSpec([]byte(doc), true); err == nil || !strings.Contains(err.Error(), "once aliases (*name) are expanded") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Aliases within the budget are YAML as usual.
	reuse := strings.Replace(targetYAML, "  url: http://127.0.0.1:7790/whoami", "  url: &who http://127.0.0.1:7790/whoami", 1) + "signOut:\n  url: *who\n"
	spec, err := ParseTargetSpec([]byte(reuse), true)
	if err != nil || spec.SignOut == nil || spec.SignOut.URL != spec.Session.URL {
		t.Errorf("an ordinary alias was refused or lost: %v %+v", err, spec.SignOut)
	}
	big := []byte("name: " + strings.Repeat("x", maxTargetFile) + "\n")
	if _, err := ParseTargetSpec(big, true); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("an oversized file: %v", err)
	}
}
