package runner

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/scenario"
)

// fakeForeign is a foreign SP the test scripts: a scenario with faults is
// refused with reason(sc, p); a scenario whose Okta settings sign no
// Response (response: Unsigned) is refused whatever it carries when
// breakUnsigned is set — its configuration breaks sign-in; anything else
// signs the genuine user in.
type fakeForeign struct {
	reason        func(sc scenario.Scenario, p scenario.Profile) string
	breakUnsigned bool
	prepared      atomic.Int64
}

func (f *fakeForeign) Name() string { return "fake" }

func (f *fakeForeign) Prepare(_ context.Context, sc scenario.Scenario, p scenario.Profile, _ uint64) (*Env, error) {
	f.prepared.Add(1)
	env := &Env{Identity: "alice@acme.test", Foreign: true}
	env.Drive = func(context.Context, time.Duration) Observation {
		if f.breakUnsigned && sc.IdP.Settings["response"] == "Unsigned" {
			return Observation{Stage: StageACS, Message: "HTTP 500: the SP cannot handle this configuration"}
		}
		if len(sc.IdP.Faults) > 0 || sc.Delivery != scenario.DeliverOnce {
			return Observation{Stage: StageACS, Reason: f.reason(sc, p), Message: "HTTP 403: refused"}
		}
		return Observation{Session: true, Identity: "alice@acme.test", Stage: StageApp}
	}
	return env, nil
}

func runFake(t *testing.T, f *fakeForeign, filter string) Report {
	t.Helper()
	list, err := scenario.Filter(scenario.All(), filter)
	if err != nil || len(list) == 0 {
		t.Fatalf("filter %q: %v", filter, err)
	}
	return Run(context.Background(), f, Options{Profiles: []scenario.Profile{scenario.Strict}, Scenarios: list, Timeout: 5 * time.Second})
}

func TestForeignReasonChecks(t *testing.T) {
	t.Parallel()
	// xsw1 and xsw2 are refused in the strict profile for STRUCTURE; the
	// fake names the right reason for xsw1, another for xsw2, and none it
	// can read for xsw4.
	f := &fakeForeign{reason: func(sc scenario.Scenario, p scenario.Profile) string {
		switch sc.ID {
		case "xsw1":
			return sc.Expect[p].Reason
		case "xsw2":
			return "EXPIRED"
		}
		return ""
	}}
	rep := runFake(t, f, "xsw1,xsw2,xsw4")
	got := map[string]Result{}
	for _, r := range rep.Results {
		got[r.ID] = r
	}
	for id, want := range map[string]struct {
		v Verdict
		c ReasonCheck
	}{"xsw1": {Pass, ReasonVerified}, "xsw2": {WrongReason, ReasonWrong}, "xsw4": {Pass, ReasonNotRead}} {
		r := got[id]
		if r.Verdict != want.v || r.ReasonCheck != want.c {
			t.Errorf("%s: %s/%s (%s), want %s/%s", id, r.Verdict, r.ReasonCheck, r.Why, want.v, want.c)
		}
		if r.Provenance == "" || r.Control == "" || r.ControlPass == nil || !*r.ControlPass {
			t.Errorf("%s: provenance %q, control %q %v", id, r.Provenance, r.Control, r.ControlPass)
		}
	}
	s := rep.Summary
	if s.WrongReason != 1 || s.Failed != 1 || s.ReasonVerified != 1 || s.ReasonUnknown != 1 || rep.OK() {
		t.Errorf("summary %+v (OK %v): want one wrong reason counted as failed, one verified, one unknown", s, rep.OK())
	}
	raw, _ := json.Marshal(rep)
	for _, field := range []string{`"reasonCheck":"wrong"`, `"reasonCheck":"unknown"`, `"reasonCheck":"verified"`, `"verdict":"wrong-reason"`,
		`"wrongReason":1`, `"reasonUnknown":1`, `"provenance":`, `"control":"control"`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("the JSON report lacks %s", field)
		}
	}
}

func TestTwinControls(t *testing.T) {
	t.Parallel()
	expected := func(sc scenario.Scenario, p scenario.Profile) string { return sc.Expect[p].Reason }
	// xsw3..xsw6 add faults to Okta settings that leave the Response
	// unsigned: they share one twin, the catalogue's
	// okta-response-unsigned-assertion-signed. xsw1 changes no
	// configuration: it leans on the profile's control.
	const filter = "xsw1,xsw3,xsw4,xsw5,xsw6"

	ok := &fakeForeign{reason: expected}
	rep := runFake(t, ok, filter)
	if !rep.OK() {
		t.Fatalf("with a sound twin: %+v", rep.Summary)
	}
	twins := 0
	for _, tw := range rep.Twins {
		if tw.Name == "twin:okta-response-unsigned-assertion-signed" {
			twins++
		}
	}
	if twins != 1 || len(rep.Twins) != 1 {
		t.Errorf("twins %+v: want the one shared twin, run once", rep.Twins)
	}
	// 5 scenarios + the control + the one twin.
	if n := ok.prepared.Load(); n != 7 {
		t.Errorf("%d preparations, want 7 (the twin run once)", n)
	}

	broken := &fakeForeign{reason: expected, breakUnsigned: true}
	rep = runFake(t, broken, filter)
	for _, r := range rep.Results {
		switch r.ID {
		case "xsw1":
			if r.Verdict != Pass || r.Control != TwinControl {
				t.Errorf("xsw1: %s control %q (%s)", r.Verdict, r.Control, r.Why)
			}
		default:
			if r.Verdict != Inconclusive || r.Control != "twin:okta-response-unsigned-assertion-signed" || r.ControlPass == nil || *r.ControlPass ||
				!strings.Contains(r.Why, "twin control") || !strings.Contains(r.Why, "cannot handle this configuration") {
				t.Errorf("%s: %s control %q (%s), want inconclusive naming the twin's failure", r.ID, r.Verdict, r.Control, r.Why)
			}
		}
	}
	if rep.OK() || rep.Summary.Inconclusive != 4 {
		t.Errorf("summary %+v", rep.Summary)
	}

	// Without twins (measuring their cost) the refusals lean on the control.
	list, _ := scenario.Filter(scenario.All(), filter)
	rep = Run(context.Background(), broken, Options{Profiles: []scenario.Profile{scenario.Strict}, Scenarios: list, Timeout: 5 * time.Second, NoTwins: true})
	if !rep.OK() || len(rep.Twins) != 0 {
		t.Errorf("without twins: %+v, twins %v", rep.Summary, rep.Twins)
	}
}

func TestTwinOf(t *testing.T) {
	t.Parallel()
	byID := func(id string) scenario.Scenario { sc, _ := scenario.ByID(id); return sc }
	if _, name, ok := twinOf(byID("xsw1"), scenario.Strict); ok || name != TwinControl {
		t.Errorf("xsw1 (faults only): twin %q", name)
	}
	if _, name, ok := twinOf(byID("idp-entity-id-wrong"), scenario.Strict); ok || name != TwinControl {
		t.Errorf("idp-entity-id-wrong (configuration only): twin %q", name)
	}
	tw, name, ok := twinOf(byID("issuer-other-trusted-idp"), scenario.Strict)
	if !ok || !strings.HasPrefix(name, "twin:") || len(tw.IdP.Faults) != 0 || tw.Delivery != "" || len(tw.SP.Certificates) != 2 || tw.Expect[scenario.Strict].Outcome != scenario.Accept {
		t.Errorf("issuer-other-trusted-idp: twin %s %+v", name, tw)
	}
	_, again, _ := twinOf(byID("issuer-other-trusted-idp"), scenario.IdentityPlatform)
	if again != name {
		t.Errorf("the twin's name depends on the profile: %s vs %s", name, again)
	}
}

// TestRunScenarioTwins: scenarios run one by one (as Ginkgo suites run
// them) share one cache of twins and are held to them as Run holds them.
func TestRunScenarioTwins(t *testing.T) {
	t.Parallel()
	broken := &fakeForeign{reason: func(sc scenario.Scenario, p scenario.Profile) string { return sc.Expect[p].Reason }, breakUnsigned: true}
	list, err := scenario.Filter(scenario.All(), "xsw1,xsw3,xsw4")
	if err != nil || len(list) != 3 {
		t.Fatalf("filter: %v %d", err, len(list))
	}
	twins := NewTwins()
	opts := Options{Timeout: 5 * time.Second, Twins: twins}
	for _, sc := range list {
		r := RunScenario(context.Background(), broken, sc, scenario.Strict, opts, true)
		switch sc.ID {
		case "xsw1":
			if r.Verdict != Pass || r.Control != TwinControl {
				t.Errorf("xsw1: %s control %q (%s)", r.Verdict, r.Control, r.Why)
			}
		default:
			if r.Verdict != Inconclusive || r.Control != "twin:okta-response-unsigned-assertion-signed" || !strings.Contains(r.Why, "cannot handle this configuration") {
				t.Errorf("%s: %s control %q (%s), want inconclusive naming the twin", sc.ID, r.Verdict, r.Control, r.Why)
			}
		}
	}
	if got := twins.Results(); len(got) != 1 || got[0].Pass {
		t.Errorf("twins %+v: want the one shared twin, failed", got)
	}
	// 3 scenarios + the one twin, run once.
	if n := broken.prepared.Load(); n != 4 {
		t.Errorf("%d preparations, want 4", n)
	}
	// Without a cache, a refusal leans on the control, as before.
	r := RunScenario(context.Background(), broken, list[1], scenario.Strict, Options{Timeout: 5 * time.Second}, true)
	if r.Verdict != Pass || r.Control != TwinControl {
		t.Errorf("without twins: %s control %q (%s)", r.Verdict, r.Control, r.Why)
	}
}
