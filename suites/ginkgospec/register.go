// Package ginkgospec adds the harness's conformance catalogue to any Ginkgo
// suite: one spec per scenario and profile, judged like `samlharness run`
// (a session for whom, with the control login first).
//
// An SP team registers its own in-process SP in a few lines (the complete,
// runnable module is suites/ginkgospec/example):
//
//	// One clock for the IdP and the SP: a fixed instant makes expiry edges
//	// exact (give the SP the same: samlsp.Options.Clock or saml.TimeNow).
//	var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
//
//	func mySP(idpMetadata []byte, baseURL string) (http.Handler, external.TargetSpec, error) {
//		h, err := myapp.New(myapp.Config{BaseURL: baseURL, IdPMetadata: idpMetadata, Now: func() time.Time { return clock }})
//		return h, external.TargetSpec{
//			SP:      external.SPSpec{MetadataURL: baseURL + "/saml/metadata"},
//			SignIn:  external.URLSpec{URL: baseURL + "/login"},
//			Session: external.SessionSpec{URL: baseURL + "/whoami", Pattern: `signed in as (\S+)`},
//			User:    external.UserSpec{Email: "alice@example.com"},
//		}, err
//	}
//
//	var _ = ginkgospec.Register("my-sp", ginkgospec.InProcess(mySP, clock),
//		ginkgospec.ExcludeWorkspacePolicy())
//
// Register works at spec-tree construction (a package-level var or inside
// a container); the target is built once, in a BeforeAll, and released
// after the last spec.
//
// The control login (a valid response, as the setup guide configures the
// IdP) runs first: when it fails, the setup fails once with its reason —
// and, when the SP refused on time, with a hint about the shared clock —
// and no scenario runs, since no refusal could be judged.
//
// Scenarios labelled area:workspace-policy (WorkspacePolicyLabel) test the
// built-in workspace's own rules (allowed email domains, users assigned to
// the app, SSO per domain): a generic SP excludes them with
// ExcludeWorkspacePolicy.
//
// Logs: InProcess sends the standard logger (which crewjam/saml's samlsp
// uses for refused responses) to GinkgoWriter while the specs run, so it
// is shown only for a failed spec or with -v; route your SP's own logger
// there too (e.g. crewjam's ServiceProvider.Logger).
package ginkgospec

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/httpserve"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL

	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/external"
)

// config is what the options set.
type config struct {
	profiles []scenario.Profile
	filter   string
	seed     uint64
	timeout  time.Duration
	allow    map[string]string
	excludes []string
}

// WorkspacePolicyLabel labels the scenarios about the built-in workspace's
// own policy (allowed email domains, app assignment, SSO per domain), which
// a generic SP does not have.
const WorkspacePolicyLabel = "area:workspace-policy"

// ExcludeWorkspacePolicy leaves out the scenarios labelled
// WorkspacePolicyLabel: the option for an SP that is not a multi-tenant
// workspace with per-domain SSO. It combines with Filter.
func ExcludeWorkspacePolicy() Option {
	return func(c *config) { c.excludes = append(c.excludes, "!"+WorkspacePolicyLabel) }
}

// Option tunes Register.
type Option func(*config)

// Profiles sets the profiles whose expectations judge the target (default
// strict: the expectations of a correct SP).
func Profiles(p ...scenario.Profile) Option { return func(c *config) { c.profiles = p } }

// Filter selects scenarios as `samlharness run --filter` does.
func Filter(expr string) Option { return func(c *config) { c.filter = expr } }

// Seed sets the run's seed (default 1).
func Seed(n uint64) Option { return func(c *config) { c.seed = n } }

// Timeout bounds one scenario (default 20 s).
func Timeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// Allow lists scenarios the SP fails on purpose (ID → the policy choice):
// their specs are skipped with that reason instead of failing, and fail if
// the SP starts meeting the expectation, so the list stays true.
func Allow(choices map[string]string) Option { return func(c *config) { c.allow = choices } }

// Setup builds the target when the specs run; cleanup (may be nil) runs
// after the last.
type Setup func() (target runner.Target, cleanup func(), err error)

// Target is a Setup for a target that already exists (e.g. the built-in
// SP).
func Target(t runner.Target) Setup {
	return func() (runner.Target, func(), error) { return t, nil, nil }
}

// Register adds a container "SAML conformance: NAME" with one table per
// profile and one entry per selected scenario, labelled with the
// scenario's labels (so --label-filter selects by category, area or
// attack). It returns true so it can initialise a package-level var.
func Register(name string, setup Setup, opts ...Option) bool {
	cfg := config{profiles: []scenario.Profile{scenario.Strict}, seed: 1, timeout: 20 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	expr := strings.Join(append([]string{cfg.filter}, cfg.excludes...), ",")
	list, err := scenario.Filter(scenario.All(), expr)
	Describe("SAML conformance: "+name, Ordered, ContinueOnFailure, func() {
		if err != nil || len(list) == 0 {
			It("selects scenarios", func() {
				if err == nil {
					err = fmt.Errorf("the filter %q selects no scenario", expr)
				}
				Fail(err.Error())
			})
			return
		}
		var target runner.Target
		controlOK := map[scenario.Profile]bool{}
		// One cache of twin controls for this target: a refusal of a
		// scenario that changes the configuration counts only when that
		// configuration, without the fault, signs the genuine user in.
		runOpts := runner.Options{Seed: cfg.seed, Timeout: cfg.timeout, Twins: runner.NewTwins()}
		BeforeAll(func(ctx SpecContext) {
			t, cleanup, err := setup()
			if err != nil {
				Fail("setting up the target: " + err.Error())
			}
			if cleanup != nil {
				DeferCleanup(cleanup)
			}
			target = t
			for _, p := range cfg.profiles {
				r := runner.Control(ctx, target, p, runOpts)
				controlOK[p] = r.Verdict == runner.Pass
				AddReportEntry("control "+string(p), fmt.Sprintf("%s %s", r.Verdict, r.Why))
				if !controlOK[p] {
					// Once, here: every refusal below would prove nothing.
					Fail(controlFailure(name, p, r, target))
				}
			}
		})
		for _, p := range cfg.profiles {
			var entries []any
			for _, sc := range list {
				entries = append(entries, Entry(sc.ID, Label(sc.Labels()...), SpecTimeout(cfg.timeout+5*time.Second), sc))
			}
			body := func(ctx SpecContext, sc scenario.Scenario) {
				r := runner.RunScenario(ctx, target, sc, p, runOpts, controlOK[p])
				data, _ := json.Marshal(r)
				AddReportEntry("result", string(data), ReportEntryVisibilityNever)
				why, allowed := cfg.allow[sc.ID]
				switch {
				case r.Verdict == runner.Skipped:
					Skip(r.Why)
				case allowed && r.Verdict == runner.Pass:
					Fail(fmt.Sprintf("%s now meets its expectation: remove it from the allowed policy choices (%s)", sc.ID, why))
				case allowed && r.Verdict.IsFailure():
					Skip("allowed policy choice: " + why)
				case r.Verdict == runner.Inconclusive:
					Fail("inconclusive: " + r.Why)
				case r.Verdict != runner.Pass:
					Fail(fmt.Sprintf("%s\nexpected %s, observed %s\n%s", sc.Title, r.Expected, r.Observed, r.Why))
				}
			}
			args := append([]any{Label("profile:" + string(p)), body}, entries...)
			DescribeTable("in the "+string(p)+" profile", args...)
		}
	})
	return true
}

// InProcessSP builds the team's SP: given the mock IdP's metadata and the
// base URL the SP is served at, it returns the SP's handler and the target
// description the harness drives it by.
type InProcessSP func(idpMetadata []byte, baseURL string) (http.Handler, external.TargetSpec, error)

// InProcess is a Setup that starts a hosted mock IdP and the team's SP on
// loopback ports of the test process. at freezes the IdP's clock (give the
// SP the same; zero: both on the wall clock, and millisecond time edges
// are skipped).
func InProcess(build InProcessSP, at time.Time) Setup {
	return func() (runner.Target, func(), error) {
		quietLogs()
		now := time.Now
		if !at.IsZero() {
			now = func() time.Time { return at }
		}
		idp, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Addr: "127.0.0.1:0", Now: now})
		if err != nil {
			return nil, nil, err
		}
		if err := idp.Start(); err != nil {
			return nil, nil, err
		}
		md, err := idp.Metadata()
		if err != nil {
			idp.Close()
			return nil, nil, err
		}
		ln, err := httpserve.Listen("127.0.0.1:0")
		if err != nil {
			idp.Close()
			return nil, nil, err
		}
		base := "http://" + ln.Addr().String()
		h, spec, err := build(md, base)
		if err != nil {
			ln.Close()
			idp.Close()
			return nil, nil, err
		}
		srv := httpserve.NewServer(h, httpserve.Options{})
		go func() { _ = httpserve.Serve(srv, ln, 0) }()
		cleanup := func() {
			_ = srv.Close()
			idp.Close()
		}
		if spec.SP.MetadataURL != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			spec, err = external.ResolveMetadata(ctx, spec, now())
			cancel()
			if err != nil {
				cleanup()
				return nil, nil, err
			}
		}
		x, err := external.New(spec, idp, external.Options{FrozenClock: !at.IsZero(), InGo: true})
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		return &inProcess{Target: x, at: at}, cleanup, nil
	}
}
