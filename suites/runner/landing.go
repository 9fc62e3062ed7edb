package runner

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/samlharness/samlharness/suites/scenario"
)

// landingProblem is why an acceptance that must end on the SP's own origin
// (scenario.Expect.LandsOnSP) fails, or "" when it does not or need not:
// the SP signed the user in but sent the browser somewhere the response
// named — a RelayState followed as an open redirect.
func landingProblem(exp scenario.Expect, o Observation, vars map[string]string) string {
	if !exp.LandsOnSP || !o.Session {
		return ""
	}
	sp := vars["sp"]
	switch {
	case sp == "":
		return "the expectation needs the SP's origin to check where the browser landed, and the target gives none ({sp})"
	case o.Landed == "":
		return "the expectation needs where the browser landed after the sign-in, and the driver recorded nothing"
	case !SameOrigin(o.Landed, sp):
		return fmt.Sprintf("the SP signed %s in, then sent the browser to %s, off its own origin %s (an open redirect)", orNone(o.Identity), o.Landed, sp)
	}
	return ""
}

// SameOrigin reports whether u is on base's origin: the same scheme, host
// and port. A URL without a scheme or host (javascript:, a relative path
// the browser never resolved) is on no origin.
func SameOrigin(u, base string) bool {
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return false
	}
	pb, err := url.Parse(base)
	if err != nil {
		return false
	}
	return strings.EqualFold(pu.Scheme, pb.Scheme) && strings.EqualFold(pu.Host, pb.Host)
}
