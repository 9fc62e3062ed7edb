package builtin

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/internal/httpserve"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/target"
)

// WorldConfig sets up a World.
type WorldConfig struct {
	// Now is the clock both sides read (default time.Now).
	Now func() time.Time
	// Seed makes IDs and randomness reproducible (0: crypto-random).
	Seed uint64
	// Profile is the workspace's SP profile (default identity-platform).
	Profile sp.Profile
	// SPAddr and IdPAddr are loopback listen addresses (default
	// 127.0.0.1:0, an ephemeral port).
	SPAddr, IdPAddr string
	// Configure, when false, leaves the workspace's SSO unconfigured (the
	// caller configures it); when true the guide's configuration is applied.
	Configure bool
	// UnsafeDisableSteps is passed to sp.Config.UnsafeDisableSteps: FOR
	// TESTS ONLY (the self-mutation test turns one protection off).
	UnsafeDisableSteps []string
}

// World is the mock Okta org and the workspace SP, listening on loopback and
// wired together exactly as the setup guide says.
type World struct {
	// Admin is a signed-in session of the workspace admin (demo.AdminEmail)
	// for the SP's admin HTTP API: Admin.Apply(req) adds its cookie and
	// CSRF header.
	Admin     sp.AdminCredentials
	IdP       *mockidp.IdP
	SP        *sp.Server
	IdPURL    string
	SPURL     string
	App       mockidp.App
	Workspace sp.Workspace
	Users     map[string]demo.User
	UserIDs   map[string]string // demo key → Okta user ID

	appID     string
	tenant    *Tenant // the second workspace, when a scenario adds one
	now       func() time.Time
	closeOnce sync.Once
	sites     []*site
}

// keySequence hands the IdP the committed fixture keys in order (first
// signing certificate, the one rotation generates, a spare), then fresh ones.
func keySequence() func() (*rsa.PrivateKey, error) {
	names := []fixtures.KeyName{fixtures.KeyIdPPrimary, fixtures.KeyIdPRotated, fixtures.KeySpare}
	var mu sync.Mutex
	i := 0
	return func() (*rsa.PrivateKey, error) {
		mu.Lock()
		defer mu.Unlock()
		if i < len(names) {
			i++
			return fixtures.LoadKey(names[i-1])
		}
		return rsa.GenerateKey(rand.Reader, 2048)
	}
}

// newSeededReader is a deterministic randomness source for the SP.
func newSeededReader(seed uint64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return mrand.NewChaCha8(s)
}

// NewWorld builds and starts a World.
func NewWorld(cfg WorldConfig) (*World, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SPAddr == "" {
		cfg.SPAddr = "127.0.0.1:0"
	}
	if cfg.IdPAddr == "" {
		cfg.IdPAddr = "127.0.0.1:0"
	}
	if cfg.Profile == "" {
		cfg.Profile = sp.ProfileIdentityPlatform
	}
	w := &World{Users: map[string]demo.User{}, UserIDs: map[string]string{}, now: cfg.Now}
	ok := false
	defer func() {
		if !ok {
			w.Close()
		}
	}()

	idpCfg := mockidp.Config{Org: demo.Org, Now: cfg.Now, NewKey: keySequence(), AttackerKey: fixtures.Key(fixtures.KeyAttacker),
		RotatedKey: fixtures.Key(fixtures.KeyIdPRotated), WeakKey: fixtures.Key(fixtures.KeyWeak1024), SpareKey: fixtures.Key(fixtures.KeySpare)}
	spCfg := sp.Config{Now: cfg.Now, UnsafeDisableSteps: cfg.UnsafeDisableSteps}
	if cfg.Seed != 0 {
		idpCfg.IDs = mockidp.NewSeededIDs(cfg.Seed)
		spCfg.Rand = newSeededReader(cfg.Seed ^ 0x5eed)
	}
	idp, err := mockidp.New(idpCfg)
	if err != nil {
		return nil, fmt.Errorf("mock IdP: %w", err)
	}
	svc, err := sp.New(spCfg)
	if err != nil {
		return nil, fmt.Errorf("SP: %w", err)
	}
	w.IdP, w.SP = idp, svc
	if w.IdPURL, err = w.listen(cfg.IdPAddr, idp); err != nil {
		return nil, fmt.Errorf("mock IdP: %w", err)
	}
	if w.SPURL, err = w.listen(cfg.SPAddr, svc); err != nil {
		return nil, fmt.Errorf("SP: %w", err)
	}
	idp.SetBaseURL(w.IdPURL)
	svc.SetBaseURL(w.SPURL)

	if err := w.populateIdP(); err != nil {
		return nil, err
	}
	ws, err := svc.CreateWorkspace(sp.WorkspaceSpec{
		Name: demo.Workspace, VerifiedDomains: []string{demo.AllowedSSO, demo.VerifiedLabs}, Profile: cfg.Profile,
	})
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	w.Workspace = ws
	if err := svc.AddAdmin(ws.ID, demo.AdminEmail, ""); err != nil {
		return nil, fmt.Errorf("workspace admin: %w", err)
	}
	if w.Admin, err = svc.AdminSession(demo.AdminEmail); err != nil {
		return nil, fmt.Errorf("workspace admin: %w", err)
	}
	if cfg.Configure {
		if _, err := svc.UpdateSSO(ws.ID, w.GuideSSO()); err != nil {
			return nil, fmt.Errorf("workspace SSO: %w", err)
		}
	}
	ok = true
	return w, nil
}

// populateIdP creates the demo users, the Engineering group and the
// ElevenLabs app configured as the guide's SAML Settings say.
func (w *World) populateIdP() error {
	g, err := w.IdP.AddGroup(demo.Group)
	if err != nil {
		return fmt.Errorf("group: %w", err)
	}
	app, err := w.IdP.CreateApp(demo.AppLabel, w.GuideSettings())
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	w.appID = app.ID
	if err := w.IdP.AssignGroup(app.ID, g.ID); err != nil {
		return fmt.Errorf("assign group: %w", err)
	}
	for _, u := range demo.Users {
		created, err := w.IdP.AddUser(mockidp.User{Login: u.Login, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Password: demo.Password})
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Key, err)
		}
		w.Users[u.Key] = u
		w.UserIDs[u.Key] = created.ID
		for range u.Groups {
			if err := w.IdP.AddUserToGroup(created.ID, g.ID); err != nil {
				return fmt.Errorf("user %s: %w", u.Key, err)
			}
		}
		if u.Assigned && len(u.Groups) == 0 {
			if err := w.IdP.AssignUser(app.ID, created.ID); err != nil {
				return fmt.Errorf("assign %s: %w", u.Key, err)
			}
		}
	}
	return w.refreshApp()
}

// refreshApp re-reads the app (its URLs and active certificate change with
// the base URL and rotation).
func (w *World) refreshApp() error {
	app, err := w.IdP.App(w.appID)
	if err != nil {
		return err
	}
	w.App = *app
	return nil
}

// GuideSettings is the Okta app's SAML Settings as the setup guide fills
// them: Single sign-on URL = Redirect URL (also Recipient and Destination),
// Audience URI = Service Provider Entity Id, Name ID format EmailAddress,
// Application username Email; everything else Okta's defaults.
func (w *World) GuideSettings() mockidp.SAMLSettings {
	return mockidp.SAMLSettings{
		SSOURL:              w.RedirectURL(),
		AudienceURI:         w.SPEntityID(),
		NameIDFormat:        mockidp.NameIDEmailAddress,
		ApplicationUsername: mockidp.UsernameEmail,
	}
}

// GuideSSO is the workspace's Security & SSO form as the guide fills it,
// from Okta's metadata and downloaded certificate.
func (w *World) GuideSSO() sp.SSOSettings {
	return sp.SSOSettings{
		SSOProvider:               "SAML",
		IdentityProviderEntityID:  w.App.EntityID,
		IdentityProviderSignInURL: w.App.SignOnURL,
		Certificates:              []string{w.ActiveCertificatePEM()},
		Domains:                   []string{demo.AllowedSSO},
		Acknowledge:               true,
	}
}

// ActiveCertificatePEM is Okta's active certificate as "Download
// certificate" gives it.
func (w *World) ActiveCertificatePEM() string {
	c, err := w.IdP.ActiveCertificate(w.appID)
	if err != nil {
		return ""
	}
	return string(c.PEM())
}

// AttackerCertificatePEM is a certificate for a key nobody trusts (the
// IdP's TLS certificate, another app's, an attacker's).
func (w *World) AttackerCertificatePEM() string {
	return w.mintPEM(fixtures.KeyAttacker)
}

// SPEncryptionCertificatePEM is the workspace's encryption certificate, as
// an admin would paste it into Okta's "Encryption Certificate".
func (w *World) SPEncryptionCertificatePEM() string {
	return w.mintPEM(fixtures.KeySPEncryption)
}

func (w *World) mintPEM(key fixtures.KeyName) string { return target.MintFixturePEM(key, w.now()) }

// SPEntityID is the workspace's Service Provider Entity Id.
func (w *World) SPEntityID() string { return w.SPURL }

// RedirectURL is the workspace's Redirect URL.
func (w *World) RedirectURL() string { return w.SPURL + "/__/auth/handler" }

// ProviderID is the workspace's Identity Platform provider ID.
func (w *World) ProviderID() string { return "saml.workspace-" + w.Workspace.ID }

// Site is what the driver needs.
func (w *World) Site() runner.Site {
	return runner.Site{SPBase: w.SPURL, IdPInitiatedURL: w.IdPURL + "/home/" + w.App.Name + "/" + w.App.ID}
}

// Vars fill expectation placeholders.
func (w *World) Vars() map[string]string {
	vars := map[string]string{
		"spEntityId":  w.SPEntityID(),
		"redirectUrl": w.RedirectURL(),
		"idpEntityId": w.App.EntityID,
		"ssoUrl":      w.App.SignOnURL,
		"providerId":  w.ProviderID(),
		"metadataUrl": w.App.MetadataURL,
		"sp":          w.SPURL,
		"idp":         w.IdPURL,

		"spEncryptionCertificate": w.SPEncryptionCertificatePEM(),
	}
	if t := w.tenant; t != nil {
		vars["secondProviderId"] = t.ProviderID()
		vars["secondIdpEntityId"] = t.App.EntityID
	}
	return vars
}

// listen serves h on a loopback address and returns its base URL. Ephemeral
// addresses (port 0) come from a pool of running servers: a catalogue run
// starts two sites per scenario, and binding a fresh socket each time costs
// more than the scenario's own crypto once the kernel's ephemeral ports fill
// with TIME_WAIT entries. A pooled server is used by one World at a time.
func (w *World) listen(addr string, h http.Handler) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("listen address %q: only loopback addresses (127.0.0.0/8) are allowed", addr)
	}
	if port == "0" {
		if s := sites.take(host); s != nil {
			s.handler.Store(&h)
			w.sites = append(w.sites, s)
			return s.url, nil
		}
	}
	ln, err := httpserve.Listen(addr)
	if err != nil {
		return "", err
	}
	s := &site{host: host, url: "http://" + ln.Addr().String(), pooled: port == "0"}
	s.handler.Store(&h)
	s.srv = httpserve.NewServer(s, httpserve.Options{})
	w.sites = append(w.sites, s)
	go func() { _ = httpserve.Serve(s.srv, ln, 0) }() // ends with ErrServerClosed on Shutdown
	return s.url, nil
}

// Close releases both sites: pooled ones go back to the pool (answering
// 410 Gone until the next World takes them), the others stop.
func (w *World) Close() {
	w.closeOnce.Do(func() {
		for _, s := range w.sites {
			s.handler.Store(&goneHandler)
			if !s.pooled || !sites.put(s) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_ = s.srv.Shutdown(ctx)
				cancel()
			}
		}
	})
}

// site is one loopback HTTP server whose handler a World installs.
type site struct {
	host    string
	url     string
	pooled  bool
	srv     *http.Server
	handler atomic.Pointer[http.Handler]
}

func (s *site) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	(*s.handler.Load()).ServeHTTP(rw, r)
}

// goneHandler answers for a released site.
var goneHandler http.Handler = http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
	http.Error(rw, "this harness site has been released", http.StatusGone)
})

// sitePool keeps released ephemeral sites by host, bounded.
type sitePool struct {
	mu   sync.Mutex
	free map[string][]*site
}

const maxPooledSites = 64

var sites = &sitePool{free: map[string][]*site{}}

func (p *sitePool) take(host string) *site {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.free[host]
	if len(list) == 0 {
		return nil
	}
	s := list[len(list)-1]
	p.free[host] = list[:len(list)-1]
	return s
}

func (p *sitePool) put(s *site) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free[s.host]) >= maxPooledSites {
		return false
	}
	p.free[s.host] = append(p.free[s.host], s)
	return true
}
