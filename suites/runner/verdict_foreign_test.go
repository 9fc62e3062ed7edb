package runner

import (
	"testing"

	"github.com/samlharness/samlharness/suites/scenario"
)

func TestJudgeForeign(t *testing.T) {
	t.Parallel()
	reject := scenario.Rejects("REPLAY")
	cases := []struct {
		name    string
		exp     scenario.Expect
		obs     Observation
		control bool
		want    Verdict
	}{
		{"refusal, reason unknown", reject, Observation{Stage: StageACS}, true, Pass},
		{"refusal, reason read", reject, Observation{Stage: StageACS, Reason: "REPLAY"}, true, Pass},
		{"refusal, wrong reason read", reject, Observation{Stage: StageACS, Reason: "EXPIRED"}, true, Fail},
		{"no control", reject, Observation{Stage: StageACS}, false, Inconclusive},
		{"SP down", reject, Observation{Stage: StageACS, Reason: string(ReasonTransport)}, true, Fail},
		{"stopped at the IdP", reject, Observation{Stage: StageIdPSSO, Reason: string(ReasonUnexpectedPage)}, true, Fail},
		{"session", reject, Observation{Session: true, Identity: "alice@acme.test"}, true, Fail},
		{"forged identity", scenario.Accepts(), Observation{Session: true, Identity: "admin@acme.test"}, true, Fail},
		{"accepted", scenario.Accepts(), Observation{Session: true, Identity: "ALICE@acme.test"}, true, Pass},
		{"IdP 403", scenario.Rejects(string(ReasonIdPAppNotAssigned)), Observation{Stage: StageIdPSSO, Reason: string(ReasonIdPAppNotAssigned)}, true, Pass},
	}
	for _, c := range cases {
		if got, why := judgeForeign(c.exp, c.obs, "alice@acme.test", nil, c.control); got != c.want {
			t.Errorf("%s: %s (%s), want %s", c.name, got, why, c.want)
		}
	}
}
