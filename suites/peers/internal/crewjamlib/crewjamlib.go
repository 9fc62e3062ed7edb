// Package crewjamlib plugs github.com/crewjam/saml's samlsp middleware into
// the peer shell; the default and hardened peers differ only in the
// options they pass.
package crewjamlib

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samlharness/samlharness/suites/peers/peerkit"
)

// Tune changes the samlsp options and the ServiceProvider samlsp made;
// wrap may wrap the ACS (nil: none).
type Tune struct {
	Options         func(*samlsp.Options)
	ServiceProvider func(*saml.ServiceProvider)
	WrapACS         func(http.Handler) http.Handler
	// Middleware changes the middleware samlsp made (e.g. wraps its
	// session provider); nil: none.
	Middleware func(*samlsp.Middleware)
}

// Clock is the samlsp clock for cfg: frozen at cfg.At, or the wall clock.
func Clock(cfg peerkit.Config) *dsig.Clock {
	if cfg.At.IsZero() {
		return dsig.NewRealClock()
	}
	return dsig.NewFakeClockAt(cfg.At)
}

// Builder returns a peerkit.Builder using samlsp with tune applied; each
// check vets the IdP certificates first.
func Builder(tune Tune, checks ...func([]*x509.Certificate) error) peerkit.Builder {
	return func(cfg peerkit.Config, certs []*x509.Certificate) (peerkit.Library, error) {
		for _, check := range checks {
			if err := check(certs); err != nil {
				return nil, err
			}
		}
		root, err := url.Parse(cfg.BaseURL)
		if err != nil {
			return nil, err
		}
		opts := samlsp.Options{
			EntityID:    cfg.EntityID(),
			URL:         *root,
			Key:         cfg.Key,
			Certificate: cfg.Certificate,
			IDPMetadata: idpMetadata(cfg.IdP, certs),
			Clock:       Clock(cfg),
		}
		if tune.Options != nil {
			tune.Options(&opts)
		}
		m, err := samlsp.New(opts)
		if err != nil {
			return nil, err
		}
		if tune.ServiceProvider != nil {
			tune.ServiceProvider(&m.ServiceProvider)
		}
		if tune.Middleware != nil {
			tune.Middleware(m)
		}
		m.OnError = func(w http.ResponseWriter, _ *http.Request, err error) {
			var own peerkit.ReasonError
			if errors.As(err, &own) {
				peerkit.Refuse(w, http.StatusForbidden, own.Reason, own.Error())
				return
			}
			var ire *saml.InvalidResponseError
			if errors.As(err, &ire) && ire.PrivateErr != nil {
				err = ire.PrivateErr
			}
			peerkit.ErrorPage(w, err)
		}
		l := &lib{m: m, acs: http.HandlerFunc(m.ServeACS)}
		if tune.WrapACS != nil {
			l.acs = tune.WrapACS(l.acs)
		}
		return l, nil
	}
}

// idpMetadata is the IdP configuration as crewjam's metadata type.
func idpMetadata(s peerkit.IdPSettings, certs []*x509.Certificate) *saml.EntityDescriptor {
	var kds []saml.KeyDescriptor
	for _, c := range certs {
		kds = append(kds, saml.KeyDescriptor{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
			X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(c.Raw)}},
		}}})
	}
	return &saml.EntityDescriptor{
		EntityID: s.EntityID,
		IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
				ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
				KeyDescriptors:             kds,
			}},
			SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: s.SSOURL}},
		}},
	}
}

// lib is samlsp as a peerkit.Library.
type lib struct {
	m   *samlsp.Middleware
	acs http.Handler
}

func (l *lib) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == peerkit.PathACS {
		l.acs.ServeHTTP(w, r)
		return
	}
	l.m.ServeHTTP(w, r)
}

func (l *lib) StartLogin(w http.ResponseWriter, r *http.Request) { l.m.HandleStartAuthFlow(w, r) }

func (l *lib) Identity(r *http.Request) (string, bool) {
	s, err := l.m.Session.GetSession(r)
	if err != nil || s == nil {
		return "", false
	}
	// A session whose NameID is empty is still a session: the shell's
	// policy refuses it (NAMEID_MISSING).
	switch c := s.(type) {
	case samlsp.JWTSessionClaims:
		return c.Subject, true
	case *samlsp.JWTSessionClaims:
		return c.Subject, true
	}
	return "", false
}

func (l *lib) SignOut(w http.ResponseWriter, r *http.Request) { _ = l.m.Session.DeleteSession(w, r) }
