// Package gosaml2hardened is a peer SP built on
// github.com/russellhaering/gosaml2 as a careful integrator writes it.
// gosaml2 verifies the signature, the Destination, Issuer, Status, Version,
// the SubjectConfirmation's method, Recipient and NotOnOrAfter, and reports
// Conditions time and audience as WarningInfo flags; it leaves request
// state and replay to the caller. This peer adds what the caller owes:
//
//   - request tracking: the ID of the AuthnRequest each browser was last
//     sent with (BuildAuthRequestDocument), bound to a browser cookie;
//   - InResponseTo required on the Response and on every assertion's
//     SubjectConfirmationData, and equal to that browser's pending
//     request (no pending request at all: the missing-initial-state
//     refusal);
//   - an assertion-ID replay cache (IDs kept until their NotOnOrAfter, at
//     least an hour; an assertion without an ID is refused);
//   - exactly one SAMLResponse parameter, read from the POST body only
//     (r.PostForm, not FormValue, which also reads the query), and the ACS
//     answers HTTP-POST only;
//   - the WarningInfo flags refused, InvalidTime told apart as not yet
//     valid or expired from the Conditions it checked;
//   - exactly one assertion (gosaml2 reads the first of several);
//   - the shared document checks before gosaml2 parses the response
//     (package precheck: XML, not DEFLATE; no DOCTYPE or processing
//     instruction; no attribute twice; one assertion directly under the
//     Response; IDs present, XML names and unique);
//   - on the verified assertion: an IssueInstant not in the future, an
//     AuthnStatement whose SessionNotOnOrAfter has not passed, and an
//     AudienceRestriction (gosaml2 checks only those present).
//
// The library's own refusals are shown as its error text (read by the
// gosaml2 error preset); the peer's refusals carry their reason code.
// Everything else, including what gosaml2 accepts that a stricter SP
// refuses (SHA-1, a missing Destination, RSA1_5), is the library's
// behaviour, left as is (peers.KnownFailures says which and why).
package gosaml2hardened

import (
	"crypto/x509"
	"errors"
	"net/http"
	"time"

	saml2 "github.com/russellhaering/gosaml2"
	"github.com/russellhaering/gosaml2/types"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/peers/internal/gosaml2lib"
	"github.com/samlharness/samlharness/suites/peers/internal/precheck"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

const (
	sessionCookie = "gosaml2h_session"
	browserCookie = "gosaml2h_browser"
	maxBody       = 4 << 20
)

// New returns the peer SP. Sessions, pending requests and the replay cache
// outlive configuration changes.
func New(cfg peerkit.Config) (http.Handler, error) {
	shared := &lib{
		sessions: gosaml2lib.NewSessions(sessionCookie),
		requests: newRequests(),
		replay:   newReplayCache(),
	}
	return peerkit.New(cfg, func(cfg peerkit.Config, certs []*x509.Certificate) (peerkit.Library, error) {
		l := *shared
		l.sp = gosaml2lib.ServiceProvider(cfg, certs)
		l.now = l.sp.Clock.Now
		return &l, nil
	})
}

// lib is gosaml2 with a careful integrator's checks, as a peerkit.Library.
type lib struct {
	sp       *saml2.SAMLServiceProvider
	now      func() time.Time
	sessions *gosaml2lib.Sessions
	requests *requests
	replay   *replayCache
}

func (l *lib) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != peerkit.PathACS {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		refuse(w, http.StatusMethodNotAllowed, sp.ReasonBindingUnsupported, "the ACS takes the SAMLResponse by HTTP-POST only")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			refuse(w, http.StatusRequestEntityTooLarge, sp.ReasonResponseTooLarge, "the POST is larger than the ACS accepts")
			return
		}
		refuse(w, http.StatusBadRequest, sp.ReasonResponseMalformed, "the POST body is not a form")
		return
	}
	values := r.PostForm["SAMLResponse"]
	if len(values) != 1 {
		refuse(w, http.StatusBadRequest, sp.ReasonResponseMalformed, "the POST must carry exactly one SAMLResponse parameter")
		return
	}
	if ref := precheck.Encoded(values[0]); ref.Reason != "" {
		refuse(w, http.StatusForbidden, ref.Reason, ref.Message)
		return
	}
	info, err := l.sp.RetrieveAssertionInfo(values[0])
	if err != nil {
		peerkit.ErrorPage(w, err)
		return
	}
	now := l.now()
	if info.WarningInfo.InvalidTime {
		reason, text := sp.ReasonExpired, "WarningInfo.InvalidTime: the assertion's Conditions NotOnOrAfter has passed"
		if c := info.Assertions[0].Conditions; c != nil {
			if nb, err := time.Parse(time.RFC3339, c.NotBefore); err == nil && now.Before(nb) {
				reason, text = sp.ReasonNotYetValid, "WarningInfo.InvalidTime: the assertion's Conditions NotBefore is still ahead"
			}
		}
		refuse(w, http.StatusForbidden, reason, text)
		return
	}
	if info.WarningInfo.NotInAudience {
		refuse(w, http.StatusForbidden, sp.ReasonAudienceMismatch, "WarningInfo.NotInAudience: an AudienceRestriction does not name this SP")
		return
	}
	if len(info.Assertions) != 1 {
		refuse(w, http.StatusForbidden, sp.ReasonStructure, "the Response must carry exactly one assertion")
		return
	}
	// RetrieveAssertionInfo does not return the Response; the verified
	// Response (what its signature covers, when it is signed) gives its
	// InResponseTo.
	resp, err := l.sp.ValidateEncodedResponse(values[0])
	if err != nil {
		peerkit.ErrorPage(w, saml2.ErrVerification{Cause: err})
		return
	}
	if reason, text := l.checkRequest(r, resp); reason != "" {
		refuse(w, http.StatusForbidden, reason, text)
		return
	}
	assertion := resp.Assertions[0]
	if reason, text := checkAssertion(resp, assertion, now); reason != "" {
		refuse(w, http.StatusForbidden, reason, text)
		return
	}
	if assertion.ID == "" {
		refuse(w, http.StatusForbidden, sp.ReasonStructure, "the assertion has no ID to check for replay")
		return
	}
	if l.replay.seen(assertion.ID, now) {
		refuse(w, http.StatusForbidden, sp.ReasonReplay, "this assertion has already been used")
		return
	}
	if !l.replay.remember(assertion.ID, rememberUntil(assertion, now), now) {
		refuse(w, http.StatusServiceUnavailable, sp.ReasonInternal, "the replay cache is full")
		return
	}
	l.sessions.Start(w, info.NameID)
	http.Redirect(w, r, peerkit.PathApp, http.StatusFound)
}

// checkRequest matches the response to the browser's pending AuthnRequest:
// InResponseTo on the Response and on every SubjectConfirmationData.
func (l *lib) checkRequest(r *http.Request, resp *types.Response) (sp.Reason, string) {
	c, err := r.Cookie(browserCookie)
	if err != nil {
		return sp.ReasonMissingInitialState, "no sign-in was started in this browser"
	}
	want, ok := l.requests.pendingID(c.Value, l.now())
	if !ok {
		return sp.ReasonMissingInitialState, "no sign-in is pending in this browser"
	}
	if resp.InResponseTo == "" {
		return sp.ReasonInResponseToMissing, "the Response has no InResponseTo"
	}
	if resp.InResponseTo != want {
		return sp.ReasonInResponseToMismatch, "the Response's InResponseTo is not the request this browser sent"
	}
	for _, a := range resp.Assertions {
		var scd *types.SubjectConfirmationData
		if a.Subject != nil && a.Subject.SubjectConfirmation != nil {
			scd = a.Subject.SubjectConfirmation.SubjectConfirmationData
		}
		switch {
		case scd == nil || scd.InResponseTo == "":
			return sp.ReasonInResponseToMissing, "the SubjectConfirmationData has no InResponseTo"
		case scd.InResponseTo != want:
			return sp.ReasonInResponseToMismatch, "the SubjectConfirmationData's InResponseTo is not the request this browser sent"
		}
	}
	return "", ""
}

// maxIssueSkew is how far in the future an IssueInstant may lie (the IdP's
// clock may run ahead; Okta's window is ±5 minutes).
const maxIssueSkew = 5 * time.Minute

// checkAssertion makes the checks of the Web Browser SSO profile that
// gosaml2 leaves to its caller, on the verified Response and assertion:
// issued no later than now (with maxIssueSkew), an AuthnStatement
// (saml-profiles §4.1.4.2) whose SessionNotOnOrAfter has not passed
// (saml-core §2.7.2), and an AudienceRestriction (gosaml2 checks those
// present; saml-profiles §4.1.4.2 requires one naming the SP).
func checkAssertion(resp *types.Response, a types.Assertion, now time.Time) (sp.Reason, string) {
	latest := now.Add(maxIssueSkew)
	if resp.IssueInstant.After(latest) || a.IssueInstant.After(latest) {
		return sp.ReasonNotYetValid, "the Response or assertion was issued in the future"
	}
	if a.AuthnStatement == nil {
		return sp.ReasonStructure, "the assertion has no AuthnStatement"
	}
	if t := a.AuthnStatement.SessionNotOnOrAfter; t != nil && !now.Before(*t) {
		return sp.ReasonExpired, "the AuthnStatement's SessionNotOnOrAfter has passed"
	}
	if a.Conditions == nil || len(a.Conditions.AudienceRestrictions) == 0 {
		return sp.ReasonAudienceMismatch, "the assertion has no AudienceRestriction naming this SP"
	}
	return "", ""
}

// rememberUntil is how long the replay cache keeps an assertion's ID: until
// its latest NotOnOrAfter, and at least replayTTL.
func rememberUntil(a types.Assertion, now time.Time) time.Time {
	until := now.Add(replayTTL)
	var bounds []string
	if a.Conditions != nil {
		bounds = append(bounds, a.Conditions.NotOnOrAfter)
	}
	if a.Subject != nil && a.Subject.SubjectConfirmation != nil && a.Subject.SubjectConfirmation.SubjectConfirmationData != nil {
		bounds = append(bounds, a.Subject.SubjectConfirmation.SubjectConfirmationData.NotOnOrAfter)
	}
	for _, b := range bounds {
		if t, err := time.Parse(time.RFC3339, b); err == nil && t.After(until) {
			until = t
		}
	}
	return until
}

// StartLogin sends the browser to the IdP with a new AuthnRequest and
// remembers its ID for this browser.
func (l *lib) StartLogin(w http.ResponseWriter, r *http.Request) {
	doc, err := l.sp.BuildAuthRequestDocument()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	id := doc.Root().SelectAttrValue("ID", "")
	u, err := l.sp.BuildAuthURLFromDocument("", doc)
	if err != nil || id == "" {
		http.Error(w, "cannot build the AuthnRequest", http.StatusInternalServerError)
		return
	}
	browser := ""
	if c, err := r.Cookie(browserCookie); err == nil && c.Value != "" {
		browser = c.Value
	} else {
		browser = gosaml2lib.Token()
		http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: browser, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	l.requests.issue(browser, id, l.now())
	http.Redirect(w, r, u, http.StatusFound)
}

func (l *lib) Identity(r *http.Request) (string, bool) { return l.sessions.Identity(r) }

func (l *lib) SignOut(w http.ResponseWriter, r *http.Request) { l.sessions.End(w, r) }

func refuse(w http.ResponseWriter, status int, reason sp.Reason, text string) {
	peerkit.Refuse(w, status, string(reason), text)
}
