// Package presets holds ready error-reading rules for the SAML libraries
// people build SPs on: crewjam/saml (with goxmldsig) and gosaml2 (with
// goxmldsig). A target file names one (`errors: {preset: crewjam}`) instead
// of writing its own rules, and the harness reads an SP's reason for a
// refusal from the library's own error text, shown on the SP's refusal page
// (or in the part of its logs the page shows), as the library formats it.
//
// Each rule maps one library text to the harness's reason code (package sp)
// only where that text means that reason. A text that could come from more
// than one of the harness's reasons (gosaml2's "Unrecognized Issuer value"
// is raised for the Response's Issuer and for the Assertion's alike) is no
// rule: it is listed in the preset's Unread entries with the reasons it
// could mean (Candidates). A target file naming the preset reads a text
// with two or more candidates as that family of reasons — the reason is
// then verified at the granularity the library reports it — and one with
// fewer stays "reason unknown" (suites/target/external PresetRules).
//
// The rules are written against the exact texts of
// github.com/crewjam/saml v0.6.3, github.com/russellhaering/gosaml2 v0.12.0,
// github.com/russellhaering/goxmldsig v1.6.1 and the Go standard library
// errors they pass through; each rule carries an Example of the text and
// the Source that raises it. Every rule matches its text both as plain text
// and HTML-escaped (as a page shows it: quotes as &#34;, < as &lt;).
package presets

import (
	"regexp"
	"sort"

	"github.com/samlharness/samlharness/sp"
)

// Rule maps a library's error text to the reason it means.
type Rule struct {
	// Match is a regular expression (Go RE2 syntax) over the SP's refusal
	// page; the first rule of a preset that matches decides.
	Match string
	// Reason is the harness's reason code the text means.
	Reason sp.Reason
	// Example is a text the library produces that the rule reads, exactly
	// as the library formats it (values filled in).
	Example string
	// Source says where the library raises it: module, file and function.
	Source string
}

// Unread is a library text the preset deliberately reads no reason from:
// it could mean more than one reason (Candidates), or none the harness has.
type Unread struct {
	Match      string
	Candidates []sp.Reason
	Example    string
	Source     string
	// Why says why the text cannot be read as one reason.
	Why string
}

// Preset is the rule set for one library.
type Preset struct {
	Name string
	// Libraries are the modules (with versions) whose texts the rules read.
	Libraries []string
	// Rules in the order they are tried: first match wins.
	Rules []Rule
	// Unread are the texts left as "reason unknown", with why.
	Unread []Unread

	compiled []*regexp.Regexp
}

// Preset names.
const (
	NameCrewjam = "crewjam"
	NameGosaml2 = "gosaml2"
)

var registry = map[string]*Preset{}

func register(p *Preset) {
	p.compiled = make([]*regexp.Regexp, len(p.Rules))
	for i, r := range p.Rules {
		p.compiled[i] = regexp.MustCompile(r.Match)
	}
	registry[p.Name] = p
}

func init() {
	register(crewjamPreset())
	register(gosaml2Preset())
}

// Names lists the presets, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the named preset's rules, in the order they are tried.
func Lookup(name string) ([]Rule, bool) {
	p, ok := registry[name]
	if !ok {
		return nil, false
	}
	return append([]Rule(nil), p.Rules...), true
}

// Get returns the named preset.
func Get(name string) (Preset, bool) {
	p, ok := registry[name]
	if !ok {
		return Preset{}, false
	}
	return *p, true
}

// Read returns the reason the first matching rule gives for text (a page or
// a log line), or false when no rule matches.
func (p Preset) Read(text string) (sp.Reason, bool) {
	compiled := p.compiled
	if len(compiled) != len(p.Rules) {
		compiled = make([]*regexp.Regexp, len(p.Rules))
		for i, r := range p.Rules {
			compiled[i] = regexp.MustCompile(r.Match)
		}
	}
	for i, re := range compiled {
		if re.MatchString(text) {
			return p.Rules[i].Reason, true
		}
	}
	return "", false
}

// concat joins rule lists in order.
func concat(lists ...[]Rule) []Rule {
	var out []Rule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
