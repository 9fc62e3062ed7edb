package ginkgospec_test

// This suite tests ginkgospec's mechanics in this module: the conformance
// catalogue against an in-process SP (the hardened crewjam/saml peer, its
// documented policy choices allowed) and the built-in SP as a ready-made
// target. The complete "your own SP" example — a crewjam SP in a module of
// its own, over the whole catalogue — is example/ (TestExampleModuleIsGreen
// runs it); the peers' full matrix is suites/peers' to keep.

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/samlharness/samlharness/suites/ginkgospec"
	"github.com/samlharness/samlharness/suites/peers/crewjamhardened"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target/builtin"
	"github.com/samlharness/samlharness/suites/target/external"
)

func TestExampleSuite(t *testing.T) {
	RunSpecs(t, "ginkgospec example")
}

// The team's clock for the run: the IdP and the SP read the same frozen
// instant, so expiry edges are exact.
var clock = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

// The team's SP, built from the mock IdP's metadata, and how the harness
// drives it: where sign-in starts, what a signed-in user sees.
func mySP(idpMetadata []byte, baseURL string) (http.Handler, external.TargetSpec, error) {
	idp, err := peerkit.IdPSettingsFromMetadata(idpMetadata)
	if err != nil {
		return nil, external.TargetSpec{}, err
	}
	cfg, err := peerkit.Defaults(peerkit.Config{BaseURL: baseURL, IdP: idp, Domains: []string{"acme.test"}, At: clock})
	if err != nil {
		return nil, external.TargetSpec{}, err
	}
	h, err := crewjamhardened.New(cfg)
	return h, external.TargetSpec{
		Name: "my-sp",
		// The SP decrypts assertions encrypted to its certificate.
		SP:      external.SPSpec{EntityID: cfg.EntityID(), ACSURL: cfg.ACSURL(), EncryptionCertificate: cfg.CertificatePEM()},
		SignIn:  external.URLSpec{URL: baseURL + "/app?email={email}"},
		Session: external.SessionSpec{URL: baseURL + "/whoami", Pattern: `signed in as ([^<\s]+)`},
		SignOut: &external.URLSpec{URL: baseURL + "/logout"},
		User:    external.UserSpec{Email: "alice@acme.test"},
	}, err
}

// The whole catalogue against the team's SP, judged as a correct SP
// (strict); the documented policy choices are skipped with their reason.
// crewjamhardened.PolicyChoices is the one list: peers.KnownFailures
// builds the peer's documented failures on it, and the peers' matrix test
// fails unless it is exactly what this reason-blind suite sees fail.
var _ = ginkgospec.Register("my-sp", ginkgospec.InProcess(mySP, clock),
	ginkgospec.Filter("baseline,area:signature,area:encryption,replay*,okta-rsa-*"),
	ginkgospec.Allow(crewjamhardened.PolicyChoices))

// The built-in SP as a ready-made target, both profiles, baseline only.
var _ = ginkgospec.Register("builtin", ginkgospec.Target(builtin.New(builtin.Config{At: clock})),
	ginkgospec.Profiles(scenario.Profiles...), ginkgospec.Filter("baseline"))
