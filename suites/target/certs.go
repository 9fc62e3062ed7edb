package target

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/pastedcert"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/suites/demo"
)

// certificateText resolves a scenario's certificate reference to the text
// pasted into the SP: the active certificate, the one rotation will
// activate, or the attacker's, in the PEM shape the reference names.
func certificateText(ref fixtures.CertRef, activePEM string, rotated *mockidp.Certificate, now time.Time) (string, error) {
	src, shape := ref.Source, ref.Shape
	attacker := MintFixturePEM(fixtures.KeyAttacker, now)
	var text string
	switch src {
	case fixtures.CertActive:
		text = activePEM
	case fixtures.CertRotated:
		if rotated == nil {
			return "", fmt.Errorf("no rotated certificate")
		}
		text = string(rotated.PEM())
	case fixtures.CertAttacker:
		text = attacker
	default:
		return "", fmt.Errorf("unknown certificate %q (want %s, %s or %s)", src, fixtures.CertActive, fixtures.CertRotated, fixtures.CertAttacker)
	}
	switch shape {
	case "":
		return text, nil
	case pastedcert.PrivateKey:
		// The admin pasted a private key: the attacker fixture's, never the
		// IdP's own.
		return fixtures.PEMVariant(shape, text, KeyPEM(fixtures.KeyAttacker))
	}
	return fixtures.PEMVariant(shape, text, attacker)
}

// replaceSigningCertificate gives the app a new active certificate of the
// named kind and returns its PEM (what the SP must then trust).
func replaceSigningCertificate(org *mockidp.IdP, appID string, key *rsa.PrivateKey, now time.Time, kind fixtures.CertKind) (string, error) {
	notBefore, notAfter := now.Add(-time.Minute), now.AddDate(10, 0, 0)
	switch kind {
	case fixtures.CertExpired:
		notBefore, notAfter = now.AddDate(-11, 0, 0), now.AddDate(-1, 0, 0)
	case fixtures.CertNotYetValid:
		notBefore, notAfter = now.AddDate(0, 0, 1), now.AddDate(10, 0, 1)
	case fixtures.CertWeak1024:
		key = fixtures.Key(fixtures.KeyWeak1024)
	default:
		return "", fmt.Errorf("unknown signing certificate %q (want %s, %s or %s)", kind, fixtures.CertExpired, fixtures.CertNotYetValid, fixtures.CertWeak1024)
	}
	x, err := mockidp.MintCertificate(key, demo.Org, notBefore, notAfter)
	if err != nil {
		return "", err
	}
	c, err := org.AddCertificate(appID, key, x)
	if err != nil {
		return "", err
	}
	if _, err := org.ActivateCertificate(appID, c.KID); err != nil {
		return "", err
	}
	return string(c.PEM()), nil
}

// minted caches certificates minted for fixture keys, by key and day: a
// certificate costs an RSA signature, and every scenario needs some.
var minted sync.Map

// MintFixturePEM is an Okta-shaped certificate for a fixture key, valid
// from the day before now for ten years, cached by key and day.
func MintFixturePEM(key fixtures.KeyName, now time.Time) string {
	day := now.UTC().Truncate(24 * time.Hour)
	cacheKey := string(key) + "@" + day.Format(time.DateOnly)
	if v, ok := minted.Load(cacheKey); ok {
		return v.(string)
	}
	x, err := mockidp.MintCertificate(fixtures.Key(key), demo.Org, day.Add(-24*time.Hour), day.AddDate(10, 0, 0))
	if err != nil {
		return ""
	}
	p := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.Raw}))
	minted.Store(cacheKey, p)
	return p
}

// KeyPEM is a fixture private key as PKCS #8 PEM.
func KeyPEM(name fixtures.KeyName) string {
	der, err := x509.MarshalPKCS8PrivateKey(fixtures.Key(name))
	if err != nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
