package report

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

func sampleReport() runner.Report {
	yes := true
	saml := base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">http://www.okta.com/exk1</saml:Issuer></samlp:Response>`))
	results := []runner.Result{
		{ID: "xsw1", Title: "XSW1", Category: "signature-wrapping", Profile: scenario.IdentityPlatform, Target: "t",
			Expected: "reject:SIGNATURE_SHAPE", Observed: "reject:SIGNATURE_SHAPE", Verdict: runner.Pass, Pass: true,
			ReasonCheck: runner.ReasonVerified, Provenance: scenario.Recorded, Source: "a public capture", Control: runner.TwinControl, ControlPass: &yes},
		{ID: "xsw1", Title: "XSW1", Category: "signature-wrapping", Profile: scenario.Strict, Target: "t",
			Expected: "reject:STRUCTURE", Observed: "reject:EXPIRED", Verdict: runner.WrongReason,
			Why: "refused for the wrong reason: EXPIRED", ReasonCheck: runner.ReasonWrong, Provenance: scenario.Policy, Source: "strict profile rule",
			Control: runner.TwinControl, ControlPass: &yes, Evidence: &runner.Evidence{SAMLResponse: saml}},
		{ID: "idp-entity-id-wrong", Title: "entity", Category: "configuration", Profile: scenario.IdentityPlatform, Target: "t",
			Expected: "reject:RESPONSE_ISSUER_MISMATCH", Observed: runner.ObservedSkipped, Verdict: runner.Skipped,
			Why: "needs:sp-config: needs a change of the SP's own configuration", Provenance: scenario.Specified, Source: "SAML core 3.2.2"},
		{ID: "idp-entity-id-wrong", Title: "entity", Category: "configuration", Profile: scenario.Strict, Target: "t",
			Expected: "reject:RESPONSE_ISSUER_MISMATCH", Observed: "reject", Verdict: runner.Pass, Pass: true,
			ReasonCheck: runner.ReasonNotRead, Provenance: scenario.Specified, Source: "SAML core 3.2.2"},
	}
	return runner.Report{Target: "t", Profiles: scenario.Profiles, Results: results, Summary: runner.Summarize(results),
		Controls: map[scenario.Profile]string{scenario.IdentityPlatform: "pass", scenario.Strict: "pass"}}
}

func TestSummaryCountsReasonChecks(t *testing.T) {
	t.Parallel()
	s := sampleReport().Summary
	if s.Failed != 1 || s.WrongReason != 1 || s.ReasonVerified != 1 || s.ReasonUnknown != 1 || s.Skipped != 1 || s.Passed != 2 {
		t.Errorf("summary %+v", s)
	}
}

func TestTableShowsSkipReasonsProvenanceAndReasonShare(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteTable(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"skip: needs:sp-config: needs a change of the SP's own configuration",
		"ok reject:SIGNATURE_SHAPE [recorded]",
		"WRONG-REASON reject:EXPIRED [policy]",
		"ok reject (reason unknown) [specified]",
		"expected reject:STRUCTURE (policy: strict profile rule), observed reject:EXPIRED",
		"1 of 2 passing refusals reason-verified (50.0 %), 1 passed with the reason unknown, 1 refused for the wrong reason",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "skip skipped") {
		t.Errorf("a skip without its reason:\n%s", out)
	}
}

func TestJUnitWrongReasonAndProvenance(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJUnit(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.Failures != 1 || doc.Skipped != 1 {
		t.Errorf("failures %d skipped %d", doc.Failures, doc.Skipped)
	}
	var wrong *junitCase
	for i := range doc.Suites {
		for j := range doc.Suites[i].Cases {
			if c := &doc.Suites[i].Cases[j]; c.Failure != nil {
				wrong = c
			}
		}
	}
	if wrong == nil || wrong.Failure.Type != "wrong-reason" || !strings.Contains(wrong.Failure.Message, "wrong reason: observed reject:EXPIRED, expected reject:STRUCTURE") ||
		!strings.Contains(wrong.Failure.Body, "policy: strict profile rule") {
		t.Fatalf("wrong-reason case %+v", wrong)
	}
	props := map[string]string{}
	for _, p := range wrong.Properties.List {
		props[p.Name] = p.Value
	}
	if props["provenance"] != "policy" || props["source"] != "strict profile rule" || props["reasonCheck"] != "wrong" || props["control"] != "control pass" {
		t.Errorf("properties %v", props)
	}
}

func TestHTMLEachProfileAndIndentedEvidence(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteHTML(&b, []runner.Report{sampleReport()}, ""); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"<th>expected (identity-platform)</th><th>expected (strict)</th>",
		`reject:SIGNATURE_SHAPE <small class="prov">recorded</small>`,
		`reject:STRUCTURE <small class="prov">policy</small>`,
		"reject:EXPIRED (wrong reason)",
		"reject (reason unknown)",
		"\n  &lt;saml:Issuer", // the response, indented
		"reason check: wrong",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestIndentXML(t *testing.T) {
	t.Parallel()
	if got := indentXML("<a><b>x</b></a>"); got != "<a>\n  <b>x</b>\n</a>\n" {
		t.Errorf("indentXML = %q", got)
	}
	for _, s := range []string{"not xml", "<a><b>", ""} {
		if got := indentXML(s); got != s {
			t.Errorf("indentXML(%q) = %q, want it unchanged", s, got)
		}
	}
}
