package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/suites/scenario"
)

// These tests swap the package-level catalogue, so they do not run in
// parallel.

func TestRunBaselineGreen(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := realMain([]string{"run", "--filter", "baseline", "--json", filepath.Join(dir, "r.json"), "--junit", filepath.Join(dir, "r.xml")}, &out, &errb)
	if code != 0 {
		t.Fatalf("run exited %d\n%s\n%s", code, out.String(), errb.String())
	}
	var rep struct {
		Summary struct{ Total, Passed, Failed, Inconclusive, Skipped int }
		Results []struct {
			ID, Category, Expected, Observed, Reason string
			Pass                                     bool
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Total == 0 || rep.Summary.Passed != rep.Summary.Total {
		t.Fatalf("summary %+v", rep.Summary)
	}
	for _, r := range rep.Results {
		if r.ID == "" || r.Category == "" || r.Expected == "" || r.Observed == "" || !r.Pass {
			t.Errorf("incomplete or failed result %+v", r)
		}
	}
	if x, err := os.ReadFile(filepath.Join(dir, "r.xml")); err != nil || !bytes.Contains(x, []byte("<testsuites")) {
		t.Errorf("no JUnit report: %v", err)
	}
}

func TestRunWrongExpectationExitsNonZero(t *testing.T) {
	real := catalogue
	defer func() { catalogue = real }()
	catalogue = func() []scenario.Scenario {
		var out []scenario.Scenario
		for _, s := range real() {
			if s.ID == "audience-uri-wrong" {
				s.Expect = scenario.Both(scenario.Accepts()) // deliberately wrong
			}
			out = append(out, s)
		}
		return out
	}
	var out, errb bytes.Buffer
	code := realMain([]string{"run", "--filter", "valid-login-guide-settings,audience-uri-wrong"}, &out, &errb)
	if code == 0 {
		t.Fatalf("run exited 0 with a wrong expectation:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "audience-uri-wrong") {
		t.Errorf("the table does not show the failure:\n%s", out.String())
	}
}

func TestRunIsByteStable(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.json", "b.json"} {
		var out, errb bytes.Buffer
		if code := realMain([]string{"run", "--filter", "baseline", "--seed", "7", "--json", filepath.Join(dir, name)}, &out, &errb); code != 0 {
			t.Fatalf("run exited %d: %s", code, errb.String())
		}
	}
	a, _ := os.ReadFile(filepath.Join(dir, "a.json"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.json"))
	if !bytes.Equal(a, b) {
		t.Error("two runs with the same seed and clock wrote different JSON reports")
	}
}

func TestListJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := realMain([]string{"list", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("list exited %d: %s", code, errb.String())
	}
	var doc struct {
		Scenarios []struct {
			ID, Title, Category string
			Labels, Refs        []string
			Expect              map[string]struct{ Outcome, Reason string }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Scenarios) < 150 {
		t.Errorf("%d scenarios", len(doc.Scenarios))
	}
	for _, s := range doc.Scenarios {
		if s.ID == "" || s.Title == "" || s.Category == "" || len(s.Labels) == 0 || s.Refs == nil {
			t.Errorf("incomplete entry %+v", s)
		}
		for _, p := range []string{"identity-platform", "strict"} {
			if s.Expect[p].Outcome == "" {
				t.Errorf("%s: no expectation for %s", s.ID, p)
			}
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--profile", "lenient"},
		{"run", "--at", "yesterday"},
		{"run", "--filter", "no-such-scenario"},
		{"frobnicate"},
	} {
		var out, errb bytes.Buffer
		if code := realMain(args, &out, &errb); code != 2 {
			t.Errorf("%v exited %d, want 2 (usage)", args, code)
		}
		if errb.Len() == 0 {
			t.Errorf("%v printed no explanation", args)
		}
	}
}
