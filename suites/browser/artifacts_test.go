package browser_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/samlharness/samlharness/suites/browser"
	"github.com/samlharness/samlharness/suites/demo"
)

// What a failing spec leaves behind (the AfterEach hook calls the same
// WriteArtifacts): a screenshot, the DOM and the network log of each tab,
// and the spec's traffic as a HAR 1.2 file that `samlharness diagnose
// --har` reads.
var _ = Describe("failure artifacts", Label("artifacts"), func() {
	It("are a screenshot, the DOM and the network log of every tab, and the spec's HAR", func() {
		w := newWorld(true)
		t, out := signIn(w.SPURL, "alice", "alice@acme.test", "alice@acme.test")
		Expect(out.Kind).To(Equal("app"), out.String())
		dir := GinkgoT().TempDir()
		a, err := browser.WriteArtifacts(dir, chromeVersion, t)
		Expect(err).NotTo(HaveOccurred())

		Expect(a.Screenshots).To(HaveLen(1))
		png, err := os.ReadFile(a.Screenshots[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(png).To(HavePrefix("\x89PNG\r\n\x1a\n"))
		dom, err := os.ReadFile(a.DOMs[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(string(dom)).To(ContainSubstring(`data-signed-in-email="alice@acme.test"`))
		var entries []browser.Entry
		raw, err := os.ReadFile(a.NetLogs[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(raw, &entries)).To(Succeed())
		Expect(entries).NotTo(BeEmpty())

		By("network.har is HAR 1.2 with the SAMLResponse POST and the signInWithIdp answer")
		raw, err = os.ReadFile(a.HAR)
		Expect(err).NotTo(HaveOccurred())
		var har struct {
			Log struct {
				Version string `json:"version"`
				Entries []struct {
					StartedDateTime string `json:"startedDateTime"`
					Request         struct {
						Method   string `json:"method"`
						URL      string `json:"url"`
						PostData *struct {
							MimeType string `json:"mimeType"`
							Text     string `json:"text"`
						} `json:"postData"`
					} `json:"request"`
					Response struct {
						Status  int `json:"status"`
						Content struct {
							Text string `json:"text"`
						} `json:"content"`
					} `json:"response"`
				} `json:"entries"`
			} `json:"log"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		Expect(dec.Decode(&har)).To(Succeed())
		Expect(har.Log.Version).To(Equal("1.2"))
		var sawHandler, sawAPI, sawLogin bool
		for _, e := range har.Log.Entries {
			Expect(e.StartedDateTime).To(MatchRegexp(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`))
			switch {
			case e.Request.Method == "POST" && strings.HasSuffix(e.Request.URL, "/__/auth/handler"):
				sawHandler = true
				Expect(e.Request.PostData).NotTo(BeNil())
				Expect(e.Request.PostData.MimeType).To(Equal("application/x-www-form-urlencoded"))
				form, err := url.ParseQuery(e.Request.PostData.Text)
				Expect(err).NotTo(HaveOccurred())
				Expect(form.Get("SAMLResponse")).NotTo(BeEmpty())
			case e.Request.Method == "POST" && strings.HasSuffix(e.Request.URL, "/v1/accounts:signInWithIdp"):
				sawAPI = true
				Expect(e.Response.Status).To(Equal(200))
				Expect(e.Response.Content.Text).To(ContainSubstring(`"email": "alice@acme.test"`))
				Expect(e.Request.PostData.Text).To(ContainSubstring(`"requestUri"`))
			case e.Request.Method == "POST" && strings.HasSuffix(e.Request.URL, "/login/login.htm"):
				sawLogin = true
				Expect(e.Request.PostData.Text).NotTo(ContainSubstring(url.QueryEscape(demo.Password)))
				Expect(e.Request.PostData.Text).To(ContainSubstring("password=%5Bredacted%5D"))
			}
		}
		Expect([]bool{sawHandler, sawAPI, sawLogin}).To(Equal([]bool{true, true, true}))
	})
})
