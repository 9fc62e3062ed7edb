package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestListJSONCarriesProvenance(t *testing.T) {
	var out, errb bytes.Buffer
	if code := realMain([]string{"list", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("list exited %d: %s", code, errb.String())
	}
	var doc struct {
		Scenarios []struct {
			ID     string
			Covers []string
			Expect map[string]struct{ Outcome, Reason, Message, Provenance, Source string }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Scenarios {
		if s.Covers == nil {
			t.Errorf("%s: no covers array", s.ID)
		}
		for _, p := range []string{"identity-platform", "strict"} {
			e := s.Expect[p]
			switch e.Provenance {
			case "recorded", "specified", "policy", "assumed":
			default:
				t.Errorf("%s/%s: provenance %q", s.ID, p, e.Provenance)
			}
			if e.Source == "" {
				t.Errorf("%s/%s: no source", s.ID, p)
			}
		}
	}
}

func TestListProvenance(t *testing.T) {
	var out, errb bytes.Buffer
	if code := realMain([]string{"list", "--provenance", "assumed", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("list exited %d: %s", code, errb.String())
	}
	var doc struct {
		Provenance   string
		Expectations []struct{ ID, Profile, Outcome, Provenance, Source string }
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Provenance != "assumed" || len(doc.Expectations) == 0 {
		t.Fatalf("got %d expectations of %q", len(doc.Expectations), doc.Provenance)
	}
	for _, e := range doc.Expectations {
		if e.Provenance != "assumed" || e.Source == "" {
			t.Errorf("%+v is not an assumed expectation with its reason", e)
		}
	}
	out.Reset()
	if code := realMain([]string{"list", "--provenance", "recorded"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "recorded expectations") {
		t.Errorf("text listing exited %d: %s", code, out.String())
	}
	if code := realMain([]string{"list", "--provenance", "rumour"}, &out, &errb); code != 2 {
		t.Errorf("an unknown provenance exited %d, want 2", code)
	}
}

func TestListCoverageJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := realMain([]string{"list", "--coverage", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("list exited %d: %s", code, errb.String())
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"total", "covered", "notApplicable", "entries"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q key", k)
		}
	}
	if len(doc) != 4 {
		t.Errorf("keys %d, want exactly total, covered, notApplicable, entries", len(doc))
	}
	var cov struct {
		Total, Covered, NotApplicable int
		Entries                       []map[string]json.RawMessage
	}
	if err := json.Unmarshal(out.Bytes(), &cov); err != nil {
		t.Fatal(err)
	}
	if cov.Total != 207 || len(cov.Entries) != 207 {
		t.Errorf("total %d, entries %d, want 207", cov.Total, len(cov.Entries))
	}
	covered, na := 0, 0
	for _, e := range cov.Entries {
		if len(e) != 4 {
			t.Errorf("entry %s has %d keys, want id, family, scenarios, notApplicable", e["id"], len(e))
		}
		var sc []string
		var reason string
		_ = json.Unmarshal(e["scenarios"], &sc)
		_ = json.Unmarshal(e["notApplicable"], &reason)
		if len(sc) > 0 {
			covered++
		} else if reason != "" {
			na++
		}
	}
	if covered != cov.Covered || na != cov.NotApplicable {
		t.Errorf("counts %d/%d do not match the entries %d/%d", cov.Covered, cov.NotApplicable, covered, na)
	}
	out.Reset()
	if code := realMain([]string{"list", "--coverage"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "207 entries") {
		t.Errorf("text table exited %d: %s", code, out.String())
	}
}
