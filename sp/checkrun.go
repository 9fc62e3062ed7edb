package sp

import (
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"github.com/beevik/etree"
)

// checkState is what the steps of one run establish and read.
type checkState struct {
	s      *Server
	in     verifyInput
	policy Policy
	// collect is Explain's collect-all mode: every step runs.
	collect bool

	encoded    string
	raw        []byte
	roots      []*etree.Element
	root       *etree.Element
	assertions []*etree.Element // the original tree's direct Assertions
	responseID string
	certs      []*x509.Certificate

	// Signature steps.
	respSig            *etree.Element
	signedAssertions   []signedElement
	verifications      []*verification
	verifiedAssertions []*etree.Element
	signedResponse     bool
	signedAssertion    bool
	certIndex          int

	// resp is the source of Response-level fields: the verified Response
	// when the Response is signed, otherwise the original element. asn is
	// the verified identity source. unverified reports that asn was taken
	// from the original tree because no signature step yielded it (only in
	// collect-all mode, or when a step is disabled for a test).
	resp, asn   *etree.Element
	unverified  bool
	assertionID string
	issuer      string

	conds, subject, bearer, scd *etree.Element
	expiry                      time.Time
	nameIDEl                    *etree.Element
	nameID                      string

	// Workspace policy (session stage).
	providerID string
	domains    []string
}

// check is one step of the checklist.
type check struct {
	StepInfo
	// applies says whether a Policy runs the step (nil: always).
	applies func(Policy) bool
	// needs are the steps whose outcome this step reads.
	needs []string
	// produces: later steps cannot run without what this step establishes
	// (even when it is disabled for a test).
	produces bool
	// output, for a produces step, reports that the step established what
	// it produces although it refused (e.g. the first of several
	// SAMLResponse parameters): when the step is disabled for a test, the
	// later steps then run on it, as an SP without that protection would.
	// nil: a refusal leaves nothing.
	output func(*checkState) bool
	// hardNeeds: in collect-all mode the step never runs on the original
	// tree after a failed signature step (the signature steps themselves).
	hardNeeds bool
	// needsAssertion: the step reads the identity source (st.asn).
	needsAssertion bool
	run            func(*checkState) *APIError
}

// stepsProducingVerifiedContent are the steps after whose failure, in
// collect-all mode (or when disabled for a test), later steps read the
// original tree instead of verified content.
var stepsProducingVerifiedContent = map[string]bool{
	stepSignaturePresent: true, stepSignatureProfile: true, stepSignatureVerify: true,
	stepSigningCertificatePolicy: true, stepAssertionSource: true,
}

// checklist is the SP's verification, in order: Identity Platform's check
// order as recorded (fireemu: signature → status → destination → issuer →
// audience → NotBefore → NotOnOrAfter → InResponseTo) with the binding,
// XML-safety and structure steps before it, replay and NameID after it,
// and the workspace policy of the session step last.
var checklist = []*check{
	checkPostBinding, checkResponseSize, checkBase64, checkXMLScan, checkXMLParse, checkSingleRoot, checkNames, checkRootIsResponse,
	checkIDsPresent, checkIDsUnique, checkVersion, checkSignatureCount, checkNoEncryptedAssertion,
	checkAssertionPlacement, checkSignaturePlacement, checkSignatureSchemaShape, checkSignatureAlgorithms,
	checkCertificatesParse, checkSignaturePresent, checkSignatureProfileStep, checkSignatureVerify, checkSigningCertificatePolicy,
	checkStatusSuccess, checkAssertionSource, checkMultiplicity, checkAssertionID, checkIDsAreXMLNames, checkStatementsPresent,
	checkDestination, checkResponseIssuer, checkAssertionIssuer, checkAudience, checkConditionsUnderstood,
	checkConditionsNotBefore, checkIssueInstantNotFuture, checkConditionsNotOnOrAfter, checkSessionNotOnOrAfter, checkSubjectPresent, checkConfirmationNotOnOrAfter,
	checkBearerConfirmation, checkRecipient, checkInResponseTo, checkReplay, checkNameIDPresent, checkNameIDTextOnly,
	checkNameIDIsEmail, checkDomainAllowed,
}

var checkIndex = func() map[string]*check {
	m := make(map[string]*check, len(checklist))
	for _, c := range checklist {
		if _, dup := m[c.Name]; dup {
			panic("sp: duplicate checklist step " + c.Name)
		}
		m[c.Name] = c
	}
	return m
}()

// Checklist describes every step of the SP's verification in order: the
// read-only view for documentation and tests.
func Checklist() []StepInfo {
	out := make([]StepInfo, len(checklist))
	for i, c := range checklist {
		info := c.StepInfo
		info.Profiles = nil
		for _, p := range AllProfiles() {
			if c.applies == nil || c.applies(PolicyFor(p)) {
				info.Profiles = append(info.Profiles, p)
			}
		}
		info.Reasons = slices.Clone(c.Reasons)
		out[i] = info
	}
	return out
}

// checkDisabled validates Config.UnsafeDisableSteps and reports whether a
// step is disabled.
func (s *Server) disabledSteps() (map[string]bool, *APIError) {
	if len(s.cfg.UnsafeDisableSteps) == 0 {
		return nil, nil
	}
	m := make(map[string]bool, len(s.cfg.UnsafeDisableSteps))
	for _, n := range s.cfg.UnsafeDisableSteps {
		if _, ok := checkIndex[n]; !ok {
			return nil, internalError("Config.UnsafeDisableSteps", fmt.Errorf("no checklist step is named %q", n))
		}
		m[n] = true
	}
	return m, nil
}

// runChecklist runs the steps of a stage fail-fast: the first refusal is
// the answer. A disabled step (tests only) still runs, so that what it
// establishes for later steps exists, but its refusal is ignored.
func (s *Server) runChecklist(st *checkState, stage string) *APIError {
	disabled, e := s.disabledSteps()
	if e != nil {
		return e
	}
	var ignored map[string]*APIError
	for _, c := range checklist {
		if c.Stage != stage || (c.applies != nil && !c.applies(st.policy)) {
			continue
		}
		if blocked := st.blockedBy(c, ignored); blocked != "" {
			// Only reachable when a disabled step left nothing to read:
			// its own refusal is the answer.
			return ignored[blocked]
		}
		if e := c.run(st); e != nil {
			if !disabled[c.Name] {
				return e
			}
			if ignored == nil {
				ignored = map[string]*APIError{}
			}
			ignored[c.Name] = e
		}
	}
	return nil
}

// blockedBy names the failed (disabled) step that left nothing for c to
// read in fail-fast mode, or "".
func (st *checkState) blockedBy(c *check, failed map[string]*APIError) string {
	for _, n := range c.needs {
		if p := checkIndex[n]; failed[n] != nil && p.produces && (p.output == nil || !p.output(st)) {
			return n
		}
	}
	if c.needsAssertion && st.asn == nil {
		for _, n := range []string{stepAssertionSource, stepSignatureVerify} {
			if failed[n] != nil {
				return n
			}
		}
		return stepAssertionSource
	}
	return ""
}

// collectChecklist runs every step (collect-all mode) and reports each.
func (s *Server) collectChecklist(st *checkState) []StepResult {
	st.collect = true
	disabled, _ := s.disabledSteps()
	results := make([]StepResult, 0, len(checklist))
	byName := map[string]*StepResult{}
	for _, c := range checklist {
		r := StepResult{Step: c.Name, Concern: c.Concern, Stage: c.Stage, Rule: c.Rule}
		switch {
		case c.applies != nil && !c.applies(st.policy):
			r.Status = StepNotApplicable
		default:
			r.Status, r.BlockedBy, r.Unverified = st.readiness(c, byName)
		}
		if r.Status == StepPass {
			if e := c.run(st); e != nil {
				r.Status, r.Reason, r.Message, r.Detail, r.Values, r.err = StepFail, e.Reason, e.Message(), e.ReasonDetail, e.Values(), e
			}
			if disabled[c.Name] {
				r.Status = StepDisabled
			}
		}
		results = append(results, r)
		byName[c.Name] = &results[len(results)-1]
	}
	return results
}

// readiness decides whether c can run in collect-all mode.
func (st *checkState) readiness(c *check, done map[string]*StepResult) (StepStatus, string, bool) {
	unverified := false
	for _, n := range c.needs {
		r := done[n]
		if r == nil || r.Status == StepPass || r.Status == StepNotApplicable || r.Status == StepDisabled {
			if r != nil && r.Unverified {
				unverified = true
			}
			continue
		}
		if !c.hardNeeds && stepsProducingVerifiedContent[n] && st.resp != nil {
			unverified = true
			continue
		}
		if r.Status == StepNotRun {
			return StepNotRun, r.BlockedBy, false
		}
		return StepNotRun, n, false
	}
	if c.needsAssertion {
		if st.asn == nil {
			if r := done[stepAssertionSource]; r != nil && r.Status == StepNotRun {
				return StepNotRun, r.BlockedBy, false
			}
			return StepNotRun, stepAssertionSource, false
		}
		if st.unverified {
			unverified = true
		}
	}
	return StepPass, "", unverified
}
