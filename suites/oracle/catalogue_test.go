package oracle

import (
	"context"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// Verdicts on the signatures of one response.
const (
	verdictValid   = "valid"
	verdictInvalid = "invalid"
	notPosted      = "not posted"
)

// checked is one catalogue response under one profile: what the built-in SP
// (goxmldsig) and xmlsec1 made of its signatures.
type checked struct {
	id       string
	profile  scenario.Profile
	expected string // the catalogue's expectation ("accept", "reject:REASON")
	observed string // what the SP did
	verdict  runner.Verdict
	category scenario.Category
	key      fixtures.KeyName // fixture key of the Okta certificate xmlsec1 trusted
	posted   bool             // the IdP posted a SAMLResponse (false: the flow stopped before)
	sigs     []Signature
	err      error // the response could not be checked
}

// spVerdict is goxmldsig's cryptographic verdict, read from the SP: a
// session means every signature the SP relied on verified with the
// configured certificate; SIGNATURE_INVALID means one did not. Any other
// outcome (a refusal by policy, shape or trust, or before the signature
// step) carries no cryptographic verdict and gives "".
func (c checked) spVerdict() string {
	switch c.observed {
	case string(scenario.Accept):
		return verdictValid
	case "reject:SIGNATURE_INVALID":
		return verdictInvalid
	}
	return ""
}

// xmlsecVerdict is valid when the response has at least one signature and
// xmlsec1 verified every one of them with the Okta certificate.
func (c checked) xmlsecVerdict() string {
	if !c.posted {
		return notPosted
	}
	if c.err != nil || len(c.sigs) == 0 {
		return verdictInvalid
	}
	for _, s := range c.sigs {
		if !s.OK {
			return verdictInvalid
		}
	}
	return verdictValid
}

// disagrees reports whether goxmldsig (through the SP) and xmlsec1 reached
// different cryptographic verdicts.
func (c checked) disagrees() bool {
	sp, xs := c.spVerdict(), c.xmlsecVerdict()
	return sp != "" && xs != notPosted && sp != xs
}

// xmlsecSummary renders xmlsec1's per-signature verdicts: "#1 Response ok,
// #2 Assertion reference digest mismatch".
func (c checked) xmlsecSummary() string {
	if !c.posted {
		return "nothing posted"
	}
	if c.err != nil {
		return "not checked: " + c.err.Error()
	}
	if len(c.sigs) == 0 {
		return "no signature"
	}
	parts := make([]string, len(c.sigs))
	for i, s := range c.sigs {
		v := "ok"
		if !s.OK {
			v = s.Failure()
		}
		parts[i] = fmt.Sprintf("#%d %s %s", s.Index, s.Parent, v)
	}
	return strings.Join(parts, ", ")
}

// oracleCategories are checked whatever they expect: where signatures are
// tampered with, wrapped or commented. Every scenario accepted under some
// profile is checked too.
var oracleCategories = map[scenario.Category]bool{
	scenario.CatSignature: true, scenario.CatWrapping: true, scenario.CatInjection: true,
}

// selectScenarios keeps the scenarios the oracle checks.
func selectScenarios() []scenario.Scenario {
	var out []scenario.Scenario
	for _, sc := range scenario.All() {
		keep := oracleCategories[sc.Category]
		for _, e := range sc.Expect {
			keep = keep || e.Outcome == scenario.Accept || strings.HasPrefix(e.Reason, "SIGNATURE_")
		}
		if keep {
			out = append(out, sc)
		}
	}
	return out
}

// signingKey names the fixture key of the certificate Okta signs with in the
// scenario, as the built-in target sets the org up: the first key, the
// rotated one once a rotation is activated, or the RSA-1024 key the
// weak-certificate scenario installs. (An "expired" or "not-yet-valid"
// certificate keeps the first key.) Faults that sign with another key
// (sign-with attacker) do not change it: that signature must fail.
func signingKey(sc scenario.Scenario) fixtures.KeyName {
	switch {
	case sc.IdP.SigningCertificate == "weak-1024":
		return fixtures.KeyWeak1024
	case sc.IdP.RotateCertificate:
		return fixtures.KeyIdPRotated
	}
	return fixtures.KeyIdPPrimary
}

// decodeResponse is the XML the browser posted: base64 (standard, as the
// binding requires; line breaks are ignored).
func decodeResponse(v string) ([]byte, error) {
	v = strings.NewReplacer("\r", "", "\n", "", " ", "").Replace(v)
	return base64.StdEncoding.DecodeString(v)
}

// TestCatalogueSignatures runs the selected scenarios against the built-in
// target (mock Okta org and workspace SP on loopback, as `samlharness run`
// does), takes the SAMLResponse the mock IdP posted for each (the runner's
// evidence: the exact bytes the browser POSTed to the Redirect URL), and
// verifies every ds:Signature in it with xmlsec1 under the Okta certificate.
//
//   - Every response the catalogue expects a profile to ACCEPT must verify
//     under xmlsec1, every signature of it.
//   - Every response the catalogue expects to be refused with
//     SIGNATURE_INVALID (tampered digest, value or content) must fail under
//     xmlsec1 too.
//
// Any response where the SP's cryptographic verdict (goxmldsig's) and
// xmlsec1's differ is a disagreement; each must be listed with an
// explanation in DISAGREEMENTS.md (rewritten with -update, explanations
// kept), or the test fails.
func TestCatalogueSignatures(t *testing.T) {
	x := needXMLSec1(t)
	ctx := context.Background()
	start := time.Now()
	scenarios := selectScenarios()
	byID := map[string]scenario.Scenario{}
	for _, sc := range scenarios {
		byID[sc.ID] = sc
	}
	rep := runner.Run(ctx, builtin.New(builtin.Config{At: at}), runner.Options{
		Profiles: scenario.Profiles, Scenarios: scenarios, Seed: 1,
	})
	runTime := time.Since(start)

	rows := make([]checked, len(rep.Results))
	byKey := map[fixtures.KeyName][]int{} // rows to verify, by the certificate they trust
	for i, r := range rep.Results {
		sc := byID[r.ID]
		rows[i] = checked{id: r.ID, profile: r.Profile, expected: sc.Expect[r.Profile].String(), observed: r.Observed,
			verdict: r.Verdict, category: sc.Category, key: signingKey(sc)}
		if r.Evidence == nil || r.Evidence.SAMLResponse == "" {
			continue // the flow stopped before the IdP posted (nothing signed)
		}
		rows[i].posted = true
		byKey[rows[i].key] = append(byKey[rows[i].key], i)
	}
	// A batch per certificate, split so both cores verify.
	g := new(errgroup.Group)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for key, idx := range byKey {
		cert := oktaCertPEM(t, key)
		for len(idx) > 0 {
			batch := idx[:min(len(idx), 40)]
			idx = idx[len(batch):]
			g.Go(func() error {
				docs := make([][]byte, len(batch))
				for j, i := range batch {
					doc, err := decodeResponse(rep.Results[i].Evidence.SAMLResponse)
					if err != nil {
						rows[i].err = fmt.Errorf("SAMLResponse is not base64: %v", err)
					}
					docs[j] = doc
				}
				res, errs, err := x.VerifyMany(ctx, docs, cert)
				if err != nil {
					return err
				}
				for j, i := range batch {
					if rows[i].err == nil {
						rows[i].sigs, rows[i].err = res[j], errs[j]
					}
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	oracleTime := time.Since(start) - runTime

	known := readExplanations(t)
	var acceptedVerified, refusedFailed, disagreements int
	var current []checked
	for _, c := range rows {
		if c.verdict != runner.Pass {
			t.Errorf("%s [%s]: the catalogue run itself did not pass (expected %s, observed %s): the comparison below assumes it does",
				c.id, c.profile, c.expected, c.observed)
		}
		switch {
		case c.expected == string(scenario.Accept) && c.xmlsecVerdict() == verdictValid:
			acceptedVerified++
		case c.expected == "reject:SIGNATURE_INVALID" && c.xmlsecVerdict() == verdictInvalid:
			refusedFailed++
		}
		if !c.disagrees() {
			continue
		}
		disagreements++
		current = append(current, c)
		why := known[rowKey(c.id, c.profile)]
		t.Logf("disagreement: %s [%s]: goxmldsig (SP %s) says %s, xmlsec1 says %s (%s)",
			c.id, c.profile, c.observed, c.spVerdict(), c.xmlsecVerdict(), c.xmlsecSummary())
		if !explained(why) {
			t.Errorf("%s [%s]: goxmldsig (the SP: %s) and xmlsec1 (%s) disagree, and DISAGREEMENTS.md does not explain it: "+
				"find out why, then run `go test ./suites/oracle/ -run TestCatalogueSignatures -update` and write the explanation in the table",
				c.id, c.profile, c.observed, c.xmlsecSummary())
		}
	}
	accepted, refused := 0, 0
	for _, c := range rows {
		if c.expected == string(scenario.Accept) {
			accepted++
		}
		if c.expected == "reject:SIGNATURE_INVALID" {
			refused++
		}
	}
	t.Logf("%d scenario(s) × %d profile(s): %d/%d accepted responses verify under xmlsec1, %d/%d SIGNATURE_INVALID responses fail under xmlsec1, %d disagreement(s); catalogue run %s, xmlsec1 %s",
		len(scenarios), len(scenario.Profiles), acceptedVerified, accepted, refusedFailed, refused, disagreements,
		runTime.Round(time.Millisecond), oracleTime.Round(time.Millisecond))
	if accepted < 60 || refused < 20 {
		t.Errorf("the oracle checked only %d accepted and %d SIGNATURE_INVALID responses: the catalogue selection is broken", accepted, refused)
	}

	report := disagreementReport{rows: rows, disagreements: current, explanations: known}
	if *update {
		writeReport(t, report)
		return
	}
	checkReportCurrent(t, report)
}
