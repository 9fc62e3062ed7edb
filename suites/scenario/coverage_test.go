package scenario

import (
	"sort"
	"testing"

	"github.com/samlharness/samlharness/mockidp/fault"
)

// The attack catalogue has 207 entries; each is covered by a scenario,
// marked not applicable (at most 30) or pending a named runner capability,
// and no scenario names an unknown entry.
func TestCoverageOfTheAttackCatalogue(t *testing.T) {
	rows, err := Coverage(All())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 207 {
		t.Errorf("the attack catalogue holds %d entries, want 207", len(rows))
	}
	for _, p := range CoverageProblems(rows) {
		t.Error(p)
	}
	covered, na, pend := 0, 0, 0
	for _, r := range rows {
		switch {
		case r.Covered():
			covered++
		case r.NotApplicable != "":
			na++
		case r.Pending != "":
			pend++
			t.Logf("pending %s: needs %s", r.ID, r.Pending)
			if !allowedPending[r.ID] {
				t.Errorf("%s is pending but not in allowedPending: write its scenario", r.ID)
			}
		}
	}
	for id := range allowedPending {
		if r := rowOf(rows, id); r == nil || r.Pending == "" || r.Covered() {
			t.Errorf("allowedPending names %s, which is not a pending entry: drop it from the list", id)
		}
	}
	if na > 30 {
		t.Errorf("%d entries are marked not applicable, at most 30 may be", na)
	}
	fams := map[Family]bool{}
	for _, r := range rows {
		fams[r.Family] = true
	}
	for _, f := range Families {
		if !fams[f] {
			t.Errorf("family %s has no entry", f)
		}
	}
	t.Logf("covered %d, not applicable %d, pending %d", covered, na, pend)
}

// allowedPending is exactly the entries that wait for a runner capability
// (each entry's Pending names it); nothing else may stay uncovered.
var allowedPending = map[string]bool{}

func rowOf(rows []CoverageRow, id string) *CoverageRow {
	for i := range rows {
		if rows[i].ID == id {
			return &rows[i]
		}
	}
	return nil
}

func TestCoverageRejectsUnknownEntry(t *testing.T) {
	s := Scenario{ID: "x", Covers: []string{"no-such-entry"}}
	if _, err := Coverage([]Scenario{s}); err == nil {
		t.Error("a scenario naming an unknown entry must be an error")
	}
	rows, err := Coverage(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(CoverageProblems(rows)) == 0 {
		t.Error("with no scenarios, the covered entries must be reported as uncovered")
	}
}

// Every registered fault is used by at least one scenario: a fault no
// scenario uses is either a gap in the catalogue or dead code.
func TestEveryFaultIsUsed(t *testing.T) {
	used := map[string]bool{}
	for _, s := range All() {
		for _, f := range s.IdP.Faults {
			used[f.Name] = true
		}
	}
	var unused []string
	for _, spec := range fault.All() {
		if !used[spec.Name] {
			unused = append(unused, spec.Name)
		}
	}
	sort.Strings(unused)
	for _, n := range unused {
		t.Errorf("fault %s is registered but no scenario uses it", n)
	}
}

// Every known SP gap names a catalogue scenario and says what the SP must do.
func TestKnownSPGapsNameScenarios(t *testing.T) {
	for _, g := range KnownSPGaps() {
		s, ok := ByID(g.Scenario)
		if !ok {
			t.Errorf("gap %s names no scenario", g.Scenario)
			continue
		}
		if _, ok := s.Expect[g.Profile]; !ok || g.Now == "" || g.Must == "" {
			t.Errorf("gap %s/%s is incomplete", g.Scenario, g.Profile)
		}
	}
}
