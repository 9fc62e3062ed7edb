package ginkgospec_test

// This suite is the example of ginkgospec: an SP team's own Ginkgo suite
// that adds the conformance catalogue against its in-process SP (here the
// hardened crewjam/saml peer stands in for the team's SP) in a few lines,
// plus the built-in SP as a ready-made target.

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/samlharness/samlharness/suites/ginkgospec"
	"github.com/samlharness/samlharness/suites/peers/crewjamhardened"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

func TestExampleSuite(t *testing.T) {
	RunSpecs(t, "ginkgospec example")
}

// The team's clock for the run: the IdP and the SP read the same frozen
// instant, so expiry edges are exact.
var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// The team's SP, built from the mock IdP's metadata, and how the harness
// drives it: where sign-in starts, what a signed-in user sees.
func mySP(idpMetadata []byte, baseURL string) (http.Handler, runner.TargetSpec, error) {
	idp, err := peerkit.IdPSettingsFromMetadata(idpMetadata)
	if err != nil {
		return nil, runner.TargetSpec{}, err
	}
	cfg, err := peerkit.Defaults(peerkit.Config{BaseURL: baseURL, IdP: idp, Domains: []string{"acme.test"}, At: clock})
	if err != nil {
		return nil, runner.TargetSpec{}, err
	}
	h, err := crewjamhardened.New(cfg)
	return h, runner.TargetSpec{
		Name: "my-sp",
		// The SP decrypts assertions encrypted to its certificate.
		SP:      runner.SPSpec{EntityID: cfg.EntityID(), ACSURL: cfg.ACSURL(), EncryptionCertificate: cfg.CertificatePEM()},
		SignIn:  runner.URLSpec{URL: baseURL + "/app?email={email}"},
		Session: runner.SessionSpec{URL: baseURL + "/whoami", Pattern: `signed in as ([^<\s]+)`},
		SignOut: &runner.URLSpec{URL: baseURL + "/logout"},
		User:    runner.UserSpec{Email: "alice@acme.test"},
	}, err
}

// The whole catalogue against the team's SP, judged as a correct SP
// (strict); the documented policy choices are skipped with their reason.
var _ = ginkgospec.Register("my-sp", ginkgospec.InProcess(mySP, clock),
	ginkgospec.Allow(crewjamhardened.PolicyChoices))

// The built-in SP as a ready-made target, both profiles, baseline only.
var _ = ginkgospec.Register("builtin", ginkgospec.Target(runner.NewBuiltin(runner.BuiltinConfig{At: clock})),
	ginkgospec.Profiles(scenario.Profiles...), ginkgospec.Filter("baseline"))
