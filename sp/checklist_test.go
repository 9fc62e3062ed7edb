package sp

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/fixtures"
)

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestChecklistDescription holds the exported description to its promises:
// stable kebab-case names, a rule with what it rests on, reasons from the
// reason table, and every verification reason of the table covered.
func TestChecklistDescription(t *testing.T) {
	t.Parallel()
	steps := Checklist()
	if len(steps) < 30 {
		t.Fatalf("only %d steps", len(steps))
	}
	seen := map[string]bool{}
	covered := map[Reason]bool{}
	for _, s := range steps {
		if !kebab.MatchString(s.Name) || seen[s.Name] {
			t.Errorf("step name %q is not unique kebab-case", s.Name)
		}
		seen[s.Name] = true
		if s.Concern == "" || s.Summary == "" || len(s.Profiles) == 0 || len(s.Reasons) == 0 {
			t.Errorf("%s: incomplete description %+v", s.Name, s)
		}
		if s.Stage != ExplainStageSignInWithIdp && s.Stage != ExplainStageSession {
			t.Errorf("%s: stage %q", s.Name, s.Stage)
		}
		switch r := s.Rule; r.Kind {
		case RuleSpecified:
			if r.Clause == "" {
				t.Errorf("%s: specified without a clause", s.Name)
			}
		case RuleRecorded, RulePolicy:
			if r.Source == "" {
				t.Errorf("%s: %s without a source", s.Name, r.Kind)
			}
		case RuleAssumed:
			if r.Reason == "" {
				t.Errorf("%s: assumed without a reason", s.Name)
			}
		default:
			t.Errorf("%s: rule kind %q", s.Name, r.Kind)
		}
		for _, r := range s.Reasons {
			if _, ok := LookupReason(r); !ok {
				t.Errorf("%s: reason %s is not in the reason table", s.Name, r)
			}
			covered[r] = true
		}
	}
	for _, ri := range ReasonTable {
		if (ri.Surface == SurfaceIdentityToolkit || ri.Reason == ReasonNameIDNotEmail || ri.Reason == ReasonDomainNotAllowed) && !covered[ri.Reason] {
			switch ri.Reason {
			case ReasonRequestURIMismatch, ReasonSessionUnknown, ReasonProviderNotFound, ReasonProviderDisabled,
				ReasonContinueURIMissing, ReasonContinueURIInvalid, ReasonRequestInvalid, ReasonInternal:
				continue // raised by the endpoints around the checklist
			}
			t.Errorf("reason %s is raised by no checklist step", ri.Reason)
		}
	}
	// The identity-platform profile runs no strict-only step.
	for _, s := range steps {
		only := len(s.Profiles) == 1 && s.Profiles[0] == ProfileStrict
		for _, r := range s.Reasons {
			if ri, _ := LookupReason(r); ri.Profiles == StrictOnly && !only {
				t.Errorf("%s raises strict-only %s but runs in %v", s.Name, r, s.Profiles)
			}
		}
	}
}

// TestPolicyFor: the default profile's Policy is the zero Policy except
// for what Identity Platform allows; strict turns every switch on.
func TestPolicyFor(t *testing.T) {
	if got := PolicyFor(ProfileIdentityPlatform); got != (Policy{WholeDocumentReference: true}) {
		t.Errorf("identity-platform policy %+v", got)
	}
	if PolicyFor("") != PolicyFor(ProfileIdentityPlatform) {
		t.Error("the empty profile is not the default")
	}
	strict := PolicyFor(ProfileStrict)
	if strict.WholeDocumentReference || !strict.RecipientChecked || strict.MinRSAKeyBits != 2048 {
		t.Errorf("strict policy %+v", strict)
	}
}

// TestUnsafeDisableSteps: a disabled step's refusal is ignored, so a
// response only that step refuses is accepted; other steps still refuse.
func TestUnsafeDisableSteps(t *testing.T) {
	t.Parallel()
	wrongAudience := func(s *respSpec) { s.Audience = "https://other.example" }
	wrongRecipient := func(s *respSpec) { s.Recipient = "https://other.example/acs" }
	tamper := postSign(func(doc *etree.Document) {
		doc.FindElement("//AttributeValue").SetText("Mallory")
	})
	cases := []struct {
		name    string
		profile Profile
		step    string
		edit    func(*respSpec)
		reason  Reason
	}{
		{"audience", ProfileIdentityPlatform, stepAudience, wrongAudience, ReasonAudienceMismatch},
		{"recipient", ProfileStrict, stepRecipient, wrongRecipient, ReasonRecipientMismatch},
		{"destination", ProfileIdentityPlatform, stepDestination, func(s *respSpec) { s.Destination = "https://other.example/acs" }, ReasonDestinationMismatch},
		{"signature verification", ProfileIdentityPlatform, stepSignatureVerify, tamper, ReasonSignatureInvalid},
		{"signature required", ProfileIdentityPlatform, stepSignaturePresent, func(s *respSpec) { s.SignResponse, s.SignAssertion = false, false }, ReasonSignatureMissing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, c.profile)
			if _, apiErr := e.signIn(c.edit); apiErr == nil || apiErr.Reason != c.reason {
				t.Fatalf("with every step: got %v, want %s", apiErr, c.reason)
			}
			e.srv.cfg.UnsafeDisableSteps = []string{c.step}
			resp, apiErr := e.signIn(c.edit)
			if apiErr != nil {
				t.Fatalf("with %s disabled: refused %v", c.step, apiErr)
			}
			if resp.NameID != testEmail {
				t.Errorf("signed in %q", resp.NameID)
			}
			// Another protection still holds.
			if _, apiErr := e.signIn(func(s *respSpec) { c.edit(s); s.Issuer = "http://evil.example" }); apiErr == nil {
				t.Errorf("with %s disabled, a wrong issuer is accepted too", c.step)
			}
		})
	}
	t.Run("tampered identity is read unverified when verification is off", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, ProfileIdentityPlatform)
		e.srv.cfg.UnsafeDisableSteps = []string{stepSignatureVerify}
		resp, apiErr := e.signIn(func(s *respSpec) {
			s.SignResponse = false
			s.PostSign = append(s.PostSign, func(doc *etree.Document) { doc.FindElement("//NameID").SetText("mallory@" + testDomain) })
		})
		if apiErr != nil || resp.NameID != "mallory@"+testDomain {
			t.Fatalf("got %v %v: the mutation must let the forged identity through", resp, apiErr)
		}
	})
	t.Run("workspace policy", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, ProfileIdentityPlatform)
		e.srv.cfg.UnsafeDisableSteps = []string{stepNameIDIsEmail, stepEmailDomainAllowed}
		resp, apiErr := e.signIn(func(s *respSpec) { s.NameID = "alice" })
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		if _, e2 := e.srv.CreateSession(t.Context(), resp.IDToken); e2 != nil {
			t.Fatalf("policy steps disabled, session refused: %v", e2)
		}
	})
	t.Run("unknown step", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, ProfileIdentityPlatform)
		e.srv.cfg.UnsafeDisableSteps = []string{"no-such-step"}
		if _, apiErr := e.signIn(nil); apiErr == nil || apiErr.Reason != ReasonInternal {
			t.Fatalf("got %v, want %s", apiErr, ReasonInternal)
		}
	})
}

// TestExplainCollectsAll: Explain reports every step; after a failed
// signature step later steps read the original tree, flagged unverified;
// steps after a failed parse are not run and name the failed step.
func TestExplainCollectsAll(t *testing.T) {
	t.Parallel()
	unsigned := respSpec{Audience: "https://other.example", Destination: "https://other.example/acs"}.build(t)
	x := Explain(explainIn(t, unsigned, nil))
	if x.Err == nil || x.Err.Reason != ReasonSignatureMissing {
		t.Fatalf("Err %v", x.Err)
	}
	if len(x.Steps) != len(Checklist()) {
		t.Fatalf("%d steps, want %d", len(x.Steps), len(Checklist()))
	}
	byStep := map[string]StepResult{}
	for _, r := range x.Steps {
		byStep[r.Step] = r
	}
	if r := byStep[stepAudience]; r.Status != StepFail || r.Reason != ReasonAudienceMismatch || !r.Unverified ||
		!strings.Contains(r.Message, "All <AudienceRestriction>s should contain") || r.Values["spEntityId"] != testBase {
		t.Errorf("audience step %+v", r)
	}
	if r := byStep[stepDestination]; r.Status != StepFail || !r.Unverified {
		t.Errorf("destination step %+v", r)
	}
	if r := byStep[stepSignatureVerify]; r.Status != StepNotRun || r.BlockedBy != stepSignaturePresent {
		t.Errorf("signature-verify step %+v", r)
	}
	if r := byStep[stepRecipient]; r.Status != StepNotApplicable {
		t.Errorf("recipient step in identity-platform %+v", r)
	}
	var first []string
	for _, f := range x.Findings {
		if f.First {
			first = append(first, f.Step)
		}
	}
	if len(first) != 1 || first[0] != stepSignaturePresent || len(x.Findings) < 3 {
		t.Errorf("findings %+v", x.Findings)
	}

	bad := Explain(explainIn(t, b64("<!DOCTYPE x><r/>"), nil))
	for _, r := range bad.Steps {
		switch r.Step {
		case stepPostBinding, stepResponseSize, stepBase64Decode, stepCertificatesParse:
			if r.Status != StepPass {
				t.Errorf("%s: %s", r.Step, r.Status)
			}
		case stepXMLScan:
			if r.Status != StepFail || r.Reason != ReasonXMLForbidden {
				t.Errorf("%s: %+v", r.Step, r)
			}
		default:
			if r.Status != StepNotRun && r.Status != StepNotApplicable || (r.Status == StepNotRun && r.BlockedBy != stepXMLScan) {
				t.Errorf("%s after a failed scan: %+v", r.Step, r)
			}
		}
	}

	policy := Explain(explainIn(t, respSpec{SignResponse: true, SignAssertion: true, NameID: "alice"}.build(t), nil))
	if policy.Err == nil || policy.Err.Reason != ReasonNameIDNotEmail || policy.Stage != ExplainStageSession {
		t.Fatalf("policy Err %v at %s", policy.Err, policy.Stage)
	}
	if len(policy.Findings) != 2 || !policy.Findings[0].First || policy.Findings[0].Step != stepNameIDIsEmail || policy.Findings[0].Concern != ConcernPolicy {
		t.Errorf("policy findings %+v", policy.Findings)
	}
}

// TestCertificateShapes: the SP's typed reading of pasted certificates.
func TestCertificateShapes(t *testing.T) {
	t.Parallel()
	pemText := idpSigner(t).certPEM
	cases := map[string]CertificateShape{
		"as-downloaded": ShapeOK, "crlf": ShapeOK, "flattened": ShapeBodyOnHeaderLine, "cr-entities": ShapeXMLEscaped,
		"no-armor": ShapeMissingArmor, "indented": ShapeIndentedArmor, "begin-no-space": ShapeMalformedHeader,
		"missing-end": ShapeMissingFooter, "der-bytes": ShapeBinaryDER, "base64-of-pem": ShapeBareBase64,
		"private-key": ShapePrivateKey, "public-key": ShapePublicKey, "metadata-xml": ShapeXMLDocument,
	}
	for name, want := range cases {
		text, err := fixtures.PEMVariant(fixtures.PEMShape(name), pemText)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := DiagnoseCertificate(text); d.Shape != want || d.OK() != want.Parses() {
			t.Errorf("%s: shape %q (%s), want %q", name, d.Shape, d.Message, want)
		}
	}
	lines := strings.Split(pemText, "\n")
	smart := strings.Replace(pemText, lines[3], lines[3][:5]+"’"+lines[3][6:], 1)
	if d := DiagnoseCertificate(smart); d.Shape != ShapeNonASCII || d.Line != 4 || d.Column != 6 {
		t.Errorf("smart quote: %+v", d)
	}
	x := Explain(explainIn(t, "", func(in *ExplainInput) { in.Settings.Certificates = []string{pemText, "not a certificate!"} }))
	if len(x.Certificates) != 2 || x.Certificates[0].Shape != ShapeOK || x.Certificates[1].Shape != ShapeNotPEM {
		t.Errorf("explanation certificates %+v", x.Certificates)
	}
}

// TestReasonProvenance: every reason says where its message comes from,
// and "recorded" always names a source.
func TestReasonProvenance(t *testing.T) {
	for _, ri := range ReasonTable {
		switch ri.MessageProvenance {
		case MessageRecorded, MessagePartlyRecorded, MessageReused, MessageOurs:
		default:
			t.Errorf("%s: provenance %q", ri.Reason, ri.MessageProvenance)
		}
		if ri.MessageSource == "" {
			t.Errorf("%s: no source", ri.Reason)
		}
	}
	for _, r := range []Reason{ReasonAssertionMissing, ReasonNameIDMissing, ReasonRecipientMismatch, ReasonSubjectConfirmation, ReasonResponseMalformed} {
		if r.Info().MessageProvenance != MessageOurs {
			t.Errorf("%s is our wording, marked %s", r, r.Info().MessageProvenance)
		}
	}
}

// TestNamespaceNamesLinear: the name checks on an element with many
// prefixed attributes (beyond the scan's limit, checked directly) grow
// linearly: ten times the attributes cost far less than the hundred times
// a quadratic check (the earlier version) costs.
func TestNamespaceNamesLinear(t *testing.T) {
	tree := func(xml string) *etree.Element {
		roots, e := buildTree([]byte(xml))
		if e != nil {
			t.Fatal(e)
		}
		return roots[0]
	}
	cost := func(el *etree.Element) time.Duration {
		best := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			if e := checkNamespaceNames(el); e != nil {
				t.Fatal(e)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	// 16 times the attributes: linear is 16×, quadratic 256×; the bound
	// sits between them with room for a loaded machine and -race.
	small, large := tree(rootWithAttributes(1000, "p:")), tree(rootWithAttributes(16000, "p:"))
	if a, b := cost(small), cost(large); b > 100*a {
		t.Errorf("1,000 attributes: %s; 16,000: %s (%.0f×, linear is 16×, quadratic 256×)", a, b, float64(b)/float64(a))
	}
	dup := tree(strings.TrimSuffix(rootWithAttributes(20000, "p:"), `></samlp:Response>`) + ` p:a0="x"></samlp:Response>`)
	if e := checkNamespaceNames(dup); e == nil || e.Reason != ReasonResponseMalformed || !strings.Contains(e.ReasonDetail, "p:a0 twice") {
		t.Fatalf("duplicate: %v", e)
	}
}
