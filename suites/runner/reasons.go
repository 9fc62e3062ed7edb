package runner

// Reason is a reason code the harness itself observes: the flow stopped
// before the SP gave one (at the IdP, in transport, on a page the driver
// cannot read), or the run stopped the scenario. The SP's own reasons are
// sp.Reason values; an observation carries either kind as text.
type Reason string

// Driver-side reason codes. Reasons lists them with what they mean.
const (
	ReasonIdPAppNotAssigned Reason = "IDP_APP_NOT_ASSIGNED"
	ReasonIdPBadRequest     Reason = "IDP_BAD_REQUEST"
	ReasonIdPLoginFailed    Reason = "IDP_LOGIN_FAILED"
	ReasonIdPNotFound       Reason = "IDP_NOT_FOUND"
	ReasonNotFound          Reason = "NOT_FOUND"
	ReasonUnexpectedPage    Reason = "UNEXPECTED_PAGE"
	ReasonTransport         Reason = "TRANSPORT_ERROR"
	ReasonNotLoopback       Reason = "NOT_LOOPBACK"
	ReasonNoSession         Reason = "NO_SESSION"
	ReasonTimeout           Reason = "TIMEOUT"
	ReasonMemory            Reason = "MEMORY"
)

// ReasonInfo describes one driver-side reason.
type ReasonInfo struct {
	Reason Reason
	// AtIdP marks a reason observed at the IdP: it means the same for every
	// SP, so a foreign SP's verdict compares it exactly.
	AtIdP bool
	// Unanswered marks a reason that says the target did not answer (or was
	// not allowed to be asked): never a refusal by the SP.
	Unanswered bool
	Summary    string
}

// Reasons is the table of driver-side reasons.
var Reasons = []ReasonInfo{
	{Reason: ReasonIdPAppNotAssigned, AtIdP: true, Summary: "Okta's 403 App Not Assigned page: the user is not assigned to the app"},
	{Reason: ReasonIdPBadRequest, AtIdP: true, Summary: "Okta's 400 page: the IdP could not read the SP's AuthnRequest"},
	{Reason: ReasonIdPLoginFailed, AtIdP: true, Summary: "Okta's sign-in form came back: the username or password was refused"},
	{Reason: ReasonIdPNotFound, AtIdP: true, Summary: "the IdP answered 404"},
	{Reason: ReasonNotFound, Summary: "the SP answered 404"},
	{Reason: ReasonUnexpectedPage, Summary: "a page the driver cannot read (no form, no error code, no envelope)"},
	{Reason: ReasonTransport, Unanswered: true, Summary: "the target did not answer (connection refused, reset, or the client's timeout)"},
	{Reason: ReasonNotLoopback, Unanswered: true, Summary: "the target sent the browser to an address off loopback, which the harness never contacts"},
	{Reason: ReasonNoSession, Summary: "the app shows no signed-in user"},
	{Reason: ReasonTimeout, Unanswered: true, Summary: "the scenario did not finish within the run's timeout"},
	{Reason: ReasonMemory, Summary: "the process's heap passed the run's memory limit while the scenario ran"},
}

var reasonTable = func() map[Reason]ReasonInfo {
	m := make(map[Reason]ReasonInfo, len(Reasons))
	for _, r := range Reasons {
		m[r.Reason] = r
	}
	return m
}()

// DriverReason returns the table entry of code, if it is a driver-side
// reason.
func DriverReason(code string) (ReasonInfo, bool) {
	r, ok := reasonTable[Reason(code)]
	return r, ok
}

// Observed values a result holds besides "accept" and "reject[:REASON]".
const (
	ObservedCrash      = "crash"
	ObservedSetupError = "setup-error"
	ObservedSkipped    = "skipped"
)
