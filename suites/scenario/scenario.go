// Package scenario is the harness's catalogue: every valid and broken SAML
// response the harness knows, as data. One entry feeds the Ginkgo tables, the
// command line and the reports. Adding a scenario is adding an entry.
package scenario

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp/fault"
)

// Profile names an SP behaviour profile.
type Profile string

// The SP profiles every scenario states an expectation for.
const (
	// IdentityPlatform models Google Identity Platform: what public sources
	// record of it (Recipient unchecked, expired IdP certificates accepted,
	// the messages of build.go), and our assumptions where nothing is
	// recorded. Each expectation's Provenance says which.
	IdentityPlatform Profile = "identity-platform"
	// Strict also enforces everything the SAML specifications and the
	// attack catalogue require.
	Strict Profile = "strict"
)

// Profiles lists the profiles in report order.
var Profiles = []Profile{IdentityPlatform, Strict}

// ParseProfile accepts a profile name.
func ParseProfile(s string) (Profile, error) {
	for _, p := range Profiles {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown profile %q (want one of %s)", s, profileNames())
}

func profileNames() string {
	n := make([]string, len(Profiles))
	for i, p := range Profiles {
		n[i] = string(p)
	}
	return strings.Join(n, ", ")
}

// Outcome is what the SP must do with the response.
type Outcome string

// Outcomes.
const (
	Accept Outcome = "accept"
	Reject Outcome = "reject"
)

// Expect is the expected outcome under one profile.
type Expect struct {
	Outcome Outcome `json:"outcome"`
	// Reason is the SP's stable reason code for a rejection (e.g.
	// AUDIENCE_MISMATCH), or a driver-side code when the flow stops before
	// the SP (IDP_APP_NOT_ASSIGNED).
	Reason string `json:"reason,omitempty"`
	// Message, when set, is the exact Identity Platform message the SP must
	// return. It may hold placeholders filled from the run's environment:
	// {spEntityId}, {redirectUrl}, {idpEntityId}, {providerId}.
	Message string `json:"message,omitempty"`
	// LandsOnSP, on an acceptance, also requires that the browser ends the
	// sign-in on the SP's own origin: the last page it was sent to after the
	// response (the end of the redirect chain from the ACS and the app) is
	// the SP's, not a URL the response carried (an open redirect).
	LandsOnSP bool `json:"landsOnSP,omitempty"`
	// Identity is the email the session must belong to on acceptance; empty
	// means the signing-in user's own email. A session for any other identity
	// (e.g. a forged NameID) fails the scenario whatever is expected.
	Identity string `json:"identity,omitempty"`
	// Provenance says what the expectation rests on: recorded (Source names
	// the public document, issue or capture showing Identity Platform do it),
	// specified (Source cites the SAML / XML-DSig clause), policy (Source
	// names the workspace's or the profile's rule) or assumed (Source gives
	// the reason for our choice). Catalogue entries left without one get the
	// default of provenance.go when they are added.
	Provenance Provenance `json:"provenance,omitempty"`
	Source     string     `json:"source,omitempty"`
}

// String renders the expectation compactly: "accept" or "reject:REASON".
func (e Expect) String() string {
	if e.Outcome == Reject {
		return "reject:" + e.Reason
	}
	return string(e.Outcome)
}

// Accepts is the expectation of a successful sign-in.
func Accepts() Expect { return Expect{Outcome: Accept} }

// Rejects is the expectation of a refusal with the given reason code: an SP
// reason (sp.ReasonAudienceMismatch …) or a driver-side one (DriverReason).
func Rejects[R ~string](reason R) Expect { return Expect{Outcome: Reject, Reason: string(reason)} }

// RejectsWith is Rejects with the exact Identity Platform message.
func RejectsWith[R ~string](reason R, message string) Expect {
	return Expect{Outcome: Reject, Reason: string(reason), Message: message}
}

// OnSP returns the expectation requiring the browser to end on the SP's
// own origin (LandsOnSP).
func (e Expect) OnSP() Expect {
	e.LandsOnSP = true
	return e
}

// Because returns the expectation with its provenance and source set.
func (e Expect) Because(p Provenance, source string) Expect {
	e.Provenance, e.Source = p, source
	return e
}

// Both gives the same expectation under every profile.
func Both(e Expect) map[Profile]Expect {
	return map[Profile]Expect{IdentityPlatform: e, Strict: e}
}

// Split gives different expectations under identity-platform and strict.
func Split(identityPlatform, strict Expect) map[Profile]Expect {
	return map[Profile]Expect{IdentityPlatform: identityPlatform, Strict: strict}
}

// Scenario is one catalogue entry.
type Scenario struct {
	// ID is stable kebab-case; reports and regression gates key on it.
	ID       string
	Title    string
	Category Category
	// Labels come from the closed vocabulary in labels.go; the category,
	// needs:sp-config and attack: labels are added by Labels().
	Tags []string
	// Refs are spec clauses, CVEs and advisories.
	Refs []string
	// Covers names the attack-catalogue entries (AttackEntries, by ID) the
	// scenario exercises; `list --coverage` inverts it.
	Covers []string
	IdP    IdPSide
	SP     SPSide
	// User is the demo user who signs in (see the Users of the built-in
	// environment); empty means "alice", assigned, alice@acme.test.
	User string
	// SignInEmail is what the user types on the SP's sign-in page; empty
	// means the user's email.
	SignInEmail string
	Delivery    Delivery
	Expect      map[Profile]Expect
}

// Covering returns the scenario with entries added to Covers.
func (s Scenario) Covering(entries ...string) Scenario {
	s.Covers = append(append([]string(nil), s.Covers...), entries...)
	return s
}

// IdPSide is what the mock Okta org does differently from the guide's
// configuration.
type IdPSide struct {
	// Settings overrides Okta SAML settings by their JSON names (the admin
	// API's), e.g. {"nameIdFormat": "Unspecified"}.
	Settings map[string]any
	// Faults run in the IdP's response pipeline (see mockidp/fault).
	Faults []fault.Fault
	// RotateCertificate makes the org generate and activate a new signing
	// certificate after the SP was configured with the old one.
	RotateCertificate bool
	// SigningCertificate replaces the app's active signing certificate
	// before the workspace is configured (so the workspace holds it):
	// fixtures.CertExpired (Okta's key, validity ended a year ago),
	// CertNotYetValid (validity starts tomorrow) or CertWeak1024 (an
	// RSA-1024 key).
	SigningCertificate fixtures.CertKind
}

// SPSide is what the workspace's SSO configuration does differently from the
// guide. Any non-zero field needs a change of the SP's own configuration.
type SPSide struct {
	// Certificates replaces the pasted certificates. Each entry names a
	// certificate (the org's active one, the one rotation will activate,
	// or the attacker's) and how it was pasted (a fixtures PEM variant;
	// none: as downloaded). As text: "active", "active:one-line".
	Certificates []fixtures.CertRef
	// IdentityProviderEntityID replaces the Identity Provider Entity Id.
	IdentityProviderEntityID string
	// IdentityProviderSignInURL replaces the Identity Provider Sign-In URL.
	IdentityProviderSignInURL string
	// Domains replaces the allowed SSO domains.
	Domains []string
	// Disabled turns the SAML provider off.
	Disabled bool
	// SecondWorkspace, when set, makes the SP serve a second workspace
	// besides the scenario's own: another tenant under the same Service
	// Provider Entity Id and Redirect URL (Identity Platform has one SP
	// entity ID for every tenant and provider of a project when configured
	// so), with its own verified domain and an enabled SAML configuration
	// trusting SecondWorkspaceSameIdP or SecondWorkspaceOtherIdP. The
	// scenario's own sign-in is unchanged: the twin of a scenario that
	// delivers into the second workspace is a valid login in the first.
	SecondWorkspace string
}

// The IdPs a second workspace may trust.
const (
	// SecondWorkspaceSameIdP: the second workspace trusts the same IdP as
	// the first (its entity ID, sign-in URL and signing certificate), as two
	// workspaces of one company connected to one Okta app do.
	SecondWorkspaceSameIdP = "same-idp"
	// SecondWorkspaceOtherIdP: the second workspace trusts another IdP (its
	// own entity ID, sign-in URL and signing key), which the SP therefore
	// also trusts, for that workspace only.
	SecondWorkspaceOtherIdP = "other-idp"
	// SecondWorkspaceDomain is the second workspace's verified and allowed
	// SSO domain: an email on it is one the second workspace lets in.
	SecondWorkspaceDomain = "globex.test"
)

// Changed reports whether the scenario needs a change of the SP's own
// configuration, which a harness driving someone else's SP may not make.
func (s SPSide) Changed() bool {
	return len(s.Certificates) > 0 || s.IdentityProviderEntityID != "" ||
		s.IdentityProviderSignInURL != "" || s.Domains != nil || s.Disabled || s.SecondWorkspace != ""
}

// Delivery says how the response reaches the SP.
type Delivery string

// Deliveries.
const (
	// DeliverOnce is the browser's auto-submitted POST of an SP-initiated
	// login (the default).
	DeliverOnce Delivery = ""
	// DeliverReplay signs in once, signs out, and posts the same
	// SAMLResponse again in the same browser.
	DeliverReplay Delivery = "replay"
	// DeliverReplayNewRequest signs in once, starts a new sign-in, and posts
	// the old SAMLResponse against the new request.
	DeliverReplayNewRequest Delivery = "replay-new-request"
	// DeliverIdPInitiated clicks the Okta tile in a browser that never
	// started a sign-in at the SP.
	DeliverIdPInitiated Delivery = "idp-initiated"
	// DeliverUnsolicitedIntoPending clicks the Okta tile in a browser that
	// has a pending SP-initiated sign-in.
	DeliverUnsolicitedIntoPending Delivery = "unsolicited-into-pending"
	// DeliverIntoOtherWorkspace signs in SP-initiated at the scenario's
	// workspace up to the IdP's response, then, in the same browser, starts
	// a sign-in at the second workspace (SPSide.SecondWorkspace) and posts
	// the first workspace's unused response into it: same IdP session,
	// same audience, same Redirect URL.
	DeliverIntoOtherWorkspace Delivery = "into-other-workspace"
)

// Deliveries lists every delivery.
var Deliveries = []Delivery{DeliverOnce, DeliverReplay, DeliverReplayNewRequest, DeliverIdPInitiated,
	DeliverUnsolicitedIntoPending, DeliverIntoOtherWorkspace}

// Valid reports whether d is one of Deliveries.
func (d Delivery) Valid() bool {
	for _, k := range Deliveries {
		if k == d {
			return true
		}
	}
	return false
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks one entry: ID shape, title, category, expectations for
// every profile, reasons on rejections, labels from the vocabulary and
// registered faults.
func (s Scenario) Validate() error {
	var problems []string
	if !idPattern.MatchString(s.ID) {
		problems = append(problems, "ID is not kebab-case")
	}
	if s.Title == "" {
		problems = append(problems, "no title")
	}
	if !s.Category.Valid() {
		problems = append(problems, fmt.Sprintf("unknown category %q", s.Category))
	}
	for _, p := range Profiles {
		e, ok := s.Expect[p]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("no expectation for profile %s", p))
		case e.Outcome != Accept && e.Outcome != Reject:
			problems = append(problems, fmt.Sprintf("profile %s: outcome %q", p, e.Outcome))
		case e.Outcome == Reject && e.Reason == "":
			problems = append(problems, fmt.Sprintf("profile %s: rejection without a reason code", p))
		case e.Outcome == Reject && e.LandsOnSP:
			problems = append(problems, fmt.Sprintf("profile %s: a rejection cannot require where the browser lands", p))
		}
	}
	if !s.Delivery.Valid() {
		problems = append(problems, fmt.Sprintf("unknown delivery %q", s.Delivery))
	}
	switch s.SP.SecondWorkspace {
	case "", SecondWorkspaceSameIdP, SecondWorkspaceOtherIdP:
	default:
		problems = append(problems, fmt.Sprintf("unknown second workspace %q (want %s or %s)", s.SP.SecondWorkspace, SecondWorkspaceSameIdP, SecondWorkspaceOtherIdP))
	}
	if s.Delivery == DeliverIntoOtherWorkspace && s.SP.SecondWorkspace == "" {
		problems = append(problems, "delivery into-other-workspace needs SP.SecondWorkspace")
	}
	for _, t := range s.Tags {
		if !knownTag(t) {
			problems = append(problems, fmt.Sprintf("label %q is not in the vocabulary", t))
		}
	}
	if err := fault.Validate(s.IdP.Faults); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("scenario %s: %s", s.ID, strings.Join(problems, "; "))
	}
	return nil
}

// Labels returns the scenario's labels: its category, its tags,
// needs:sp-config when it changes the SP and delivery: when the response is
// not simply posted once. Sorted and unique.
func (s Scenario) Labels() []string {
	set := map[string]bool{string(s.Category): true}
	for _, t := range s.Tags {
		set[t] = true
	}
	if s.SP.Changed() {
		set[LabelNeedsSPConfig] = true
	}
	if s.Delivery != DeliverOnce {
		set["delivery:"+string(s.Delivery)] = true
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}
