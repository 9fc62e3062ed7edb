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

	"github.com/samlharness/samlharness/suites/peers/crewjamdefault"
	"github.com/samlharness/samlharness/suites/peers/crewjamhardened"
	"github.com/samlharness/samlharness/suites/peers/gosaml2"
	"github.com/samlharness/samlharness/suites/peers/peerkit"
	"github.com/samlharness/samlharness/suites/runner"
)

// Peer is one peer SP.
type Peer struct {
	Name    string
	Summary string
	New     func(peerkit.Config) (http.Handler, error)
	// Errors reads the peer's reasons from its error page, where it can.
	Errors *runner.ErrorRules
}

// All lists the peers in report order.
func All() []Peer {
	return []Peer{
		{Name: "crewjam-default", Summary: "crewjam/saml samlsp with default options", New: crewjamdefault.New},
		{Name: "crewjam-hardened", Summary: "crewjam/saml samlsp hardened: replay cache, SHA-1 refused, unknown conditions refused, one assertion, …", New: crewjamhardened.New,
			Errors: &runner.ErrorRules{Map: []runner.ErrorRule{{Match: "assertion has already been used", Reason: "REPLAY"}}}},
		{Name: "gosaml2", Summary: "russellhaering/gosaml2 as its example uses it", New: gosaml2.New},
	}
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
	Target runner.TargetSpec
	srv    *http.Server
}

// Start configures the peer from the hosted IdP's metadata, as an admin
// would, and serves it.
func Start(p Peer, idp *runner.HostedIdP, opts Options) (*Running, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Email == "" {
		opts.Email = runner.DemoUsers[0].Email
	}
	if len(opts.Domains) == 0 {
		opts.Domains = []string{runner.DemoAllowedSSO}
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
	h, err := p.New(cfg)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("peer %s: %w", p.Name, err)
	}
	r := &Running{Peer: p, URL: base, srv: httpserve.NewServer(h, httpserve.Options{})}
	r.Target = runner.TargetSpec{
		Name:   p.Name,
		SP:     runner.SPSpec{EntityID: cfg.EntityID(), ACSURL: cfg.ACSURL(), EncryptionCertificate: cfg.CertificatePEM()},
		SignIn: runner.URLSpec{URL: base + peerkit.PathApp + "?email={email}"},
		Session: runner.SessionSpec{URL: base + peerkit.PathWhoAmI, Status: http.StatusOK,
			Pattern: `signed in as ([^<\s]+)`},
		SignOut: &runner.URLSpec{URL: base + peerkit.PathSignOut, Method: http.MethodPost},
		Errors:  p.Errors,
		User:    runner.UserSpec{Email: opts.Email, Domains: opts.Domains},
	}
	if opts.ConfigHook {
		r.Target.SPConfig = &runner.URLSpec{URL: base + peerkit.PathConfig, Method: http.MethodPut}
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
