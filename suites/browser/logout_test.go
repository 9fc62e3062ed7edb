package browser_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// "Review the configuration, select I acknowledge this change will log out
// users currently using SSO, then click Update SSO": the acknowledgement
// is required, and it means what it says.
var _ = Describe("Update SSO", Label("logout"), func() {
	It("needs the acknowledgement, and then logs out another browser's SSO session", func() {
		w := newWorld(true)
		user, out := signIn(w.SPURL, "alice", "alice@acme.test", "alice@acme.test")
		Expect(out.Kind).To(Equal("app"), out.String())
		a := newAdmin(w)
		Expect(a.ws.SecuritySSO()).To(Succeed())

		By("without the acknowledgement, SSO is not updated and alice stays signed in")
		res, err := a.ws.UpdateSSO(false)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.OK).To(BeFalse())
		Expect(res.Problems).To(ConsistOf("NOT_ACKNOWLEDGED"))
		Expect(user.Navigate(w.SPURL + "/app")).To(Succeed())
		Expect(user.WaitVisible("#app[data-signed-in-email='alice@acme.test']")).To(Succeed())

		By("with it, Update SSO logs alice out")
		res, err = a.ws.UpdateSSO(true)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.OK).To(BeTrue(), res.Message)
		Expect(res.Message).To(ContainSubstring("1 user signed in with SSO was logged out"))
		Expect(user.Navigate(w.SPURL + "/app")).To(Succeed())
		Expect(user.WaitVisible("#sign-in")).To(Succeed())
		Expect(user.Location()).To(Equal(w.SPURL + "/app/sign-in"))
		Expect(user.Eval(`fetch('/app/api/me').then(function (r) { return String(r.status); })`)).To(Equal("401"))
	})
})
