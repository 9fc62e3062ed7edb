// Package peers lists the peer SPs — small SPs built on the SAML libraries
// people use — and starts them on loopback as external targets of the
// harness, with the target description the harness drives them by.
package peers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/samlharness/samlharness/internal/httpserve"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/peers/crewjamdefault"
	"github.com/samlharness/samlharness/suites/peers/crewjamhardened"
	"github.com/samlharness/samlharness/suites/peers/gosaml2"
	"github.com/samlharness/samlharness/suites/peers/gosaml2hardened"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
	"github.com/samlharness/samlharness/suites/presets"
	"github.com/samlharness/samlharness/suites/target/external"
)

// Peer is one peer SP.
type Peer struct {
	Name    string
	Summary string
	New     func(peerkit.Config) (http.Handler, error)
	// Preset names the error preset (package presets) for the peer's
	// library: it reads the library's error text on the refusal page.
	Preset string
}

// All lists the peers in report order.
func All() []Peer {
	return []Peer{
		{Name: "crewjam-default", Summary: "crewjam/saml samlsp with default options", New: crewjamdefault.New, Preset: presets.NameCrewjam},
		{Name: "crewjam-hardened", Summary: "crewjam/saml samlsp hardened: replay cache, SHA-1 refused, unknown conditions refused, one assertion, …", New: crewjamhardened.New, Preset: presets.NameCrewjam},
		{Name: "gosaml2", Summary: "russellhaering/gosaml2 as its example uses it", New: gosaml2.New, Preset: presets.NameGosaml2},
		{Name: "gosaml2-hardened", Summary: "russellhaering/gosaml2 as a careful integrator uses it: request tracking, InResponseTo checked, replay cache, one SAMLResponse, …", New: gosaml2hardened.New, Preset: presets.NameGosaml2},
	}
}

// Errors are the rules the peer's target file reads its refusals with: the
// reason code the application's own refusal pages carry (the shell's
// policy, a hardened peer's own checks), then the library's error preset,
// named as a target file names it (errors.preset).
func (p Peer) Errors() (*external.ErrorRules, error) {
	rules := &external.ErrorRules{Pattern: peerkit.ReasonPattern, Preset: p.Preset}
	if _, ok := presets.Get(p.Preset); p.Preset != "" && !ok {
		return nil, fmt.Errorf("peer %s: no error preset %q (presets: %v)", p.Name, p.Preset, presets.Names())
	}
	return rules, nil
}

// ByName returns the named peer.
func ByName(name string) (Peer, bool) {
	for _, p := range All() {
		if p.Name == name {
			return p, true
		}
	}
	return Peer{}, false
}

// Names lists the peers' names.
func Names() []string {
	var out []string
	for _, p := range All() {
		out = append(out, p.Name)
	}
	return out
}

// Options start a peer.
type Options struct {
	// Addr is the loopback address (default 127.0.0.1:0).
	Addr string
	// At freezes the peer's clock (zero: the wall clock).
	At time.Time
	// Email is the user the harness signs in as (default alice@acme.test);
	// Domains the allowed email domains (default acme.test).
	Email   string
	Domains []string
	// ConfigHook lets the harness change the peer's IdP configuration,
	// so scenarios that need it run instead of being skipped.
	ConfigHook bool
}

// Running is a peer SP serving on loopback.
type Running struct {
	Peer
	URL    string
	Target external.TargetSpec
	srv    *http.Server
}

// Start configures the peer from the hosted IdP's metadata, as an admin
// would, and serves it.
func Start(p Peer, idp *hostedidp.HostedIdP, opts Options) (*Running, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Email == "" {
		opts.Email = demo.Users[0].Email
	}
	if len(opts.Domains) == 0 {
		opts.Domains = []string{demo.AllowedSSO}
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("peer %s: address %q: %w", p.Name, opts.Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("peer %s: address %q: only loopback addresses are allowed", p.Name, opts.Addr)
	}
	md, err := idp.Metadata()
	if err != nil {
		return nil, err
	}
	settings, err := peerkit.IdPSettingsFromMetadata(md)
	if err != nil {
		return nil, err
	}
	ln, err := httpserve.Listen(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("peer %s: %w", p.Name, err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := peerkit.Defaults(peerkit.Config{BaseURL: base, IdP: settings, Domains: opts.Domains, At: opts.At, ConfigHook: opts.ConfigHook})
	if err != nil {
		ln.Close()
		return nil, err
	}
	errorRules, err := p.Errors()
	if err != nil {
		ln.Close()
		return nil, err
	}
	h, err := p.New(cfg)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("peer %s: %w", p.Name, err)
	}
	r := &Running{Peer: p, URL: base, srv: httpserve.NewServer(h, httpserve.Options{})}
	r.Target = external.TargetSpec{
		Name:   p.Name,
		SP:     external.SPSpec{EntityID: cfg.EntityID(), ACSURL: cfg.ACSURL(), EncryptionCertificate: cfg.CertificatePEM()},
		SignIn: external.URLSpec{URL: base + peerkit.PathApp + "?email={email}"},
		Session: external.SessionSpec{URL: base + peerkit.PathWhoAmI, Status: http.StatusOK,
			Pattern: `signed in as ([^<\s]+)`},
		SignOut: &external.URLSpec{URL: base + peerkit.PathSignOut, Method: http.MethodPost},
		Errors:  errorRules,
		User:    external.UserSpec{Email: opts.Email, Domains: opts.Domains},
	}
	if opts.ConfigHook {
		r.Target.SPConfig = &external.URLSpec{URL: base + peerkit.PathConfig, Method: http.MethodPut}
	}
	go func() { _ = httpserve.Serve(r.srv, ln, 0) }()
	return r, nil
}

// Close stops the peer.
func (r *Running) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}
