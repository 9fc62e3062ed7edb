package diagnose

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/sp"
)

// analysis is one diagnosis in progress.
type analysis struct {
	cfg      Config
	ev       *Evidence
	md       *Metadata
	okta     *OktaSettings
	at       time.Time
	atSource string

	facts  *ResponseFacts
	certs  []ConfiguredCertificate
	signer *x509.Certificate // the certificate that made the signatures, when known
	// signerFrom says where the signer was found: "certificate N",
	// "keyinfo" or "metadata".
	signerFrom string

	// sp is the SP's checklist run on the response under each profile.
	sp spView

	findings []Finding
	passed   []string
}

func (a *analysis) add(f Finding) { a.findings = append(a.findings, f) }
func (a *analysis) pass(s string) { a.passed = append(a.passed, s) }
func (a *analysis) has(code string) bool {
	for _, f := range a.findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// findingFor returns the finding on a field, to attach more evidence.
func (a *analysis) findingFor(field string) *Finding {
	for i := range a.findings {
		if a.findings[i].Field == field {
			return &a.findings[i]
		}
	}
	return nil
}

const securitySSO = "Workspace settings → Security & SSO"
const updateSSO = "tick \"I acknowledge this change will log out users currently using SSO\" and click Update SSO"
const oktaSAMLSettings = "In the Okta Admin Console, open the app → General → SAML Settings → Edit"

// ---- the workspace's configuration ----

func (a *analysis) checkConfig() {
	c := a.cfg
	if p := strings.TrimSpace(c.SSOProvider); p != "" && !strings.EqualFold(p, "SAML") {
		a.add(Finding{Code: "SSO_PROVIDER", Title: "The workspace's SSO Provider is not SAML", Field: FieldSSOProvider,
			Expected: "SAML", Found: p, Fix: "In " + securitySSO + ", select SAML as SSO Provider, then " + updateSSO + ".", step: stepConfig})
	}
	a.checkUnusualValues()
	if c.Enabled != nil && !*c.Enabled {
		a.add(Finding{Code: string(sp.ReasonProviderDisabled), Reason: string(sp.ReasonProviderDisabled), Title: "The workspace's SAML provider is disabled", Field: FieldEnabled,
			Expected: "enabled", Found: "disabled", Fix: "Enable SSO in " + securitySSO + ".", step: stepConfig})
	}
	if u := strings.TrimSpace(c.IdentityProviderSignInURL); u != "" && !strings.HasSuffix(strings.TrimRight(u, "/"), "/sso/saml") {
		a.add(Finding{Code: "SIGN_IN_URL_SHAPE", Title: "The Identity Provider Sign-In URL does not end in /sso/saml", Field: FieldSignInURL,
			Expected: "Okta's SSO URL, https://{org}.okta.com/app/{app}/{exk…}/sso/saml (metadata SingleSignOnService Location)", Found: u,
			Fix:  "In " + securitySSO + ", set Identity Provider Sign-In URL to the SingleSignOnService Location of Okta's IdP metadata (the URL ending in /sso/saml), then " + updateSSO + ". A wrong URL makes Okta answer 404 before any response is sent.",
			step: stepAdvice})
	}
	if a.md != nil {
		if len(a.md.SSOLocations) > 0 && c.IdentityProviderSignInURL != "" && !contains(a.md.SSOLocations, strings.TrimSpace(c.IdentityProviderSignInURL)) {
			a.add(Finding{Code: "SIGN_IN_URL_MISMATCH", Title: "The Identity Provider Sign-In URL is not the metadata's SingleSignOnService Location", Field: FieldSignInURL,
				Expected: a.md.SSOLocations[0], Found: c.IdentityProviderSignInURL,
				Fix: "In " + securitySSO + ", set Identity Provider Sign-In URL to " + a.md.SSOLocations[0] + ", then " + updateSSO + ".", step: stepAdvice})
		} else if len(a.md.SSOLocations) > 0 {
			a.pass("Identity Provider Sign-In URL is the metadata's SingleSignOnService Location")
		}
	}
}

// checkSize reports a response over the SP's size cap.
func (a *analysis) checkSize() {
	n := len(a.ev.SAMLResponse)
	if _, _, ok := a.sp.failed(sp.ReasonResponseTooLarge); !ok {
		return
	}
	found := fmt.Sprintf("the encoded SAMLResponse is %s", byteSize(n))
	if x := len(a.ev.XML); x > 0 {
		found += fmt.Sprintf(" (%s of XML)", byteSize(x))
	}
	a.add(Finding{Code: string(sp.ReasonResponseTooLarge), Reason: string(sp.ReasonResponseTooLarge), Title: "The SAMLResponse is larger than the SP accepts",
		Field: FieldResponse, Expected: fmt.Sprintf("at most %s encoded; an Okta response is 5–15 KB", byteSize(sp.DefaultMaxResponseBytes)),
		Found: found + ": something inflated it (thousands of group values in a Group Attribute Statement, a huge attribute, or content added on the way)",
		Fix:   "In Okta, narrow the Group Attribute Statements' filter (e.g. Starts with a prefix instead of Matches regex .*) and remove attributes the workspace does not use; then sign in again.",
		step:  stepDecode})
}

// checkOktaSettings compares Okta's settings with the workspace where the
// response did not already show the difference.
func (a *analysis) checkOktaSettings() {
	s := a.okta
	if s == nil {
		return
	}
	mismatch := func(code, title, field, want, got, fix string) {
		if want == "" || got == "" || got == want || a.findingFor(field) != nil {
			return
		}
		a.add(Finding{Code: code, Title: title + " (Okta's settings; the response given does not show it)", Field: field, Expected: want, Found: got, Fix: fix, step: stepAdvice})
	}
	mismatch("OKTA_SSO_URL", "Okta's Single sign-on URL is not the Redirect URL", FieldSSOURL, a.cfg.RedirectURL, s.SSOURL,
		oktaSAMLSettings+", set Single sign-on URL to "+a.cfg.RedirectURL+" and select \"Use this for Recipient URL and Destination URL\".")
	mismatch("OKTA_AUDIENCE", "Okta's Audience URI is not the Service Provider Entity Id", FieldAudience, a.cfg.ServiceProviderEntityID, s.AudienceURI,
		oktaSAMLSettings+", set Audience URI (SP Entity ID) to "+a.cfg.ServiceProviderEntityID+".")
	if s.SeparateRecipientAndDestination {
		mismatch("OKTA_DESTINATION", "Okta's Destination URL is not the Redirect URL", FieldDestination, a.cfg.RedirectURL, s.destination(),
			oktaSAMLSettings+", select \"Use this for Recipient URL and Destination URL\".")
	}
	if f := s.NameIDFormat; f != "" && !strings.EqualFold(f, "EmailAddress") && a.findingFor(FieldNameID) == nil {
		a.add(Finding{Code: "OKTA_NAMEID_FORMAT", Title: "Okta's Name ID format is not EmailAddress", Field: FieldNameID, Expected: "EmailAddress", Found: f,
			Fix: oktaSAMLSettings + ", set Name ID format to EmailAddress and Application username to Email.", step: stepAdvice})
	}
	if u := s.ApplicationUsername; u != "" && !strings.EqualFold(u, "Email") && a.findingFor(FieldNameID) == nil {
		a.add(Finding{Code: "OKTA_APPLICATION_USERNAME", Title: "Okta's Application username is not Email", Field: FieldNameID, Expected: "Email", Found: u,
			Fix: oktaSAMLSettings + ", set Application username to Email.", step: stepAdvice})
	}
}

// checkMetadataCertificate warns when Okta's metadata shows a certificate
// the workspace does not hold although the response verified.
func (a *analysis) checkMetadataCertificate() {
	if a.md == nil || len(a.md.Certificates) == 0 || a.findingFor(FieldCertificate) != nil {
		return
	}
	for _, mc := range a.md.Certificates {
		held := false
		for _, cc := range a.certs {
			if cc.cert != nil && cc.cert.Equal(mc) {
				held = true
			}
		}
		if !held {
			ci := certInfo(mc)
			a.add(Finding{Code: "CERT_METADATA_NOT_CONFIGURED", Title: "Okta's metadata shows a signing certificate the workspace does not hold",
				Field: FieldCertificate, Expected: "the metadata's certificate (SHA-256 " + ci.SHA256 + ") among the workspace's certificates",
				Found: "the workspace holds " + describeConfigured(parseableOf(a.certs)),
				Fix:   "If Okta activated this certificate, sign-in fails: add it in " + securitySSO + " with Add Certificate (Okta: Sign On tab → SAML Signing Certificates → Actions → Download certificate), then " + updateSSO + ".",
				step:  stepAdvice})
		}
	}
}

func parseableOf(ccs []ConfiguredCertificate) []ConfiguredCertificate {
	var out []ConfiguredCertificate
	for _, cc := range ccs {
		if cc.Parses {
			out = append(out, cc)
		}
	}
	return out
}
