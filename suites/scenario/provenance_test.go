package scenario

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every expectation of the catalogue says what it rests on, and a recorded
// one names its source.
func TestEveryExpectationHasProvenance(t *testing.T) {
	counts := map[Profile]map[Provenance]int{}
	for _, s := range All() {
		for _, p := range Profiles {
			e := s.Expect[p]
			if !e.Provenance.Valid() {
				t.Errorf("%s/%s: provenance %q is not one of %v", s.ID, p, e.Provenance, Provenances)
			}
			if strings.TrimSpace(e.Source) == "" {
				t.Errorf("%s/%s: %s expectation without a source", s.ID, p, e.Provenance)
			}
			if counts[p] == nil {
				counts[p] = map[Provenance]int{}
			}
			counts[p][e.Provenance]++
		}
	}
	for _, p := range Profiles {
		t.Logf("%s: %v", p, counts[p])
	}
}

// Reason codes are typed values from the SP's table or the driver table.
func TestReasonsAreKnownCodes(t *testing.T) {
	for _, s := range All() {
		for _, p := range Profiles {
			if e := s.Expect[p]; e.Outcome == Reject && !KnownReason(e.Reason) {
				t.Errorf("%s/%s: reason %q is neither an sp.Reason nor a DriverReason", s.ID, p, e.Reason)
			}
		}
	}
	for r := range DriverReasons {
		if !KnownReason(string(r)) {
			t.Errorf("driver reason %s not known", r)
		}
	}
}

// No catalogue file writes a reason code as a string literal.
func TestNoReasonLiteralsInCatalogue(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`(Rejects|RejectsWith)\("|Reason:\s*"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "reasons.go" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if lit.MatchString(line) {
				t.Errorf("%s:%d: a reason code as a string literal: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

func TestParseProvenance(t *testing.T) {
	for _, p := range Provenances {
		if got, err := ParseProvenance(string(p)); err != nil || got != p {
			t.Errorf("ParseProvenance(%q) = %q, %v", p, got, err)
		}
	}
	if _, err := ParseProvenance("rumour"); err == nil {
		t.Error("an unknown provenance must be an error")
	}
}
