package sp

// explain.go is the SP's sessionless entry point for tools that explain a
// captured failure (sp/diagnose): verify one SAMLResponse against a
// workspace's SSO settings at a given instant, through the very pipeline
// accounts:signInWithIdp and the session step run, and say what the SP
// would answer and what it saw on the way.

import (
	"context"
	"strings"
	"time"

	"github.com/samlharness/samlharness/internal/wire"
)

// Stages an Explanation names: where the SP gave its answer.
const (
	// ExplainStageSignInWithIdp is accounts:signInWithIdp (HTTP 400 refusals).
	ExplainStageSignInWithIdp = "signInWithIdp"
	// ExplainStageSession is the workspace session step (HTTP 403 refusals).
	ExplainStageSession = "session"
	// ExplainStageApp means the user was signed in.
	ExplainStageApp = "app"
)

// explainWorkspaceID is the workspace ID used when the caller names no
// provider ID.
const explainWorkspaceID = "explain"

// ExplainInput is what Explain needs: the workspace's SSO settings as the
// admin UI shows them, the SAMLResponse as the IdP posted it, and the
// instant the SP judged it at.
type ExplainInput struct {
	// ServiceProviderEntityID and RedirectURL are the workspace's read-only
	// values (the audience and the callback URL the SP checks against).
	ServiceProviderEntityID string
	RedirectURL             string
	// ProviderID is the workspace's provider ID ("saml.workspace-…"); it
	// appears in the session step's messages. Empty means
	// "saml.workspace-explain".
	ProviderID string
	// Settings holds the IdP side as configured: IdentityProviderEntityID,
	// Certificates (exactly as pasted), Domains (the allowed SSO domains)
	// and Enabled. SSOProvider, IdentityProviderSignInURL and Acknowledge
	// are not needed to verify a response and are ignored.
	Settings SSOSettings
	// Profile is the workspace's behaviour profile ("" = identity-platform).
	Profile Profile
	// SAMLResponse is the SAMLResponse form value as posted: base64.
	SAMLResponse string
	// RequestID is the ID of the AuthnRequest the sign-in started with. When
	// empty it is unknown: the Response's own InResponseTo is taken as the
	// request ID, so only a missing or inconsistent InResponseTo is reported.
	RequestID string
	// At is the instant the SP judges validity windows by (zero: now).
	At time.Time
	// MaxResponseBytes caps the encoded SAMLResponse (0: the SP's default).
	MaxResponseBytes int
}

// Explanation is the SP's answer to one SAMLResponse and what it saw.
type Explanation struct {
	// Err is the refusal the SP gives, exactly as accounts:signInWithIdp or
	// the session step answers it; nil when the user is signed in.
	Err *APIError
	// Stage is where the answer came from (ExplainStage…).
	Stage string
	// Profile is the profile the response was judged under.
	Profile Profile
	// ProviderID is the provider ID used in messages.
	ProviderID string
	// RequestID is the AuthnRequest ID InResponseTo was checked against;
	// RequestIDAssumed says it was read from the response itself.
	RequestID        string
	RequestIDAssumed bool
	// SignedResponse and SignedAssertion say which signatures the SP
	// verified; CertificateIndex is the 0-based index of the configured
	// certificate that verified them (-1: none did, or the SP stopped
	// before the signature step).
	SignedResponse   bool
	SignedAssertion  bool
	CertificateIndex int
	// NameID and NameIDFormat are read from the verified assertion, when
	// the SP got that far.
	NameID       string
	NameIDFormat string
	// Email is the signed-in email on success.
	Email string
	// Steps is every checklist step in order, run in collect-all mode:
	// each passes, fails with its finding, is not run because a
	// prerequisite failed (naming it), or does not apply to the profile.
	Steps []StepResult
	// Findings are the failed steps, in checklist order; the one the SP
	// answers with (Err) is marked First when Err comes from a step.
	Findings []Finding
	// Certificates is the SP's reading of each configured certificate, in
	// order, with its typed shape.
	Certificates []CertificateDiagnosis
}

// Explain verifies a SAMLResponse the way the SP does for a sign-in of the
// given workspace configuration, without a browser, a session or a pending
// request: the same decoding, parsing, certificate parsing, signature
// verification, checks in Identity Platform's order, and the workspace
// policy of the session step. It never panics on bad input; every refusal
// is an *APIError with its reason, as the HTTP API would answer.
func Explain(in ExplainInput) Explanation {
	out := explain(in)
	out.Findings = findingsOf(out.Steps, out.Err)
	return out
}

func explain(in ExplainInput) Explanation {
	at := in.At
	if at.IsZero() {
		at = time.Now()
	}
	profile, err := ParseProfile(string(in.Profile))
	if err != nil {
		profile = ProfileIdentityPlatform
	}
	providerID := strings.TrimSpace(in.ProviderID)
	wsID, ok := strings.CutPrefix(providerID, ProviderIDPrefix)
	if !ok || wsID == "" {
		wsID, providerID = explainWorkspaceID, ProviderIDOf(explainWorkspaceID)
	}
	out := Explanation{Stage: ExplainStageSignInWithIdp, Profile: profile, ProviderID: providerID, CertificateIndex: -1}
	for _, c := range in.Settings.Certificates {
		out.Certificates = append(out.Certificates, DiagnoseCertificate(c))
	}

	s, err := New(Config{Now: func() time.Time { return at }, MaxResponseBytes: in.MaxResponseBytes})
	if err != nil {
		out.Err = internalError("cannot build the SP", err)
		return out
	}
	s.installExplainWorkspace(wsID, profile, in.Settings, at)
	rt, e := s.runtimeForProvider(providerID)
	if e != nil {
		out.Err = e
		return out
	}

	out.RequestID = in.RequestID
	if out.RequestID == "" {
		out.RequestID, out.RequestIDAssumed = s.peekInResponseTo(in.SAMLResponse), true
	}
	st := s.newCheckState(verifyInput{
		rt:         rt,
		requestID:  out.RequestID,
		now:        at,
		callback:   in.RedirectURL,
		spEntityID: in.ServiceProviderEntityID,
		replayTTL:  s.cfg.PendingTTL,
	}, in.SAMLResponse)
	out.Steps = s.collectChecklist(st)
	if signaturesEstablished(out.Steps) {
		out.SignedResponse, out.SignedAssertion, out.CertificateIndex = st.signedResponse, st.signedAssertion, st.certIndex
	}
	for _, r := range out.Steps {
		if r.Stage == ExplainStageSignInWithIdp && r.Status == StepFail {
			out.Err = r.err
			return out
		}
	}
	login := st.login()
	out.NameID, out.NameIDFormat = login.nameID, login.nameIDFormat
	tokens, e := s.issueTokens(rt, login, at)
	if e != nil {
		out.Err = e
		return out
	}
	out.Stage = ExplainStageSession
	sess, e := s.CreateSession(context.Background(), tokens.IDToken)
	if e != nil {
		out.Err = e
		return out
	}
	out.Stage, out.Email = ExplainStageApp, sess.Email
	return out
}

// installExplainWorkspace stores a workspace whose SSO configuration is
// in's, as Update SSO would store it (entity ID trimmed, certificates kept
// as pasted and parsed the same way, domains normalised), without Update
// SSO's form validation: a configuration the admin UI would refuse is still
// explained.
func (s *Server) installExplainWorkspace(wsID string, profile Profile, in SSOSettings, at time.Time) {
	certs := append([]string(nil), in.Certificates...)
	parsed := make([]parsedCert, len(certs))
	for i, c := range certs {
		parsed[i] = parseCertificateText(c)
	}
	var domains []string
	for _, d := range in.Domains {
		nd, err := normalizeDomain(d)
		if err != nil {
			nd = strings.ToLower(strings.TrimSpace(d))
		}
		domains = append(domains, nd)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.workspaces[wsID] = &workspace{
		id:       wsID,
		name:     wsID,
		verified: domains,
		profile:  profile,
		created:  at,
		sso: &ssoState{
			provider:     SSOProviderSAML,
			idpEntityID:  strings.TrimSpace(in.IdentityProviderEntityID),
			idpSignInURL: strings.TrimSpace(in.IdentityProviderSignInURL),
			certificates: certs,
			parsed:       parsed,
			domains:      domains,
			enabled:      in.Enabled == nil || *in.Enabled,
			revision:     1,
			updatedAt:    at,
		},
	}
	s.wsOrder = append(s.wsOrder, wsID)
}

// peekInResponseTo reads the Response's InResponseTo (else the
// SubjectConfirmationData's) of an encoded response, or "".
func (s *Server) peekInResponseTo(encoded string) string {
	raw, e := decodeSAMLResponse(encoded, s.cfg.MaxResponseBytes)
	if e != nil {
		return ""
	}
	root, e := parseResponseXML(raw)
	if e != nil {
		return ""
	}
	if v, ok := attrValue(root, "InResponseTo"); ok && v != "" {
		return v
	}
	for _, a := range childElems(root, wire.NSAssertion, "Assertion") {
		_, scd := selectConfirmation(childElem(a, wire.NSAssertion, "Subject"))
		if v, ok := attrValue(scd, "InResponseTo"); ok && v != "" {
			return v
		}
	}
	return ""
}

// signaturesEstablished reports whether every step up to and including
// the signature steps passed (or does not apply), ignoring the strict
// structure steps and the EncryptedAssertion refusal: then the
// explanation reports what was signed and which certificate verified even
// when a later check refuses the response.
func signaturesEstablished(steps []StepResult) bool {
	for _, r := range steps {
		switch r.Step {
		case stepNoEncryptedAssertion, stepAssertionPlacement, stepSignaturePlacement, stepSignatureSchemaShape, stepSignatureAlgorithms:
			continue
		}
		if r.Status != StepPass && r.Status != StepNotApplicable {
			return false
		}
		if r.Step == stepSigningCertificatePolicy {
			return true
		}
	}
	return false
}

// findingsOf lists the failed steps; the one err came from is First.
func findingsOf(steps []StepResult, err *APIError) []Finding {
	var out []Finding
	first := false
	for _, r := range steps {
		if r.Status != StepFail {
			continue
		}
		f := Finding{Step: r.Step, Concern: r.Concern, Stage: r.Stage, Reason: r.Reason, Rule: r.Rule,
			Message: r.Message, Detail: r.Detail, Values: r.Values, Unverified: r.Unverified}
		if !first && err != nil && err.Reason == r.Reason && err.Message() == r.Message && err.ReasonDetail == r.Detail {
			f.First, first = true, true
		}
		out = append(out, f)
	}
	return out
}
