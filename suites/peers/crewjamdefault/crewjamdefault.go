// Package crewjamdefault is a peer SP built on github.com/crewjam/saml's
// samlsp middleware with its default options, as its README shows it:
// samlsp.New with the SP's key, certificate, URL and the IdP's metadata,
// nothing else. The harness's matrix shows what that accepts.
package crewjamdefault

import (
	"net/http"

	"github.com/samlharness/samlharness/suites/peers/internal/crewjamlib"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

// New returns the peer SP.
func New(cfg peerkit.Config) (http.Handler, error) {
	return peerkit.New(cfg, crewjamlib.Builder(crewjamlib.Tune{}))
}
