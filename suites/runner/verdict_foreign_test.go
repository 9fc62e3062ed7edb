package runner

import (
	"testing"

	"github.com/samlharness/samlharness/suites/scenario"
)

func TestJudgeForeign(t *testing.T) {
	t.Parallel()
	reject := scenario.Rejects("REPLAY")
	issuer := scenario.Rejects("ISSUER_MISMATCH")
	cases := []struct {
		name    string
		exp     scenario.Expect
		obs     Observation
		control bool
		want    Verdict
		check   ReasonCheck
	}{
		{"refusal, reason unknown", reject, Observation{Stage: StageACS}, true, Pass, ReasonNotRead},
		{"refusal, reason read", reject, Observation{Stage: StageACS, Reason: "REPLAY"}, true, Pass, ReasonVerified},
		{"refusal, wrong reason read", reject, Observation{Stage: StageACS, Reason: "EXPIRED"}, true, WrongReason, ReasonWrong},
		{"refusal, a family holding the reason", issuer, Observation{Stage: StageACS, Reason: "RESPONSE_ISSUER_MISMATCH|ISSUER_MISMATCH"}, true, Pass, ReasonVerified},
		{"refusal, a family without the reason", reject, Observation{Stage: StageACS, Reason: "RESPONSE_ISSUER_MISMATCH|ISSUER_MISMATCH"}, true, WrongReason, ReasonWrong},
		{"no control", reject, Observation{Stage: StageACS}, false, Inconclusive, ReasonNotRead},
		{"SP down", reject, Observation{Stage: StageACS, Reason: string(ReasonTransport)}, true, Fail, ""},
		{"stopped at the IdP", reject, Observation{Stage: StageIdPSSO, Reason: string(ReasonUnexpectedPage)}, true, Fail, ""},
		{"session", reject, Observation{Session: true, Identity: "alice@acme.test"}, true, Fail, ""},
		{"forged identity", scenario.Accepts(), Observation{Session: true, Identity: "admin@acme.test"}, true, Fail, ""},
		{"accepted", scenario.Accepts(), Observation{Session: true, Identity: "ALICE@acme.test"}, true, Pass, ""},
		{"IdP 403", scenario.Rejects(string(ReasonIdPAppNotAssigned)), Observation{Stage: StageIdPSSO, Reason: string(ReasonIdPAppNotAssigned)}, true, Pass, ReasonVerified},
	}
	for _, c := range cases {
		j := judgeForeign(c.exp, c.obs, "alice@acme.test", nil, c.control)
		if j.verdict != c.want || j.reason != c.check {
			t.Errorf("%s: %s/%q (%s), want %s/%q", c.name, j.verdict, j.reason, j.why, c.want, c.check)
		}
	}
}

func TestReasonSet(t *testing.T) {
	t.Parallel()
	if got := ReasonSet("A|B"); len(got) != 2 || got[0] != "A" || got[1] != "B" {
		t.Errorf("ReasonSet = %v", got)
	}
	if ReasonSet("") != nil {
		t.Error("an empty reason is a set")
	}
	if checkReason("A|B", "B") != ReasonVerified || checkReason("A|B", "C") != ReasonWrong || checkReason("", "C") != ReasonNotRead {
		t.Error("checkReason")
	}
}
