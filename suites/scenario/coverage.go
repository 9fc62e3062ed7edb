package scenario

import (
	"fmt"
	"sort"
	"strings"
)

// The attack catalogue the harness is measured against: 207 entries, each a
// known way an SP's SAML handling fails (a wrapping shape, a skipped check,
// a configuration mistake), grouped in families. The entries are facts in our
// own words; the files coverage_*.go hold them by family. A scenario names
// the entries it exercises in Scenario.Covers; an entry no scenario can
// exercise against this SP says why in NotApplicable, and an entry the runner
// cannot yet express names the missing capability in Pending.

// Family groups attack entries.
type Family string

// The families, in catalogue order.
const (
	FamXSW           Family = "xsw"                  // XSW1–XSW8
	FamWrapping      Family = "wrapping"             // other wrapping and reference confusion
	FamC14N          Family = "c14n-injection"       // comments, text nodes, canonicalisation
	FamParser        Family = "parser-differential"  // parser differentials, Go XML hazards
	FamSignature     Family = "signature"            // presence, trust, algorithms
	FamTime          Family = "time"                 // validity windows
	FamAudience      Family = "audience-destination" // audience, destination, recipient, issuer
	FamCorrelation   Family = "correlation-replay"   // InResponseTo, unsolicited, replay
	FamStatusSubject Family = "status-subject"       // status, assertion count, subject, statements
	FamBinding       Family = "binding"              // bindings, RelayState, logout, artifact
	FamEncryption    Family = "encryption"
	FamResources     Family = "dangerous-xml" // DTDs, limits, bombs
	FamConfiguration Family = "configuration" // what administrators get wrong
	FamIdPSide       Family = "idp-side"      // the IdP's own failures
)

// Families lists the families in catalogue order.
var Families = []Family{FamXSW, FamWrapping, FamC14N, FamParser, FamSignature, FamTime, FamAudience,
	FamCorrelation, FamStatusSubject, FamBinding, FamEncryption, FamResources, FamConfiguration, FamIdPSide}

// AttackEntry is one entry of the attack catalogue.
type AttackEntry struct {
	ID      string
	Family  Family
	Summary string
	// NotApplicable, when set, is why no scenario can exercise the entry
	// against this SP (an IdP-side failure, a binding or feature the
	// workspace does not have).
	NotApplicable string
	// Pending, when set, names the runner capability a scenario for the
	// entry needs and does not have yet.
	Pending string
}

var attackEntries []AttackEntry

func family(f Family, list ...AttackEntry) {
	for _, e := range list {
		e.Family = f
		attackEntries = append(attackEntries, e)
	}
}

// entry, na and pending shorten the data files.
func entry(id, summary string) AttackEntry { return AttackEntry{ID: id, Summary: summary} }

func na(id, summary, reason string) AttackEntry {
	return AttackEntry{ID: id, Summary: summary, NotApplicable: reason}
}

func pending(id, summary, capability string) AttackEntry {
	return AttackEntry{ID: id, Summary: summary, Pending: capability}
}

// AttackEntries returns the catalogue in family order, then file order.
func AttackEntries() []AttackEntry {
	order := map[Family]int{}
	for i, f := range Families {
		order[f] = i
	}
	out := append([]AttackEntry(nil), attackEntries...)
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Family] < order[out[j].Family] })
	return out
}

// CoverageRow is an entry with the scenarios that cover it.
type CoverageRow struct {
	AttackEntry
	Scenarios []string
}

// Covered reports whether some scenario exercises the entry.
func (r CoverageRow) Covered() bool { return len(r.Scenarios) > 0 }

// Coverage joins the attack entries with the scenarios of list that name
// them. It fails when a scenario names an unknown entry.
func Coverage(list []Scenario) ([]CoverageRow, error) {
	by := map[string][]string{}
	known := map[string]bool{}
	for _, e := range attackEntries {
		known[e.ID] = true
	}
	var unknown []string
	for _, s := range list {
		for _, id := range s.Covers {
			if !known[id] {
				unknown = append(unknown, fmt.Sprintf("%s names %q", s.ID, id))
				continue
			}
			by[id] = append(by[id], s.ID)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("scenarios name unknown attack entries: %s", strings.Join(unknown, "; "))
	}
	var rows []CoverageRow
	for _, e := range AttackEntries() {
		sc := by[e.ID]
		sort.Strings(sc)
		rows = append(rows, CoverageRow{AttackEntry: e, Scenarios: sc})
	}
	return rows, nil
}

// CoverageProblems lists what the coverage rules forbid: an entry neither
// covered, nor not applicable, nor pending; an entry both covered and
// marked; a duplicate or malformed entry.
func CoverageProblems(rows []CoverageRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.ID] {
			out = append(out, "duplicate entry "+r.ID)
		}
		seen[r.ID] = true
		if !idPattern.MatchString(r.ID) || r.Summary == "" {
			out = append(out, "malformed entry "+r.ID)
		}
		marks := 0
		if r.NotApplicable != "" {
			marks++
		}
		if r.Pending != "" {
			marks++
		}
		switch {
		case r.Covered() && marks > 0:
			out = append(out, r.ID+" is covered and also marked not applicable or pending")
		case !r.Covered() && marks == 0:
			out = append(out, r.ID+" is neither covered nor marked not applicable or pending")
		case marks > 1:
			out = append(out, r.ID+" is marked both not applicable and pending")
		}
	}
	return out
}
