// Package peerkit is the application shell every peer SP shares: the pages
// a user sees (/app, /whoami), the email-domain policy, sign-out and the
// harness's configuration hook. Each peer plugs one SAML library into it
// (a Library); the shell holds no SAML code of its own, so what the
// harness's matrix shows is the library's behaviour with the options the
// peer chose.
package peerkit

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
)

// Paths every peer serves.
const (
	PathApp      = "/app"           // the signed-in page; starts a login when signed out
	PathWhoAmI   = "/whoami"        // the harness's oracle: 200 "signed in as EMAIL", else 401/403
	PathSignOut  = "/logout"        // POST ends the session
	PathMetadata = "/saml/metadata" // the SP's entity ID
	PathACS      = "/saml/acs"      // Assertion Consumer Service
	PathConfig   = "/__harness/config"
)

// Config is what a peer SP needs.
type Config struct {
	// BaseURL is the SP's origin, e.g. http://127.0.0.1:7790. Its entity ID
	// is BaseURL+PathMetadata and its ACS URL BaseURL+PathACS.
	BaseURL string
	// IdP is the identity provider the SP trusts.
	IdP IdPSettings
	// Domains are the email domains whose users may sign in (the NameID
	// must be an email on one of them).
	Domains []string
	// At freezes the SP's clock (zero: the wall clock).
	At time.Time
	// Key and Certificate are the SP's own: they sign its cookies and
	// decrypt encrypted assertions. Default: the fixtures' SP encryption
	// key and a certificate minted for it.
	Key         *rsa.PrivateKey
	Certificate *x509.Certificate
	// ConfigHook serves PUT PathConfig, through which the harness changes
	// the IdP configuration as an admin would (target.SPConfig).
	// Never enable it outside tests.
	ConfigHook bool
}

// IdPSettings is the IdP configuration as an admin types it.
type IdPSettings struct {
	EntityID string
	SSOURL   string
	// Certificates are PEM text exactly as pasted.
	Certificates []string
}

// EntityID is the SP's entity ID.
func (c Config) EntityID() string { return strings.TrimRight(c.BaseURL, "/") + PathMetadata }

// ACSURL is the SP's ACS URL.
func (c Config) ACSURL() string { return strings.TrimRight(c.BaseURL, "/") + PathACS }

// withDefaults fills the SP key and certificate.
func (c Config) withDefaults() (Config, error) {
	if c.BaseURL == "" {
		return c, errors.New("peer: BaseURL is required")
	}
	if c.Key == nil {
		c.Key = fixtures.Key(fixtures.KeySPEncryption)
	}
	if c.Certificate == nil {
		now := c.At
		if now.IsZero() {
			now = time.Now()
		}
		x, err := mockidp.MintCertificate(c.Key, "peer-sp", now.AddDate(0, 0, -1), now.AddDate(10, 0, 0))
		if err != nil {
			return c, err
		}
		c.Certificate = x
	}
	return c, nil
}

// CertificatePEM is the SP's certificate as PEM (what an IdP admin pastes
// as the encryption certificate).
func (c Config) CertificatePEM() string {
	if c.Certificate == nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate.Raw}))
}

// ParseCertificates reads pasted PEM text the way Go's encoding/pem does:
// every CERTIFICATE block, anything around them ignored. A paste without
// one, or with one that does not parse, is refused.
func ParseCertificates(pasted []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for i, p := range pasted {
		rest := []byte(p)
		found := 0
		for {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			x, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate %d: %w", i+1, err)
			}
			out = append(out, x)
			found++
		}
		if found == 0 {
			return nil, fmt.Errorf("certificate %d: no PEM CERTIFICATE block", i+1)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate")
	}
	return out, nil
}

// metadata is the part of IdP metadata a peer reads.
type metadata struct {
	EntityID string `xml:"entityID,attr"`
	IDP      struct {
		Keys []struct {
			Use   string   `xml:"use,attr"`
			Certs []string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"KeyDescriptor"`
		SSO []struct {
			Binding  string `xml:"Binding,attr"`
			Location string `xml:"Location,attr"`
		} `xml:"SingleSignOnService"`
	} `xml:"IDPSSODescriptor"`
}

// IdPSettingsFromMetadata reads an IdP's entity ID, HTTP-Redirect SSO URL
// and signing certificates from its metadata.
func IdPSettingsFromMetadata(md []byte) (IdPSettings, error) {
	var m metadata
	if err := xml.Unmarshal(md, &m); err != nil {
		return IdPSettings{}, fmt.Errorf("IdP metadata: %w", err)
	}
	s := IdPSettings{EntityID: m.EntityID}
	for _, e := range m.IDP.SSO {
		if strings.HasSuffix(e.Binding, "HTTP-Redirect") {
			s.SSOURL = e.Location
		}
	}
	for _, k := range m.IDP.Keys {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, c := range k.Certs {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
			if err != nil {
				return IdPSettings{}, fmt.Errorf("IdP metadata certificate: %w", err)
			}
			s.Certificates = append(s.Certificates, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
		}
	}
	if s.EntityID == "" || s.SSOURL == "" || len(s.Certificates) == 0 {
		return IdPSettings{}, errors.New("IdP metadata: need an entityID, an HTTP-Redirect SingleSignOnService and a signing certificate")
	}
	return s, nil
}

// Defaults returns cfg with the SP key and certificate filled in as New
// fills them.
func Defaults(cfg Config) (Config, error) { return cfg.withDefaults() }
