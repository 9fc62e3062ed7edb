// Package runner drives catalogue scenarios against a target SP and judges
// each by what a user would see: was a session established, for whom, and
// with which reason. The Ginkgo suites and the command line share it.
package runner

import (
	"context"
	"fmt"
	"hash/fnv"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/scenario"
)

// ControlID is the scenario every negative verdict leans on: a valid login
// against the same target configuration, in the same run.
const ControlID = "valid-login-guide-settings"

// Target is an SP the harness drives.
type Target interface {
	// Name identifies the target in reports.
	Name() string
	// Prepare builds an environment in which sc runs under profile p: the
	// IdP and SP configured as the scenario says. The Env's Close releases it.
	Prepare(ctx context.Context, sc scenario.Scenario, p scenario.Profile, seed uint64) (*Env, error)
}

// Env is one prepared environment.
type Env struct {
	// Admin, when set, signs a request in to the built-in SP's admin API
	// (Admin.Apply(req) adds its session cookie and CSRF header).
	Admin *sp.AdminCredentials
	Site  Site
	Plan  Plan
	// Identity is the email a successful sign-in must show.
	Identity string
	// Vars fill expectation placeholders ({spEntityId}, ...).
	Vars map[string]string
	// Skip, when set, is why the target cannot run the scenario.
	Skip  string
	Close func()
	// Expect, when its Outcome is set, replaces the catalogue's expectation
	// for this target (a foreign SP is judged against an adapted one; see
	// External).
	Expect scenario.Expect
	// Drive, when set, performs the sign-in instead of the built-in SP's
	// driver (SignIn).
	Drive func(ctx context.Context, timeout time.Duration) Observation
	// Foreign marks an SP whose reason codes the harness does not know: a
	// refusal is judged by "no session" (and by the target's own error
	// rules when it gives some), never by an HTTP status.
	Foreign bool
}

// Options control a run.
type Options struct {
	Profiles  []scenario.Profile
	Scenarios []scenario.Scenario
	// Parallel bounds how many scenarios run at once (default: GOMAXPROCS*4,
	// since most of a scenario's time is spent waiting on loopback I/O).
	Parallel int
	// Seed makes IDs and randomness reproducible.
	Seed uint64
	// Timeout bounds one scenario (default 20 s).
	Timeout time.Duration
	// Progress, when set, is called as each result arrives (from one
	// goroutine at a time).
	Progress func(Result)
	// MemoryLimit is the heap size (bytes) past which the scenarios in
	// flight are stopped and failed with reason MEMORY (default
	// DefaultMemoryLimit; negative: no limit).
	MemoryLimit int64
	// NoTwins turns twin controls off: refusals then lean on the profile's
	// control alone (for measuring what twins cost; see twin.go).
	NoTwins bool
	// Twins is the cache of twin controls RunScenario holds a refusal to
	// (one per target, shared by the scenarios of a suite). Run makes its
	// own unless NoTwins; RunScenario without it leans on the control.
	Twins *Twins

	watch *memoryWatch
}

// Result is the verdict on one scenario under one profile.
type Result struct {
	ID       string           `json:"id"`
	Title    string           `json:"title"`
	Category string           `json:"category"`
	Profile  scenario.Profile `json:"profile"`
	Target   string           `json:"target"`
	Expected string           `json:"expected"`
	Observed string           `json:"observed"`
	Reason   string           `json:"reason"`
	Message  string           `json:"message,omitempty"`
	Stage    string           `json:"stage,omitempty"`
	Identity string           `json:"identity,omitempty"`
	Pass     bool             `json:"pass"`
	Verdict  Verdict          `json:"verdict"`
	Why      string           `json:"why,omitempty"`
	// ReasonCheck, for a refusal, says whether its reason was verified
	// against the expectation, was another (wrong), or could not be read
	// (unknown).
	ReasonCheck ReasonCheck `json:"reasonCheck,omitempty"`
	// Provenance and Source are what the expectation rests on (see
	// scenario.Expect).
	Provenance scenario.Provenance `json:"provenance,omitempty"`
	Source     string              `json:"source,omitempty"`
	// Control names the control a refusal leans on: "control" (the
	// profile's valid login) or "twin:<hash>" (the scenario's
	// configuration without its faults); ControlPass says whether it
	// signed the genuine user in.
	Control     string            `json:"control,omitempty"`
	ControlPass *bool             `json:"controlPass,omitempty"`
	Labels      []string          `json:"labels"`
	Evidence    *Evidence         `json:"evidence,omitempty"`
	Elapsed     time.Duration     `json:"-"`
	Expect      scenario.Expect   `json:"-"`
	Vars        map[string]string `json:"-"`
}

// Summary counts verdicts.
type Summary struct {
	Total  int `json:"total"`
	Passed int `json:"passed"`
	// Failed counts every result that broke its expectation, refusals for
	// the wrong reason included.
	Failed       int `json:"failed"`
	Inconclusive int `json:"inconclusive"`
	Skipped      int `json:"skipped"`
	// WrongReason is the part of Failed refused for another reason than
	// the expected one.
	WrongReason int `json:"wrongReason"`
	// ReasonVerified and ReasonUnknown split the passing refusals: the
	// reason read matched the expectation, or none could be read.
	ReasonVerified int `json:"reasonVerified"`
	ReasonUnknown  int `json:"reasonUnknown"`
}

// Report is a whole run.
type Report struct {
	Target   string                      `json:"target"`
	Profiles []scenario.Profile          `json:"profiles"`
	Seed     uint64                      `json:"seed"`
	Controls map[scenario.Profile]string `json:"controls"`
	// Twins are the twin controls that ran (Result.Control names one),
	// by profile and name.
	Twins   []TwinResult  `json:"twins,omitempty"`
	Summary Summary       `json:"summary"`
	Results []Result      `json:"results"`
	Elapsed time.Duration `json:"-"`
}

// OK reports whether every scenario met its expectation.
func (r Report) OK() bool {
	return r.Summary.Failed == 0 && r.Summary.Inconclusive == 0
}

// VerifiedShare is the share of passing refusals whose reason was verified
// (1 when there is none).
func (s Summary) VerifiedShare() float64 {
	n := s.ReasonVerified + s.ReasonUnknown
	if n == 0 {
		return 1
	}
	return float64(s.ReasonVerified) / float64(n)
}

// Run drives every scenario under every profile against target. Results
// come back in catalogue order whatever the scheduling, so reports are
// byte-stable for a given seed and clock.
func Run(ctx context.Context, target Target, opts Options) Report {
	start := time.Now()
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0) * 4
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	rep := Report{Target: target.Name(), Profiles: opts.Profiles, Seed: opts.Seed, Controls: map[scenario.Profile]string{}}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultMemoryLimit
	}
	if opts.MemoryLimit > 0 {
		opts.watch = startMemoryWatch(uint64(opts.MemoryLimit), 20*time.Millisecond)
		defer opts.watch.stop()
	}

	// Controls first: one valid login per profile against the same target
	// configuration. Without a passing control, refusals are inconclusive.
	controlOK := map[scenario.Profile]bool{}
	for _, p := range opts.Profiles {
		r := Control(ctx, target, p, opts)
		controlOK[p] = r.Verdict == Pass
		if controlOK[p] {
			rep.Controls[p] = "pass"
		} else {
			rep.Controls[p] = "fail: " + r.Why
		}
	}

	type job struct {
		i  int
		sc scenario.Scenario
		p  scenario.Profile
	}
	var jobs []job
	for _, sc := range opts.Scenarios {
		for _, p := range opts.Profiles {
			jobs = append(jobs, job{len(jobs), sc, p})
		}
	}
	results := make([]Result, len(jobs))
	var tw *Twins
	if !opts.NoTwins {
		tw = NewTwins()
	}
	var (
		wg         sync.WaitGroup
		progressMu sync.Mutex
		work       = make(chan job)
	)
	for w := 0; w < opts.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				r := runOne(ctx, target, j.sc, j.p, opts, controlOK[j.p], tw)
				results[j.i] = r
				if opts.Progress != nil {
					progressMu.Lock()
					opts.Progress(r)
					progressMu.Unlock()
				}
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()

	rep.Results = results
	if tw != nil {
		if t := tw.Results(); len(t) > 0 {
			rep.Twins = t
		}
	}
	rep.Summary = Summarize(results)
	rep.Elapsed = time.Since(start)
	return rep
}

// Summarize counts verdicts.
func Summarize(results []Result) Summary {
	var s Summary
	for _, r := range results {
		s.Total++
		switch r.Verdict {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
		case WrongReason:
			s.Failed++
			s.WrongReason++
		case Inconclusive:
			s.Inconclusive++
		case Skipped:
			s.Skipped++
		}
		if r.Verdict == Pass {
			switch r.ReasonCheck {
			case ReasonVerified:
				s.ReasonVerified++
			case ReasonNotRead:
				s.ReasonUnknown++
			}
		}
	}
	return s
}

// Control runs the control scenario (a valid login with the guide's
// settings) under profile p.
func Control(ctx context.Context, target Target, p scenario.Profile, opts Options) Result {
	control, _ := scenario.ByID(ControlID)
	return RunScenario(ctx, target, control, p, opts, true)
}

// RunScenario runs one scenario under one profile; controlOK says whether the
// control login passed in this run (without it refusals are inconclusive).
// With opts.Twins a refusal is held to its twin control as Run holds it
// (the twin runs once per cache); without, it leans on the control alone.
func RunScenario(ctx context.Context, target Target, sc scenario.Scenario, p scenario.Profile, opts Options, controlOK bool) Result {
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	tw := opts.Twins
	if opts.NoTwins {
		tw = nil
	}
	return runOne(ctx, target, sc, p, opts, controlOK, tw)
}

// scenarioSeed derives a per-scenario seed so each scenario's IDs do not
// depend on scheduling.
func scenarioSeed(seed uint64, id string, p scenario.Profile) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s/%s", seed, id, p)
	return h.Sum64()
}

// runOne prepares, drives and judges one scenario. A panic or a hang in the
// target is a failed scenario, never a crashed runner.
func runOne(ctx context.Context, target Target, sc scenario.Scenario, p scenario.Profile, opts Options, controlOK bool, tw *Twins) (res Result) {
	exp := sc.Expect[p]
	res = Result{
		ID: sc.ID, Title: sc.Title, Category: string(sc.Category), Profile: p, Target: target.Name(),
		Expected: exp.String(), Labels: sc.Labels(), Expect: exp,
		Provenance: exp.Provenance, Source: exp.Source,
	}
	outer := ctx
	start := time.Now()
	defer func() {
		res.Elapsed = time.Since(start)
		if v := recover(); v != nil {
			res.Verdict, res.Pass = Fail, false
			res.Observed = ObservedCrash
			res.Why = fmt.Sprintf("the scenario crashed: %v\n%s", v, debug.Stack())
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	var mem *memoryTicket
	if opts.watch != nil {
		mem = opts.watch.enter(cancel)
		defer opts.watch.leave(mem)
	}
	env, err := target.Prepare(ctx, sc, p, scenarioSeed(opts.Seed, sc.ID, p))
	if err != nil {
		res.Verdict, res.Observed, res.Why = Fail, ObservedSetupError, "could not prepare the scenario: "+err.Error()
		return res
	}
	closed := false
	closeEnv := func() {
		if !closed && env.Close != nil {
			closed = true
			env.Close()
		}
	}
	defer closeEnv()
	res.Vars = env.Vars
	if env.Expect.Outcome != "" {
		exp = env.Expect
		res.Expected, res.Expect = exp.String(), exp
		if exp.Provenance != "" {
			res.Provenance, res.Source = exp.Provenance, exp.Source
		}
	}
	if env.Skip != "" {
		res.Verdict, res.Observed, res.Why = Skipped, ObservedSkipped, env.Skip
		return res
	}
	var obs Observation
	if env.Drive != nil {
		obs = env.Drive(ctx, opts.Timeout)
	} else {
		obs = SignIn(ctx, env.Site, env.Plan, opts.Timeout)
	}
	overMemory := mem != nil && mem.peak.Load() > 0
	switch {
	case overMemory:
		obs.Session = false
		obs.Reason, obs.Message = string(ReasonMemory), fmt.Sprintf("stopped: the heap reached %d MiB (limit %d MiB) while this scenario ran",
			mem.peak.Load()>>20, opts.MemoryLimit>>20)
	case ctx.Err() != nil && !obs.Session:
		obs.Reason, obs.Message = string(ReasonTimeout), fmt.Sprintf("the scenario did not finish within %s", opts.Timeout)
	}
	res.Observed, res.Reason, res.Message, res.Stage, res.Identity = observed(obs), obs.Reason, obs.Message, obs.Stage, obs.Identity
	res.Evidence = &obs.Evidence
	var j judgement
	if env.Foreign {
		j = judgeForeign(exp, obs, env.Identity, env.Vars, controlOK)
	} else {
		j = judge(exp, obs, env.Identity, env.Vars, controlOK)
	}
	res.Verdict, res.Why, res.ReasonCheck = j.verdict, j.why, j.reason
	if overMemory {
		res.Verdict, res.Why = Fail, "the target used unbounded memory: "+obs.Message
	}
	if j.reason != "" && !overMemory {
		// A refusal: name the control it leans on, and hold it to its twin.
		// The scenario's environment is released first, so a twin that
		// needs the target exclusively can run.
		closeEnv()
		res.Control, res.ControlPass = TwinControl, &controlOK
		if twin, name, ok := twinOf(sc, p); ok && tw != nil && res.Verdict != Inconclusive {
			t := tw.get(outer, target, name, twin, p, opts)
			res.Control, res.ControlPass = name, &t.Pass
			switch {
			case !t.Pass:
				res.Verdict = Inconclusive
				res.Why = fmt.Sprintf("the twin control %s (this scenario's configuration without its faults) did not meet its expectation %s — %s; so this refusal proves nothing", name, t.Expected, t.Why)
			case t.refused != "" && t.refused != exp.Reason:
				// The configuration alone is refused: a refusal for another
				// reason cannot be told apart from it.
				res.Verdict = Inconclusive
				res.Why = fmt.Sprintf("the twin control %s (this scenario's configuration without its faults) is refused for %s already, so a refusal expected for %s proves nothing", name, t.refused, exp.Reason)
			}
		}
	}
	res.Pass = res.Verdict == Pass
	// Ephemeral ports change from run to run; reports name the two sites by
	// placeholder so the same seed and clock give the same bytes.
	res.Message = placeholders(res.Message, env.Vars)
	res.Why = placeholders(res.Why, env.Vars)
	return res
}

// placeholders replaces the sites' base URLs with {sp} and {idp}.
func placeholders(s string, vars map[string]string) string {
	for _, k := range []string{"sp", "idp"} {
		if v := vars[k]; v != "" {
			s = strings.ReplaceAll(s, v, "{"+k+"}")
		}
	}
	return s
}
