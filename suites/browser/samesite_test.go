package browser_test

import (
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chromedp/cdproto/network"
)

// The mock Okta org on 127.0.0.2 and the SP on 127.0.0.1 are different
// sites, as Okta and the SP are in production, so Okta's auto-submitted
// form is a cross-site POST to the Redirect URL, and the SP's gip_session
// tracking cookie reaches the handler only if its SameSite attribute allows
// it.
var _ = Describe("SameSite and the cross-site POST to the Redirect URL", Label("samesite"), func() {
	It("keeps the SP's request tracking (gip_session: SameSite=None; Secure, on http://127.0.0.1)", func() {
		w := newWorld(true)
		Expect(host(w.IdPURL)).To(Equal("127.0.0.2"))
		Expect(host(w.SPURL)).To(Equal("127.0.0.1"))
		t, out := signIn(w.SPURL, "alice", "alice@acme.test", "alice@acme.test")
		Expect(out.Kind).To(Equal("app"), out.String())

		start, ok := t.Net.Find("GET", "/app/sign-in")
		Expect(ok).To(BeTrue())
		set := strings.ToLower(start.ResponseHeaders["Set-Cookie"])
		Expect(set).To(ContainSubstring("gip_session="))
		Expect(set).To(ContainSubstring("samesite=none"))
		Expect(set).To(ContainSubstring("secure"))
		Expect(start.BlockedSetCookies).To(BeEmpty(), "Chromium stores a Secure cookie from http://127.0.0.1 (loopback is potentially trustworthy)")

		post, err := t.Net.Wait("POST", "/__/auth/handler", 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(post.RequestHeaders["Sec-Fetch-Site"]).To(Equal("cross-site"))
		Expect(post.RequestHeaders["Origin"]).To(Equal(w.IdPURL))
		c, ok := post.Cookie("gip_session")
		Expect(ok).To(BeTrue())
		Expect(c.Sent).To(BeTrue(), "blocked: %v", c.Blocked)
		api, err := t.Net.Wait("POST", "/v1/accounts:signInWithIdp", 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(api.Status).To(Equal(200))
	})

	It("loses it with a SameSite=Lax tracking cookie: missing initial state", func() {
		w := newWorld(true)
		lax := laxSP(w)
		t, out := signIn(lax, "alice", "alice@acme.test", "alice@acme.test")
		Expect(out.Kind).To(Equal("sp-error"), out.String())
		Expect(out.Code).To(Equal("MISSING_INITIAL_STATE"))

		start, ok := t.Net.Find("GET", "/app/sign-in")
		Expect(ok).To(BeTrue())
		Expect(strings.ToLower(start.ResponseHeaders["Set-Cookie"])).To(ContainSubstring("samesite=lax"))
		post, err := t.Net.Wait("POST", "/__/auth/handler", 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(post.RequestHeaders["Sec-Fetch-Site"]).To(Equal("cross-site"))
		c, ok := post.Cookie("gip_session")
		Expect(ok).To(BeTrue(), "the browser holds the cookie")
		Expect(c.Sent).To(BeFalse())
		// Chromium says SchemefulSameSiteLax when schemeful same-site is on.
		Expect(c.Blocked).To(ContainElement(MatchRegexp(`^(Schemeful)?SameSiteLax$`)))
		_, called := t.Net.Find("POST", "/v1/accounts:signInWithIdp")
		Expect(called).To(BeFalse())

		By("the cookie is still there for same-site requests: only the cross-site POST lost it")
		cookies, err := t.Cookies(lax)
		Expect(err).NotTo(HaveOccurred())
		Expect(cookieNames(cookies)).To(ContainElement("gip_session"))
	})
})

func host(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func cookieNames(cs []*network.Cookie) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}
