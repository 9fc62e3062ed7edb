// Package repro turns a diagnosed customer failure into a regression case
// (CaseFromReport, behind `samlharness diagnose --emit-case`) and, in its
// Ginkgo suite, replays every case of fixtures/cases against the built-in SP.
//
// A case recreates the customer's relationships with the mock IdP and the
// demo world, never their data: the workspace's URLs become placeholders,
// the user becomes a demo user with the same kind of NameID, the email
// domains become the demo domains with the same standing (allowed,
// verified only, unknown), a pasted certificate keeps its defect on the
// mock org's certificate, a rotation stays a rotation.
package repro

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/sp/diagnose"
	"github.com/samlharness/samlharness/suites/scenario"
)

// The demo world's users and domains a case maps the customer's onto
// (demo.Users).
const (
	demoDomain         = "acme.test"      // the allowed SSO domain
	demoVerifiedDomain = "acme-labs.test" // verified, not allowed
	demoOtherDomain    = "freemail.test"  // never verified
)

// okta's response window (IssueInstant ± 5 min), which time cases shift.
const oktaWindow = 5 * time.Minute

// caseMeta is the catalogue metadata of a cause.
type caseMeta struct {
	cat    scenario.Category
	labels []string
	refs   []string
}

const refGuide = "setup guide: Troubleshooting"

var metaByCause = map[string]caseMeta{
	"CERT_UNPARSEABLE":                    {scenario.CatConfiguration, []string{"area:certificate", "guide:troubleshooting"}, []string{refGuide, "sp/REASONS.md", "attack:cfg-pem-bad-line-breaks"}},
	"CERT_ROTATED":                        {scenario.CatConfiguration, []string{"area:certificate", "area:signature", "guide:troubleshooting"}, []string{"Okta: the app's SAML signing certificate", "attack:cfg-wrong-cert-after-rotation"}},
	"CERT_NOT_ACTIVE_YET":                 {scenario.CatConfiguration, []string{"area:certificate", "area:signature"}, []string{"Okta: the app's SAML signing certificate"}},
	"CERT_WRONG":                          {scenario.CatConfiguration, []string{"area:certificate", "area:signature"}, []string{"attack:cfg-tls-cert-instead-of-signing-cert"}},
	string(sp.ReasonAudienceMismatch):     {scenario.CatConfiguration, []string{"area:audience", "guide:troubleshooting", "okta:setting"}, []string{"setup guide: Field mappings", "attack:cfg-wrong-sp-entityid"}},
	string(sp.ReasonDestinationMismatch):  {scenario.CatConfiguration, []string{"area:destination", "okta:setting"}, []string{"setup guide: Field mappings", "attack:cfg-wrong-acs-url"}},
	string(sp.ReasonResponseIssuer):       {scenario.CatConfiguration, []string{"area:issuer", "guide:troubleshooting"}, []string{refGuide, "attack:cfg-wrong-idp-entityid"}},
	string(sp.ReasonIssuerMismatch):       {scenario.CatConfiguration, []string{"area:issuer", "guide:troubleshooting"}, []string{refGuide, "attack:cfg-wrong-idp-entityid"}},
	string(sp.ReasonNameIDNotEmail):       {scenario.CatConfiguration, []string{"area:subject", "area:workspace-policy", "guide:troubleshooting", "okta:setting"}, []string{refGuide, "ElevenLabs: workspace SSO docs"}},
	string(sp.ReasonNameIDMissing):        {scenario.CatConfiguration, []string{"area:subject", "guide:troubleshooting"}, []string{refGuide}},
	string(sp.ReasonDomainNotAllowed):     {scenario.CatConfiguration, []string{"area:workspace-policy"}, []string{"setup guide: Field mappings", "attack:cfg-email-domain-not-allowed"}},
	string(sp.ReasonExpired):              {scenario.CatProtocol, []string{"area:time"}, []string{"sp/REASONS.md", "attack:cfg-clock-drift"}},
	string(sp.ReasonNotYetValid):          {scenario.CatProtocol, []string{"area:time"}, []string{"sp/REASONS.md", "attack:cfg-clock-drift"}},
	string(sp.ReasonInResponseToMissing):  {scenario.CatProtocol, []string{"area:in-response-to"}, []string{"sp/REASONS.md", "attack:cfg-idp-initiated-tile"}},
	string(sp.ReasonInResponseToMismatch): {scenario.CatProtocol, []string{"area:in-response-to"}, []string{"sp/REASONS.md"}},
	string(sp.ReasonStatusNotSuccess):     {scenario.CatProtocol, []string{"area:status"}, []string{"sp/REASONS.md"}},
	string(sp.ReasonSignatureMissing):     {scenario.CatConfiguration, []string{"area:signature", "okta:setting"}, []string{"sp/REASONS.md", "attack:cfg-signing-mismatch"}},
	string(sp.ReasonEncryptedAssertion):   {scenario.CatConfiguration, []string{"area:encryption", "okta:setting"}, []string{"sp/REASONS.md"}},
	string(sp.ReasonProviderDisabled):     {scenario.CatConfiguration, []string{"area:workspace-policy"}, []string{"sp/REASONS.md"}},
	string(sp.ReasonMissingInitialState):  {scenario.CatConfiguration, []string{"area:in-response-to"}, []string{"sp/REASONS.md", "attack:cfg-idp-initiated-tile"}},
}

// builder accumulates a case.
type builder struct {
	rep  *diagnose.Report
	c    scenario.Case
	repl map[string]string // customer value → case value, for messages
	anon []string
}

// CaseFromReport writes the case that recreates a diagnosed failure. name
// is the case's ID (the file's base name). It refuses a sign-in that
// succeeded and causes it has no recipe for, saying so.
func CaseFromReport(rep *diagnose.Report, name string) (scenario.Case, error) {
	if rep.Result.Outcome != "reject" {
		return scenario.Case{}, fmt.Errorf("the SP signs the user in with this evidence: there is no failure to reproduce")
	}
	if len(rep.Findings) == 0 || rep.Findings[0].Severity != diagnose.SeverityCause {
		return scenario.Case{}, fmt.Errorf("no finding explains the SP's %s: there is no recipe to reproduce it", rep.Result.Reason)
	}
	cause := rep.Findings[0]
	meta, ok := metaByCause[cause.Code]
	if !ok {
		return scenario.Case{}, fmt.Errorf("no recipe reproduces %s (%s) with the mock IdP yet: write the case by hand from a catalogue entry", cause.Code, cause.Title)
	}
	at, err := time.Parse(time.RFC3339Nano, rep.JudgedAt)
	if err != nil {
		return scenario.Case{}, fmt.Errorf("the report's judgedAt %q is not a time", rep.JudgedAt)
	}
	b := &builder{rep: rep, repl: map[string]string{}}
	b.c = scenario.Case{
		ID: name, Title: "Customer case: " + cause.Title, Category: meta.cat,
		Labels: append([]string(nil), meta.labels...), Refs: append([]string(nil), meta.refs...), At: at.UTC(),
		Expect: map[scenario.Profile]scenario.Expect{},
		Diagnosis: scenario.CaseDiagnosis{Cause: cause.Code, Summary: cause.Title, Field: cause.Field,
			Fix: "", Evidence: rep.Evidence.Source},
	}
	b.placeholders()
	if err := b.certificates(cause); err != nil {
		return scenario.Case{}, err
	}
	for _, f := range rep.Findings {
		if err := b.recipe(f); err != nil {
			if f.Rank == 1 {
				return scenario.Case{}, err
			}
		}
	}
	b.signing()
	b.user()
	b.expect()
	b.c.Diagnosis.Fix = b.anonymise(cause.Fix)
	b.c.Diagnosis.Summary = b.anonymise(cause.Title)
	b.c.Diagnosis.Anonymised = b.anon
	if err := b.c.Validate(); err != nil {
		return scenario.Case{}, err
	}
	return b.c, nil
}

// placeholders maps the workspace's and Okta's identifiers to the demo
// world's placeholders.
func (b *builder) placeholders() {
	w := b.rep.Workspace
	b.repl[w.RedirectURL] = "{redirectUrl}"
	b.repl[w.ServiceProviderEntityID] = "{spEntityId}"
	if w.ProviderID != "" && w.ProviderID != diagnose.UnknownProviderID {
		b.repl[w.ProviderID] = "{providerId}"
	}
	if r := b.rep.Response; r != nil && r.Issuer != "" {
		b.repl[r.Issuer] = "{idpEntityId}"
	} else if w.IdentityProviderEntityID != "" {
		b.repl[w.IdentityProviderEntityID] = "{idpEntityId}"
	}
	if w.IdentityProviderSignInURL != "" {
		b.repl[w.IdentityProviderSignInURL] = "{ssoUrl}"
	}
	for _, d := range w.Domains {
		b.repl[strings.ToLower(strings.TrimSpace(d))] = demoDomain
	}
	b.anon = append(b.anon, "the workspace's Service Provider Entity Id, Redirect URL and provider ID → the demo workspace's",
		"the Okta org, app, issuer and URLs → the mock Okta org's", "the allowed SSO domain → "+demoDomain)
}

// anonymise rewrites a customer string with the case's values.
func (b *builder) anonymise(s string) string {
	keys := make([]string, 0, len(b.repl))
	for k := range b.repl {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) > len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, b.repl[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// mapURL expresses a customer URL relative to the workspace's and Okta's,
// or as another site's.
func (b *builder) mapURL(u string) string {
	w := b.rep.Workspace
	for _, base := range []struct{ v, ph string }{{w.RedirectURL, "{redirectUrl}"}, {w.ServiceProviderEntityID, "{spEntityId}"}, {w.IdentityProviderSignInURL, "{ssoUrl}"}} {
		if base.v != "" && strings.HasPrefix(u, base.v) {
			return base.ph + u[len(base.v):]
		}
	}
	if r := b.rep.Response; r != nil && r.Issuer != "" && strings.HasPrefix(u, r.Issuer) {
		return "{idpEntityId}" + u[len(r.Issuer):]
	}
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return "https://other-sp.example" + pu.EscapedPath()
	}
	return "urn:example:sp"
}

// certificates recreates the pasted certificates and how they relate to
// the one Okta signs with.
func (b *builder) certificates(cause diagnose.Finding) error {
	var refs []fixtures.CertRef
	plain := true
	for _, cc := range b.rep.Certificates {
		ref := fixtures.Pasted(fixtures.CertActive)
		switch {
		case !cc.Parses:
			ref.Shape = fixtures.PEMShape(cc.Shape)
			if ref.Shape == "" {
				ref.Shape = pastedcert.Truncated
			}
			plain = false
		case cc.Role == diagnose.RoleNotSigner:
			switch cause.Code {
			case "CERT_ROTATED":
				b.c.IdP.RotateCertificate = true
			case "CERT_NOT_ACTIVE_YET":
				ref = fixtures.Pasted(fixtures.CertRotated)
			default:
				ref = fixtures.Pasted(fixtures.CertAttacker)
			}
			plain = false
		}
		refs = append(refs, ref)
	}
	if !plain || len(refs) > 1 {
		b.c.SP.Certificates = refs
		b.anon = append(b.anon, "the pasted certificates → the mock org's, pasted the same way")
	}
	return nil
}

// recipe recreates one finding's cause with settings, faults and the SP's
// configuration.
func (b *builder) recipe(f diagnose.Finding) error {
	r := b.rep.Response
	settings := func() map[string]any {
		if b.c.IdP.Settings == nil {
			b.c.IdP.Settings = map[string]any{}
		}
		return b.c.IdP.Settings
	}
	switch f.Code {
	case "CERT_UNPARSEABLE", "CERT_ROTATED", "CERT_NOT_ACTIVE_YET", "CERT_WRONG":
		// certificates() did it.
	case string(sp.ReasonProviderDisabled):
		b.c.SP.Disabled = true
	case string(sp.ReasonResponseIssuer), string(sp.ReasonIssuerMismatch):
		configured := strings.TrimSpace(b.rep.Workspace.IdentityProviderEntityID)
		issuer := ""
		if r != nil {
			issuer = r.Issuer
			if f.Code == string(sp.ReasonIssuerMismatch) && r.Assertion != nil {
				issuer = r.Assertion.Issuer
			}
		}
		v := "http://www.okta.com/exk0000000000000000"
		switch {
		case configured == strings.TrimSpace(b.rep.Workspace.IdentityProviderSignInURL):
			v = "{ssoUrl}"
		case strings.TrimRight(configured, "/") == issuer:
			v = "{idpEntityId}/"
		case strings.HasSuffix(configured, "/sso/saml/metadata"):
			v = "{metadataUrl}"
		}
		b.c.SP.IdentityProviderEntityID = v
		b.repl[b.rep.Workspace.IdentityProviderEntityID] = v
	case string(sp.ReasonAudienceMismatch):
		if r == nil || r.Assertion == nil {
			return fmt.Errorf("no audience to recreate")
		}
		for _, ar := range r.Assertion.Audiences {
			if len(ar) > 0 && !contains(ar, b.rep.Workspace.ServiceProviderEntityID) {
				settings()["audienceUri"] = b.mapURL(ar[0])
				break
			}
		}
	case string(sp.ReasonDestinationMismatch), string(sp.ReasonRecipientMismatch):
		if r == nil {
			return fmt.Errorf("no response to read the Destination from")
		}
		s := settings()
		s["separateRecipientAndDestination"] = true
		dest, recip := "{redirectUrl}", "{redirectUrl}"
		if r.Destination != "" && r.Destination != b.rep.Workspace.RedirectURL {
			dest = b.mapURL(r.Destination)
			b.repl[r.Destination] = dest
		}
		if r.Assertion != nil && r.Assertion.Recipient != b.rep.Workspace.RedirectURL && r.Assertion.Recipient != "" {
			recip = b.mapURL(r.Assertion.Recipient)
		}
		s["destinationUrl"], s["recipientUrl"] = dest, recip
	case string(sp.ReasonNameIDNotEmail):
		s := settings()
		s["nameIdFormat"] = nameIDOption(r.Assertion.NameIDFormat)
		s["applicationUsername"] = "Okta username"
		b.c.User = "carol"
		if o := b.rep.Okta; o != nil {
			if o.NameIDFormat != "" {
				s["nameIdFormat"] = o.NameIDFormat
			}
			switch o.ApplicationUsername {
			case "Email prefix", "Okta username prefix":
				s["applicationUsername"], b.c.User = o.ApplicationUsername, "alice"
			}
		}
		demo := "carol"
		if b.c.User == "alice" {
			demo = "alice"
		}
		b.repl[`"`+r.Assertion.NameID+`"`] = `"` + demo + `"`
		b.anon = append(b.anon, "the user → the demo user "+b.c.User+" (the NameID keeps its shape: not an email)")
	case string(sp.ReasonNameIDMissing):
		b.c.IdP.Faults = append(b.c.IdP.Faults, fault.Fault{Name: "remove-element", Params: map[string]string{"path": "Response/Assertion/Subject/NameID"}})
	case string(sp.ReasonDomainNotAllowed):
		email := r.Assertion.NameID
		domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
		user, demoDom := "frank", demoOtherDomain
		if contains(lowerAll(b.rep.Workspace.VerifiedDomains), domain) {
			user, demoDom = "erin", demoVerifiedDomain
		}
		b.c.User, b.c.SignInEmail = user, user+"@"+demoDomain
		b.repl[domain] = demoDom
		b.anon = append(b.anon, fmt.Sprintf("the user → the demo user %s; their email domain → %s (%s)", user, demoDom,
			map[string]string{"erin": "verified in the workspace, not an allowed SSO domain", "frank": "never verified in the workspace"}[user]))
	case string(sp.ReasonExpired), string(sp.ReasonNotYetValid):
		if r == nil || r.Assertion == nil {
			return fmt.Errorf("no validity window to recreate")
		}
		var offset time.Duration
		if f.Code == string(sp.ReasonExpired) {
			noa, ok := parseTime(r.Assertion.NotOnOrAfter)
			if scd, ok2 := parseTime(r.Assertion.SCDNotOnOrAfter); ok2 && (!ok || scd.Before(noa)) {
				noa, ok = scd, true
			}
			if !ok {
				return fmt.Errorf("no NotOnOrAfter to recreate")
			}
			offset = noa.Sub(b.c.At.Add(oktaWindow))
		} else {
			nb, ok := parseTime(r.Assertion.NotBefore)
			if !ok {
				return fmt.Errorf("no NotBefore to recreate")
			}
			offset = nb.Sub(b.c.At.Add(-oktaWindow))
		}
		b.c.IdP.Faults = append(b.c.IdP.Faults, fault.Fault{Name: "shift-time", Params: map[string]string{"attr": "all", "base": "current", "offset": offset.String()}})
	case string(sp.ReasonInResponseToMissing):
		if b.c.Delivery == scenario.DeliverIdPInitiated {
			return nil // an IdP-initiated response has none anyway
		}
		where := "both"
		switch {
		case r.InResponseTo != "":
			where = "scd"
		case r.Assertion != nil && r.Assertion.SCDInResponseTo != "":
			where = "response"
		}
		b.c.IdP.Faults = append(b.c.IdP.Faults, fault.Fault{Name: "remove-in-response-to", Params: map[string]string{"where": where}})
	case string(sp.ReasonInResponseToMismatch):
		b.c.IdP.Faults = append(b.c.IdP.Faults, fault.Fault{Name: "set-in-response-to", Params: map[string]string{"where": "both", "value": "_00000000000000000000000000000000"}})
	case string(sp.ReasonStatusNotSuccess):
		p := map[string]string{"code": r.Status}
		if r.SubStatus != "" {
			p["subcode"] = r.SubStatus
		}
		b.c.IdP.Faults = append(b.c.IdP.Faults, fault.Fault{Name: "set-status", Params: p})
	case string(sp.ReasonSignatureMissing):
		s := settings()
		s["response"], s["assertionSignature"] = "Unsigned", "Unsigned"
	case "SIGNATURE_SHA1":
		s := settings()
		for _, sig := range r.Signatures {
			if sig.SignatureMethod == wire.AlgRSASHA1 {
				s["signatureAlgorithm"] = "RSA-SHA1"
			}
			if sig.DigestMethod == wire.AlgDigestSHA1 {
				s["digestAlgorithm"] = "SHA1"
			}
		}
	case string(sp.ReasonEncryptedAssertion):
		s := settings()
		s["assertionEncryption"], s["encryptionCertificate"] = "Encrypted", "{spEncryptionCertificate}"
	case string(sp.ReasonMissingInitialState):
		b.c.Delivery = scenario.DeliverIdPInitiated
	default:
		if f.Reason != "" {
			return fmt.Errorf("no recipe reproduces %s (%s) with the mock IdP yet: write the case by hand from a catalogue entry", f.Code, f.Title)
		}
	}
	return nil
}

// signing recreates which elements Okta signed, when not both.
func (b *builder) signing() {
	r := b.rep.Response
	if r == nil || len(r.Signatures) == 0 {
		return
	}
	signed := map[string]bool{}
	for _, s := range r.Signatures {
		signed[s.Element] = true
	}
	if !signed["Response"] || !signed["Assertion"] {
		if b.c.IdP.Settings == nil {
			b.c.IdP.Settings = map[string]any{}
		}
		if !signed["Response"] {
			b.c.IdP.Settings["response"] = "Unsigned"
		}
		if !signed["Assertion"] {
			b.c.IdP.Settings["assertionSignature"] = "Unsigned"
		}
	}
}

// user picks the demo user when no finding chose one.
func (b *builder) user() {
	if b.c.User == "" {
		b.c.User = "alice"
		b.anon = append(b.anon, "the user → the demo user alice")
	}
	if r := b.rep.Response; r != nil && r.Assertion != nil && r.Assertion.NameID != "" {
		if _, ok := b.repl[`"`+r.Assertion.NameID+`"`]; !ok && b.c.User == "alice" {
			b.repl[r.Assertion.NameID] = "alice@" + demoDomain
		}
	}
}

// expect records the SP's answer under every profile, anonymised.
func (b *builder) expect() {
	for _, p := range scenario.Profiles {
		res, ok := b.rep.ByProfile[string(p)]
		if b.rep.Result.Stage == "handler" {
			res, ok = b.rep.Result, true
		}
		switch {
		case !ok:
		case res.Outcome == "accept":
			b.c.Expect[p] = scenario.Accepts()
		case res.Stage == "handler":
			b.c.Expect[p] = scenario.Rejects(res.Reason)
		default:
			b.c.Expect[p] = scenario.RejectsWith(res.Reason, b.anonymise(res.Message))
		}
	}
}

func nameIDOption(urn string) string {
	switch urn {
	case wire.NameIDEmailAddress:
		return "EmailAddress"
	case wire.NameIDPersistent:
		return "Persistent"
	case wire.NameIDTransient:
		return "Transient"
	case wire.NameIDX509SubjectName:
		return "x509SubjectName"
	}
	return "Unspecified"
}

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t, err == nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func lowerAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(strings.TrimSpace(v))
	}
	return out
}
