package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/peers"
	"github.com/samlharness/samlharness/suites/report"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
	"github.com/samlharness/samlharness/suites/target/external"
)

// defaultIdPDir keeps the hosted IdP's key and identity between runs.
const defaultIdPDir = ".samlharness/idp"

// targetList is the repeatable --target flag.
type targetList []string

func (t *targetList) String() string { return strings.Join(*t, ",") }

func (t *targetList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("empty target")
	}
	*t = append(*t, v)
	return nil
}

// targetRun is a run against named targets.
type targetRun struct {
	targets                           []string
	scenarios                         []scenario.Scenario
	profile                           string
	profileSet, atSet                 bool
	at                                string
	seed                              uint64
	parallel                          int
	memoryLimit                       int64
	noTwins                           bool
	timeout                           time.Duration
	verbose, evidence                 bool
	idpAddr, idpDir                   string
	jsonOut, junitOut, htmlOut, mdOut string
}

// resolved is one target ready to run, with the profiles that judge it.
type resolved struct {
	target   runner.Target
	profiles []scenario.Profile
}

// runTargets runs the catalogue against each target in turn (each with
// up to --parallel scenarios at once) and writes the reports.
func runTargets(tr targetRun, stdout, stderr io.Writer) int {
	if len(tr.targets) == 0 {
		tr.targets = []string{"builtin"}
	}
	var files []external.TargetSpec
	for _, t := range tr.targets {
		if t == "builtin" || strings.HasPrefix(t, "peer:") {
			continue
		}
		spec, err := external.LoadTargetFile(t)
		if err != nil {
			fmt.Fprintln(stderr, "samlharness run:", err)
			return 2
		}
		files = append(files, spec)
	}
	// An SP configured from `samlharness idp metadata` reads its own clock:
	// unless --at is given, the harness runs on the wall clock too.
	atArg := tr.at
	if len(files) > 0 && !tr.atSet {
		atArg = "now"
	}
	clock, err := parseAt(atArg)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness run:", err)
		return 2
	}
	now := func() time.Time { return clock }
	frozen := atArg != "now"
	if !frozen {
		now = time.Now
	}

	cfg := hostedidp.HostedIdPConfig{Addr: "127.0.0.1:0", Now: now}
	if len(files) > 0 {
		cfg = hostedidp.HostedIdPConfig{Dir: tr.idpDir, Addr: tr.idpAddr, Now: now}
	}
	var idp *hostedidp.HostedIdP
	openIdP := func() (*hostedidp.HostedIdP, error) {
		if idp != nil {
			return idp, nil
		}
		h, err := hostedidp.OpenHostedIdP(cfg)
		if err != nil {
			return nil, err
		}
		if h.Created {
			fmt.Fprintf(stderr, "created a new mock IdP in %s: configure the SP from `samlharness idp metadata` first\n", cfg.Dir)
		}
		if w := h.Warning(); w != nil {
			fmt.Fprintln(stderr, "warning:", w)
		}
		if err := h.Start(); err != nil {
			return nil, err
		}
		idp = h
		return h, nil
	}
	defer func() {
		if idp != nil {
			idp.Close()
		}
	}()

	var list []resolved
	fileIndex := 0
	for i, t := range tr.targets {
		switch {
		case t == "builtin":
			profiles := scenario.Profiles
			if tr.profile != "all" {
				profiles = []scenario.Profile{scenario.Profile(tr.profile)}
			}
			list = append(list, resolved{builtin.New(builtin.Config{At: clock}), profiles})
			if !frozen {
				list[len(list)-1].target = builtin.New(builtin.Config{})
			}
		case strings.HasPrefix(t, "peer:"):
			p, ok := peers.ByName(strings.TrimPrefix(t, "peer:"))
			if !ok {
				fmt.Fprintf(stderr, "samlharness run: no peer %q (peers: %s)\n", strings.TrimPrefix(t, "peer:"), strings.Join(peers.Names(), ", "))
				return 2
			}
			h, err := openIdP()
			if err != nil {
				fmt.Fprintln(stderr, "samlharness run:", err)
				return 1
			}
			var at time.Time
			if frozen {
				at = clock
			}
			running, err := peers.Start(p, h, peers.Options{At: at, ConfigHook: true})
			if err != nil {
				fmt.Fprintln(stderr, "samlharness run:", err)
				return 1
			}
			defer running.Close()
			x, err := external.New(running.Target, h, external.Options{FrozenClock: frozen, Index: i})
			if err != nil {
				fmt.Fprintln(stderr, "samlharness run:", err)
				return 1
			}
			list = append(list, resolved{x, externalProfiles(x, tr)})
		default:
			h, err := openIdP()
			if err != nil {
				fmt.Fprintln(stderr, "samlharness run:", err)
				return 1
			}
			x, err := external.New(files[fileIndex], h, external.Options{FrozenClock: frozen && tr.atSet, Index: i})
			fileIndex++
			if err != nil {
				fmt.Fprintln(stderr, "samlharness run:", err)
				return 2
			}
			list = append(list, resolved{x, externalProfiles(x, tr)})
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var reps []runner.Report
	ok := true
	for _, r := range list {
		opts := runner.Options{Profiles: r.profiles, Scenarios: tr.scenarios, Parallel: tr.parallel, Seed: tr.seed, Timeout: tr.timeout, MemoryLimit: tr.memoryLimit, NoTwins: tr.noTwins}
		done, total := 0, len(tr.scenarios)*len(r.profiles)
		opts.Progress = func(res runner.Result) {
			done++
			if tr.verbose {
				fmt.Fprintf(stderr, "[%3d/%d] %-12s %-17s %s → %s\n", done, total, res.Verdict, res.Profile, res.ID, res.Observed)
			}
		}
		fmt.Fprintf(stderr, "running %d scenario(s) × %d profile(s) against %s (clock %s, seed %d)\n",
			len(tr.scenarios), len(r.profiles), r.target.Name(), clockName(frozen, clock), tr.seed)
		rep := runner.Run(ctx, r.target, opts)
		if err := report.WriteTable(stdout, rep); err != nil {
			fmt.Fprintln(stderr, "samlharness run:", err)
			return 1
		}
		fmt.Fprintf(stdout, "\n")
		fmt.Fprintf(stderr, "%s finished in %s\n", r.target.Name(), rep.Elapsed.Round(time.Millisecond))
		ok = ok && rep.OK()
		reps = append(reps, rep)
	}
	writers := []struct {
		path  string
		write func(io.Writer) error
	}{
		{tr.jsonOut, func(w io.Writer) error { return report.WriteJSONReports(w, reps, tr.evidence) }},
		{tr.junitOut, func(w io.Writer) error { return report.WriteJUnitReports(w, reps) }},
		{tr.htmlOut, func(w io.Writer) error { return report.WriteHTML(w, reps, "") }},
		{tr.mdOut, func(w io.Writer) error { return report.WriteTargetMatrix(w, reps, report.MatrixOptions{}) }},
	}
	for _, wr := range writers {
		if wr.path == "" {
			continue
		}
		if err := writeFile(wr.path, wr.write); err != nil {
			fmt.Fprintln(stderr, "samlharness run:", err)
			return 1
		}
	}
	if !ok {
		return 1
	}
	return 0
}

// externalProfiles is the target's own profile unless --profile says
// otherwise.
func externalProfiles(x *external.Target, tr targetRun) []scenario.Profile {
	switch {
	case !tr.profileSet:
		return []scenario.Profile{x.Profile()}
	case tr.profile == "all":
		return scenario.Profiles
	}
	return []scenario.Profile{scenario.Profile(tr.profile)}
}

func clockName(frozen bool, at time.Time) string {
	if !frozen {
		return "wall clock"
	}
	return at.Format(time.RFC3339)
}
