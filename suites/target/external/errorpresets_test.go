package external

import (
	"strings"
	"testing"

	"github.com/samlharness/samlharness/suites/presets"
)

func TestErrorsPresetByName(t *testing.T) {
	t.Parallel()
	for _, name := range presets.Names() {
		doc := strings.Replace(targetYAML, "errors:\n  pattern: 'data-reason=\"([A-Z_]+)\"'\n", "errors:\n  preset: "+name+"\n", 1)
		spec, err := ParseTargetSpec([]byte(doc), true)
		if err != nil {
			t.Fatalf("preset %s: %v", name, err)
		}
		c, err := compileSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := presets.Get(name)
		// Every rule of the preset reads its own example, as the page
		// shows it.
		for _, r := range p.Rules {
			if got := c.readReason([]byte("<p>" + r.Example + "</p>")); got != string(r.Reason) && !strings.Contains(got, "|") {
				// An earlier rule of the same preset may read the example
				// first; it must then be the preset's own answer.
				if want, _ := p.Read(r.Example); got != string(want) {
					t.Errorf("%s: %q read as %q, want %q", name, r.Example, got, want)
				}
			}
		}
	}
	// gosaml2 names the Issuer check without saying which Issuer: the
	// family of both reasons.
	doc := strings.Replace(targetYAML, "errors:\n  pattern: 'data-reason=\"([A-Z_]+)\"'\n", "errors:\n  preset: gosaml2\n", 1)
	spec, _ := ParseTargetSpec([]byte(doc), true)
	c, _ := compileSpec(spec)
	page := []byte("<p>error validating response: Unrecognized Issuer value, Expected: http://www.okta.com/exk1, Actual: http://www.okta.com/exk2</p>")
	if got := c.readReason(page); got != "RESPONSE_ISSUER_MISMATCH|ISSUER_MISMATCH" {
		t.Errorf("gosaml2's Issuer text read as %q, want the family RESPONSE_ISSUER_MISMATCH|ISSUER_MISMATCH", got)
	}
	// A text the preset gives one guess for, which the text does not
	// state, stays unread.
	if got := c.readReason([]byte("<p>missing Conditions element</p>")); got != "" {
		t.Errorf("missing Conditions read as %q, want no reason", got)
	}
}

func TestErrorsPresetWithOwnRules(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(targetYAML, "errors:\n  pattern: 'data-reason=\"([A-Z_]+)\"'\n", `errors:
  pattern: 'data-reason="([A-Z_]+)"'
  preset: crewjam
  map:
    - match: 'assertion has already been used'
      reason: MY_REPLAY
    - match: 'one of two'
      reasons: [AUDIENCE_MISMATCH, EXPIRED]
`, 1)
	spec, err := ParseTargetSpec([]byte(doc), true)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := compileSpec(spec)
	for page, want := range map[string]string{
		`<p data-reason="REPLAY">assertion has already been used</p>`: "REPLAY",    // own pattern first
		`<p>assertion "x": assertion has already been used</p>`:       "MY_REPLAY", // own map before the preset
		`<p>one of two</p>`:                      "AUDIENCE_MISMATCH|EXPIRED", // own family
		`<p>assertion Conditions is expired</p>`: "EXPIRED",                   // the preset
		`<p>something the rules do not know</p>`: "",
	} {
		if got := c.readReason([]byte(page)); got != want {
			t.Errorf("%s: read %q, want %q", page, got, want)
		}
	}
}

func TestErrorsPresetRefused(t *testing.T) {
	t.Parallel()
	base := "errors:\n  pattern: 'data-reason=\"([A-Z_]+)\"'\n"
	for name, errs := range map[string]string{
		"unknown preset":         "errors:\n  preset: onelogin\n",
		"reason and reasons":     "errors:\n  map:\n    - {match: x, reason: A, reasons: [B, C]}\n",
		"no reason":              "errors:\n  map:\n    - {match: x}\n",
		"separator in a reason":  "errors:\n  map:\n    - {match: x, reason: 'A|B'}\n",
		"an empty family member": "errors:\n  map:\n    - {match: x, reasons: [A, '']}\n",
	} {
		_, err := ParseTargetSpec([]byte(strings.Replace(targetYAML, base, errs, 1)), true)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if name == "unknown preset" {
			for _, n := range presets.Names() {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("the refusal of an unknown preset does not list %s: %v", n, err)
				}
			}
		}
	}
}
