package browser_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/samlharness/samlharness/suites/browser"
	"github.com/samlharness/samlharness/suites/demo"
)

// Okta's side of two failures the guide's users meet: the 403 page of an
// unassigned user, and the Okta tile (IdP-initiated sign-on), which
// Identity Platform does not support.
var _ = Describe("Okta's pages", Label("idp"), func() {
	It("shows an unassigned user Okta's 403 App Not Assigned page", func() {
		w := newWorld(true)
		t, out := signIn(w.SPURL, "bob", "bob@acme.test", "bob@acme.test")
		Expect(out.Kind).To(Equal("okta-error"), out.String())
		Expect(out.Code).To(Equal("app-not-assigned"))
		Expect(out.Title).To(Equal("403 App Not Assigned"))
		Expect(out.Message).To(Equal("Sorry, you can't access ElevenLabs because you are not assigned this app in Okta. If you're wondering why this is happening, please contact your administrator."))
		sso, err := t.Net.Wait("GET", "/sso/saml", 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(sso.Status).To(Equal(403))
		_, posted := t.Net.Find("POST", "/__/auth/handler")
		Expect(posted).To(BeFalse(), "Okta sent nothing to the workspace")
		screenshot(t, "okta-403-app-not-assigned")
	})

	It("lands an IdP-initiated login (the Okta tile) on Identity Platform's missing initial state page", func() {
		w := newWorld(true)
		t := newSession("alice").Tab()
		By("alice signs in to Okta and clicks the ElevenLabs tile on My Apps")
		Expect(t.Navigate(w.IdPURL + "/app/UserHome")).To(Succeed())
		Expect(browser.OktaSignIn(t, "alice@acme.test", demo.Password)).To(Succeed())
		Expect(t.WaitVisible("#user-home")).To(Succeed())
		Expect(t.Click(`a.app-tile[data-app-id="` + w.App.ID + `"]`)).To(Succeed())
		out, err := browser.WaitOutcome(t)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("MISSING_INITIAL_STATE"))
		Expect(out.Message).To(Equal("Unable to process request due to missing initial state. This may happen if browser sessionStorage is inaccessible or accidentally cleared. Some specific scenarios are - 1) Using IDP-Initiated SAML SSO. 2) Using signInWithRedirect in a storage-partitioned browser environment."))

		By("the response reached the Redirect URL, but no sign-in had started in this browser")
		post, err := t.Net.Wait("POST", "/__/auth/handler", 0)
		Expect(err).NotTo(HaveOccurred())
		form, err := url.ParseQuery(post.PostData)
		Expect(err).NotTo(HaveOccurred())
		Expect(form.Get("SAMLResponse")).NotTo(BeEmpty())
		_, hadCookie := post.Cookie("gip_session")
		Expect(hadCookie).To(BeFalse())
		_, called := t.Net.Find("POST", "/v1/accounts:signInWithIdp")
		Expect(called).To(BeFalse(), "the page has no state to call accounts:signInWithIdp with")
		Expect(strings.HasPrefix(out.URL, w.SPURL)).To(BeTrue())
	})
})
