package browser_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/samlharness/samlharness/suites/browser"
	"github.com/samlharness/samlharness/suites/target/builtin"
)

// The browser suite: one headless Chromium for the whole process; every
// person in a spec gets a fresh browser context (a Session) of their own.

// clock is the harness clock both sides read: fixed, so pages and IDs are
// the same from run to run.
var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

const seed = 1

// EnvUpdateScreenshots, when "1", makes the suite refresh the README's
// screenshots in testdata/screenshots.
const EnvUpdateScreenshots = "SAMLHARNESS_UPDATE_SCREENSHOTS"

// EnvReports overrides where the suite writes its reports and failure
// artifacts (default reports/browser at the repository's top).
const EnvReports = "SAMLHARNESS_BROWSER_REPORTS"

var (
	sharedOnce    sync.Once
	sharedBrowser *browser.Browser
	sharedErr     error
	chromeVersion string

	// sessions are the current spec's, for its failure artifacts.
	sessions []*browser.Session
)

// startBrowser starts the process's one browser, once.
func startBrowser() (*browser.Browser, error) {
	sharedOnce.Do(func() {
		sharedBrowser, sharedErr = browser.Start(browser.Options{})
		if sharedErr == nil {
			chromeVersion, _ = sharedBrowser.Version()
		}
	})
	return sharedBrowser, sharedErr
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedBrowser != nil {
		sharedBrowser.Close()
	}
	os.Exit(code)
}

func TestBrowser(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Browser", Label("browser"))
}

func reportsDir() string {
	if d := os.Getenv(EnvReports); d != "" {
		return d
	}
	return filepath.Join("..", "..", "reports", "browser")
}

var _ = BeforeSuite(func() {
	// Failure folders of an earlier run would pass for this run's.
	if entries, err := os.ReadDir(reportsDir()); err == nil {
		for _, e := range entries {
			if e.IsDir() && e.Name() != "screenshots" {
				Expect(os.RemoveAll(filepath.Join(reportsDir(), e.Name()))).To(Succeed())
			}
		}
	}
	b, err := startBrowser()
	Expect(err).NotTo(HaveOccurred(), "the browser tier needs Chromium: set %s to its binary, or install Debian's package %q (apt-get install -y %s; `make test` does it as root)",
		browser.EnvChromium, browser.AptPackage, browser.AptPackage)
	AddReportEntry("browser", fmt.Sprintf("%s (%s), started in %s", chromeVersion, b.Path, b.Started.Round(time.Millisecond)))
})

// newSession opens a fresh browser for one person of the spec; it closes
// when the spec ends.
func newSession(name string) *browser.Session {
	GinkgoHelper()
	s, err := sharedBrowser.NewSession(name)
	Expect(err).NotTo(HaveOccurred())
	sessions = append(sessions, s)
	DeferCleanup(s.Close)
	return s
}

// newTab opens another tab in a session.
func newTab(s *browser.Session, name string) *browser.Tab {
	GinkgoHelper()
	t, err := s.NewTab(name)
	Expect(err).NotTo(HaveOccurred())
	return t
}

// newWorld is a mock Okta org on 127.0.0.2 and the workspace SP on
// 127.0.0.1: two different sites, as Okta and the SP are in production.
func newWorld(configure bool) *builtin.World {
	GinkgoHelper()
	w, err := builtin.NewWorld(builtin.WorldConfig{
		SPAddr: "127.0.0.1:0", IdPAddr: "127.0.0.2:0", Configure: configure,
		Seed: seed, Now: func() time.Time { return clock },
	})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(w.Close)
	return w
}

// readmeScreenshots are the pictures the README shows.
var readmeScreenshots = map[string]bool{"okta-sign-in": true, "security-and-sso": true, "error-cert-parse": true}

// screenshot keeps a picture of a page under reports/browser/screenshots,
// and refreshes the README's copy in testdata/screenshots when
// SAMLHARNESS_UPDATE_SCREENSHOTS=1.
func screenshot(t *browser.Tab, name string) {
	GinkgoHelper()
	png, err := t.Screenshot()
	Expect(err).NotTo(HaveOccurred())
	dirs := []string{filepath.Join(reportsDir(), "screenshots")}
	if os.Getenv(EnvUpdateScreenshots) == "1" && readmeScreenshots[name] {
		dirs = append(dirs, filepath.Join("testdata", "screenshots"))
	}
	for _, d := range dirs {
		Expect(os.MkdirAll(d, 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(d, name+".png"), png, 0o644)).To(Succeed())
	}
}

// On failure: a screenshot, the DOM and the network log of every tab, and
// the spec's traffic as network.har, in reports/browser/<spec>/ and
// attached to the report.
var _ = AfterEach(func() {
	defer func() { sessions = nil }()
	if !CurrentSpecReport().Failed() || sharedBrowser == nil {
		return
	}
	var tabs []*browser.Tab
	for _, s := range sessions {
		tabs = append(tabs, s.Tabs()...)
	}
	dir := filepath.Join(reportsDir(), browser.Slug(CurrentSpecReport().FullText()))
	a, err := browser.WriteArtifacts(dir, chromeVersion, tabs...)
	AddReportEntry("artifacts", dir, ReportEntryVisibilityFailureOrVerbose)
	if err != nil {
		AddReportEntry("artifact errors", err.Error(), ReportEntryVisibilityFailureOrVerbose)
	}
	for i, t := range tabs {
		name := t.Session.Name + "/" + t.Name
		if i < len(a.Screenshots) {
			AddReportEntry("screenshot "+name, a.Screenshots[i], ReportEntryVisibilityFailureOrVerbose)
			if png, err := os.ReadFile(a.Screenshots[i]); err == nil {
				AddReportEntry("screenshot png "+name, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(png), ReportEntryVisibilityNever)
			}
		}
		if dom, err := t.DOM(); err == nil {
			AddReportEntry("dom "+name, dom, ReportEntryVisibilityNever)
		}
		AddReportEntry("network "+name, t.Net.Summary(), ReportEntryVisibilityFailureOrVerbose)
	}
	AddReportEntry("har", a.HAR, ReportEntryVisibilityFailureOrVerbose)
})

// The JUnit and JSON reports (with the failure attachments) and the specs'
// timings go to reports/browser.
var _ = ReportAfterSuite("browser reports", func(report Report) {
	dir := reportsDir()
	Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
	Expect(reporters.GenerateJUnitReport(report, filepath.Join(dir, "junit.xml"))).To(Succeed())
	Expect(reporters.GenerateJSONReport(report, filepath.Join(dir, "report.json"))).To(Succeed())
	type timing struct {
		name string
		d    time.Duration
	}
	var ts []timing
	for _, s := range report.SpecReports {
		if s.LeafNodeType == types.NodeTypeIt {
			ts = append(ts, timing{s.FullText(), s.RunTime})
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].d > ts[j].d })
	var b strings.Builder
	fmt.Fprintf(&b, "browser suite: %s wall time, %d specs\n", report.RunTime.Round(time.Millisecond), len(ts))
	for _, t := range ts {
		fmt.Fprintf(&b, "%8s  %s\n", t.d.Round(time.Millisecond), t.name)
	}
	Expect(os.WriteFile(filepath.Join(dir, "timings.txt"), []byte(b.String()), 0o644)).To(Succeed())
})
