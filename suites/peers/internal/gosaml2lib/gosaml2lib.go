// Package gosaml2lib is what the gosaml2 peers share: the
// SAMLServiceProvider an integrator configures from the IdP settings, and
// the application's session store.
package gosaml2lib

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"sync"

	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

// ServiceProvider is gosaml2 configured for cfg, trusting certs.
// AllowMissingAttributes is set, since Okta sends no AttributeStatement
// unless attribute statements are configured.
func ServiceProvider(cfg peerkit.Config, certs []*x509.Certificate) *saml2.SAMLServiceProvider {
	return &saml2.SAMLServiceProvider{
		IdentityProviderSSOURL:      cfg.IdP.SSOURL,
		IdentityProviderIssuer:      cfg.IdP.EntityID,
		ServiceProviderIssuer:       cfg.EntityID(),
		AssertionConsumerServiceURL: cfg.ACSURL(),
		AudienceURI:                 cfg.EntityID(),
		IDPCertificateStore:         &dsig.MemoryX509CertificateStore{Roots: certs},
		SPKeyStore:                  dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{cfg.Certificate.Raw}, PrivateKey: cfg.Key}),
		AllowMissingAttributes:      true,
		Clock:                       Clock(cfg),
	}
}

// Clock is the dsig clock for cfg: frozen at cfg.At, or the wall clock.
func Clock(cfg peerkit.Config) *dsig.Clock {
	if cfg.At.IsZero() {
		return dsig.NewRealClock()
	}
	return dsig.NewFakeClockAt(cfg.At)
}

// Token returns a random cookie value.
func Token() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Sessions maps session cookies to NameIDs.
type Sessions struct {
	cookie  string
	mu      sync.Mutex
	byToken map[string]string
}

// NewSessions returns a store whose sessions ride the named cookie.
func NewSessions(cookie string) *Sessions {
	return &Sessions{cookie: cookie, byToken: map[string]string{}}
}

// Start signs who in: a new session cookie.
func (s *Sessions) Start(w http.ResponseWriter, who string) {
	token := Token()
	s.mu.Lock()
	s.byToken[token] = who
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// Identity returns the NameID of r's session.
func (s *Sessions) Identity(r *http.Request) (string, bool) {
	c, err := r.Cookie(s.cookie)
	if err != nil {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	who, ok := s.byToken[c.Value]
	return who, ok
}

// End signs r's session out.
func (s *Sessions) End(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.cookie); err == nil {
		s.mu.Lock()
		delete(s.byToken, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: "", Path: "/", MaxAge: -1})
}
