// Package builtin is the built-in SP as a target: every scenario gets its
// own World (the mock Okta org and the workspace SP on loopback, wired
// together as the setup guide says), configured by target.Apply.
package builtin

import (
	"context"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target"
)

// Config sets up the built-in target.
type Config struct {
	// At is the harness clock: both the IdP and the SP read it, frozen, so
	// expiry edges are exact and reports are stable. Zero means the wall
	// clock.
	At time.Time
	// UnsafeDisableSteps names SP checklist steps whose refusals are
	// ignored (sp.Config.UnsafeDisableSteps): FOR TESTS ONLY, so the
	// self-mutation test can show each protection is caught.
	UnsafeDisableSteps []string
}

// Target is the built-in SP as a target: every scenario gets its own World
// (mock Okta org + workspace SP on loopback, ephemeral ports), so scenarios
// run in parallel without sharing state.
type Target struct {
	cfg Config
}

// New returns the built-in target.
func New(cfg Config) *Target { return &Target{cfg: cfg} }

// Name implements runner.Target.
func (b *Target) Name() string { return "builtin" }

func (b *Target) now() func() time.Time {
	if b.cfg.At.IsZero() {
		return time.Now
	}
	at := b.cfg.At
	return func() time.Time { return at }
}

// Prepare implements runner.Target: a World in the scenario's profile, then the
// scenario's IdP and SP sides applied on top of the guide's configuration.
func (b *Target) Prepare(ctx context.Context, sc scenario.Scenario, p scenario.Profile, seed uint64) (*runner.Env, error) {
	w, err := NewWorld(WorldConfig{Now: b.now(), Seed: seed, Profile: sp.Profile(p), UnsafeDisableSteps: b.cfg.UnsafeDisableSteps})
	if err != nil {
		return nil, err
	}
	env := &runner.Env{Close: w.Close, Admin: &w.Admin}
	vars := w.Vars()
	if _, err := target.Apply(ctx, sc, worldIdP{w}, worldSP{w}, target.Adaptation{Vars: vars}); err != nil {
		w.Close()
		return nil, err
	}
	if sc.IdP.SigningCertificate != "" {
		// The app's certificate changed: read it again (as it was read
		// before the one-function apply; the placeholders keep the app as
		// the guide left it otherwise).
		if err := w.refreshApp(); err != nil {
			w.Close()
			return nil, err
		}
	}
	var other string
	if kind := sc.SP.SecondWorkspace; kind != "" {
		t, err := w.AddSecondWorkspace(kind, sp.Profile(p))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
		}
		other = t.SignInEmail
	}
	userKey := target.UserKey(sc)
	u, ok := w.Users[userKey]
	if !ok {
		w.Close()
		return nil, fmt.Errorf("scenario %s: no demo user %q", sc.ID, userKey)
	}
	email := sc.SignInEmail
	if email == "" {
		email = u.Email
	}
	env.Site = w.Site()
	env.Plan = runner.Plan{Username: u.Login, Password: demo.Password, SignInEmail: email, Delivery: sc.Delivery, OtherSignInEmail: other}
	env.Identity = u.Email
	env.Vars = w.Vars()
	return env, nil
}

// worldIdP is a World's mock Okta org as the scenario's IdP side: the
// guide's app, changed in place.
type worldIdP struct{ w *World }

func (i worldIdP) GuideSettings() mockidp.SAMLSettings { return i.w.GuideSettings() }

func (i worldIdP) UseApp(s mockidp.SAMLSettings, changed bool, faults []fault.Fault) (*mockidp.IdP, string, error) {
	if changed {
		if _, err := i.w.IdP.UpdateApp(i.w.App.ID, s); err != nil {
			return nil, "", err
		}
	}
	if len(faults) > 0 {
		if err := i.w.IdP.SetFaults(i.w.App.ID, faults...); err != nil {
			return nil, "", err
		}
	}
	return i.w.IdP, i.w.App.ID, nil
}

func (i worldIdP) Signing() (*rsa.PrivateKey, string) {
	return fixtures.Key(fixtures.KeyIdPPrimary), i.w.ActiveCertificatePEM()
}

func (i worldIdP) Now() time.Time { return i.w.now() }

// worldSP is the World's workspace: its Security & SSO form.
type worldSP struct{ w *World }

func (s worldSP) Guide() target.SPConfig {
	g := s.w.GuideSSO()
	return target.SPConfig{IdentityProviderEntityID: g.IdentityProviderEntityID, IdentityProviderSignInURL: g.IdentityProviderSignInURL,
		Certificates: g.Certificates, Domains: g.Domains, Enabled: true}
}

// Configure fills the workspace's SSO form as an admin would and saves it.
// The workspace refusing it is a setup error: the catalogue's
// configurations are all ones the workspace stores.
func (s worldSP) Configure(_ context.Context, cfg target.SPConfig) (*runner.Observation, error) {
	sso := s.w.GuideSSO()
	sso.IdentityProviderEntityID, sso.IdentityProviderSignInURL = cfg.IdentityProviderEntityID, cfg.IdentityProviderSignInURL
	sso.Certificates, sso.Domains = cfg.Certificates, cfg.Domains
	if !cfg.Enabled {
		f := false
		sso.Enabled = &f
	}
	if _, err := s.w.SP.UpdateSSO(s.w.Workspace.ID, sso); err != nil {
		return nil, fmt.Errorf("workspace SSO: %w", err)
	}
	return nil, nil
}
