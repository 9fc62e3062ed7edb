package repro_test

// evidence_test.go: the sample evidence in fixtures/evidence, the files the
// README's diagnose examples read. They are one synthetic customer's failed
// sign-in (Globex pasted an LLM-reformatted certificate), recorded from the
// mock IdP and the built-in SP at fixed https URLs served in process, so the
// files are byte-for-byte reproducible. `-update` rewrites them; without it
// the test fails when a regenerated file differs from the committed one.
// The diagnosis is judged at the HAR's timestamp (or --at), and every
// certificate is valid for years around that pinned instant, so the
// example gives the same answer whenever it is run.

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/samlharness/samlharness/internal/pastedcert"
)

// Sample world URLs: reserved .example names, no customer's.
const (
	sampleSPURL  = "https://workspace.example"
	sampleIdPURL = "https://globex.okta.example"
)

// sampleSituation is the failure the sample evidence records.
var sampleSituation = situation{name: "sample", cause: "CERT_UNPARSEABLE", metadata: true, settings: true,
	idpURL: sampleIdPURL, spURL: sampleSPURL, sso: pasted(pastedcert.LLMRewrapped)}

// sampleFiles renders the evidence as the files fixtures/evidence holds.
func sampleFiles(t *testing.T) map[string][]byte {
	t.Helper()
	ev := reproduce(t, sampleSituation, 42)
	var settings bytes.Buffer
	if err := json.Indent(&settings, ev.settings, "", "  "); err != nil {
		t.Fatal(err)
	}
	nl := func(b []byte) []byte { return append(bytes.TrimRight(b, "\n"), '\n') }
	// The password the user typed at Okta is masked, as a HAR should be
	// before it is shared.
	har := bytes.ReplaceAll(ev.har, []byte(url.QueryEscape(customerPassword)), []byte(url.QueryEscape("********")))
	return map[string][]byte{
		"sso-settings.json":  nl(ev.config),
		"signin.har":         nl(har),
		"samlresponse.txt":   nl(ev.response),
		"okta-metadata.xml":  nl(ev.metadata),
		"okta-settings.json": nl(settings.Bytes()),
	}
}

// TestSampleEvidence regenerates fixtures/evidence twice (it must be
// deterministic), diagnoses it as the CLI does, and compares it with the
// committed files.
func TestSampleEvidence(t *testing.T) {
	t.Parallel()
	files, again := sampleFiles(t), sampleFiles(t)
	for name, b := range files {
		if !bytes.Equal(b, again[name]) {
			t.Fatalf("%s differs between two generations: the sample evidence is not deterministic", name)
		}
		for _, leak := range []string{"127.0.0.1", "localhost", customerPassword, url.QueryEscape(customerPassword)} {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("%s holds %q", name, leak)
			}
		}
	}
	ev := evidence{config: files["sso-settings.json"], har: files["signin.har"], response: files["samlresponse.txt"],
		metadata: files["okta-metadata.xml"], settings: files["okta-settings.json"]}
	for _, useResponse := range []bool{false, true} {
		rep := diagnoseEvidence(t, ev, useResponse, customerAt)
		if len(rep.Findings) == 0 || rep.Findings[0].Code != sampleSituation.cause {
			var b bytes.Buffer
			_ = rep.WriteText(&b)
			t.Fatalf("response=%v: first finding is not %s:\n%s", useResponse, sampleSituation.cause, b.String())
		}
	}
	dir := filepath.Join("..", "..", "fixtures", "evidence")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, b := range files {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("fixtures/evidence/%s differs from its regeneration (run go test ./suites/repro -run TestSampleEvidence -update after review)", name)
		}
	}
}
