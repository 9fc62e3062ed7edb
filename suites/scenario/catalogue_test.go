package scenario

import (
	"errors"
	"testing"
)

func TestCatalogueIsValid(t *testing.T) {
	all := All()
	if err := Check(all); err != nil {
		t.Fatal(err)
	}
	if len(all) < 150 {
		t.Errorf("the catalogue has %d scenarios, want at least 150", len(all))
	}
	seen := map[Category]int{}
	for _, s := range all {
		seen[s.Category]++
	}
	for _, c := range Categories {
		if seen[c] == 0 {
			t.Errorf("category %s has no scenario", c)
		}
	}
}

func TestControlScenarioExists(t *testing.T) {
	s, ok := ByID("valid-login-guide-settings")
	if !ok {
		t.Fatal("the control scenario is missing")
	}
	for _, p := range Profiles {
		if s.Expect[p].Outcome != Accept {
			t.Errorf("the control must be accepted under %s", p)
		}
	}
}

func TestFilter(t *testing.T) {
	all := All()
	cases := []struct {
		filter string
		want   func(Scenario) bool
	}{
		{"xsw*", func(s Scenario) bool { return len(s.ID) >= 3 && s.ID[:3] == "xsw" }},
		{"protocol", func(s Scenario) bool { return s.Category == CatProtocol }},
		{"area:time", func(s Scenario) bool { return hasLabel(s, "area:time") }},
		{"baseline,!user-not-assigned", func(s Scenario) bool { return hasLabel(s, "baseline") && s.ID != "user-not-assigned" }},
		{"needs:sp-config", func(s Scenario) bool { return s.SP.Changed() }},
	}
	for _, c := range cases {
		got, err := Filter(all, c.filter)
		if err != nil {
			t.Fatalf("%q: %v", c.filter, err)
		}
		want := 0
		for _, s := range all {
			if c.want(s) {
				want++
			}
		}
		if len(got) != want || want == 0 {
			t.Errorf("filter %q kept %d, want %d (and more than none)", c.filter, len(got), want)
		}
	}
	if _, err := Filter(all, "[bad"); err == nil {
		t.Error("a malformed glob must be an error")
	}
	for _, f := range []string{"no-such-term-zzz", "baseline,areaa:time", "baseline,!no-such-id"} {
		if _, err := Filter(all, f); !errors.Is(err, ErrUnknownFilterTerm) {
			t.Errorf("filter %q: an unknown term must be an ErrUnknownFilterTerm, got %v", f, err)
		}
	}
}

func hasLabel(s Scenario, l string) bool {
	for _, x := range s.Labels() {
		if x == l {
			return true
		}
	}
	return false
}
