package diagnose

import (
	"strings"
	"testing"
)

// realworld_test.go: issue 13's support-engineer traps that need no signed
// response (the altered certificate is in suites/repro, with the mock IdP).

// A Service Provider Entity Id that is not a URL (Identity Platform accepts
// any string) and an unknown profile do not stop the diagnosis: each is a
// finding, and every check still runs.
func TestUnusualSettingsAreFindings(t *testing.T) {
	t.Parallel()
	const entityID = "workspace-example"
	raw := `{"ssoProvider":"SAML","serviceProviderEntityId":"` + entityID + `","redirectUrl":"` + testRedirect + `",` +
		`"identityProviderEntityId":"` + testIssuer + `","certificates":["c"],"domains":["acme.test"],"profile":"lenient"}`
	cfg, err := ParseConfig([]byte(raw))
	if err != nil {
		t.Fatalf("ParseConfig refused unusual values: %v", err)
	}
	good := testConfig(t)
	cfg.Certificates = good.Certificates
	xml := strings.Replace(responseXML("ann@acme.test"), "<saml2:Audience>"+testSP+"<", "<saml2:Audience>"+entityID+"<", 1)
	ev, err := ParseResponse([]byte(b64(xml)))
	if err != nil {
		t.Fatal(err)
	}
	rep := Diagnose(Input{Config: cfg, Evidence: ev, At: testAt})
	if rep.Result.Reason != "SIGNATURE_MISSING" || rep.Findings[0].Code != "SIGNATURE_MISSING" {
		t.Fatalf("result %+v, first finding %+v", rep.Result, rep.Findings[0])
	}
	byCode := map[string]Finding{}
	for _, f := range rep.Findings {
		byCode[f.Code] = f
	}
	odd, ok := byCode[CodeEntityIDNotURL]
	if !ok || odd.Severity != SeverityWarning || !strings.Contains(odd.Found, entityID) {
		t.Errorf("no warning for the entity ID: %+v", rep.Findings)
	}
	if _, ok := byCode[CodeProfileUnknown]; !ok || rep.Profile != "identity-platform" {
		t.Errorf("profile %s, findings %+v", rep.Profile, rep.Findings)
	}
	if _, ok := byCode["AUDIENCE_MISMATCH"]; ok || !contains(rep.Passed, "Audience = Service Provider Entity Id") {
		t.Errorf("the audience check did not run on the value as given: passed %q", rep.Passed)
	}
	if _, ok := byCode[CodeRedirectURLNotURL]; ok {
		t.Errorf("the Redirect URL is a URL: %+v", rep.Findings)
	}
}

// An unsigned response with a structural defect: the SP stops at the
// structure, but the missing signature ranks first (no unsigned response is
// accepted), and the structural finding's title names the defect found, not
// every defect STRUCTURE stands for.
func TestMissingSignatureOutranksStructure(t *testing.T) {
	t.Parallel()
	xml := strings.Replace(responseXML("ann@acme.test"), `<saml2:Assertion ID="id2" `, `<saml2:Assertion `, 1)
	ev, err := ParseResponse([]byte(b64(xml)))
	if err != nil {
		t.Fatal(err)
	}
	rep := Diagnose(Input{Config: testConfig(t), Evidence: ev, At: testAt})
	if rep.Result.Reason != "STRUCTURE" {
		t.Fatalf("the SP answers %+v; this test needs a structural refusal", rep.Result)
	}
	if len(rep.Findings) < 2 {
		t.Fatalf("findings %+v", rep.Findings)
	}
	first, second := rep.Findings[0], rep.Findings[1]
	if first.Code != "SIGNATURE_MISSING" || first.Severity != SeverityCause || first.Title != "The response is not signed" {
		t.Errorf("first finding %+v", first)
	}
	if second.Reason != "STRUCTURE" || second.Severity != SeverityProblem {
		t.Errorf("second finding %+v", second)
	}
	if !strings.Contains(second.Title, "no ID attribute") {
		t.Errorf("the structural title does not name the defect: %q", second.Title)
	}
	for _, generic := range []string{"wrong root", "second root element", "duplicate IDs", "ambiguous assertions"} {
		if strings.Contains(second.Title, generic) {
			t.Errorf("the structural title lists %q, a defect not found: %q", generic, second.Title)
		}
	}
}

// With a signed response a structural refusal stays the cause: the
// signature rule only reorders unsigned responses.
func TestCauseReasonKeepsSPResult(t *testing.T) {
	t.Parallel()
	structure := Result{Outcome: "reject", Reason: "STRUCTURE"}
	unsigned := []Finding{{Code: "SIGNATURE_MISSING", Reason: "SIGNATURE_MISSING"}}
	if got := causeReason(structure, unsigned); got != "SIGNATURE_MISSING" {
		t.Errorf("unsigned + STRUCTURE: cause %q", got)
	}
	if got := causeReason(structure, nil); got != "STRUCTURE" {
		t.Errorf("signed + STRUCTURE: cause %q", got)
	}
	if got := causeReason(Result{Outcome: "reject", Reason: "AUDIENCE_MISMATCH"}, unsigned); got != "AUDIENCE_MISMATCH" {
		t.Errorf("AUDIENCE_MISMATCH: cause %q", got)
	}
	if got := causeReason(Result{Outcome: "accept"}, unsigned); got != "" {
		t.Errorf("accept: cause %q", got)
	}
}
