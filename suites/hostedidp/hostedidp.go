// Package hostedidp is the mock Okta org an SP outside the harness is
// configured against: one published app whose entity ID, SSO URL and
// signing certificate persist across runs, served on loopback, with one app
// per scenario behind the published SSO URL. `samlharness idp` serves it and
// the external target drives scenarios through it.
package hostedidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/httpserve"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/suites/demo"
)

// ScenarioCookie is the cookie, on the IdP's host, that ties a browser to
// the scenario it runs: the hosted IdP answers that browser's requests to
// the published SSO URL with the scenario's own app (its settings, faults
// and certificates).
const ScenarioCookie = "samlharness_scenario"

// Files of a hosted IdP's directory.
const (
	hostedKeyFile   = "signing.key.pem"
	hostedCertFile  = "signing.crt.pem"
	hostedStateFile = "idp.json"
)

// HostedIdPConfig configures the mock IdP an SP outside the harness is
// configured against.
type HostedIdPConfig struct {
	// Dir keeps the signing key (PKCS #8 PEM), its certificate and the
	// app's identity, created on first use and never overwritten, so that
	// an SP configured once from the metadata keeps working across runs.
	// Empty: nothing persists (the fixture key, for in-process tests).
	Dir string
	// Addr is the loopback address the IdP serves at. Empty: the address
	// recorded in Dir (where the SP was told the IdP is), or, for a new
	// Dir, a free loopback port chosen now and recorded; without Dir,
	// 127.0.0.1:0. With port 0 the base URL is known only once Start
	// listens.
	Addr string
	// Existing refuses to create a new IdP: Dir must already hold one
	// (an error wrapping ErrNoIdP otherwise). A run uses it, so that a
	// wrong --idp-dir is a refusal, not a run against an IdP no SP trusts.
	Existing bool
	// Now is the IdP's clock (default time.Now).
	Now func() time.Time
}

// hostedState is the app identity persisted in Dir.
type hostedState struct {
	Org         string    `json:"org"`
	Seed        uint64    `json:"seed"`
	AppID       string    `json:"appId"`
	AppName     string    `json:"appName"`
	ExternalKey string    `json:"externalKey"`
	EntityID    string    `json:"entityId"`
	BaseURL     string    `json:"baseUrl"`
	Created     time.Time `json:"created"`
	// MetadataIssued is when the metadata was first handed out (written
	// by `idp metadata`, served by `idp`, given to a peer): before that no
	// SP can trust this IdP.
	MetadataIssued *time.Time `json:"metadataIssued,omitempty"`
}

// HostedIdP is the mock Okta org an external SP trusts: one app whose
// entity ID, SSO URL and signing certificate stay the same across runs,
// served on a loopback address. Each scenario gets its own app behind the
// same published SSO URL (see ScenarioCookie), so scenarios run in
// parallel against one SP without sharing IdP state.
type HostedIdP struct {
	// IdP is the mock Okta org.
	IdP *mockidp.IdP
	// Created is true when Open made a new key and identity in Dir.
	Created bool

	cfg      HostedIdPConfig
	ids      *phasedIDs
	app      mockidp.App
	key      *rsa.PrivateKey
	cert     *x509.Certificate
	certPEM  string
	groupID  string
	routes   sync.Map // token → SSO path of a scenario's app
	usersMu  sync.Mutex
	seq      atomic.Uint64
	srv      *http.Server
	baseURL  string
	stateErr error
	state    hostedState
}

// phasedIDs is seeded while the org's stable objects are created (so the
// app's IDs follow from the seed), then crypto-random: response IDs must
// never repeat across runs, or an SP's persistent replay cache would refuse
// a new run's responses.
type phasedIDs struct {
	seeded mockidp.IDGenerator
	random atomic.Bool
}

func (p *phasedIDs) Uint64() uint64 {
	if p.random.Load() {
		return mockidp.NewRandomIDs().Uint64()
	}
	return p.seeded.Uint64()
}

// OpenHostedIdP loads (or, the first time, creates) the hosted IdP's key
// and identity and builds the org. It does not listen: Metadata works
// before Start, which is how `samlharness idp metadata` writes it.
func OpenHostedIdP(cfg HostedIdPConfig) (*HostedIdP, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := resolveAddr(&cfg); err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("IdP address %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("IdP address %q: only loopback addresses (127.0.0.0/8) are allowed", cfg.Addr)
	}
	h := &HostedIdP{cfg: cfg}
	if port != "0" {
		h.baseURL = "http://" + cfg.Addr
	}
	state, err := h.loadOrCreateKeys()
	if err != nil {
		return nil, err
	}
	h.ids = &phasedIDs{seeded: mockidp.NewSeededIDs(state.Seed)}
	rotated := fixtures.Key(fixtures.KeyIdPRotated)
	h.IdP, err = mockidp.New(mockidp.Config{
		Org: demo.Org, BaseURL: h.baseURL, Now: cfg.Now, IDs: h.ids,
		NewKey:      func() (*rsa.PrivateKey, error) { return rotated, nil },
		AttackerKey: fixtures.Key(fixtures.KeyAttacker),
		RotatedKey:  rotated, WeakKey: fixtures.Key(fixtures.KeyWeak1024), SpareKey: fixtures.Key(fixtures.KeySpare),
	})
	if err != nil {
		return nil, err
	}
	if err := h.createStableApp(); err != nil {
		return nil, err
	}
	h.ids.random.Store(true)
	if err := h.checkOrWriteState(state); err != nil {
		return nil, err
	}
	return h, nil
}

// loadOrCreateKeys reads the key, certificate and state from Dir, creating
// all three when none exists. A partial directory is an error: silently
// replacing a key would break every SP configured with the old one.
func (h *HostedIdP) loadOrCreateKeys() (hostedState, error) {
	now := h.cfg.Now()
	if h.cfg.Dir == "" {
		h.key = fixtures.Key(fixtures.KeyIdPPrimary)
		day := now.UTC().Truncate(24 * time.Hour)
		x, err := mockidp.MintCertificate(h.key, demo.Org, day.Add(-24*time.Hour), day.AddDate(10, 0, 0))
		if err != nil {
			return hostedState{}, err
		}
		h.setCert(x)
		return hostedState{Org: demo.Org, Seed: 1}, nil
	}
	paths := map[string]string{}
	var present, missing []string
	for _, f := range []string{hostedKeyFile, hostedCertFile, hostedStateFile} {
		p := filepath.Join(h.cfg.Dir, f)
		paths[f] = p
		if _, err := os.Stat(p); err == nil {
			present = append(present, f)
		} else if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, f)
		} else {
			return hostedState{}, err
		}
	}
	if len(present) == 0 {
		if h.cfg.Existing {
			return hostedState{}, fmt.Errorf("%w in %s", ErrNoIdP, h.cfg.Dir)
		}
		return h.createKeys(paths, now)
	}
	if len(missing) > 0 {
		return hostedState{}, fmt.Errorf("IdP directory %s is incomplete: it has %s but not %s; restore the missing file(s), or remove the directory to start over (every SP configured from the old metadata must then be configured again)",
			h.cfg.Dir, strings.Join(present, ", "), strings.Join(missing, ", "))
	}
	keyPEM, err := os.ReadFile(paths[hostedKeyFile])
	if err != nil {
		return hostedState{}, err
	}
	blk, _ := pem.Decode(keyPEM)
	if blk == nil {
		return hostedState{}, fmt.Errorf("%s holds no PEM block", paths[hostedKeyFile])
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return hostedState{}, fmt.Errorf("%s: %w", paths[hostedKeyFile], err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return hostedState{}, fmt.Errorf("%s is not an RSA key", paths[hostedKeyFile])
	}
	certPEM, err := os.ReadFile(paths[hostedCertFile])
	if err != nil {
		return hostedState{}, err
	}
	cblk, _ := pem.Decode(certPEM)
	if cblk == nil || cblk.Type != "CERTIFICATE" {
		return hostedState{}, fmt.Errorf("%s holds no certificate", paths[hostedCertFile])
	}
	x, err := x509.ParseCertificate(cblk.Bytes)
	if err != nil {
		return hostedState{}, fmt.Errorf("%s: %w", paths[hostedCertFile], err)
	}
	if pub, ok := x.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return hostedState{}, fmt.Errorf("%s is not the certificate of %s", paths[hostedCertFile], paths[hostedKeyFile])
	}
	raw, err := os.ReadFile(paths[hostedStateFile])
	if err != nil {
		return hostedState{}, err
	}
	var st hostedState
	if err := json.Unmarshal(raw, &st); err != nil || st.Seed == 0 || st.AppID == "" {
		return hostedState{}, fmt.Errorf("%s is not a hosted IdP state file", paths[hostedStateFile])
	}
	h.key = key
	h.setCert(x)
	return st, nil
}

// createKeys makes a new RSA-2048 key, an Okta-shaped certificate valid
// from 2020 to ten years from now, and a seed, writing the key and certificate (the state follows
// once the app exists).
func (h *HostedIdP) createKeys(paths map[string]string, now time.Time) (hostedState, error) {
	if err := os.MkdirAll(h.cfg.Dir, 0o700); err != nil {
		return hostedState{}, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return hostedState{}, err
	}
	// Valid from well before its creation, so that runs on a frozen clock
	// in the past (run --at) still find it valid; for ten years after.
	notBefore := now.Add(-24 * time.Hour)
	if epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC); notBefore.After(epoch) {
		notBefore = epoch
	}
	x, err := mockidp.MintCertificate(key, demo.Org, notBefore, now.AddDate(10, 0, 0))
	if err != nil {
		return hostedState{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return hostedState{}, err
	}
	if err := writeNew(paths[hostedKeyFile], pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return hostedState{}, err
	}
	if err := writeNew(paths[hostedCertFile], pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.Raw}), 0o644); err != nil {
		return hostedState{}, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	seed := binary.LittleEndian.Uint64(b[:]) | 1
	h.key = key
	h.setCert(x)
	h.Created = true
	return hostedState{Org: demo.Org, Seed: seed, Created: now.UTC()}, nil
}

// writeNew creates path, refusing to replace an existing file.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (h *HostedIdP) setCert(x *x509.Certificate) {
	h.cert = x
	h.certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.Raw}))
}

// createStableApp creates the org's group and the published app, whose
// active certificate is the persisted one. The calls are made in a fixed
// order so that the seeded IDs are the same on every run.
func (h *HostedIdP) createStableApp() error {
	g, err := h.IdP.AddGroup("Harness users")
	if err != nil {
		return err
	}
	h.groupID = g.ID
	app, err := h.IdP.CreateApp(demo.AppLabel, mockidp.SAMLSettings{
		SSOURL: "http://127.0.0.1/acs-not-configured", AudienceURI: "urn:samlharness:sp-not-configured",
		NameIDFormat: mockidp.NameIDEmailAddress, ApplicationUsername: mockidp.UsernameEmail,
	})
	if err != nil {
		return err
	}
	if err := h.installStableCert(app.ID); err != nil {
		return err
	}
	if err := h.IdP.AssignGroup(app.ID, g.ID); err != nil {
		return err
	}
	return h.refresh(app.ID)
}

func (h *HostedIdP) installStableCert(appID string) error {
	c, err := h.IdP.AddCertificate(appID, h.key, h.cert)
	if err != nil {
		return err
	}
	_, err = h.IdP.ActivateCertificate(appID, c.KID)
	return err
}

func (h *HostedIdP) refresh(appID string) error {
	a, err := h.IdP.App(appID)
	if err != nil {
		return err
	}
	h.app = *a
	return nil
}

// checkOrWriteState compares the app the seed produced with the persisted
// identity, or persists it the first time.
func (h *HostedIdP) checkOrWriteState(st hostedState) error {
	if h.cfg.Dir == "" {
		return nil
	}
	if h.Created {
		st.AppID, st.AppName, st.ExternalKey, st.EntityID, st.BaseURL = h.app.ID, h.app.Name, h.app.ExternalKey, h.app.EntityID, h.baseURL
		h.state = st
		raw, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return err
		}
		return writeNew(filepath.Join(h.cfg.Dir, hostedStateFile), append(raw, '\n'), 0o644)
	}
	h.state = st
	if st.AppID != h.app.ID || st.ExternalKey != h.app.ExternalKey || st.AppName != h.app.Name {
		return fmt.Errorf("IdP directory %s describes app %s (%s) but its seed now gives %s (%s): this harness version derives IDs differently; remove the directory and configure the SP again",
			h.cfg.Dir, st.AppID, st.ExternalKey, h.app.ID, h.app.ExternalKey)
	}
	if st.BaseURL != "" && h.baseURL != "" && st.BaseURL != h.baseURL {
		h.stateErr = fmt.Errorf("the IdP was first served at %s, now at %s: its SSO URL changed, so an SP configured from the old metadata sends users to the old address", st.BaseURL, h.baseURL)
	}
	return nil
}

// Warning returns a problem worth telling the user (e.g. the base URL
// changed since the SP was configured), or nil.
func (h *HostedIdP) Warning() error { return h.stateErr }

// Start serves the IdP on its loopback address.
func (h *HostedIdP) Start() error {
	ln, err := httpserve.Listen(h.cfg.Addr)
	if err != nil {
		return fmt.Errorf("mock IdP on %s: %w", h.cfg.Addr, err)
	}
	if h.baseURL == "" {
		h.baseURL = "http://" + ln.Addr().String()
		h.IdP.SetBaseURL(h.baseURL)
		if err := h.refresh(h.app.ID); err != nil {
			ln.Close()
			return err
		}
	}
	h.srv = httpserve.NewServer(h, httpserve.Options{})
	go func() { _ = httpserve.Serve(h.srv, ln, 0) }()
	return nil
}

// Close stops serving.
func (h *HostedIdP) Close() {
	if h.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = h.srv.Shutdown(ctx)
	}
}

// ServeHTTP routes a browser that carries ScenarioCookie from the published
// SSO URL to its scenario's app; everything else is the org as is.
func (h *HostedIdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == h.ssoPath() {
		if c, err := r.Cookie(ScenarioCookie); err == nil {
			if p, ok := h.routes.Load(c.Value); ok {
				r2 := r.Clone(r.Context())
				r2.URL.Path, r2.URL.RawPath = p.(string), ""
				h.IdP.ServeHTTP(w, r2)
				return
			}
		}
	}
	h.IdP.ServeHTTP(w, r)
}

func (h *HostedIdP) ssoPath() string {
	return "/app/" + h.app.Name + "/" + h.app.ExternalKey + "/sso/saml"
}

// BaseURL is where the IdP is served.
func (h *HostedIdP) BaseURL() string { return h.baseURL }

// App is the published app.
func (h *HostedIdP) App() mockidp.App { return h.app }

// EntityID is the IdP's entity ID (issuer).
func (h *HostedIdP) EntityID() string { return h.app.EntityID }

// SSOURL is the published Single Sign-On URL.
func (h *HostedIdP) SSOURL() string { return h.app.SignOnURL }

// MetadataURL is where the metadata is served.
func (h *HostedIdP) MetadataURL() string { return h.app.MetadataURL }

// CertificatePEM is the signing certificate an SP must trust.
func (h *HostedIdP) CertificatePEM() string { return h.certPEM }

// Metadata is the published app's SAML metadata.
func (h *HostedIdP) Metadata() ([]byte, error) { return h.IdP.Metadata(h.app.ID) }

// ConfigureApp points the published app at an SP (its ACS URL and entity
// ID), for browsers that sign in outside a scenario.
func (h *HostedIdP) ConfigureApp(acsURL, entityID string) error {
	s := h.app.Settings
	s.SSOURL, s.AudienceURI = acsURL, entityID
	if _, err := h.IdP.UpdateApp(h.app.ID, s); err != nil {
		return err
	}
	return h.refresh(h.app.ID)
}

// AddUser adds a user (password demo.Password), assigned to every app
// through the harness group when assigned; an existing login is kept.
func (h *HostedIdP) AddUser(login, email string, assigned bool) (string, error) {
	h.usersMu.Lock()
	defer h.usersMu.Unlock()
	if u, err := h.IdP.User(login); err == nil {
		return u.ID, nil
	}
	first, _, _ := strings.Cut(email, "@")
	u, err := h.IdP.AddUser(mockidp.User{Login: login, Email: email, FirstName: first, LastName: "User", Password: demo.Password})
	if err != nil {
		return "", err
	}
	if assigned {
		if err := h.IdP.AddUserToGroup(u.ID, h.groupID); err != nil {
			return "", err
		}
	}
	return u.ID, nil
}

// ScenarioApp is one scenario's app behind the published SSO URL.
type ScenarioApp struct {
	// App is the scenario's app in the org.
	App mockidp.App
	// Token is the ScenarioCookie value that routes a browser to it.
	Token string
}

// NewScenarioApp creates an app with the scenario's settings (the issuer
// and signing certificate are the published app's) and faults, assigns the
// harness group and the given users directly, and routes a token to it.
func (h *HostedIdP) NewScenarioApp(s mockidp.SAMLSettings, faults []fault.Fault, directUsers []string) (*ScenarioApp, error) {
	if s.SAMLIssuerID == "" {
		s.SAMLIssuerID = h.app.EntityID
	}
	app, err := h.IdP.CreateApp(fmt.Sprintf("Scenario %d", h.seq.Add(1)), s)
	if err != nil {
		return nil, err
	}
	if err := h.installStableCert(app.ID); err != nil {
		return nil, err
	}
	if err := h.IdP.AssignGroup(app.ID, h.groupID); err != nil {
		return nil, err
	}
	for _, u := range directUsers {
		if err := h.IdP.AssignUser(app.ID, u); err != nil {
			return nil, err
		}
	}
	if len(faults) > 0 {
		if err := h.IdP.SetFaults(app.ID, faults...); err != nil {
			return nil, err
		}
	}
	a, err := h.IdP.App(app.ID)
	if err != nil {
		return nil, err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	sa := &ScenarioApp{App: *a, Token: fmt.Sprintf("%x", b)}
	h.routes.Store(sa.Token, "/app/"+a.Name+"/"+a.ExternalKey+"/sso/saml")
	return sa, nil
}

// Release forgets a scenario's route (its app stays, unused).
func (h *HostedIdP) Release(sa *ScenarioApp) { h.routes.Delete(sa.Token) }

// TileURL is the scenario app's Okta tile (IdP-initiated sign-on).
func (h *HostedIdP) TileURL(sa *ScenarioApp) string {
	return h.baseURL + "/home/" + sa.App.Name + "/" + sa.App.ID
}

// Now reads the IdP's clock.
func (h *HostedIdP) Now() time.Time { return h.cfg.Now() }

// SigningKey is the key of the published certificate: the key every
// scenario app signs with unless the scenario replaces its certificate.
func (h *HostedIdP) SigningKey() *rsa.PrivateKey { return h.key }
