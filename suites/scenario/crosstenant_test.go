package scenario

import (
	"strings"
	"testing"
)

// The cross-tenant and landing fields are checked as data: a delivery into
// another workspace needs one, a second workspace trusts a named IdP, and
// only an acceptance can say where the browser lands.
func TestValidateSecondWorkspaceAndLanding(t *testing.T) {
	base := Scenario{ID: "x", Title: "x", Category: CatProtocol, Expect: Both(Accepts())}
	for _, c := range []struct {
		name string
		edit func(*Scenario)
		want string // "" for valid
	}{
		{"plain", func(*Scenario) {}, ""},
		{"same idp", func(s *Scenario) { s.SP.SecondWorkspace = SecondWorkspaceSameIdP }, ""},
		{"into other workspace", func(s *Scenario) {
			s.SP.SecondWorkspace, s.Delivery = SecondWorkspaceOtherIdP, DeliverIntoOtherWorkspace
		}, ""},
		{"into nothing", func(s *Scenario) { s.Delivery = DeliverIntoOtherWorkspace }, "needs SP.SecondWorkspace"},
		{"unknown trust", func(s *Scenario) { s.SP.SecondWorkspace = "any-idp" }, "unknown second workspace"},
		{"unknown delivery", func(s *Scenario) { s.Delivery = "teleport" }, "unknown delivery"},
		{"landing on a refusal", func(s *Scenario) { s.Expect = Both(Rejects("AUDIENCE_MISMATCH").OnSP()) }, "cannot require where the browser lands"},
	} {
		s := base
		c.edit(&s)
		err := s.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
	if !(SPSide{SecondWorkspace: SecondWorkspaceSameIdP}).Changed() {
		t.Error("a second workspace is a change of the SP's configuration")
	}
	s := base
	s.SP.SecondWorkspace, s.Delivery = SecondWorkspaceSameIdP, DeliverIntoOtherWorkspace
	labels := strings.Join(s.Labels(), " ")
	if !strings.Contains(labels, LabelNeedsSPConfig) || !strings.Contains(labels, "delivery:into-other-workspace") {
		t.Errorf("labels %s", labels)
	}
}

// audience-cross-tenant is covered by deliveries into another workspace,
// and every such scenario has the configuration-only control in the
// catalogue; the open-redirect entry's scenarios all require landing on
// the SP.
func TestCrossTenantAndRelayStateCoverage(t *testing.T) {
	rows, err := Coverage(All())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Scenario{}
	for _, s := range All() {
		byID[s.ID] = s
	}
	row := rowOf(rows, "audience-cross-tenant")
	if row == nil || !row.Covered() || row.Pending != "" {
		t.Fatalf("audience-cross-tenant: %+v", row)
	}
	trusts := map[string]bool{}
	for _, id := range row.Scenarios {
		s := byID[id]
		if s.Delivery != DeliverIntoOtherWorkspace {
			t.Errorf("%s covers audience-cross-tenant without delivering into another workspace", id)
		}
		trusts[s.SP.SecondWorkspace] = true
	}
	for trust := range trusts {
		found := false
		for _, s := range All() {
			found = found || (s.SP.SecondWorkspace == trust && s.Delivery == DeliverOnce && len(s.IdP.Faults) == 0 && s.Expect[Strict].Outcome == Accept)
		}
		if !found {
			t.Errorf("no valid-login control for a second workspace trusting %s", trust)
		}
	}
	if !trusts[SecondWorkspaceSameIdP] || !trusts[SecondWorkspaceOtherIdP] {
		t.Errorf("cross-tenant scenarios cover trusts %v, want both", trusts)
	}
	if r := rowOf(rows, "relaystate-open-redirect"); r == nil || len(r.Scenarios) < 4 {
		t.Fatalf("relaystate-open-redirect: %+v", r)
	} else {
		for _, id := range r.Scenarios {
			for p, e := range byID[id].Expect {
				if e.Outcome != Accept || !e.LandsOnSP {
					t.Errorf("%s (%s): %s without LandsOnSP", id, p, e)
				}
			}
		}
	}
}
