package peers

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/peers/crewjamhardened"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
	"github.com/samlharness/samlharness/suites/presets"
	"github.com/samlharness/samlharness/suites/report"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/external"
)

// matrixTitle heads MATRIX.md.
const matrixTitle = "What each SAML library accepts (strict profile; regenerate: SAMLHARNESS_WRITE_MATRIX=1 go test ./suites/peers -run TestPeerMatrix)"

// clock is the run's frozen clock, shared by the IdP and the peers.
var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// hardenedChecks are the scenarios the hardened peers' own options and code
// are for: each hardened peer must refuse them, for the expected reason
// read from its page. (What the other peers do with them is documented in
// KnownFailures, not asserted.)
var hardenedChecks = map[string][]string{
	"crewjam-hardened": {
		"replay-same-browser-after-sign-out", "replay-one-time-use-assertion", // replay cache
		"okta-rsa-sha1-digest-sha1", "okta-rsa-sha1-digest-sha256", "okta-rsa-sha256-digest-sha1", "okta-rsa-sha1-response-only", // SHA-1
		"assertion-duplicated", "xsw7", // one assertion
		"condition-unknown",                                               // unknown conditions
		"encrypted-assertion-response-unsigned",                           // CBC only in a signed Response
		"cert-okta-rsa-1024",                                              // small keys
		"doctype-internal-subset",                                         // no DTD
		"saml-response-duplicated-parameter",                              // one SAMLResponse
		"response-on-redirect-binding",                                    // HTTP-POST only
		"assertion-id-equals-response-id", "assertion-id-xpath-injection", // IDs (precheck)
		"duplicate-destination-attribute", "duplicate-id-attribute", // well-formedness (precheck)
		"encrypted-assertion-beside-signed-plaintext",                    // one assertion (precheck)
		"time-session-not-on-or-after-past",                              // session bounded by SessionNotOnOrAfter
		"nameid-padded-signed-by-idp", "nameid-zero-width-signed-by-idp", // the shell's identity rule
	},
	"gosaml2-hardened": {
		"in-response-to-foreign", "in-response-to-missing-both", "in-response-to-missing-on-response", // request tracking
		"in-response-to-missing-on-scd", "in-response-to-scd-disagrees", "replay-against-new-request",
		"idp-initiated-okta-tile", "unsolicited-into-pending-request",
		"replay-same-browser-after-sign-out", "replay-one-time-use-assertion", // replay cache
		"saml-response-duplicated-parameter", "response-on-redirect-binding", "deflate-bomb-on-redirect-binding", // one POSTed SAMLResponse
		"assertion-duplicated",                                                        // one assertion
		"time-not-before-1m-ahead", "time-not-on-or-after-past", "audience-uri-wrong", // WarningInfo refused, by name
		"assertion-id-equals-response-id", "assertion-id-xpath-injection", "response-id-removed", // IDs (precheck)
		"duplicate-destination-attribute", "duplicate-id-attribute", "doctype-internal-subset", // well-formedness, no DTD (precheck)
		"saml-response-deflated-on-post", "xsw3", // XML on the POST binding, one assertion (precheck)
		"audience-missing", "audience-restrictions-all-removed", "authn-statement-removed", // profile checks on the verified assertion
		"time-issue-instant-future", "time-session-not-on-or-after-past",
		"nameid-padded-signed-by-idp", "nameid-zero-width-signed-by-idp", // the shell's identity rule
	},
}

// siblings pairs each peer written as its library's example or README with
// the careful one on the same library.
var siblings = map[string]string{"crewjam-default": "crewjam-hardened", "gosaml2": "gosaml2-hardened"}

// minVerified is the least share of passing refusals whose reason each peer's
// page must let the harness read. gosaml2's texts do not tell the
// Response's Issuer from the Assertion's and hide XML parse errors behind a
// DEFLATE error, and the example's WarningInfo.InvalidTime stands for both
// time bounds: those stay "reason unknown" (presets.Unread), so the gosaml2
// peers' floors are lower.
var minVerified = map[string]float64{"crewjam-default": 0.90, "crewjam-hardened": 0.90, "gosaml2": 0.80, "gosaml2-hardened": 0.85}

// runPeers starts every peer on loopback against one hosted IdP, writes
// each one's target file and runs the catalogue through it, exactly as
// `samlharness run --target FILE` does.
func runPeers(t testing.TB, list []scenario.Scenario) map[string]runner.Report {
	t.Helper()
	idp, err := hostedidp.OpenHostedIdP(hostedidp.HostedIdPConfig{Addr: "127.0.0.1:0", Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	dir := t.TempDir()
	out := map[string]runner.Report{}
	for i, p := range All() {
		r, err := Start(p, idp, Options{At: clock, ConfigHook: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Close)
		raw, err := json.MarshalIndent(r.Target, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, p.Name+".json")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		spec, err := external.LoadTargetFile(path)
		if err != nil {
			t.Fatal(err)
		}
		x, err := external.New(spec, idp, external.Options{FrozenClock: true, Index: i})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		rep := runner.Run(context.Background(), x, runner.Options{Profiles: []scenario.Profile{x.Profile()}, Scenarios: list, Seed: 1, Parallel: 16})
		t.Logf("%-16s %d scenarios in %s: %+v", p.Name, len(list), time.Since(start).Round(time.Millisecond), rep.Summary)
		out[p.Name] = rep
	}
	return out
}

func TestPeerMatrix(t *testing.T) {
	reps := runPeers(t, scenario.All())
	byID := func(rep runner.Report) map[string]runner.Result {
		m := map[string]runner.Result{}
		for _, r := range rep.Results {
			m[r.ID] = r
		}
		return m
	}
	for _, p := range All() {
		rep, ok := reps[p.Name]
		if !ok {
			t.Fatalf("%s did not run", p.Name)
		}
		if rep.Controls[scenario.Strict] != "pass" {
			t.Fatalf("%s: control %q", p.Name, rep.Controls[scenario.Strict])
		}
		if rep.Summary.Inconclusive != 0 {
			t.Errorf("%s: %d inconclusive", p.Name, rep.Summary.Inconclusive)
		}
		// Every failure is documented: the library's behaviour or the
		// integrator's part, with why.
		known := KnownFailures(p.Name)
		results := byID(rep)
		for _, r := range rep.Results {
			if r.Verdict.IsFailure() {
				if _, ok := known[r.ID]; !ok {
					t.Errorf("%s: %s FAIL (observed %s): %s — not in KnownFailures", p.Name, r.ID, r.Observed, r.Why)
				}
			}
		}
		for id := range known {
			if r, ok := results[id]; ok && r.Verdict == runner.Pass {
				t.Logf("%s: %s passes now; KnownFailures may drop it", p.Name, id)
			}
		}
		s := Stats(rep)
		share := float64(s.Verified) / float64(s.RejectPasses)
		t.Logf("%s: %d of %d passing refusals reason-verified (%.1f %%), %d refused for the wrong reason", p.Name, s.Verified, s.RejectPasses, 100*share, s.WrongReason)
		if share < minVerified[p.Name] {
			t.Errorf("%s: %.1f %% of passing refusals reason-verified, want at least %.0f %%", p.Name, 100*share, 100*minVerified[p.Name])
		}
	}
	// The hardened peers refuse what their own checks are for, and say why.
	for peer, ids := range hardenedChecks {
		results := byID(reps[peer])
		for _, id := range ids {
			if r := results[id]; r.Verdict != runner.Pass || r.Observed != r.Expected {
				t.Errorf("%s: %s observed %s (%s), want %s read from the page: %s", peer, id, r.Observed, r.Verdict, r.Expected, r.Why)
			}
		}
	}
	// What a demo-like peer leaves to its integrator, its careful sibling does.
	for demo, careful := range siblings {
		results := byID(reps[careful])
		for id, k := range peerKnown[demo] {
			if k.Part != PartIntegrator {
				continue
			}
			if r := results[id]; r.Verdict != runner.Pass || r.Observed != r.Expected {
				t.Errorf("%s leaves %s to the integrator (%s), but %s observed %s (%s)", demo, id, k.Why, careful, r.Observed, r.Verdict)
			}
		}
		// A failure called the library's must be one its careful sibling
		// cannot avoid either: if that sibling passes it, it is the
		// integrator's part.
		demoResults := byID(reps[demo])
		for id, k := range KnownFailures(demo) {
			if k.Part != PartLibrary || demoResults[id].Verdict != runner.Fail {
				continue
			}
			if r := results[id]; r.Verdict == runner.Pass {
				t.Errorf("%s: %s is classed as library behaviour (%s), but %s passes it: it is the integrator's part", demo, id, k.Why, careful)
			}
		}
	}

	// The hardened crewjam peer's policy choices are exactly its failures a
	// suite that reads no reasons sees (an acceptance, or a refusal where a
	// session was expected): ginkgospec's example allows exactly those.
	blind := map[string]bool{}
	for _, r := range reps["crewjam-hardened"].Results {
		if r.Verdict == runner.Fail && (r.Observed == string(scenario.Accept) || r.Expected == string(scenario.Accept)) {
			blind[r.ID] = true
		}
	}
	for id := range blind {
		if _, ok := crewjamhardened.PolicyChoices[id]; !ok {
			t.Errorf("crewjam-hardened fails %s whatever the reason, but crewjamhardened.PolicyChoices does not list it (ginkgospec's example allows only those)", id)
		}
	}
	for id := range crewjamhardened.PolicyChoices {
		if !blind[id] {
			t.Errorf("crewjamhardened.PolicyChoices lists %s, but crewjam-hardened does not fail it in a way a reason-blind suite sees", id)
		}
	}

	// Publish the matrix: reports/peers/{matrix.md,differences.md,matrix.html}.
	dir := os.Getenv("SAMLHARNESS_REPORTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "reports")
	}
	dir = filepath.Join(dir, "peers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var ordered []runner.Report
	for _, p := range All() {
		ordered = append(ordered, reps[p.Name])
	}
	write := func(name string, fn func(f *os.File) error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := fn(f); err != nil {
			t.Fatal(err)
		}
	}
	write("matrix.md", func(f *os.File) error { return WriteMatrix(f, ordered, matrixTitle) })
	// SAMLHARNESS_WRITE_MATRIX=1 regenerates suites/peers/MATRIX.md.
	if os.Getenv("SAMLHARNESS_WRITE_MATRIX") != "" {
		f, err := os.Create("MATRIX.md")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := WriteMatrix(f, ordered, matrixTitle); err != nil {
			t.Fatal(err)
		}
	}
	write("differences.md", func(f *os.File) error {
		return report.WriteTargetMatrix(f, ordered, report.MatrixOptions{Title: "Where the peer SPs differ", OnlyDifferences: true})
	})
	write("matrix.html", func(f *os.File) error {
		return report.WriteHTML(f, ordered, "Peer SPs: what each SAML library accepts")
	})
}

func TestPeerErrorRules(t *testing.T) {
	for _, p := range All() {
		rules, err := p.Errors()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := presets.Lookup(p.Preset); !ok {
			t.Fatalf("%s: preset %q", p.Name, p.Preset)
		}
		if rules.Pattern != peerkit.ReasonPattern || len(rules.Map) != 0 || rules.Preset != p.Preset {
			t.Errorf("%s: pattern %q, %d map rules, preset %q; want the shell's pattern and preset %s", p.Name, rules.Pattern, len(rules.Map), rules.Preset, p.Preset)
		}
	}
	if _, err := (Peer{Name: "x", Preset: "onelogin"}).Errors(); err == nil {
		t.Error("an unknown preset was accepted")
	}
}
