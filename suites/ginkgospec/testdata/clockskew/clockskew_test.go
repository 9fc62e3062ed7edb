// Package clockskew is the trap ginkgospec's tests spring on purpose: a
// crewjam/saml SP on the wall clock registered with a fixed harness clock
// in the past. The control login fails on time, and the suite must fail
// once, in setup, with a hint about the shared clock (see
// ../../control_test.go, which runs this package).
package clockskew

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/samlharness/samlharness/suites/ginkgospec"
	"github.com/samlharness/samlharness/suites/peers/crewjamdefault"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
	"github.com/samlharness/samlharness/suites/target/external"
)

func TestClockSkew(t *testing.T) { RunSpecs(t, "clock skew") }

// The harness clock, a fixed instant long past.
var clock = time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)

// The SP, on the wall clock (At left zero): the trap.
func wallClockSP(idpMetadata []byte, baseURL string) (http.Handler, external.TargetSpec, error) {
	idp, err := peerkit.IdPSettingsFromMetadata(idpMetadata)
	if err != nil {
		return nil, external.TargetSpec{}, err
	}
	cfg, err := peerkit.Defaults(peerkit.Config{BaseURL: baseURL, IdP: idp, Domains: []string{"acme.test"}})
	if err != nil {
		return nil, external.TargetSpec{}, err
	}
	h, err := crewjamdefault.New(cfg)
	return h, external.TargetSpec{
		SP:      external.SPSpec{EntityID: cfg.EntityID(), ACSURL: cfg.ACSURL()},
		SignIn:  external.URLSpec{URL: baseURL + "/app?email={email}"},
		Session: external.SessionSpec{URL: baseURL + "/whoami", Pattern: `signed in as ([^<\s]+)`},
		User:    external.UserSpec{Email: "alice@acme.test"},
	}, err
}

var _ = ginkgospec.Register("wall-clock-sp", ginkgospec.InProcess(wallClockSP, clock), ginkgospec.Filter("baseline"))
