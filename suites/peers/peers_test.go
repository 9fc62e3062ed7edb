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
	"github.com/samlharness/samlharness/suites/report"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/external"
)

// clock is the run's frozen clock, shared by the IdP and the peers.
var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// differentiators are the scenarios that must tell the default crewjam SP
// from the hardened one: the default accepts, the hardened refuses.
var differentiators = []string{
	"replay-same-browser-after-sign-out", "replay-one-time-use-assertion", // replay cache
	"okta-rsa-sha1-digest-sha1", "okta-rsa-sha1-digest-sha256", "okta-rsa-sha256-digest-sha1", "okta-rsa-sha1-response-only", // SHA-1
	"assertion-duplicated", "xsw7", // one assertion
	"condition-unknown",                     // unknown conditions
	"encrypted-assertion-response-unsigned", // CBC only in a signed Response
	"cert-okta-rsa-1024",                    // small keys
	"doctype-internal-subset",               // no DTD
	"saml-response-duplicated-parameter",    // one SAMLResponse
}

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
	for name, rep := range reps {
		if rep.Controls[scenario.Strict] != "pass" {
			t.Fatalf("%s: control %q", name, rep.Controls[scenario.Strict])
		}
		if rep.Summary.Inconclusive != 0 {
			t.Errorf("%s: %d inconclusive", name, rep.Summary.Inconclusive)
		}
	}
	def, hard := byID(reps["crewjam-default"]), byID(reps["crewjam-hardened"])
	for _, id := range differentiators {
		d, h := def[id], hard[id]
		if d.Observed != "accept" || d.Verdict != runner.Fail {
			t.Errorf("%s: crewjam-default %s (%s), want it to accept and fail", id, d.Observed, d.Verdict)
		}
		if h.Verdict != runner.Pass || h.Observed == "accept" {
			t.Errorf("%s: crewjam-hardened %s (%s): %s", id, h.Observed, h.Verdict, h.Why)
		}
	}
	for id, r := range hard {
		if r.Verdict == runner.Pass {
			continue
		}
		if _, documented := crewjamhardened.PolicyChoices[id]; !documented {
			t.Errorf("crewjam-hardened: %s %s (observed %s): %s — not a documented policy choice", id, r.Verdict, r.Observed, r.Why)
		}
	}
	for id := range crewjamhardened.PolicyChoices {
		if r, ok := hard[id]; ok && r.Verdict == runner.Pass {
			t.Errorf("crewjam-hardened: %s passes now; drop it from PolicyChoices", id)
		}
	}
	// The hardened peer's error page names a replay: the reason is read,
	// not guessed.
	if r := hard["replay-same-browser-after-sign-out"]; r.Reason != "REPLAY" {
		t.Errorf("replay: reason %q, want REPLAY read from the page", r.Reason)
	}
	// gosaml2 tracks no requests: a response for another request signs in.
	if r := byID(reps["gosaml2"])["in-response-to-foreign"]; r.Observed != "accept" {
		t.Errorf("gosaml2 in-response-to-foreign: %s", r.Observed)
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
	ordered := []runner.Report{reps["crewjam-default"], reps["crewjam-hardened"], reps["gosaml2"]}
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
	write("matrix.md", func(f *os.File) error {
		return report.WriteTargetMatrix(f, ordered, report.MatrixOptions{Title: "What each SAML library accepts by default"})
	})
	write("differences.md", func(f *os.File) error {
		return report.WriteTargetMatrix(f, ordered, report.MatrixOptions{Title: "Where the peer SPs differ", OnlyDifferences: true})
	})
	write("matrix.html", func(f *os.File) error {
		return report.WriteHTML(f, ordered, "Peer SPs: what each SAML library accepts")
	})
}
