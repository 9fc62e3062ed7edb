package scenario

// SPGap is a scenario whose expectation is right and which the built-in SP
// judges wrongly today, under one profile: a protection the SP lacks. The
// expectation stays as the specification or policy requires; the gap is
// listed here until the SP is fixed, and the conformance suite reports the
// scenario as skipped with this reason (and fails once the SP passes it, so
// the list cannot go stale).
type SPGap struct {
	Scenario string
	Profile  Profile
	// Now is what the SP does today; Must is what it must do.
	Now, Must string
}

var knownSPGaps = []SPGap{}

// KnownSPGaps returns the known gaps of the built-in SP.
func KnownSPGaps() []SPGap { return append([]SPGap(nil), knownSPGaps...) }

// KnownSPGap returns the gap recorded for a scenario under a profile.
func KnownSPGap(id string, p Profile) (SPGap, bool) {
	for _, g := range knownSPGaps {
		if g.Scenario == id && g.Profile == p {
			return g, true
		}
	}
	return SPGap{}, false
}
