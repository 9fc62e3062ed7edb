// Package mockidp is an Okta-like SAML 2.0 Identity Provider for tests: an
// org with users, groups and SAML app integrations whose settings mirror
// Okta's SAML settings page, Okta-shaped signing certificates (with
// rotation), metadata, the SSO endpoint (HTTP-Redirect and HTTP-POST
// bindings), a login page with an IdP session, IdP-initiated sign-on, a
// JSON admin API, and a response pipeline that can break responses on
// purpose through the faults of package fault.
//
// Responses are shaped like Okta's (see the harness reference notes): one
// line, saml2p:/saml2: prefixes, "id"+digits IDs, millisecond timestamps,
// ±5 minute windows, exclusive C14N with InclusiveNamespaces PrefixList="xs",
// Response and Assertion both signed with RSA-SHA256/SHA-256 by default.
// Signing uses goxmldsig and encryption crewjam/saml's xmlenc; the package
// never canonicalizes or signs XML by itself.
//
// SP developers can use it without a browser through (*IdP).Respond; the
// HTTP side is an http.Handler to mount on a loopback listener.
//
// The admin surface is authenticated as Okta's is: the console under /admin
// needs an admin sign-in (a session, a CSRF token on every change, the
// IdP's own Origin), the JSON API under /api/v1 an "Authorization: SSWS
// <token>" header; see Config.AdminLogin, (*IdP).APIToken and
// Config.InsecureOpenAdmin. The IdP ships no keys: the keys its signing and
// encryption plans name come through Config or are generated on first use.
package mockidp

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Config configures an IdP. The zero value is usable: every field has a
// default.
type Config struct {
	// Org is the Okta org subdomain, used in app names and certificate
	// subjects. Default "dev-123456".
	Org string
	// BaseURL is where the IdP is served, e.g. http://127.0.0.1:PORT. It
	// is usually known only once the listener runs: see SetBaseURL.
	BaseURL string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// IDs is the source of identifiers. Default NewRandomIDs (crypto/rand);
	// tests use NewSeededIDs.
	IDs IDGenerator
	// NewKey returns the private key of each new signing certificate (one
	// per app on creation, one per rotation). Default: a new RSA-2048 key,
	// which costs about 54 ms; tests pass pre-made keys.
	NewKey func() (*rsa.PrivateKey, error)

	// The keys outside the org model that signing and encryption plans
	// name. Each is optional: when nil, the IdP generates it on first use,
	// once per IdP (RSA-2048 about 54 ms, RSA-1024 a few ms), so an IdP
	// that never uses a plan never pays for its key. The package ships no
	// keys of its own; the harness passes its committed test keys so that
	// runs are fast and reproducible.

	// AttackerKey is a key no SP trusts, used by the "attacker" and
	// "attacker-with-idp-cert" signing plans (RSA, 2048 bits when
	// generated).
	AttackerKey *rsa.PrivateKey
	// RotatedKey is the key of the "idp-rotated" signing plan when the app
	// has no inactive certificate of its own (RSA-2048 when generated).
	RotatedKey *rsa.PrivateKey
	// WeakKey is the RSA-1024 key of the "weak-1024" signing plan, too
	// small for a strict SP. When set it must be an RSA key of 1024 bits
	// (New refuses any other size: the plan promises a weak key).
	WeakKey *rsa.PrivateKey
	// SpareKey is a key no SP holds: the recipient of the "wrong"
	// encryption plan (RSA-2048 when generated).
	SpareKey *rsa.PrivateKey

	// The admin surface: the console under /admin and the JSON API under
	// /api/v1 (see admin_auth.go). AdminLogin and AdminPassword sign in to
	// the console; APIToken is what the API takes as "Authorization: SSWS
	// <token>". Each is generated (crypto/rand) when empty; read them back
	// with AdminLogin, AdminPassword and APIToken. Default login
	// "admin@<org>.example".
	AdminLogin, AdminPassword, APIToken string
	// InsecureOpenAdmin opens the console and the API to anyone who can
	// reach the listener, without sign-in, token, CSRF or origin checks.
	// For library use in tests only; never on a shared machine.
	InsecureOpenAdmin bool
}

// IdP is an Okta-like identity provider: an org, its app integrations and
// their HTTP endpoints. It is safe for concurrent use. *IdP is an
// http.Handler.
type IdP struct {
	org    string
	now    func() time.Time
	ids    ids
	newKey func() (*rsa.PrivateKey, error)

	attackerKey, rotatedKey, weakKey, spareKey *rsa.PrivateKey
	// Certificates for keys outside the org model, minted on first use.
	attacker, rotated, weak, spare lazyCert

	mu          sync.RWMutex
	baseURL     string
	users       map[string]*userRecord // by ID
	userByLogin map[string]string      // lower-case login → ID
	groups      map[string]*Group      // by ID
	groupByName map[string]string      // name → ID
	everyoneID  string
	apps        map[string]*appRecord // by app ID
	appByKey    map[string]string     // external key → app ID
	appOrder    []string
	sessions    sessionStore

	admin *adminAuth

	mux *http.ServeMux
}

// New returns an IdP for cfg, with the built-in "Everyone" group.
func New(cfg Config) (*IdP, error) {
	idp := &IdP{
		org:         cfg.Org,
		now:         cfg.Now,
		newKey:      cfg.NewKey,
		attackerKey: cfg.AttackerKey,
		rotatedKey:  cfg.RotatedKey,
		weakKey:     cfg.WeakKey,
		spareKey:    cfg.SpareKey,
		users:       map[string]*userRecord{},
		userByLogin: map[string]string{},
		groups:      map[string]*Group{},
		groupByName: map[string]string{},
		apps:        map[string]*appRecord{},
		appByKey:    map[string]string{},
	}
	if idp.org == "" {
		idp.org = "dev-123456"
	}
	if k := cfg.WeakKey; k != nil && k.N.BitLen() != 1024 {
		return nil, newError(CodeInvalidRequest, fmt.Sprintf("Config.WeakKey is an RSA-%d key: the weak-1024 plan needs an RSA-1024 key (or leave it nil to generate one)", k.N.BitLen()))
	}
	if idp.now == nil {
		idp.now = time.Now
	}
	gen := cfg.IDs
	if gen == nil {
		gen = NewRandomIDs()
	}
	idp.ids = ids{gen}
	if idp.newKey == nil {
		idp.newKey = generateRSAKey
	}
	admin, err := newAdminAuth(cfg, idp.org)
	if err != nil {
		return nil, err
	}
	idp.admin = admin
	idp.sessions.init()
	idp.SetBaseURL(cfg.BaseURL)
	everyone, err := idp.AddGroup("Everyone")
	if err != nil {
		return nil, err
	}
	idp.everyoneID = everyone.ID
	idp.mux = idp.routes()
	return idp, nil
}

// Org returns the org subdomain.
func (idp *IdP) Org() string { return idp.org }

// SetBaseURL sets the URL the IdP is served at (e.g. the httptest server's
// URL); every IdP URL (SSO URL, metadata, login page) derives from it. A
// trailing slash is dropped.
func (idp *IdP) SetBaseURL(base string) {
	idp.mu.Lock()
	idp.baseURL = strings.TrimRight(base, "/")
	idp.mu.Unlock()
}

// BaseURL returns the base URL set by Config.BaseURL or SetBaseURL.
func (idp *IdP) BaseURL() string {
	idp.mu.RLock()
	defer idp.mu.RUnlock()
	return idp.baseURL
}

// ServeHTTP implements http.Handler.
func (idp *IdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	idp.mux.ServeHTTP(w, r)
}

// lazyCert is a certificate minted once, on first use.
type lazyCert struct {
	once sync.Once
	sc   *signingCert
	err  error
}

func (idp *IdP) lazyCert(l *lazyCert, what string, key func() (*rsa.PrivateKey, error)) (*signingCert, error) {
	l.once.Do(func() {
		k, err := key()
		if err != nil {
			l.err = wrapError(CodeKeyUnavailable, "cannot obtain the "+what+" key", err)
			return
		}
		l.sc, l.err = newSigningCert(idp.ids.kid(), k, idp.org, idp.now(), 10)
	})
	return l.sc, l.err
}

// configuredOr returns the configured key, or generates one of bits bits.
func configuredOr(k *rsa.PrivateKey, bits int) func() (*rsa.PrivateKey, error) {
	return func() (*rsa.PrivateKey, error) {
		if k != nil {
			return k, nil
		}
		return rsa.GenerateKey(rand.Reader, bits)
	}
}

// attackerCert is the key no SP trusts, with its own Okta-shaped
// self-signed certificate.
func (idp *IdP) attackerCert() (*signingCert, error) {
	return idp.lazyCert(&idp.attacker, "attacker", configuredOr(idp.attackerKey, 2048))
}

// rotatedCert is the "idp-rotated" key's certificate, for apps without an
// inactive certificate.
func (idp *IdP) rotatedCert() (*signingCert, error) {
	return idp.lazyCert(&idp.rotated, "rotated", configuredOr(idp.rotatedKey, 2048))
}

// weakCert is an RSA-1024 key's certificate ("weak-1024" plan).
func (idp *IdP) weakCert() (*signingCert, error) {
	return idp.lazyCert(&idp.weak, "weak RSA-1024", configuredOr(idp.weakKey, 1024))
}

// spareCert is a certificate whose key no SP holds, the recipient of the
// "wrong" encryption plan.
func (idp *IdP) spareCert() (*signingCert, error) {
	return idp.lazyCert(&idp.spare, "spare", configuredOr(idp.spareKey, 2048))
}
