package external

import (
	"regexp"

	"github.com/samlharness/samlharness/suites/runner"
)

// timeWords are what SPs (and SAML libraries) say when they refuse a
// response on time.
var timeWords = regexp.MustCompile(`(?i)expired|not yet valid|notbefore|notonorafter|issueinstant|clock|skew|too old|in the future|timestamp`)

// timeCodes are reason codes about validity times.
var timeCodes = regexp.MustCompile(`^(NOT_YET_VALID|EXPIRED)$|(_EXPIRED|_NOT_YET_VALID)$`)

// RefusedOnTime reports whether a result is a refusal on time: the reason
// NOT_YET_VALID or EXPIRED (or another *_EXPIRED / *_NOT_YET_VALID code),
// or a message about validity times. A control login refused that way
// means the SP and the harness do not share a clock.
func RefusedOnTime(r runner.Result) bool {
	if r.Observed == "accept" {
		return false
	}
	if timeCodes.MatchString(r.Reason) {
		return true
	}
	return timeWords.MatchString(r.Message) || timeWords.MatchString(r.Why)
}
