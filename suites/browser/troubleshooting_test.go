package browser_test

import (
	"encoding/json"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/sp/diagnose"
	"github.com/samlharness/samlharness/suites/browser"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/scenario"
)

// The guide's troubleshooting section, each case made in the admin UIs and
// then met by a user, asserting what the guide tells admins to look at —
// the accounts:signInWithIdp response in the browser's Network panel — and
// what the page shows.
var _ = Describe("the guide's troubleshooting cases", Label("troubleshooting"), func() {
	const signInWithIdp = "/v1/accounts:signInWithIdp"

	It("a certificate pasted broken: INVALID_IDP_RESPONSE : Error when parsing certificate", func() {
		w := newWorld(true)
		a := newAdmin(w)
		By("the admin replaces the certificate with a copy an LLM re-formatted")
		broken, err := fixtures.PEMVariant(pastedcert.LLMRewrapped, w.ActiveCertificatePEM())
		Expect(err).NotTo(HaveOccurred())
		Expect(a.ws.SecuritySSO()).To(Succeed())
		Expect(a.ws.RemoveCertificates()).To(Succeed())
		Expect(a.ws.AddCertificate(broken)).To(Succeed())
		res, err := a.ws.UpdateSSO(true)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.OK).To(BeTrue(), res.Message)
		Expect(res.Warnings).NotTo(BeEmpty(), "the page warns that the certificate will not parse")

		By("alice signs in")
		t, out := signIn(w.SPURL, "alice", "alice@acme.test", "alice@acme.test")
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("CERT_PARSE"))
		Expect(out.Message).To(Equal(scenario.MsgCertParse))
		expectAPIError(t, signInWithIdp, 400, "CERT_PARSE", scenario.MsgCertParse)
		Expect(t.Text("#auth-error [data-field=sdk]")).To(Equal("Firebase: Error when parsing certificate (auth/invalid-credential)."))
		By("Details for your admin say which certificate and why")
		Expect(t.Click("#auth-error-details > summary")).To(Succeed())
		Expect(t.Text("#auth-error-details [data-field=reason]")).To(Equal("CERT_PARSE"))
		Expect(t.Text("#auth-error-details [data-field=detail]")).To(ContainSubstring("configured certificate 1 of 1 cannot be parsed"))
		screenshot(t, "error-cert-parse")

		By("the support engineer feeds the browser's HAR and the workspace's settings to diagnose")
		art, err := browser.WriteArtifacts(GinkgoT().TempDir(), chromeVersion, t)
		Expect(err).NotTo(HaveOccurred())
		harData, err := os.ReadFile(art.HAR)
		Expect(err).NotTo(HaveOccurred())
		evidence, _, err := diagnose.ParseHAR(harData, 0)
		Expect(err).NotTo(HaveOccurred())
		sso, err := w.SP.SSO(w.Workspace.ID)
		Expect(err).NotTo(HaveOccurred())
		settings, err := json.Marshal(sso)
		Expect(err).NotTo(HaveOccurred())
		cfg, err := diagnose.ParseConfig(settings)
		Expect(err).NotTo(HaveOccurred())
		rep := diagnose.Diagnose(diagnose.Input{Config: cfg, Evidence: evidence})
		Expect(rep.Result.Reason).To(Equal("CERT_PARSE"))
		Expect(rep.Result.Message).To(Equal(scenario.MsgCertParse))
		Expect(rep.Recorded).NotTo(BeNil())
		Expect(rep.Recorded.Matches).To(BeTrue(), "diagnose agrees with the answer the HAR recorded")
		Expect(rep.Findings).NotTo(BeEmpty())
		first := rep.Findings[0]
		Expect(first.Code).To(Equal("CERT_UNPARSEABLE"), first.Title)
		Expect(first.Field).To(Equal(diagnose.FieldCertificate))
		Expect(first.Certificate).To(Equal(1))
		Expect(first.Line).To(BeNumerically(">", 0), "the defect is located in the pasted text")
	})

	It("NameID not an email: Unable to login … the SAML NameID is not an email address", func() {
		w := newWorld(true)
		a := newAdmin(w)
		By("in Okta, Name ID format Unspecified and Application username Okta username")
		Expect(a.console.OpenApp(demo.AppLabel)).To(Succeed())
		Expect(a.console.EditSAMLSettings()).To(Succeed())
		Expect(a.console.Tab.Select(browser.OktaNameIDFormat, "Unspecified")).To(Succeed())
		Expect(a.console.Tab.Select(browser.OktaApplicationUsername, "Okta username")).To(Succeed())
		Expect(a.console.SaveSAMLSettings()).To(Succeed())

		By("carol, whose Okta username is not an email, signs in")
		t, out := signIn(w.SPURL, "carol", "carol@acme.test", "carol")
		msg := "Unable to login with " + w.ProviderID() + ` : the SAML NameID "carol" is not an email address.`
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("NAMEID_NOT_EMAIL"))
		Expect(out.Message).To(Equal(msg))

		By("accounts:signInWithIdp verified the response and shows the NameID; the workspace refused it")
		api, err := t.Net.Wait("POST", signInWithIdp, 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(api.Status).To(Equal(200))
		var ok signInWithIdpOK
		Expect(api.JSON(&ok)).To(Succeed())
		Expect(ok.FederatedID).To(Equal(w.ProviderID() + "/carol"))
		Expect(ok.Email).To(BeEmpty())
		expectAPIError(t, "/app/api/session", 403, "NAMEID_NOT_EMAIL", msg)
	})

	It("wrong Identity Provider Entity Id: INVALID_IDP_RESPONSE : SAML Response <Issuer> mismatch.", func() {
		w := newWorld(true)
		a := newAdmin(w)
		By("the admin types an entity ID that is not Okta's issuer")
		Expect(a.ws.SecuritySSO()).To(Succeed())
		Expect(a.ws.Tab.Paste(browser.WSIdPEntityID, "http://www.okta.com/exk0000000000000000")).To(Succeed())
		res, err := a.ws.UpdateSSO(true)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.OK).To(BeTrue(), res.Message)

		t, out := signIn(w.SPURL, "alice", "alice@acme.test", "alice@acme.test")
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("RESPONSE_ISSUER_MISMATCH"))
		Expect(out.Message).To(Equal(scenario.MsgResponseIssuer))
		e := expectAPIError(t, signInWithIdp, 400, "RESPONSE_ISSUER_MISMATCH", scenario.MsgResponseIssuer)
		Expect(e.Error.Harness.Detail).To(ContainSubstring(w.App.EntityID))
	})

	It("wrong Audience URI: INVALID_IDP_RESPONSE : All <AudienceRestriction>s should contain the SAML RP entity ID", func() {
		w := newWorld(true)
		a := newAdmin(w)
		By("in Okta, Audience URI set to the Redirect URL instead of the Service Provider Entity Id")
		Expect(a.ws.SecuritySSO()).To(Succeed())
		Expect(a.ws.Copy("redirect-url")).To(Succeed())
		Expect(a.console.OpenApp(demo.AppLabel)).To(Succeed())
		Expect(a.console.EditSAMLSettings()).To(Succeed())
		Expect(a.console.Tab.PasteClipboard(browser.OktaAudienceURI)).To(Succeed())
		Expect(a.console.SaveSAMLSettings()).To(Succeed())
		Expect(a.console.Tab.Text(`[data-setting=audienceUri]`)).To(Equal(w.RedirectURL()))

		t, out := signIn(w.SPURL, "alice", "alice@acme.test", "alice@acme.test")
		msg := strings.ReplaceAll(scenario.MsgAudience, "{spEntityId}", w.SPEntityID())
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("AUDIENCE_MISMATCH"))
		Expect(out.Message).To(Equal(msg))
		expectAPIError(t, signInWithIdp, 400, "AUDIENCE_MISMATCH", msg)
	})

	It("email domain not allowed: Unable to login … is not an allowed domain of this workspace", func() {
		w := newWorld(true)
		a := newAdmin(w)
		By("the admin sees acme-labs.test verified but not among the allowed domains")
		Expect(a.ws.SecuritySSO()).To(Succeed())
		choices, err := a.ws.DomainChoices()
		Expect(err).NotTo(HaveOccurred())
		Expect(choices).To(Equal([]string{demo.VerifiedLabs}))
		Expect(a.ws.CloseDialog("add-domain")).To(Succeed())

		By("erin, whose Okta email is on acme-labs.test, signs in")
		t, out := signIn(w.SPURL, "erin", "erin@acme.test", "erin@acme-labs.test")
		msg := "Unable to login with " + w.ProviderID() + " : the email domain acme-labs.test is not an allowed domain of this workspace."
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("DOMAIN_NOT_ALLOWED"))
		Expect(out.Message).To(Equal(msg))
		api, err := t.Net.Wait("POST", signInWithIdp, 0)
		Expect(err).NotTo(HaveOccurred())
		var ok signInWithIdpOK
		Expect(api.JSON(&ok)).To(Succeed())
		Expect(api.Status).To(Equal(200))
		Expect(ok.Email).To(Equal("erin@acme-labs.test"))
		expectAPIError(t, "/app/api/session", 403, "DOMAIN_NOT_ALLOWED", msg)
	})

	It("stale certificate after rotation: INVALID_IDP_RESPONSE : Failed to verify the signature in SAMLResponse; re-adding the new one fixes it", func() {
		w := newWorld(true)
		a := newAdmin(w)
		By("in Okta, Generate new certificate, then Actions › Activate")
		Expect(a.console.OpenApp(demo.AppLabel)).To(Succeed())
		Expect(a.console.AppTab("sign-on")).To(Succeed())
		Expect(a.console.GenerateCertificate()).To(Succeed())
		fresh, err := a.console.Certificate("Inactive")
		Expect(err).NotTo(HaveOccurred())
		Expect(a.console.ActivateCertificate(fresh.KID)).To(Succeed())

		By("alice signs in; the workspace still holds the old certificate")
		t, out := signIn(w.SPURL, "alice", "alice@acme.test", "alice@acme.test")
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("SIGNATURE_UNTRUSTED_KEY"))
		Expect(out.Message).To(Equal(scenario.MsgSignatureFailed))
		expectAPIError(t, signInWithIdp, 400, "SIGNATURE_UNTRUSTED_KEY", scenario.MsgSignatureFailed)

		By("the admin downloads the new certificate and adds it; alice signs in again")
		pem, err := a.console.DownloadCertificate(fresh.KID)
		Expect(err).NotTo(HaveOccurred())
		Expect(a.ws.SecuritySSO()).To(Succeed())
		Expect(a.ws.AddCertificate(pem)).To(Succeed())
		res, err := a.ws.UpdateSSO(true)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.OK).To(BeTrue(), res.Message)
		out, err = browser.SignIn(t, w.SPURL, "alice@acme.test", "alice@acme.test", demo.Password)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Kind).To(Equal("app"), out.String())
		Expect(out.Email).To(Equal("alice@acme.test"))
	})
})
