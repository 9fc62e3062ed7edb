package browser_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/samlharness/samlharness/suites/browser"
	"github.com/samlharness/samlharness/suites/demo"
)

// The ElevenLabs "Okta SAML SSO" setup guide, step
// by step through both admin UIs, each value copied from one to the other
// the way the guide says.
var _ = Describe("the setup guide", Label("guide"), func() {
	It("configures Okta and the workspace through their admin UIs, then an assigned user signs in", func() {
		w := newWorld(false)
		// The org has its users and the Engineering group, but no app yet.
		Expect(w.IdP.DeleteApp(w.App.ID)).To(Succeed())

		admin := newSession("admin")
		admin.Tab().Name = "workspace"
		ws := browser.Workspace{Tab: admin.Tab(), Base: w.SPURL, ID: w.Workspace.ID}
		okta := newTab(admin, "okta")
		console := browser.OktaConsole{Tab: okta, Base: w.IdPURL, AdminLogin: w.IdP.AdminLogin(), AdminPassword: w.IdP.AdminPassword()}

		By("the workspace admin signs in; Workspace settings › Security & SSO: SSO Provider SAML")
		signInWorkspaceAdmin(w, ws)
		Expect(ws.SecuritySSO()).To(Succeed())
		Expect(ws.Tab.Select(browser.WSProvider, "SAML")).To(Succeed())

		By("Okta: Applications › Create App Integration › SAML 2.0 › General Settings: App name ElevenLabs")
		Expect(console.Applications()).To(Succeed())
		Expect(okta.Has("#no-apps")).To(BeTrue())
		Expect(console.CreateSAMLIntegration("ElevenLabs")).To(Succeed())

		By("SAML Settings: Single sign-on URL ← Redirect URL (Copy), used for Recipient and Destination")
		Expect(ws.Copy("redirect-url")).To(Succeed())
		Expect(okta.PasteClipboard(browser.OktaSSOURL)).To(Succeed())
		Expect(okta.SetChecked(browser.OktaUseForRecipient, true)).To(Succeed())

		By("Audience URI (SP Entity ID) ← Service Provider Entity Id (Copy)")
		Expect(ws.Copy("sp-entity-id")).To(Succeed())
		Expect(okta.PasteClipboard(browser.OktaAudienceURI)).To(Succeed())

		By("Name ID format EmailAddress, Application username Email")
		Expect(okta.Select(browser.OktaNameIDFormat, "EmailAddress")).To(Succeed())
		Expect(okta.Select(browser.OktaApplicationUsername, "Email")).To(Succeed())

		By("advanced settings: Okta's defaults, which Identity Platform accepts")
		Expect(console.ShowAdvancedSettings()).To(Succeed())
		for sel, want := range map[string]string{
			browser.OktaResponse: "Signed", browser.OktaAssertionSignature: "Signed", browser.OktaSignatureAlgorithm: "RSA-SHA256",
			browser.OktaDigestAlgorithm: "SHA256", browser.OktaAssertionEncryption: "Unencrypted", browser.OktaHonorForceAuthn: "Yes",
			browser.OktaAuthnContextClass: "PasswordProtectedTransport", browser.OktaSAMLIssuerID: "http://www.okta.com/${org.externalKey}",
		} {
			Expect(okta.Value(sel)).To(Equal(want), sel)
		}
		screenshot(okta, "okta-saml-settings")
		Expect(console.FinishWizard()).To(Succeed())

		apps := w.IdP.Apps()
		Expect(apps).To(HaveLen(1))
		app := apps[0]
		Expect(app.Label).To(Equal("ElevenLabs"))
		Expect(app.Settings).To(Equal(w.GuideSettings()), "the console saved exactly the guide's SAML settings")

		By("Assignments: assign the Engineering group")
		Expect(console.AssignGroup(demo.Group)).To(Succeed())
		people, err := console.AssignedPeople()
		Expect(err).NotTo(HaveOccurred())
		Expect(people).To(ContainElement("alice@acme.test"))
		Expect(people).NotTo(ContainElement("bob@acme.test"))

		By("Sign On › SAML Signing Certificates › Actions › Download certificate")
		Expect(console.AppTab("sign-on")).To(Succeed())
		active, err := console.Certificate("Active")
		Expect(err).NotTo(HaveOccurred())
		pem, err := console.DownloadCertificate(active.KID)
		Expect(err).NotTo(HaveOccurred())
		Expect(pem).To(HavePrefix("-----BEGIN CERTIFICATE-----\n"))
		Expect(pem).To(HaveSuffix("-----END CERTIFICATE-----\n"))

		By("Add Certificate: paste the full PEM from the file, then Add")
		Expect(ws.AddCertificate(pem)).To(Succeed())

		By("View IdP metadata: entityID → Identity Provider Entity Id, the /sso/saml Location → Sign-In URL")
		link, err := console.MetadataLink(active.KID)
		Expect(err).NotTo(HaveOccurred())
		metadata := newTab(admin, "metadata")
		Expect(metadata.Navigate(link)).To(Succeed())
		md, err := browser.ReadMetadata(metadata)
		Expect(err).NotTo(HaveOccurred())
		Expect(md.SignInURL()).To(HaveSuffix("/sso/saml"))
		Expect(metadata.SetClipboard(md.EntityID)).To(Succeed())
		Expect(ws.Tab.PasteClipboard(browser.WSIdPEntityID)).To(Succeed())
		Expect(metadata.SetClipboard(md.SignInURL())).To(Succeed())
		Expect(ws.Tab.PasteClipboard(browser.WSIdPSignInURL)).To(Succeed())

		By("Add Domain: the dialog lists the verified domains; choose the users' email domain")
		choices, err := ws.DomainChoices()
		Expect(err).NotTo(HaveOccurred())
		Expect(choices).To(ConsistOf(demo.AllowedSSO, demo.VerifiedLabs))
		Expect(ws.CloseDialog("add-domain")).To(Succeed())
		Expect(ws.AddDomain(demo.AllowedSSO)).To(Succeed())

		By("I acknowledge this change will log out users currently using SSO › Update SSO")
		res, err := ws.UpdateSSO(true)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.OK).To(BeTrue(), res.Message)
		Expect(res.Warnings).To(BeEmpty())
		screenshot(ws.Tab, "security-and-sso")

		cfg, err := w.SP.SSO(w.Workspace.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.IdentityProviderEntityID).To(Equal(app.EntityID))
		Expect(cfg.IdentityProviderSignInURL).To(Equal(app.SignOnURL))
		Expect(cfg.Certificates).To(Equal([]string{pem}), "the certificate is kept exactly as pasted")
		Expect(cfg.Domains).To(Equal([]string{demo.AllowedSSO}))

		By("alice signs in from /app/sign-in?use_sso=true&email=alice@acme.test")
		alice := newSession("alice").Tab()
		Expect(alice.Navigate(browser.SignInURL(w.SPURL, "alice@acme.test"))).To(Succeed())
		Expect(alice.WaitVisible("#okta-signin-username")).To(Succeed())
		screenshot(alice, "okta-sign-in")
		Expect(browser.OktaSignIn(alice, "alice@acme.test", demo.Password)).To(Succeed())
		out, err := browser.WaitOutcome(alice)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Kind).To(Equal("app"), out.String())
		Expect(out.Email).To(Equal("alice@acme.test"))

		api, err := alice.Net.Wait("POST", "/v1/accounts:signInWithIdp", 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(api.Status).To(Equal(200))
		var ok struct {
			Kind, Email, ProviderID, FederatedID string
		}
		Expect(json.Unmarshal([]byte(api.Body), &ok)).To(Succeed(), api.Body)
		Expect(ok.Kind).To(Equal("identitytoolkit#VerifyAssertionResponse"))
		Expect(ok.Email).To(Equal("alice@acme.test"))
		Expect(ok.ProviderID).To(Equal(w.ProviderID()))
		Expect(ok.FederatedID).To(Equal(w.ProviderID() + "/alice@acme.test"))
	})
})
