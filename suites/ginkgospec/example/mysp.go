// Package mysp is the "your own SP" example: a small web app whose SAML
// sign-in is github.com/crewjam/saml's samlsp middleware, configured from
// the IdP's metadata. Its test (conformance_test.go) runs the harness's
// catalogue against it with ginkgospec — what an SP team adds to its own
// repository.
package mysp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"html"
	"log"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"
)

// Config is what the app needs.
type Config struct {
	// BaseURL is where the app is served, e.g. http://127.0.0.1:8080.
	BaseURL string
	// IdPMetadata is the IdP's SAML metadata (what Okta's "Identity
	// Provider metadata" link serves).
	IdPMetadata []byte
	// Now is the app's clock (default: the wall clock). Tests give it the
	// harness's, so both judge validity windows at the same instant.
	Now func() time.Time
	// Domain is the email domain whose users may sign in (e.g.
	// example.com): a NameID outside it is refused.
	Domain string
	// Logger receives a line per refused sign-in (default: the standard
	// logger).
	Logger *log.Logger
}

// New returns the app: /app (the signed-in page; signs the user in when
// they are not), /whoami (200 "signed in as EMAIL", else 401), /logout
// (POST), and samlsp's /saml/metadata and /saml/acs.
func New(cfg Config) (http.Handler, error) {
	root, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	idp, err := samlsp.ParseMetadata(cfg.IdPMetadata)
	if err != nil {
		return nil, fmt.Errorf("IdP metadata: %w", err)
	}
	clock := dsig.NewRealClock()
	if cfg.Now != nil {
		clock = dsig.NewFakeClockAt(cfg.Now())
	}
	logger := cfg.Logger
	if logger == nil {
		logger = log.Default()
	}
	key, cert, err := newKeyPair(clock.Now())
	if err != nil {
		return nil, err
	}
	replays := samlsp.NewMemoryReplayCache(100000)
	replays.Clock = clock
	m, err := samlsp.New(samlsp.Options{
		URL:         *root,
		EntityID:    root.String() + "/saml/metadata",
		Key:         key,
		Certificate: cert,
		IDPMetadata: idp,
		Clock:       clock,
		// Beyond samlsp's defaults: each assertion once, no unknown
		// conditions, no CBC-encrypted assertion in an unsigned Response.
		ReplayCache:                 replays,
		RejectUnknownConditions:     true,
		RequireSignedResponseForCBC: true,
	})
	if err != nil {
		return nil, err
	}
	m.OnError = func(w http.ResponseWriter, _ *http.Request, err error) {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			err = ire.PrivateErr
		}
		logger.Printf("sign-in refused: %v", err)
		http.Error(w, "Sign-in failed: "+err.Error(), http.StatusForbidden)
	}

	// Only users of the app's domain get a session.
	m.Session = domainSessions{SessionProvider: m.Session, domain: cfg.Domain}

	mux := http.NewServeMux()
	mux.Handle("/saml/", m)
	mux.HandleFunc("/app", func(w http.ResponseWriter, r *http.Request) {
		if email, ok := signedIn(m, r); ok {
			fmt.Fprintf(w, "<p>signed in as %s</p>", html.EscapeString(email))
			return
		}
		m.HandleStartAuthFlow(w, r)
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		if email, ok := signedIn(m, r); ok {
			fmt.Fprintf(w, "signed in as %s\n", email)
			return
		}
		http.Error(w, "not signed in", http.StatusUnauthorized)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		_ = m.Session.DeleteSession(w, r)
		fmt.Fprintln(w, "signed out")
	})
	return mux, nil
}

// signedIn is the session's user (the NameID), if any.
func signedIn(m *samlsp.Middleware, r *http.Request) (string, bool) {
	s, err := m.Session.GetSession(r)
	if err != nil || s == nil {
		return "", false
	}
	c, ok := s.(samlsp.JWTSessionClaims)
	if !ok || c.Subject == "" {
		return "", false
	}
	return strings.TrimSpace(c.Subject), true
}

// domainSessions creates a session only for a NameID that is a plain email
// address of the app's domain.
type domainSessions struct {
	samlsp.SessionProvider
	domain string
}

var plainEmail = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$`)

func (d domainSessions) CreateSession(w http.ResponseWriter, r *http.Request, a *saml.Assertion) error {
	if a.Subject == nil || a.Subject.NameID == nil {
		return errors.New("the assertion has no NameID")
	}
	email := strings.TrimSpace(a.Subject.NameID.Value)
	if !plainEmail.MatchString(email) {
		return fmt.Errorf("NameID %q is not an email address", email)
	}
	if !strings.EqualFold(email[strings.LastIndexByte(email, '@')+1:], d.domain) {
		return fmt.Errorf("%s is not in the domain %s", email, d.domain)
	}
	return d.SessionProvider.CreateSession(w, r, a)
}

// newKeyPair makes the SP's signing and encryption key and a self-signed
// certificate, published in its metadata.
func newKeyPair(now time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "my-sp"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}
