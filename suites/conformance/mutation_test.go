package conformance_test

// The self-mutation proof: for every protection of the built-in SP (each
// step of sp.Checklist(), all of which can refuse), the SP is built with
// that one step switched off (sp.Config.UnsafeDisableSteps) and the
// catalogue is run against it. At least one scenario must then fail (the
// catalogue notices the protection is gone), and every scenario that turns
// into a session it did not give before must be reported as a failure by
// the verdict (a forged identity is never signed in unnoticed).
// PROTECTIONS.md lists each protection and the scenarios that catch its
// absence.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

var update = flag.Bool("update", false, "rewrite PROTECTIONS.md from this run")

// protectionsFile is the generated table of protections.
const protectionsFile = "PROTECTIONS.md"

// envMutationFull runs the whole catalogue for every disabled step instead
// of the scenarios the step could have refused (slow: 23,520 runs, 5
// minutes on 2 busy cores); it also checks that no other scenario changes.
const envMutationFull = "SAMLHARNESS_MUTATION_FULL"

// shadow says why a step's absence cannot show: an earlier step (By)
// refuses everything it would (defence in depth).
type shadow struct {
	By  string
	Why string
}

// unreachableSteps are the checklist steps no scenario can show missing on
// their own, each with the earlier step that shadows it. The test fails if
// one of them is caught after all (then it is reachable: remove it), and
// proves the mark: with By disabled the step still refuses some scenario
// correctly, and with both disabled that scenario fails.
var unreachableSteps = map[string]shadow{
	"assertion-id": {By: "ids-present",
		Why: "ids-present already refuses a Response any of whose Assertions lacks an ID, and the verified Assertion is one of those (or its verified copy, same attributes)"},
}

// mutationRun is the catalogue under one profile with one step disabled.
type mutationRun struct {
	step    sp.StepInfo
	profile scenario.Profile
	// candidates are the scenarios run: those whose baseline refusal
	// carries one of the step's reasons (or all, in full mode).
	candidates []scenario.Scenario
	report     runner.Report
}

// TestSelfMutation is issue 10's self-mutation proof (see the file comment).
//
// Which scenarios can a disabled step change? The SP runs its checklist
// fail-fast, and a disabled step still runs (its refusal is ignored), so
// only a response the step itself refused in the unmutated run can be
// answered differently; that refusal carries one of the step's declared
// reasons (sp.StepInfo.Reasons). So, per step and profile, the scenarios
// whose baseline answer is a refusal with one of those reasons are run
// again; the rest cannot change (SAMLHARNESS_MUTATION_FULL=1 runs the whole
// catalogue per step and checks that they do not).
func TestSelfMutation(t *testing.T) {
	if testing.Short() {
		t.Skip("the self-mutation proof runs the catalogue once per protection")
	}
	start := time.Now()
	ctx := context.Background()
	full := os.Getenv(envMutationFull) != ""
	all := scenario.All()
	byID := map[string]scenario.Scenario{}
	for _, sc := range all {
		byID[sc.ID] = sc
	}

	base := runner.Run(ctx, builtin.New(builtin.Config{At: clock}), runner.Options{Profiles: scenario.Profiles, Scenarios: all, Seed: seed})
	if !base.OK() {
		t.Fatalf("the unmutated built-in SP does not pass the catalogue (%+v): the proof needs a green baseline", base.Summary)
	}
	baseline := map[string]runner.Result{} // by id/profile
	for _, r := range base.Results {
		baseline[r.ID+"/"+string(r.Profile)] = r
	}

	steps := sp.Checklist()
	shadowProof := map[string][]string{}
	var runs []*mutationRun
	for _, st := range steps {
		for _, p := range st.Profiles {
			run := &mutationRun{step: st, profile: scenario.Profile(p)}
			for _, sc := range all {
				r := baseline[sc.ID+"/"+string(p)]
				if full || refusedWithOneOf(r.Observed, st.Reasons) {
					run.candidates = append(run.candidates, sc)
				}
			}
			runs = append(runs, run)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	var mu sync.Mutex
	total := 0
	for _, run := range runs {
		if len(run.candidates) == 0 {
			continue
		}
		g.Go(func() error {
			tgt := builtin.New(builtin.Config{At: clock, UnsafeDisableSteps: []string{run.step.Name}})
			run.report = runner.Run(gctx, tgt, runner.Options{Profiles: []scenario.Profile{run.profile}, Scenarios: run.candidates, Seed: seed})
			mu.Lock()
			total += len(run.candidates)
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()

	caught := map[string]map[scenario.Profile][]string{}   // step → profile → scenarios failing
	sessions := map[string]map[scenario.Profile][]string{} // … of which a session the baseline did not give
	for _, run := range runs {
		name := run.step.Name
		if caught[name] == nil {
			caught[name], sessions[name] = map[scenario.Profile][]string{}, map[scenario.Profile][]string{}
		}
		if len(run.candidates) > 0 && run.report.Controls[run.profile] != "pass" {
			t.Errorf("%s disabled [%s]: the control sign-in did not pass (%s): a disabled refusal must not break a genuine sign-in",
				name, run.profile, run.report.Controls[run.profile])
		}
		for _, r := range run.report.Results {
			b := baseline[r.ID+"/"+string(r.Profile)]
			newSession := r.Observed == string(scenario.Accept) && (b.Observed != string(scenario.Accept) || !strings.EqualFold(r.Identity, b.Identity))
			// Caught: any verdict that is not a pass (a failure, a refusal
			// judged for the wrong reason, or an inconclusive one whose
			// twin control broke because the protection is gone: each
			// fails the run); a new session must be a plain failure.
			notPass := r.Verdict != runner.Pass && r.Verdict != runner.Skipped
			switch {
			case notPass && (!newSession || r.Verdict == runner.Fail):
				caught[name][run.profile] = append(caught[name][run.profile], r.ID)
				if newSession {
					sessions[name][run.profile] = append(sessions[name][run.profile], r.ID)
				}
			case newSession:
				// The heart of the proof: a session the SP did not give
				// with the protection on, and the verdict did not notice.
				t.Errorf("%s disabled [%s]: %s now signs in %q (expected %s) and the verdict is %s, not a failure: %s",
					name, run.profile, r.ID, r.Identity, r.Expected, r.Verdict, r.Why)
			case full && (r.Observed != b.Observed || r.Verdict != b.Verdict):
				if !refusedWithOneOf(b.Observed, run.step.Reasons) {
					t.Errorf("%s disabled [%s]: %s changed from %s to %s though its baseline refusal is none of the step's reasons %v: the candidate selection is unsound",
						name, run.profile, r.ID, b.Observed, r.Observed, run.step.Reasons)
				}
			}
		}
	}

	for _, st := range steps {
		n := 0
		for _, ids := range caught[st.Name] {
			n += len(ids)
		}
		sh, marked := unreachableSteps[st.Name]
		why := sh.Why
		switch {
		case n == 0 && !marked:
			t.Errorf("protection %s (%s) disabled: no scenario fails in %v. A catalogue gap: add a scenario that only this step refuses (suites/scenario/mutation_gaps.go), or mark the step unreachable with why",
				st.Name, st.Summary, st.Profiles)
		case n > 0 && marked:
			t.Errorf("protection %s is marked unreachable (%s), but %d scenario(s) catch its absence: remove the mark", st.Name, why, n)
		}
	}
	for name, sh := range unreachableSteps {
		i := slices.IndexFunc(steps, func(s sp.StepInfo) bool { return s.Name == name })
		if i < 0 {
			t.Errorf("unreachableSteps names %q, which is no checklist step", name)
			continue
		}
		if proof := proveShadow(ctx, t, steps[i], sh, all, baseline); len(proof) == 0 {
			t.Errorf("%s is marked shadowed by %s, but no scenario is refused correctly with %s disabled and fails with both disabled", name, sh.By, sh.By)
		} else {
			shadowProof[name] = proof
		}
	}
	t.Logf("%d protections × their profiles: %d mutated scenario runs (%s) in %s",
		len(steps), total, map[bool]string{true: "whole catalogue", false: "candidates"}[full], time.Since(start).Round(time.Millisecond))

	var b bytes.Buffer
	writeProtections(&b, steps, caught, sessions, shadowProof)
	if *update {
		if err := os.WriteFile(protectionsFile, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(protectionsFile)
	if err != nil || !bytes.Equal(have, b.Bytes()) {
		t.Errorf("%s is stale: regenerate it with `go test ./suites/conformance -run TestSelfMutation -update`", protectionsFile)
	}
}

// proveShadow runs, in the step's profiles, the scenarios whose baseline
// refusal carries a reason of the step or of its shadow, once with the
// shadow disabled and once with both: it returns the scenarios (id
// [profile]) that pass with the shadow alone disabled (the step refuses
// them in its place) and fail with both.
func proveShadow(ctx context.Context, t *testing.T, st sp.StepInfo, sh shadow, all []scenario.Scenario, baseline map[string]runner.Result) []string {
	t.Helper()
	var by sp.StepInfo
	for _, s := range sp.Checklist() {
		if s.Name == sh.By {
			by = s
		}
	}
	reasons := append(slices.Clone(st.Reasons), by.Reasons...)
	var proof []string
	for _, p := range st.Profiles {
		prof := scenario.Profile(p)
		var list []scenario.Scenario
		for _, sc := range all {
			if refusedWithOneOf(baseline[sc.ID+"/"+string(prof)].Observed, reasons) {
				list = append(list, sc)
			}
		}
		run := func(disable ...string) map[string]runner.Result {
			rep := runner.Run(ctx, builtin.New(builtin.Config{At: clock, UnsafeDisableSteps: disable}),
				runner.Options{Profiles: []scenario.Profile{prof}, Scenarios: list, Seed: seed})
			out := map[string]runner.Result{}
			for _, r := range rep.Results {
				out[r.ID] = r
			}
			return out
		}
		one, both := run(sh.By), run(sh.By, st.Name)
		for _, sc := range list {
			if b := both[sc.ID].Verdict; one[sc.ID].Verdict == runner.Pass && b != runner.Pass && b != runner.Inconclusive && b != runner.Skipped {
				proof = append(proof, fmt.Sprintf("%s [%s]", sc.ID, prof))
			}
		}
	}
	sort.Strings(proof)
	return proof
}

// refusedWithOneOf reports whether an observation ("reject:REASON") is a
// refusal with one of the reasons.
func refusedWithOneOf(observed string, reasons []sp.Reason) bool {
	reason, ok := strings.CutPrefix(observed, "reject:")
	return ok && slices.Contains(reasons, sp.Reason(reason))
}

// writeProtections writes PROTECTIONS.md.
func writeProtections(w *bytes.Buffer, steps []sp.StepInfo, caught, sessions map[string]map[scenario.Profile][]string, shadowProof map[string][]string) {
	fmt.Fprintf(w, "# Protections of the built-in SP and the scenarios that catch their absence\n\n")
	fmt.Fprintf(w, "Generated by `go test ./suites/conformance -run TestSelfMutation -update` (the test fails when this file is stale).\n\n")
	fmt.Fprintf(w, "Each row is one step of the SP's checklist (`sp.Checklist()`, in order). The self-mutation test builds the built-in SP with that one step ")
	fmt.Fprintf(w, "switched off (`sp.Config.UnsafeDisableSteps`, a test-only switch) and runs the catalogue in each profile that runs the step. ")
	fmt.Fprintf(w, "*Caught by* lists the scenarios whose verdict is then not a pass (a failure, a wrong reason, or inconclusive because their twin control broke; each fails the run): the catalogue notices the protection is gone. ")
	fmt.Fprintf(w, "*Sessions* counts those where the SP, without the protection, signed someone in where it had refused: the test asserts that each of these is a FAIL, so no forged identity is signed in unnoticed. ")
	fmt.Fprintf(w, "The other caught scenarios are still refused, but for another reason or at a later step.\n\n")
	caughtSteps, marked := 0, 0
	for _, st := range steps {
		if len(caught[st.Name]) > 0 {
			caughtSteps++
		}
		if _, ok := unreachableSteps[st.Name]; ok {
			marked++
		}
	}
	fmt.Fprintf(w, "%d protections: %d caught by at least one scenario on their own, %d shadowed by an earlier step (defence in depth, proven by disabling both).\n\n", len(steps), caughtSteps, marked)
	fmt.Fprintln(w, "| # | protection (step) | concern | rule | profile | sessions | caught by |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for i, st := range steps {
		rule := string(st.Rule.Kind)
		if st.Rule.Clause != "" {
			rule += ": " + st.Rule.Clause
		}
		for j, p := range st.Profiles {
			prof := scenario.Profile(p)
			ids := slices.Clone(caught[st.Name][prof])
			sort.Strings(ids)
			cell := "—"
			if len(ids) > 0 {
				cell = fmt.Sprintf("%d: `%s`", len(ids), strings.Join(ids, "`, `"))
			}
			if sh, ok := unreachableSteps[st.Name]; ok {
				cell = fmt.Sprintf("shadowed by `%s`: %s. With `%s` disabled this step refuses in its place, and with both disabled these fail: `%s`",
					sh.By, sh.Why, sh.By, strings.Join(shadowProof[st.Name], "`, `"))
			}
			num, name, concern, r := "", "", "", ""
			if j == 0 {
				num, name, concern, r = fmt.Sprint(i+1), fmt.Sprintf("`%s`: %s", st.Name, st.Summary), string(st.Concern), rule
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d | %s |\n", num, strings.ReplaceAll(name, "|", "\\|"), concern,
				strings.ReplaceAll(r, "|", "\\|"), prof, len(sessions[st.Name][prof]), cell)
		}
	}
}
