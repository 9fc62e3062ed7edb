// Package gosaml2 is a peer SP built on github.com/russellhaering/gosaml2,
// as its example (s2example/demo.go) uses it: RetrieveAssertionInfo on the
// posted SAMLResponse, then the WarningInfo checks the example makes
// (InvalidTime, NotInAudience). The library keeps no request state, so —
// like the example — the peer does not track which AuthnRequests it sent.
// AllowMissingAttributes is set, since Okta sends no AttributeStatement
// unless attribute statements are configured.
package gosaml2

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"

	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

const sessionCookie = "gosaml2_session"

// New returns the peer SP. Sessions outlive configuration changes.
func New(cfg peerkit.Config) (http.Handler, error) {
	store := &sessions{byToken: map[string]string{}}
	return peerkit.New(cfg, func(cfg peerkit.Config, certs []*x509.Certificate) (peerkit.Library, error) {
		clock := dsig.NewRealClock()
		if !cfg.At.IsZero() {
			clock = dsig.NewFakeClockAt(cfg.At)
		}
		sp := &saml2.SAMLServiceProvider{
			IdentityProviderSSOURL:      cfg.IdP.SSOURL,
			IdentityProviderIssuer:      cfg.IdP.EntityID,
			ServiceProviderIssuer:       cfg.EntityID(),
			AssertionConsumerServiceURL: cfg.ACSURL(),
			AudienceURI:                 cfg.EntityID(),
			IDPCertificateStore:         &dsig.MemoryX509CertificateStore{Roots: certs},
			SPKeyStore:                  dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{cfg.Certificate.Raw}, PrivateKey: cfg.Key}),
			AllowMissingAttributes:      true,
			Clock:                       clock,
		}
		return &lib{sp: sp, sessions: store}, nil
	})
}

// sessions maps session cookies to NameIDs.
type sessions struct {
	mu      sync.Mutex
	byToken map[string]string
}

// lib is gosaml2 as a peerkit.Library.
type lib struct {
	sp       *saml2.SAMLServiceProvider
	sessions *sessions
}

var errWarning = errors.New("the assertion is outside its validity window or not for this audience (gosaml2 WarningInfo)")

func (l *lib) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != peerkit.PathACS || r.Method != http.MethodPost {
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
	if info.WarningInfo.InvalidTime || info.WarningInfo.NotInAudience {
		peerkit.ErrorPage(w, errWarning)
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	l.sessions.mu.Lock()
	l.sessions.byToken[token] = info.NameID
	l.sessions.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
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

func (l *lib) Identity(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	l.sessions.mu.Lock()
	defer l.sessions.mu.Unlock()
	who, ok := l.sessions.byToken[c.Value]
	return who, ok
}

func (l *lib) SignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		l.sessions.mu.Lock()
		delete(l.sessions.byToken, c.Value)
		l.sessions.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
}
