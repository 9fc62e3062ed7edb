package scenario

import "github.com/samlharness/samlharness/sp"

// DriverReason is a reason code the harness observes outside the SP's
// signInWithIdp verdict: at the IdP, or on a page of the workspace before
// any SAMLResponse is judged. The SP's own codes are sp.Reason values.
type DriverReason string

// The driver-side reason codes.
const (
	// ReasonIdPAppNotAssigned: Okta answers its 403 App Not Assigned page.
	ReasonIdPAppNotAssigned DriverReason = "IDP_APP_NOT_ASSIGNED"
	// ReasonIdPNotFound: the IdP answers 404 at the Sign-In URL used.
	ReasonIdPNotFound DriverReason = "IDP_NOT_FOUND"
	// ReasonNotFound: the SP answers 404 where the IdP posted.
	ReasonNotFound DriverReason = "NOT_FOUND"
)

// DriverReasons documents every driver-side reason code.
var DriverReasons = map[DriverReason]string{
	ReasonIdPAppNotAssigned: "Okta refuses to sign a user in to an app they are not assigned to (403 App Not Assigned)",
	ReasonIdPNotFound:       "the Identity Provider Sign-In URL points at a path the IdP does not serve (404)",
	ReasonNotFound:          "the IdP posts to a path of the workspace that is not its Redirect URL (404)",
}

// KnownReason reports whether code is an SP reason of sp.ReasonTable or a
// driver-side reason of DriverReasons.
func KnownReason(code string) bool {
	if _, ok := sp.LookupReason(sp.Reason(code)); ok {
		return true
	}
	_, ok := DriverReasons[DriverReason(code)]
	return ok
}
