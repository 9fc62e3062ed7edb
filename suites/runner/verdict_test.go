package runner

import (
	"strings"
	"testing"

	"github.com/samlharness/samlharness/suites/scenario"
)

func TestJudge(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"spEntityId": "http://127.0.0.1:1"}
	session := Observation{Session: true, Identity: "alice@acme.test", Stage: StageApp}
	refused := Observation{Reason: "AUDIENCE_MISMATCH", Stage: StageSignIn,
		Message: "INVALID_IDP_RESPONSE : All <AudienceRestriction>s should contain the SAML RP entity ID: 'http://127.0.0.1:1'."}
	cases := []struct {
		name      string
		exp       scenario.Expect
		obs       Observation
		controlOK bool
		want      Verdict
		why       string
	}{
		{"accept met", scenario.Accepts(), session, true, Pass, ""},
		{"accept not met", scenario.Accepts(), refused, true, Fail, "expected a session"},
		{"forged identity fails even when acceptance was expected", scenario.Accepts(),
			Observation{Session: true, Identity: "admin@acme.test"}, true, Fail, "signed in admin@acme.test"},
		{"identity compared case-insensitively", scenario.Accepts(),
			Observation{Session: true, Identity: "ALICE@acme.test"}, true, Pass, ""},
		{"reject met with exact message", scenario.RejectsWith("AUDIENCE_MISMATCH", scenario.MsgAudience), refused, true, Pass, ""},
		{"reject but accepted", scenario.Rejects("AUDIENCE_MISMATCH"), session, true, Fail, "the SP signed in"},
		{"reject for the wrong reason", scenario.Rejects("EXPIRED"), refused, true, WrongReason, "wrong reason"},
		{"reject with a different message", scenario.RejectsWith("AUDIENCE_MISMATCH", "INVALID_IDP_RESPONSE : other"), refused, true, Fail, "message differs"},
		{"reject without a control is inconclusive", scenario.Rejects("AUDIENCE_MISMATCH"), refused, false, Inconclusive, "control"},
		{"an acceptance stays a failure without a control", scenario.Rejects("AUDIENCE_MISMATCH"), session, false, Fail, ""},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			j := judge(c.exp, c.obs, "alice@acme.test", vars, c.controlOK)
			got, why := j.verdict, j.why
			if got != c.want {
				t.Fatalf("verdict %s (%s), want %s", got, why, c.want)
			}
			if !strings.Contains(why, c.why) {
				t.Errorf("why %q does not mention %q", why, c.why)
			}
		})
	}
}

func TestObserved(t *testing.T) {
	t.Parallel()
	if got := observed(Observation{Session: true}); got != "accept" {
		t.Errorf("observed = %q", got)
	}
	if got := observed(Observation{Reason: "REPLAY"}); got != "reject:REPLAY" {
		t.Errorf("observed = %q", got)
	}
}

// The built-in SP names every refusal's reason: a refusal is verified or
// wrong, never unknown.
func TestJudgeReasonCheckBuiltin(t *testing.T) {
	t.Parallel()
	refused := Observation{Reason: "AUDIENCE_MISMATCH", Stage: StageSignIn}
	if j := judge(scenario.Rejects("AUDIENCE_MISMATCH"), refused, "alice@acme.test", nil, true); j.verdict != Pass || j.reason != ReasonVerified {
		t.Errorf("matching reason: %s/%s", j.verdict, j.reason)
	}
	if j := judge(scenario.Rejects("EXPIRED"), refused, "alice@acme.test", nil, true); j.verdict != WrongReason || j.reason != ReasonWrong || !j.verdict.IsFailure() {
		t.Errorf("other reason: %s/%s", j.verdict, j.reason)
	}
	if j := judge(scenario.Rejects("EXPIRED"), Observation{Stage: StageSignIn}, "alice@acme.test", nil, true); j.reason != ReasonWrong {
		t.Errorf("no reason from the built-in SP: %s, want wrong", j.reason)
	}
	if j := judge(scenario.Accepts(), Observation{Session: true, Identity: "alice@acme.test"}, "alice@acme.test", nil, true); j.reason != "" {
		t.Errorf("an acceptance has a reason check %q", j.reason)
	}
}
