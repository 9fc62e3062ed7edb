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
	ext      *external.Target // for target files and peers
	file     string           // the target file, for messages
}

// runTargets runs the catalogue against each target in turn (each with
// up to --parallel scenarios at once) and writes the reports. Setup comes
// first and stops early: a target file that does not load is exit 2; an
// unwritable report, an SP that does not answer, an IdP dir that is
// missing or was never handed to an SP, a port in use or a failed control
// login is exit 3, with one message naming the cause and the fix.
func runTargets(tr targetRun, stdout, stderr io.Writer) int {
	if len(tr.targets) == 0 {
		tr.targets = []string{"builtin"}
	}
	type file struct {
		path string
		spec external.TargetSpec
	}
	var files []file
	for _, t := range tr.targets {
		if t == "builtin" || strings.HasPrefix(t, "peer:") {
			continue
		}
		spec, err := external.LoadTargetFile(t)
		if err != nil {
			fmt.Fprintln(stderr, "samlharness run:", err)
			return exitUsage
		}
		files = append(files, file{t, spec})
	}
	for _, t := range tr.targets {
		if name, ok := strings.CutPrefix(t, "peer:"); ok {
			if _, ok := peers.ByName(name); !ok {
				fmt.Fprintf(stderr, "samlharness run: no peer %q (peers: %s)\n", name, strings.Join(peers.Names(), ", "))
				return exitUsage
			}
		}
	}
	if err := checkReports(tr.jsonOut, tr.junitOut, tr.htmlOut, tr.mdOut); err != nil {
		return setupFailed(stderr, "run", err)
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
		return exitUsage
	}
	now := func() time.Time { return clock }
	frozen := atArg != "now"
	if !frozen {
		now = time.Now
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// The SPs first: a target that is down stops the run in seconds.
	for i := range files {
		if err := probeSP(ctx, files[i].path, files[i].spec); err != nil {
			return setupFailed(stderr, "run", err)
		}
		mctx, cancel := context.WithTimeout(ctx, metadataTimeout)
		files[i].spec, err = external.ResolveMetadata(mctx, files[i].spec, now())
		cancel()
		if err != nil {
			return metadataFailed(stderr, "run", files[i].path, err)
		}
	}

	var idp *hostedidp.HostedIdP
	if len(files) > 0 || hasPeer(tr.targets) {
		cfg := hostedidp.HostedIdPConfig{Addr: "127.0.0.1:0", Now: now}
		if len(files) > 0 {
			cfg = hostedidp.HostedIdPConfig{Dir: tr.idpDir, Addr: tr.idpAddr, Now: now, Existing: true}
		}
		h, err := hostedidp.OpenHostedIdP(cfg)
		if err != nil {
			return setupFailed(stderr, "run", idpDirError(tr.idpDir, err))
		}
		if !h.MetadataIssued() {
			return setupFailed(stderr, "run", &setupError{
				cause: fmt.Sprintf("the mock IdP in %s was created but its metadata was never handed out, so no SP trusts it", tr.idpDir),
				fix: fmt.Sprintf("configure your SP from `samlharness idp metadata --idp-dir %s --out idp-metadata.xml`, then run again "+
					"(if it already was, by an older samlharness, that command records it)", tr.idpDir),
			})
		}
		if w := h.Warning(); w != nil {
			fmt.Fprintln(stderr, "warning:", w)
		}
		if err := h.Start(); err != nil {
			return setupFailed(stderr, "run", idpListenError(h, tr.idpAddr, err))
		}
		defer h.Close()
		idp = h
	}

	var list []resolved
	fileIndex := 0
	for i, t := range tr.targets {
		switch {
		case t == "builtin":
			profiles := scenario.Profiles
			if tr.profile != "all" {
				profiles = []scenario.Profile{scenario.Profile(tr.profile)}
			}
			b := builtin.New(builtin.Config{At: clock})
			if !frozen {
				b = builtin.New(builtin.Config{})
			}
			list = append(list, resolved{target: b, profiles: profiles})
		case strings.HasPrefix(t, "peer:"):
			p, _ := peers.ByName(strings.TrimPrefix(t, "peer:"))
			var at time.Time
			if frozen {
				at = clock
			}
			running, err := peers.Start(p, idp, peers.Options{At: at, ConfigHook: true})
			if err != nil {
				return setupFailed(stderr, "run", err)
			}
			defer running.Close()
			x, err := external.New(running.Target, idp, external.Options{FrozenClock: frozen, Index: i})
			if err != nil {
				return setupFailed(stderr, "run", err)
			}
			list = append(list, resolved{target: x, profiles: externalProfiles(x, tr), ext: x})
		default:
			f := files[fileIndex]
			fileIndex++
			x, err := external.New(f.spec, idp, external.Options{FrozenClock: frozen && tr.atSet, Index: i})
			if err != nil {
				fmt.Fprintln(stderr, "samlharness run:", err)
				return exitUsage
			}
			list = append(list, resolved{target: x, profiles: externalProfiles(x, tr), ext: x, file: f.path})
		}
	}

	// The control login of each target and profile before any scenario:
	// without it every refusal would prove nothing.
	for _, r := range list {
		opts := runner.Options{Seed: tr.seed, Timeout: tr.timeout}
		for _, p := range r.profiles {
			c := runner.Control(ctx, r.target, p, opts)
			if c.Verdict != runner.Pass {
				return setupFailed(stderr, "run", controlError(r, p, c, frozen, clock, tr.idpDir, idp))
			}
		}
	}

	var reps []runner.Report
	ok := true
	for _, r := range list {
		opts := runner.Options{Profiles: r.profiles, Scenarios: tr.scenarios, Parallel: tr.parallel, Seed: tr.seed, Timeout: tr.timeout, MemoryLimit: tr.memoryLimit, NoTwins: tr.noTwins}
		done, total := 0, len(tr.scenarios)*len(r.profiles)
		runCtx, cancel := context.WithCancel(ctx)
		down := &downWatch{cancel: cancel}
		opts.Progress = func(res runner.Result) {
			done++
			down.see(res)
			if r.ext != nil {
				res = r.ext.ApplyAllowance(res)
			}
			if tr.verbose {
				fmt.Fprintf(stderr, "[%3d/%d] %-12s %-17s %s → %s\n", done, total, res.Verdict, res.Profile, res.ID, res.Observed)
			}
		}
		fmt.Fprintf(stderr, "running %d scenario(s) × %d profile(s) against %s (clock %s, seed %d)\n",
			len(tr.scenarios), len(r.profiles), r.target.Name(), clockName(frozen, clock), tr.seed)
		rep := runner.Run(runCtx, r.target, opts)
		cancel()
		if down.stopped {
			return setupFailed(stderr, "run", &setupError{
				cause: fmt.Sprintf("the SP of target %s stopped answering during the run (%d scenarios in a row: %s); the run was stopped", r.target.Name(), down.run, oneLine(down.last, 200)),
				fix:   "keep the SP running for the whole run, then run again",
			})
		}
		if r.ext != nil {
			r.ext.ApplyAllowances(&rep)
		}
		if err := report.WriteTable(stdout, rep); err != nil {
			fmt.Fprintln(stderr, "samlharness run:", err)
			return exitSetup
		}
		fmt.Fprintf(stdout, "\n")
		fmt.Fprintf(stderr, "%s finished in %s\n", r.target.Name(), rep.Elapsed.Round(time.Millisecond))
		ok = ok && rep.OK()
		reps = append(reps, rep)
	}
	writers := []struct {
		flag, path string
		write      func(io.Writer) error
	}{
		{"--json", tr.jsonOut, func(w io.Writer) error { return report.WriteJSONReports(w, reps, tr.evidence) }},
		{"--junit", tr.junitOut, func(w io.Writer) error { return report.WriteJUnitReports(w, reps) }},
		{"--html", tr.htmlOut, func(w io.Writer) error { return report.WriteHTML(w, reps, "") }},
		{"--markdown", tr.mdOut, func(w io.Writer) error { return report.WriteTargetMatrix(w, reps, report.MatrixOptions{}) }},
	}
	for _, wr := range writers {
		if wr.path == "" {
			continue
		}
		if err := writeFile(wr.path, wr.write); err != nil {
			return setupFailed(stderr, "run", &setupError{cause: fmt.Sprintf("cannot write the %s report: %v", wr.flag, err), fix: "pass " + wr.flag + " a path in a directory you can write"})
		}
	}
	if !ok {
		return exitFailed
	}
	return exitOK
}

func hasPeer(targets []string) bool {
	for _, t := range targets {
		if strings.HasPrefix(t, "peer:") {
			return true
		}
	}
	return false
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

// downWatch stops a run when the SP stops answering: that many scenarios
// in a row refused at the connection are a setup failure, not a verdict.
type downWatch struct {
	cancel  context.CancelFunc
	run     int
	last    string
	stopped bool
}

// downAfter is how many connection failures in a row stop a run.
const downAfter = 8

func (d *downWatch) see(r runner.Result) {
	if r.Reason != string(runner.ReasonTransport) {
		d.run = 0
		return
	}
	d.run++
	d.last = r.Message
	if d.run >= downAfter && !d.stopped {
		d.stopped = true
		d.cancel()
	}
}
