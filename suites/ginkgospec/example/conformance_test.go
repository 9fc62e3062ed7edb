package mysp_test

import (
	"log"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"example.com/mysp"
	"github.com/samlharness/samlharness/suites/ginkgospec"
	"github.com/samlharness/samlharness/suites/target/external"
)

func TestSAMLConformance(t *testing.T) { RunSpecs(t, "my SP: SAML conformance") }

// One clock for the mock IdP and the SP: a fixed instant makes expiry
// edges exact. The SP must read the same (mysp.Config.Now sets crewjam's
// samlsp.Options.Clock); a zero time.Time puts both on the wall clock.
var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// mySP builds the SP from the mock IdP's metadata, and says how the
// harness drives it: where sign-in starts, what a signed-in user sees.
func mySP(idpMetadata []byte, baseURL string) (http.Handler, external.TargetSpec, error) {
	h, err := mysp.New(mysp.Config{
		BaseURL:     baseURL,
		IdPMetadata: idpMetadata,
		Now:         func() time.Time { return clock },
		Domain:      "example.com",
		Logger:      log.New(GinkgoWriter, "mysp: ", 0), // shown only for a failed spec
	})
	return h, external.TargetSpec{
		// Entity ID, ACS URL and encryption certificate from the SP's metadata.
		SP:      external.SPSpec{MetadataURL: baseURL + "/saml/metadata"},
		SignIn:  external.URLSpec{URL: baseURL + "/app"},
		Session: external.SessionSpec{URL: baseURL + "/whoami", Pattern: `signed in as (\S+)`},
		SignOut: &external.URLSpec{URL: baseURL + "/logout"},
		User:    external.UserSpec{Email: "alice@example.com"},
	}, err
}

var _ = ginkgospec.Register("my-sp", ginkgospec.InProcess(mySP, clock),
	// Not a multi-tenant workspace: no per-domain SSO policy to test.
	ginkgospec.ExcludeWorkspacePolicy(),
	// What this SP does on purpose; each fails the suite once the SP changes.
	ginkgospec.Allow(policyChoices))
