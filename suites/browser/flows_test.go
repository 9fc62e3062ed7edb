package browser_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/browser"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// Helpers the specs share: the admin's two tabs, a user's sign-in, and the
// error envelope the Network panel shows.

// admin is the workspace admin's browser: the Security & SSO page in one
// tab, Okta's admin console in another.
type admin struct {
	session *browser.Session
	ws      browser.Workspace
	console browser.OktaConsole
}

func newAdmin(w *builtin.World) admin {
	GinkgoHelper()
	s := newSession("admin")
	s.Tab().Name = "workspace"
	a := admin{session: s,
		ws:      browser.Workspace{Tab: s.Tab(), Base: w.SPURL, ID: w.Workspace.ID},
		console: browser.OktaConsole{Tab: newTab(s, "okta"), Base: w.IdPURL, AdminLogin: w.IdP.AdminLogin(), AdminPassword: w.IdP.AdminPassword()}}
	signInWorkspaceAdmin(w, a.ws)
	return a
}

// The workspace admin of every spec's World.
const (
	workspaceAdminEmail    = "admin@acme.test"
	workspaceAdminPassword = "Workspace-Admin-2026!"
)

// signInWorkspaceAdmin makes workspaceAdminEmail an admin of the World's
// workspace and signs the tab in through the workspace's sign-in page.
func signInWorkspaceAdmin(w *builtin.World, ws browser.Workspace) {
	GinkgoHelper()
	Expect(w.SP.AddAdmin(w.Workspace.ID, workspaceAdminEmail, workspaceAdminPassword)).To(Succeed())
	Expect(ws.SignInAsAdmin(workspaceAdminEmail, workspaceAdminPassword)).To(Succeed())
}

// signIn opens a fresh browser for user and signs in the guide's way: the
// SP's sign-in URL for email, then Okta's sign-in form as username.
func signIn(spBase, user, email, username string) (*browser.Tab, browser.Outcome) {
	GinkgoHelper()
	t := newSession(user).Tab()
	out, err := browser.SignIn(t, spBase, email, username, demo.Password)
	Expect(err).NotTo(HaveOccurred())
	return t, out
}

// apiError is Identity Platform's error envelope with the harness's reason.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Harness struct {
			Reason string `json:"reason"`
			Detail string `json:"detail"`
		} `json:"harness"`
	} `json:"error"`
}

// expectAPIError finds the tab's POST to path in its network log and checks
// the answer: status, reason and Identity Platform's exact message.
func expectAPIError(t *browser.Tab, path string, status int, reason, message string) apiError {
	GinkgoHelper()
	e, err := t.Net.Wait("POST", path, 0)
	Expect(err).NotTo(HaveOccurred())
	Expect(e.Status).To(Equal(status), e.Body)
	var body apiError
	Expect(e.JSON(&body)).To(Succeed())
	Expect(body.Error.Code).To(Equal(status))
	Expect(body.Error.Harness.Reason).To(Equal(reason))
	Expect(body.Error.Message).To(Equal(message))
	return body
}

// signInWithIdpOK is the part of a successful accounts:signInWithIdp answer
// the specs read.
type signInWithIdpOK struct {
	Kind        string `json:"kind"`
	FederatedID string `json:"federatedId"`
	ProviderID  string `json:"providerId"`
	Email       string `json:"email"`
	IDToken     string `json:"idToken"`
}

// laxSP is a second workspace SP whose gip_session cookie is SameSite=Lax,
// configured as the guide says and given the world's Okta app (whose SAML
// settings now point at it). It returns its base URL.
func laxSP(w *builtin.World) string {
	GinkgoHelper()
	svc, err := sp.New(sp.Config{Now: func() time.Time { return clock }, TrackingCookieSameSite: http.SameSiteLaxMode})
	Expect(err).NotTo(HaveOccurred())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: svc, ReadHeaderTimeout: 10 * time.Second}}
	srv.Start()
	DeferCleanup(srv.Close)
	svc.SetBaseURL(srv.URL)
	ws, err := svc.CreateWorkspace(sp.WorkspaceSpec{Name: demo.Workspace, VerifiedDomains: []string{demo.AllowedSSO}})
	Expect(err).NotTo(HaveOccurred())
	_, err = svc.UpdateSSO(ws.ID, sp.SSOSettings{SSOProvider: sp.SSOProviderSAML,
		IdentityProviderEntityID: w.App.EntityID, IdentityProviderSignInURL: w.App.SignOnURL,
		Certificates: []string{w.ActiveCertificatePEM()}, Domains: []string{demo.AllowedSSO}, Acknowledge: true})
	Expect(err).NotTo(HaveOccurred())
	s := w.GuideSettings()
	s.SSOURL, s.AudienceURI = srv.URL+sp.PathHandler, srv.URL
	_, err = w.IdP.UpdateApp(w.App.ID, s)
	Expect(err).NotTo(HaveOccurred())
	return srv.URL
}
