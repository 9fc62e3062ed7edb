package repro_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/sp/diagnose"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

const seed = 1

// loadCases parses every shipped case file; a broken file fails the suite.
func loadCases() []scenario.Case {
	var out []scenario.Case
	for _, f := range fixtures.Cases() {
		c, err := scenario.ParseCase(f.Data)
		if err != nil {
			panic(fmt.Sprintf("fixtures/cases/%s.json: %v", f.Name, err))
		}
		if c.ID != f.Name {
			panic(fmt.Sprintf("fixtures/cases/%s.json: its id is %q", f.Name, c.ID))
		}
		out = append(out, c)
	}
	return out
}

// Every case file, under every profile: the SP must give the recorded
// reason and exact message, after a valid control login in the same
// configuration of the built-in target passed.
var _ = Describe("customer cases", func() {
	cases := loadCases()

	It("ships at least eight cases", func() {
		Expect(len(cases)).To(BeNumerically(">=", 8))
	})

	for _, p := range scenario.Profiles {
		p := p
		var entries []any
		for _, c := range cases {
			entries = append(entries, Entry(c.ID, Label(c.Scenario().Labels()...), SpecTimeout(30*time.Second), c))
		}
		replay := func(ctx SpecContext, c scenario.Case) {
			target := builtin.New(builtin.Config{At: c.At})
			ctrl := runner.Control(ctx, target, p, runner.Options{Seed: seed})
			Expect(ctrl.Verdict).To(Equal(runner.Pass), "control login: %s", ctrl.Why)
			sc := c.Scenario()
			r := runner.RunScenario(ctx, target, sc, p, runner.Options{Seed: seed}, true)
			exp := c.Expect[p]
			Expect(r.Verdict).To(Equal(runner.Pass), "%s\n%s", c.Title, r.Why)
			Expect(r.Reason).To(Equal(exp.Reason))
		}
		DescribeTable("reproduce the recorded error in the "+string(p)+" profile", append([]any{Label("profile:" + string(p)), replay}, entries...)...)
	}

	// Diagnosing the replayed case — a HAR of it with the workspace's
	// settings as the admin API shows them — names the recorded cause first.
	var diagEntries []any
	for _, c := range cases {
		diagEntries = append(diagEntries, Entry(c.ID, SpecTimeout(30*time.Second), c))
	}
	diagnoseCase := func(ctx SpecContext, c scenario.Case) {
		rep := diagnoseReplay(ctx, c, scenario.IdentityPlatform)
		dumpReport("case", c.ID, rep)
		var text bytes.Buffer
		Expect(rep.WriteText(&text)).To(Succeed())
		Expect(rep.Findings).NotTo(BeEmpty(), text.String())
		Expect(rep.Findings[0].Code).To(Equal(c.Diagnosis.Cause), text.String())
		Expect(rep.Findings[0].Severity).To(Equal(diagnose.SeverityCause))
		Expect(rep.Result.Reason).To(Equal(c.Expect[scenario.IdentityPlatform].Reason))
		if rep.Recorded != nil {
			Expect(rep.Recorded.Matches).To(BeTrue(), "recorded %q, diagnosed %q", rep.Recorded.Message, rep.Result.Message)
		}
	}
	DescribeTable("diagnose names the recorded cause first", append([]any{diagnoseCase}, diagEntries...)...)
})

// diagnoseReplay prepares the case on the built-in target, records the
// sign-in as a HAR, reads the workspace's settings over the admin API and
// diagnoses them.
func diagnoseReplay(ctx SpecContext, c scenario.Case, p scenario.Profile) *diagnose.Report {
	target := builtin.New(builtin.Config{At: c.At})
	env, err := target.Prepare(ctx, c.Scenario(), p, seed)
	Expect(err).NotTo(HaveOccurred())
	defer env.Close()
	br := newBrowser(func() time.Time { return c.At })
	_, err = br.signIn(env.Site.SPBase, env.Site.IdPInitiatedURL, env.Plan.Username, env.Plan.Password, env.Plan.SignInEmail, c.Delivery == scenario.DeliverIdPInitiated)
	Expect(err).NotTo(HaveOccurred())

	wsID := strings.TrimPrefix(env.Vars["providerId"], "saml.workspace-")
	config := getJSON(env.Site.SPBase+"/api/workspaces/"+wsID+"/sso", env.Admin)
	ws := getJSON(env.Site.SPBase+"/api/workspaces/"+wsID, env.Admin)
	config["verifiedDomains"] = ws["verifiedDomains"]
	raw, _ := json.Marshal(config)
	cfg, err := diagnose.ParseConfig(raw)
	Expect(err).NotTo(HaveOccurred())
	ev, _, err := diagnose.ParseHAR(br.HAR(), 0)
	Expect(err).NotTo(HaveOccurred())
	return diagnose.Diagnose(diagnose.Input{Config: cfg, Evidence: ev})
}

func getJSON(u string, admin *sp.AdminCredentials) map[string]any {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	Expect(err).NotTo(HaveOccurred())
	admin.Apply(req)
	resp, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.StatusCode).To(Equal(http.StatusOK), string(b))
	var m map[string]any
	Expect(json.Unmarshal(b, &m)).To(Succeed())
	return m
}
