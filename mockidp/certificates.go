package mockidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// CertStatus is a signing certificate's status on the app's Sign On tab.
type CertStatus string

// Certificate statuses.
const (
	CertActive   CertStatus = "Active"
	CertInactive CertStatus = "Inactive"
)

// Certificate describes one of an app's SAML signing certificates, as the
// "SAML Signing Certificates" table shows it.
type Certificate struct {
	// KID is the key ID (43 URL-safe characters).
	KID       string     `json:"kid"`
	Status    CertStatus `json:"status"`
	Created   time.Time  `json:"created"`
	ExpiresAt time.Time  `json:"expiresAt"`
	// Fingerprint is the SHA-256 fingerprint, upper-case hex pairs joined
	// by colons.
	Fingerprint string `json:"fingerprint"`
	// X509 is the certificate (shared, never modified).
	X509 *x509.Certificate `json:"-"`
}

// PEM returns the certificate as Okta's "Download certificate" serves it
// (okta.cert): PEM with 76-character base64 lines.
func (c Certificate) PEM() []byte { return certPEM(c.X509.Raw) }

// signingCert is a key and its certificate. Immutable once made, so it is
// shared between the org model and in-flight responses.
type signingCert struct {
	kid     string
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	b64     string // DER in base64, wrapped at 76 characters with \n
	created time.Time
}

func (sc *signingCert) describe(active bool) Certificate {
	sum := sha256.Sum256(sc.cert.Raw)
	status := CertInactive
	if active {
		status = CertActive
	}
	return Certificate{
		KID:         sc.kid,
		Status:      status,
		Created:     sc.created,
		ExpiresAt:   sc.cert.NotAfter,
		Fingerprint: colonHex(sum[:]),
		X509:        sc.cert,
	}
}

func colonHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var s strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			s.WriteByte(':')
		}
		s.WriteString(h[i : i+2])
	}
	return s.String()
}

func generateRSAKey() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }

// newSigningCert mints an Okta-shaped certificate for key, created at
// created and valid for years.
func newSigningCert(kid string, key *rsa.PrivateKey, org string, created time.Time, years int) (*signingCert, error) {
	notBefore := created.Add(-time.Minute).Truncate(time.Second)
	notAfter := notBefore.AddDate(years, 0, 0).Add(time.Minute)
	cert, err := mintCertificate(key, org, big.NewInt(created.UnixMilli()), notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	return &signingCert{kid: kid, key: key, cert: cert, b64: wrap76(base64.StdEncoding.EncodeToString(cert.Raw)), created: created}, nil
}

// MintCertificate returns a self-signed certificate for key shaped like an
// Okta SAML signing certificate — X.509 v3 with no extensions,
// sha256WithRSAEncryption, subject and issuer "C=US, ST=California,
// L=San Francisco, O=Okta, OU=SSOProvider, CN={org},
// emailAddress=info@okta.com" — but with the validity given, e.g. one that
// has already expired. The serial number is the creation time Okta's rule
// implies (notBefore + 60 s, in Unix milliseconds). Install it in an app
// with AddCertificate.
func MintCertificate(key *rsa.PrivateKey, org string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	if key == nil {
		return nil, newError(CodeInvalidCert, "MintCertificate needs a key")
	}
	if !notAfter.After(notBefore) {
		return nil, newError(CodeInvalidCert, fmt.Sprintf("notAfter %s is not after notBefore %s", notAfter.UTC().Format(time.RFC3339), notBefore.UTC().Format(time.RFC3339)))
	}
	return mintCertificate(key, org, big.NewInt(notBefore.Add(time.Minute).UnixMilli()), notBefore, notAfter)
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// oktaName is Okta's certificate subject. Okta encodes C as a
// PrintableString, the other names as UTF8String and the email address as
// an IA5String; the raw encoding keeps those tags.
func oktaName(org string) ([]byte, error) {
	utf8 := func(s string) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagUTF8String, Bytes: []byte(s)}
	}
	rdn := func(oid asn1.ObjectIdentifier, v any) pkix.RelativeDistinguishedNameSET {
		return pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}}
	}
	seq := pkix.RDNSequence{
		rdn(asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagPrintableString, Bytes: []byte("US")}),
		rdn(asn1.ObjectIdentifier{2, 5, 4, 8}, utf8("California")),
		rdn(asn1.ObjectIdentifier{2, 5, 4, 7}, utf8("San Francisco")),
		rdn(asn1.ObjectIdentifier{2, 5, 4, 10}, utf8("Okta")),
		rdn(asn1.ObjectIdentifier{2, 5, 4, 11}, utf8("SSOProvider")),
		rdn(asn1.ObjectIdentifier{2, 5, 4, 3}, utf8(org)),
		rdn(oidEmailAddress, asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagIA5String, Bytes: []byte("info@okta.com")}),
	}
	return asn1.Marshal(seq)
}

func mintCertificate(key *rsa.PrivateKey, org string, serial *big.Int, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	// Minting costs an RSA signature and its result depends only on these
	// inputs (PKCS #1 v1.5 is deterministic), so certificates are minted
	// once per process: the harness builds hundreds of orgs from the same
	// fixture keys and clock.
	cacheKey := fmt.Sprintf("%x|%s|%s|%d|%d", sha256.Sum256(key.N.Bytes()), org, serial, notBefore.UnixNano(), notAfter.UnixNano())
	if c, ok := minted.Load(cacheKey); ok {
		return c.(*x509.Certificate), nil
	}
	c, err := mintUncached(key, org, serial, notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	minted.Store(cacheKey, c)
	return c, nil
}

// minted caches mintCertificate's results (shared, never modified).
var minted sync.Map

func mintUncached(key *rsa.PrivateKey, org string, serial *big.Int, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	name, err := oktaName(org)
	if err != nil {
		return nil, wrapError(CodeInvalidCert, "cannot encode the certificate subject", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       serial,
		RawSubject:         name,
		RawIssuer:          name,
		NotBefore:          notBefore.UTC(),
		NotAfter:           notAfter.UTC(),
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, wrapError(CodeInvalidCert, "cannot create the certificate", err)
	}
	return x509.ParseCertificate(der)
}

// wrap76 breaks s into lines of 76 characters joined by \n (Java's MIME
// encoder, as Okta's metadata and KeyInfo show).
func wrap76(s string) string {
	if len(s) <= 76 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/76)
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func certPEM(der []byte) []byte {
	var b strings.Builder
	b.WriteString("-----BEGIN CERTIFICATE-----\n")
	b.WriteString(wrap76(base64.StdEncoding.EncodeToString(der)))
	b.WriteString("\n-----END CERTIFICATE-----\n")
	return []byte(b.String())
}

// Certificates returns the app's signing certificates, oldest first.
func (idp *IdP) Certificates(appID string) ([]Certificate, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return nil, err
	}
	out := make([]Certificate, len(a.certs))
	for i, sc := range a.certs {
		out[i] = sc.describe(sc.kid == a.activeKID)
	}
	return out, nil
}

// ActiveCertificate returns the certificate the app signs with and that its
// metadata publishes.
func (idp *IdP) ActiveCertificate(appID string) (Certificate, error) {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return Certificate{}, err
	}
	return a.active().describe(true), nil
}

// GenerateCertificate is "Generate new certificate": a new key from
// Config.NewKey and a certificate valid for years (2 to 10, as Okta's API
// allows), listed as Inactive; the active one keeps signing until
// ActivateCertificate.
func (idp *IdP) GenerateCertificate(appID string, years int) (Certificate, error) {
	if years < 2 || years > 10 {
		return Certificate{}, newError(CodeInvalidRequest, fmt.Sprintf("validityYears %d is out of range: Okta issues certificates valid for 2 to 10 years", years))
	}
	if _, err := idp.App(appID); err != nil {
		return Certificate{}, err
	}
	key, err := idp.newKey()
	if err != nil {
		return Certificate{}, wrapError(CodeKeyUnavailable, "Config.NewKey failed", err)
	}
	sc, err := newSigningCert(idp.ids.kid(), key, idp.org, idp.now(), years)
	if err != nil {
		return Certificate{}, err
	}
	return idp.installCert(appID, sc)
}

// AddCertificate installs cert, with its private key, as an Inactive
// signing certificate of the app, e.g. one from MintCertificate with a
// validity in the past for expired-certificate scenarios. Activate it with
// ActivateCertificate.
func (idp *IdP) AddCertificate(appID string, key *rsa.PrivateKey, cert *x509.Certificate) (Certificate, error) {
	if key == nil || cert == nil {
		return Certificate{}, newError(CodeInvalidCert, "AddCertificate needs both the key and the certificate")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return Certificate{}, newError(CodeInvalidCert, "the certificate's public key is not the key's: pass the key the certificate was issued for")
	}
	sc := &signingCert{kid: idp.ids.kid(), key: key, cert: cert, b64: wrap76(base64.StdEncoding.EncodeToString(cert.Raw)), created: idp.now()}
	return idp.installCert(appID, sc)
}

func (idp *IdP) installCert(appID string, sc *signingCert) (Certificate, error) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return Certificate{}, err
	}
	a.certs = append(a.certs, sc)
	return sc.describe(false), nil
}

// ActivateCertificate makes the certificate kid the app's active one: it
// signs responses and the metadata publishes it. The previous one stays
// listed as Inactive.
func (idp *IdP) ActivateCertificate(appID, kid string) (Certificate, error) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(appID)
	if err != nil {
		return Certificate{}, err
	}
	sc := a.cert(kid)
	if sc == nil {
		return Certificate{}, newError(CodeCertNotFound, fmt.Sprintf("app %s has no certificate with kid %q: list them with Certificates", echo(appID), echo(kid)))
	}
	a.activeKID = kid
	a.LastUpdated = idp.now()
	return sc.describe(true), nil
}
