package ginkgospec

import (
	"fmt"
	"log"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL

	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/external"
)

// inProcess is an InProcess target: it remembers the clock it was given,
// for the control's hint.
type inProcess struct {
	*external.Target
	at time.Time
}

// controlFailure is the setup failure when the control login fails: its
// reason, and, for a refusal on time, how to share the harness clock.
func controlFailure(name string, p scenario.Profile, r runner.Result, t runner.Target) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the valid control login (%s) failed against %s in the %s profile, so no refusal can be judged and no scenario runs:\n  expected %s, observed %s",
		runner.ControlID, name, p, r.Expected, r.Observed)
	if r.Why != "" {
		fmt.Fprintf(&b, "\n  %s", r.Why)
	}
	ip, isInProcess := t.(*inProcess)
	switch {
	case !external.RefusedOnTime(r):
		b.WriteString("\nCheck that the SP is built from the idpMetadata InProcess gives it, and that TargetSpec's SignIn, Session and User describe it.")
	case isInProcess && !ip.at.IsZero():
		fmt.Fprintf(&b, "\nThe SP refused on time: the harness clock (the mock IdP's) is frozen at %s, and the SP reads another clock. "+
			"Give the SP the same instant — for crewjam/saml, samlsp.Options.Clock = dsig.NewFakeClockAt(at) or saml.TimeNow = func() time.Time { return at } — "+
			"or pass a zero time.Time to ginkgospec.InProcess so both read the wall clock.", ip.at.Format(time.RFC3339))
	default:
		b.WriteString("\nThe SP refused on time: the harness runs on the wall clock; the SP's clock (for crewjam/saml, samlsp.Options.Clock or saml.TimeNow) must read the same time.")
	}
	return b.String()
}

// quietLogs sends the standard logger to GinkgoWriter until the specs end:
// crewjam/saml's samlsp logs every refused response there, which would
// flood the output of a catalogue run.
func quietLogs() {
	prev := log.Writer()
	log.SetOutput(GinkgoWriter)
	DeferCleanup(func() { log.SetOutput(prev) })
}
