package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/sp"
)

// Input is everything a diagnosis reads.
type Input struct {
	// Config is the workspace's SSO settings (required).
	Config Config
	// Evidence is the captured response (required): ParseResponse or ParseHAR.
	Evidence *Evidence
	// Metadata and Okta are Okta's IdP metadata and the app's SAML settings
	// (optional).
	Metadata *Metadata
	Okta     *OktaSettings
	// At is the instant to judge validity windows by; zero means the
	// evidence's (a HAR's timestamp), else Now().
	At time.Time
	// Profile overrides the workspace's profile ("" keeps Config.Profile,
	// default identity-platform).
	Profile string
	// Now is the clock for the default instant (default time.Now).
	Now func() time.Time
}

// FormatVersion is the version of the Report JSON structure.
const FormatVersion = 1

// Report is a diagnosis: the stable structure of `samlharness diagnose
// --json` (documented in the README).
type Report struct {
	Tool          string `json:"tool"`
	FormatVersion int    `json:"formatVersion"`
	// JudgedAt is the instant validity windows were judged at;
	// JudgedAtSource says where it came from: "--at", "har" or "now".
	JudgedAt       string `json:"judgedAt"`
	JudgedAtSource string `json:"judgedAtSource"`
	// Profile is the SP profile Result is computed under.
	Profile   string           `json:"profile"`
	Evidence  EvidenceSummary  `json:"evidence"`
	Workspace WorkspaceSummary `json:"workspace"`
	// Result is the answer the SP gives (computed by the SP's code).
	Result Result `json:"result"`
	// ByProfile is the answer under every profile.
	ByProfile map[string]Result `json:"byProfile"`
	// Recorded is the SP's answer the capture recorded (a HAR), and whether
	// it matches Result.
	Recorded *RecordedSummary `json:"recorded,omitempty"`
	// Findings are ranked: the most likely cause first.
	Findings []Finding `json:"findings"`
	// Passed lists the checks that found nothing wrong.
	Passed       []string                `json:"passed"`
	Certificates []ConfiguredCertificate `json:"certificates"`
	// Response is what the response says (absent when it cannot be read).
	Response *ResponseFacts `json:"response,omitempty"`
	// Metadata and Okta are the IdP metadata and the Okta app's SAML
	// settings given, if any.
	Metadata *MetadataSummary `json:"metadata,omitempty"`
	Okta     *OktaSettings    `json:"oktaSettings,omitempty"`
}

// EvidenceSummary says what was diagnosed.
type EvidenceSummary struct {
	// Source is "response" or "har"; File is the file name the caller gave.
	Source   string `json:"source"`
	File     string `json:"file,omitempty"`
	Encoding string `json:"encoding"`
	// Login is the sign-in picked from a HAR; Logins lists them all.
	Login  *Login  `json:"login,omitempty"`
	Logins []Login `json:"logins,omitempty"`
	// RequestID is the AuthnRequest ID of the sign-in (a HAR), with where
	// it was found.
	RequestID       string   `json:"requestId,omitempty"`
	RequestIDSource string   `json:"requestIdSource,omitempty"`
	Notes           []string `json:"notes"`
}

// WorkspaceSummary is the workspace's configuration as diagnosed.
type WorkspaceSummary struct {
	ServiceProviderEntityID   string   `json:"serviceProviderEntityId"`
	RedirectURL               string   `json:"redirectUrl"`
	IdentityProviderEntityID  string   `json:"identityProviderEntityId"`
	IdentityProviderSignInURL string   `json:"identityProviderSignInUrl,omitempty"`
	Domains                   []string `json:"domains"`
	VerifiedDomains           []string `json:"verifiedDomains,omitempty"`
	ProviderID                string   `json:"providerId"`
}

// Result is the SP's answer.
type Result struct {
	// Outcome is "accept" or "reject".
	Outcome string `json:"outcome"`
	// Stage is where the answer came from: signInWithIdp, session, handler
	// or app (signed in).
	Stage      string `json:"stage"`
	HTTPStatus int    `json:"httpStatus,omitempty"`
	// Message is Identity Platform's error.message, exactly.
	Message string `json:"message,omitempty"`
	// Reason is the SP's stable reason code, Detail its explanation.
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Email is who was signed in.
	Email string `json:"email,omitempty"`
	// SignedResponse, SignedAssertion and Certificate (1-based; 0 = none)
	// say what the SP verified.
	SignedResponse  bool `json:"signedResponse"`
	SignedAssertion bool `json:"signedAssertion"`
	Certificate     int  `json:"certificate,omitempty"`
}

// RecordedSummary is the captured answer and whether the SP agrees.
type RecordedSummary struct {
	Recorded
	// Matches reports that Result has the same message (the settings given
	// are the ones the workspace had).
	Matches bool `json:"matches"`
}

// MetadataSummary is the IdP metadata given.
type MetadataSummary struct {
	EntityID     string             `json:"entityId"`
	SSOLocations []string           `json:"ssoLocations"`
	Certificates []*CertificateInfo `json:"certificates"`
}

// Diagnose explains one sign-in. It never panics on bad input: inputs are
// checked by the Parse… functions, and everything else becomes findings.
func Diagnose(in Input) *Report {
	now := in.Now
	if now == nil {
		now = time.Now
	}
	ev := in.Evidence
	if ev == nil {
		ev = &Evidence{}
	}
	cfg := in.Config
	md := in.Metadata
	if md != nil && len(md.Certificates) > MaxMetadataCertificates {
		bounded := *md
		bounded.Certificates = bounded.Certificates[:MaxMetadataCertificates]
		md = &bounded
	}
	a := &analysis{cfg: cfg, ev: ev, md: md, okta: in.Okta}
	switch {
	case !in.At.IsZero():
		a.at, a.atSource = in.At.UTC(), "--at"
	case !ev.At.IsZero():
		a.at, a.atSource = ev.At.UTC(), "har"
	default:
		a.at, a.atSource = now().UTC(), "now"
	}
	profile := strings.TrimSpace(in.Profile)
	if profile == "" {
		profile = strings.TrimSpace(cfg.Profile)
	}
	if p, err := sp.ParseProfile(profile); err == nil {
		profile = string(p)
	} else {
		profile = string(sp.ProfileIdentityPlatform)
	}

	rep := &Report{
		Tool: "samlharness diagnose", FormatVersion: FormatVersion,
		JudgedAt: instant(a.at), JudgedAtSource: a.atSource, Profile: profile,
		Evidence: EvidenceSummary{Source: ev.Source, Encoding: ev.Encoding, Login: ev.Login, Logins: ev.Logins,
			RequestID: ev.RequestID, RequestIDSource: ev.RequestIDSource, Notes: append([]string{}, ev.Notes...)},
		Workspace: WorkspaceSummary{
			ServiceProviderEntityID: cfg.ServiceProviderEntityID, RedirectURL: cfg.RedirectURL,
			IdentityProviderEntityID: cfg.IdentityProviderEntityID, IdentityProviderSignInURL: cfg.IdentityProviderSignInURL,
			Domains: cfg.Domains, VerifiedDomains: cfg.VerifiedDomains, ProviderID: providerID(cfg, ev),
		},
		ByProfile: map[string]Result{},
		Passed:    []string{},
		Okta:      in.Okta,
	}
	if md != nil {
		ms := &MetadataSummary{EntityID: md.EntityID, SSOLocations: md.SSOLocations, Certificates: []*CertificateInfo{}}
		for _, c := range md.Certificates {
			ms.Certificates = append(ms.Certificates, certInfo(c))
		}
		rep.Metadata = ms
	}

	// The SP's answer, from the SP's code, under every profile.
	for _, p := range sp.AllProfiles() {
		res, x := explain(cfg, ev, p, a.at)
		rep.ByProfile[string(p)] = res
		if p == sp.ProfileStrict {
			a.sp.strict = x
		} else {
			a.sp.ip = x
		}
	}
	rep.Result = rep.ByProfile[profile]
	if r := ev.Recorded; r != nil && r.Stage == "handler" {
		// The Redirect URL page stopped the sign-in before any API call
		// (e.g. an IdP-initiated POST): that is the answer the user saw.
		rep.Result = Result{Outcome: "reject", Stage: "handler", HTTPStatus: r.HTTPStatus, Message: r.Message, Reason: r.Reason,
			Detail: "the Redirect URL page did not call accounts:signInWithIdp; had it, the SP would have answered: " + orDefault(rep.Result.Message, "success")}
	}
	if r := ev.Recorded; r != nil {
		rep.Recorded = &RecordedSummary{Recorded: *r, Matches: r.Outcome == rep.Result.Outcome && r.Message == rep.Result.Message}
	}

	// The findings.
	a.certs = configuredCertificates(cfg.Certificates)
	a.checkConfig()
	a.checkSize()
	a.checkCertificateParsing()
	if ev.XML != nil {
		facts, why := readResponse(ev.XML)
		if facts == nil {
			rep.Evidence.Notes = append(rep.Evidence.Notes, "the response cannot be read in detail: "+why)
		} else {
			a.facts = facts
			rep.Response = facts
			if n := facts.SignaturesNotExamined; n > 0 {
				rep.Evidence.Notes = append(rep.Evidence.Notes, fmt.Sprintf("the response carries %d more signed Assertions than the %d signatures examined; they were not tried", n, MaxSignatures))
			}
			a.checkStructure()
			a.checkSignatures()
			a.compareUnparseable()
			a.checkStatus()
			a.checkDestination()
			a.checkIssuer()
			a.checkAudience()
			a.checkTime()
			a.checkRecipient()
			a.checkInResponseTo()
			a.checkNameID()
		}
	}
	a.checkCertificateWarnings()
	a.checkOktaSettings()
	a.checkMetadataCertificate()
	if r := rep.Result; r.Reason == string(sp.ReasonMissingInitialState) {
		// The missing InResponseTo is the same fact seen from the response.
		kept := a.findings[:0]
		for _, f := range a.findings {
			if f.Code != string(sp.ReasonInResponseToMissing) {
				kept = append(kept, f)
			}
		}
		a.findings = kept
		a.add(Finding{Code: string(sp.ReasonMissingInitialState), Reason: r.Reason, Title: "The sign-in was started from Okta (the tile), not from the workspace",
			Field: FieldSignIn, Expected: "a POST to the Redirect URL from a browser that started the sign-in at the workspace",
			Found: "the Redirect URL page found no sign-in in progress in this browser (IdP-initiated sign-in, or the browser lost the workspace's state)",
			Fix:   "Sign in from the workspace: " + signInURL(cfg) + " (bookmark it instead of the Okta tile). IdP-initiated sign-in is not supported.",
			step:  stepConfig})
	}
	if rep.Result.Outcome == "reject" && !hasReason(a.findings, rep.Result.Reason) {
		a.add(spFinding(rep.Result))
	}
	rep.Findings = rank(a.findings, causeReason(rep.Result, a.findings), profile == string(sp.ProfileStrict))
	rep.Passed = append(rep.Passed, a.passed...)
	rep.Certificates = a.certs
	if rep.Certificates == nil {
		rep.Certificates = []ConfiguredCertificate{}
	}
	return rep
}

// explain runs the SP's verification under one profile.
func explain(cfg Config, ev *Evidence, p sp.Profile, at time.Time) (Result, sp.Explanation) {
	x := sp.Explain(sp.ExplainInput{
		ServiceProviderEntityID: cfg.ServiceProviderEntityID,
		RedirectURL:             cfg.RedirectURL,
		ProviderID:              providerID(cfg, ev),
		Settings: sp.SSOSettings{
			SSOProvider: cfg.SSOProvider, IdentityProviderEntityID: cfg.IdentityProviderEntityID,
			IdentityProviderSignInURL: cfg.IdentityProviderSignInURL, Certificates: cfg.Certificates,
			Domains: cfg.Domains, Enabled: cfg.Enabled,
		},
		Profile:      p,
		SAMLResponse: ev.SAMLResponse,
		RequestID:    ev.RequestID,
		At:           at,
	})
	r := Result{Stage: x.Stage, SignedResponse: x.SignedResponse, SignedAssertion: x.SignedAssertion, Certificate: x.CertificateIndex + 1}
	if x.Err != nil {
		r.Outcome, r.HTTPStatus, r.Message, r.Reason, r.Detail = "reject", x.Err.HTTPStatus, x.Err.Message(), string(x.Err.Reason), x.Err.ReasonDetail
		return r, x
	}
	r.Outcome, r.Email = "accept", x.Email
	return r, x
}

// providerID is the workspace's provider ID: the config's, else the one the
// capture shows, else a placeholder.
func providerID(c Config, ev *Evidence) string {
	for _, p := range []string{c.ProviderID, ev.ProviderID} {
		if p = strings.TrimSpace(p); strings.HasPrefix(p, sp.ProviderIDPrefix) && len(p) > len(sp.ProviderIDPrefix) {
			return p
		}
	}
	return UnknownProviderID
}

// UnknownProviderID stands for the provider ID in messages when neither
// the config nor the capture names it.
const UnknownProviderID = sp.ProviderIDPrefix + "unknown"

func hasReason(fs []Finding, reason string) bool {
	for _, f := range fs {
		if f.Reason == reason {
			return true
		}
	}
	return false
}

// structuralReasons are the refusals of the checks the SP runs on the
// document's shape before it looks at signatures.
var structuralReasons = map[sp.Reason]bool{
	sp.ReasonStructure: true, sp.ReasonAssertionMissing: true, sp.ReasonVersionInvalid: true, sp.ReasonResponseMalformed: true,
}

// causeReason is the reason of the finding ranked as the cause: the SP's
// result, except that a response signed nowhere puts the missing signature
// first when the SP stopped earlier at a structural defect. No unsigned
// response is ever accepted, so fixing the structure alone cannot help; the
// structural defect stays listed as a problem.
func causeReason(r Result, fs []Finding) string {
	if r.Outcome != "reject" {
		return ""
	}
	missing := string(sp.ReasonSignatureMissing)
	if structuralReasons[sp.Reason(r.Reason)] && hasReason(fs, missing) {
		return missing
	}
	return r.Reason
}

// spFinding turns an SP refusal no check explains into a finding, with the
// SP's own explanation. Its title names the defect the SP found (the first
// sentence of its detail), not every defect the reason stands for.
func spFinding(r Result) Finding {
	info := sp.Reason(r.Reason).Info()
	title := firstSentence(r.Detail)
	if title == "" {
		title = info.Summary
	}
	if title == "" {
		title = "the SP refused the response"
	}
	return Finding{Code: r.Reason, Reason: r.Reason, Title: "The SP refuses the response: " + title, Field: FieldResponse,
		Expected: "a SAMLResponse as Okta sends it for the guide's settings", Found: r.Detail,
		Fix:  "Capture the SAMLResponse exactly as the browser posted it (a HAR export keeps it intact); if it is what Okta sent, check the Okta app's advanced SAML settings against the setup guide.",
		step: stepDecode}
}
