package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/report"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// catalogue is where run and list take their scenarios from (a seam for
// tests that need a deliberately wrong expectation).
var catalogue = scenario.All

// defaultAt is the harness clock of a run unless --at says otherwise: a fixed
// instant, so the same seed gives byte-identical reports.
const defaultAt = "2026-01-15T09:30:00Z"

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "all", "SP profile: identity-platform, strict, or all")
	filter := fs.String("filter", "", "comma-separated ID globs, categories or labels (e.g. 'xsw*,area:time'); prefix ! to exclude")
	jsonOut := fs.String("json", "", "write the JSON report to `FILE`")
	junitOut := fs.String("junit", "", "write a JUnit XML report to `FILE`")
	evidence := fs.Bool("evidence", false, "include each result's evidence (SAMLResponse, API answer) in the JSON report")
	seed := fs.Uint64("seed", 1, "seed for IDs and randomness; the same seed and --at give byte-identical reports")
	at := fs.String("at", defaultAt, "the harness clock, RFC 3339, or 'now' for the wall clock")
	parallel := fs.Int("parallel", 0, "scenarios run at once (default 4 × GOMAXPROCS)")
	timeout := fs.Duration("timeout", 20*time.Second, "bound on one scenario; a scenario that hangs the SP fails")
	memoryLimit := fs.Int64("memory-limit", runner.DefaultMemoryLimit>>20, "heap `MiB` past which the scenarios in flight are stopped and failed (MEMORY); 0 for no limit")
	verbose := fs.Bool("v", false, "print each verdict as it arrives")
	twins := fs.Bool("twins", true, "hold each refusal of a scenario that adds faults to a changed configuration to its twin control (that configuration without the faults); --twins=false leans on the profile's control alone")
	var targets targetList
	fs.Var(&targets, "target", "run against `TARGET`: a target file (JSON or YAML), peer:NAME (a peer SP started on loopback) or builtin; repeat for a matrix (default: builtin)")
	htmlOut := fs.String("html", "", "write the scenario × target matrix with each failure's evidence as HTML to `FILE`")
	mdOut := fs.String("markdown", "", "write the scenario × target matrix as Markdown to `FILE`")
	idpAddr := fs.String("idp", "", "loopback `address` of the mock IdP that targets are configured against (default: the address recorded in --idp-dir)")
	idpDir := fs.String("idp-dir", hostedidp.DefaultDir(), "`DIR` of the mock IdP your SP was configured from (target files only; made by 'samlharness idp metadata'; $"+hostedidp.DirEnv+" overrides the default)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "samlharness run: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	profiles := scenario.Profiles
	if *profile != "all" {
		p, err := scenario.ParseProfile(*profile)
		if err != nil {
			fmt.Fprintln(stderr, "samlharness run:", err)
			return exitUsage
		}
		profiles = []scenario.Profile{p}
	}
	clock, err := parseAt(*at)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness run:", err)
		return exitUsage
	}
	list, err := scenario.Filter(catalogue(), *filter)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness run:", err)
		return exitUsage
	}
	if len(list) == 0 {
		fmt.Fprintf(stderr, "samlharness run: the filter %q selects no scenario ('samlharness list' shows IDs, categories and labels)\n", *filter)
		return exitUsage
	}
	if err := scenario.Check(list); err != nil {
		fmt.Fprintln(stderr, "samlharness run:", err)
		return exitUsage
	}
	if len(targets) > 0 || *htmlOut != "" || *mdOut != "" {
		return runTargets(targetRun{
			targets: targets, scenarios: list, profile: *profile, profileSet: set["profile"],
			at: *at, atSet: set["at"], seed: *seed, parallel: *parallel, timeout: *timeout, verbose: *verbose, memoryLimit: memoryLimitBytes(*memoryLimit), noTwins: !*twins,
			idpAddr: *idpAddr, idpDir: *idpDir,
			jsonOut: *jsonOut, junitOut: *junitOut, htmlOut: *htmlOut, mdOut: *mdOut, evidence: *evidence,
		}, stdout, stderr)
	}

	if err := checkReports(*jsonOut, *junitOut, "", ""); err != nil {
		return setupFailed(stderr, "run", err)
	}
	// A run is a short batch job on a machine with memory to spare, and on
	// two cores its throughput is bound by garbage collection: collect less
	// often unless the user set GOGC (measured: catalogue 17% faster).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	target := builtin.New(builtin.Config{At: clock})
	opts := runner.Options{Profiles: profiles, Scenarios: list, Parallel: *parallel, Seed: *seed, Timeout: *timeout,
		MemoryLimit: memoryLimitBytes(*memoryLimit), NoTwins: !*twins}
	done := 0
	total := len(list) * len(profiles)
	opts.Progress = func(r runner.Result) {
		done++
		if *verbose {
			fmt.Fprintf(stderr, "[%3d/%d] %-12s %-17s %s → %s\n", done, total, r.Verdict, r.Profile, r.ID, r.Observed)
		}
	}
	for _, p := range profiles {
		if c := runner.Control(ctx, target, p, opts); c.Verdict != runner.Pass {
			return setupFailed(stderr, "run", controlError(resolved{target: target}, p, c, true, clock, "", nil))
		}
	}
	fmt.Fprintf(stderr, "running %d scenario(s) × %d profile(s) against %s (clock %s, seed %d)\n",
		len(list), len(profiles), target.Name(), clock.Format(time.RFC3339), *seed)
	rep := runner.Run(ctx, target, opts)

	if err := report.WriteTable(stdout, rep); err != nil {
		fmt.Fprintln(stderr, "samlharness run:", err)
		return exitSetup
	}
	fmt.Fprintf(stderr, "finished in %s\n", rep.Elapsed.Round(time.Millisecond))
	if *jsonOut != "" {
		if err := writeFile(*jsonOut, func(w io.Writer) error { return report.WriteJSON(w, rep, *evidence) }); err != nil {
			return setupFailed(stderr, "run", &setupError{cause: "cannot write the --json report: " + err.Error(), fix: "pass --json a path in a directory you can write"})
		}
	}
	if *junitOut != "" {
		if err := writeFile(*junitOut, func(w io.Writer) error { return report.WriteJUnit(w, rep) }); err != nil {
			return setupFailed(stderr, "run", &setupError{cause: "cannot write the --junit report: " + err.Error(), fix: "pass --junit a path in a directory you can write"})
		}
	}
	if !rep.OK() {
		return exitFailed
	}
	return exitOK
}

// memoryLimitBytes turns --memory-limit (MiB, 0 for none) into
// runner.Options.MemoryLimit.
func memoryLimitBytes(mib int64) int64 {
	if mib <= 0 {
		return -1
	}
	return mib << 20
}

// parseAt reads --at.
func parseAt(s string) (time.Time, error) {
	if s == "now" {
		return time.Now().UTC().Truncate(time.Millisecond), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q is not an RFC 3339 time like %s (or 'now')", s, defaultAt)
	}
	return t.UTC(), nil
}

// writeFile writes a report, creating its directory.
func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
