// Package gosaml2 is a peer SP built on github.com/russellhaering/gosaml2,
// as its example (s2example/demo.go) uses it: RetrieveAssertionInfo on the
// SAMLResponse form value (any method; FormValue reads the query too), then the WarningInfo checks the example makes
// (InvalidTime, then NotInAudience), each refused with the flag's name on
// the page. The library keeps no request state and no replay cache, and —
// like the example — this peer adds none: gosaml2-hardened is the same
// library with what a careful integrator adds.
package gosaml2

import (
	"crypto/x509"
	"errors"
	"net/http"

	saml2 "github.com/russellhaering/gosaml2"

	"github.com/samlharness/samlharness/suites/peers/internal/gosaml2lib"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

// New returns the peer SP. Sessions outlive configuration changes.
func New(cfg peerkit.Config) (http.Handler, error) {
	store := gosaml2lib.NewSessions("gosaml2_session")
	return peerkit.New(cfg, func(cfg peerkit.Config, certs []*x509.Certificate) (peerkit.Library, error) {
		return &lib{sp: gosaml2lib.ServiceProvider(cfg, certs), sessions: store}, nil
	})
}

// lib is gosaml2 as a peerkit.Library.
type lib struct {
	sp       *saml2.SAMLServiceProvider
	sessions *gosaml2lib.Sessions
}

// The example's WarningInfo refusals, named by the flag.
var (
	errInvalidTime   = errors.New("WarningInfo.InvalidTime: the assertion is outside its Conditions validity period")
	errNotInAudience = errors.New("WarningInfo.NotInAudience: an AudienceRestriction does not name this SP")
)

func (l *lib) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Like the example: any method, and FormValue, which reads the query
	// as well as the POST body (gosaml2 inflates a DEFLATE-encoded
	// SAMLResponse, so a response on the HTTP-Redirect binding reads too).
	if r.URL.Path != peerkit.PathACS {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	if err := r.ParseForm(); err != nil {
		peerkit.ErrorPage(w, err)
		return
	}
	info, err := l.sp.RetrieveAssertionInfo(r.FormValue("SAMLResponse"))
	if err != nil {
		peerkit.ErrorPage(w, err)
		return
	}
	if info.WarningInfo.InvalidTime {
		peerkit.ErrorPage(w, errInvalidTime)
		return
	}
	if info.WarningInfo.NotInAudience {
		peerkit.ErrorPage(w, errNotInAudience)
		return
	}
	l.sessions.Start(w, info.NameID)
	http.Redirect(w, r, peerkit.PathApp, http.StatusFound)
}

func (l *lib) StartLogin(w http.ResponseWriter, r *http.Request) {
	u, err := l.sp.BuildAuthURL("")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, u, http.StatusFound)
}

func (l *lib) Identity(r *http.Request) (string, bool) { return l.sessions.Identity(r) }

func (l *lib) SignOut(w http.ResponseWriter, r *http.Request) { l.sessions.End(w, r) }
