package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/scenario"
)

// BuiltinConfig sets up the built-in target.
type BuiltinConfig struct {
	// At is the harness clock: both the IdP and the SP read it, frozen, so
	// expiry edges are exact and reports are stable. Zero means the wall
	// clock.
	At time.Time
}

// Builtin is the built-in SP as a target: every scenario gets its own World
// (mock Okta org + workspace SP on loopback, ephemeral ports), so scenarios
// run in parallel without sharing state.
type Builtin struct {
	cfg BuiltinConfig
}

// NewBuiltin returns the built-in target.
func NewBuiltin(cfg BuiltinConfig) *Builtin { return &Builtin{cfg: cfg} }

// Name implements Target.
func (b *Builtin) Name() string { return "builtin" }

func (b *Builtin) now() func() time.Time {
	if b.cfg.At.IsZero() {
		return time.Now
	}
	at := b.cfg.At
	return func() time.Time { return at }
}

// Prepare implements Target: a World in the scenario's profile, then the
// scenario's IdP and SP sides applied on top of the guide's configuration.
func (b *Builtin) Prepare(ctx context.Context, sc scenario.Scenario, p scenario.Profile, seed uint64) (*Env, error) {
	w, err := NewWorld(WorldConfig{Now: b.now(), Seed: seed, Profile: sp.Profile(p)})
	if err != nil {
		return nil, err
	}
	env := &Env{Close: w.Close}
	if err := b.apply(w, sc); err != nil {
		w.Close()
		return nil, err
	}
	userKey := sc.User
	if userKey == "" {
		userKey = "alice"
	}
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
	env.Plan = Plan{Username: u.Login, Password: DemoPassword, SignInEmail: email, Delivery: string(sc.Delivery)}
	env.Identity = u.Email
	env.Vars = w.Vars()
	return env, nil
}

// apply configures the World for the scenario: Okta settings and faults, a
// new certificate where rotation needs one, the workspace's SSO form, then
// the activation that makes the workspace's certificate stale.
func (b *Builtin) apply(w *World, sc scenario.Scenario) error {
	vars := w.Vars()
	if len(sc.IdP.Settings) > 0 {
		s, err := patchSettings(w.GuideSettings(), sc.IdP.Settings, vars)
		if err != nil {
			return fmt.Errorf("scenario %s: Okta settings: %w", sc.ID, err)
		}
		if _, err := w.IdP.UpdateApp(w.App.ID, s); err != nil {
			return fmt.Errorf("scenario %s: Okta settings: %w", sc.ID, err)
		}
	}
	if len(sc.IdP.Faults) > 0 {
		faults := make([]fault.Fault, len(sc.IdP.Faults))
		for i, f := range sc.IdP.Faults {
			faults[i] = fault.Fault{Name: f.Name, Params: map[string]string{}}
			for k, v := range f.Params {
				faults[i].Params[k] = expand(v, vars)
			}
		}
		if err := w.IdP.SetFaults(w.App.ID, faults...); err != nil {
			return fmt.Errorf("scenario %s: faults: %w", sc.ID, err)
		}
	}
	if sc.IdP.SigningCertificate != "" {
		if err := b.replaceSigningCertificate(w, sc.IdP.SigningCertificate); err != nil {
			return fmt.Errorf("scenario %s: signing certificate: %w", sc.ID, err)
		}
	}
	var rotated *mockidp.Certificate
	needRotated := sc.IdP.RotateCertificate
	for _, c := range sc.SP.Certificates {
		needRotated = needRotated || strings.HasPrefix(c, "rotated")
	}
	if needRotated {
		c, err := w.IdP.GenerateCertificate(w.App.ID, 10)
		if err != nil {
			return fmt.Errorf("scenario %s: generate certificate: %w", sc.ID, err)
		}
		rotated = &c
	}
	sso := w.GuideSSO()
	if sc.SP.Certificates != nil {
		sso.Certificates = nil
		for _, ref := range sc.SP.Certificates {
			pem, err := w.certificateRef(ref, rotated)
			if err != nil {
				return fmt.Errorf("scenario %s: certificate %q: %w", sc.ID, ref, err)
			}
			sso.Certificates = append(sso.Certificates, pem)
		}
	}
	if v := sc.SP.IdentityProviderEntityID; v != "" {
		sso.IdentityProviderEntityID = expand(v, vars)
	}
	if v := sc.SP.IdentityProviderSignInURL; v != "" {
		sso.IdentityProviderSignInURL = expand(v, vars)
	}
	if sc.SP.Domains != nil {
		sso.Domains = sc.SP.Domains
	}
	if sc.SP.Disabled {
		f := false
		sso.Enabled = &f
	}
	if _, err := w.SP.UpdateSSO(w.Workspace.ID, sso); err != nil {
		return fmt.Errorf("scenario %s: workspace SSO: %w", sc.ID, err)
	}
	if sc.IdP.RotateCertificate {
		if _, err := w.IdP.ActivateCertificate(w.App.ID, rotated.KID); err != nil {
			return fmt.Errorf("scenario %s: activate certificate: %w", sc.ID, err)
		}
	}
	return nil
}

// replaceSigningCertificate gives the app a new active certificate of the
// named kind.
func (b *Builtin) replaceSigningCertificate(w *World, kind string) error {
	now := b.now()()
	key := fixtures.Key(fixtures.KeyIdPPrimary)
	notBefore, notAfter := now.Add(-time.Minute), now.AddDate(10, 0, 0)
	switch kind {
	case "expired":
		notBefore, notAfter = now.AddDate(-11, 0, 0), now.AddDate(-1, 0, 0)
	case "not-yet-valid":
		notBefore, notAfter = now.AddDate(0, 0, 1), now.AddDate(10, 0, 1)
	case "weak-1024":
		key = fixtures.Key(fixtures.KeyWeak1024)
	default:
		return fmt.Errorf("unknown signing certificate %q (want expired, not-yet-valid or weak-1024)", kind)
	}
	x, err := mockidp.MintCertificate(key, DemoOrg, notBefore, notAfter)
	if err != nil {
		return err
	}
	c, err := w.IdP.AddCertificate(w.App.ID, key, x)
	if err != nil {
		return err
	}
	if _, err := w.IdP.ActivateCertificate(w.App.ID, c.KID); err != nil {
		return err
	}
	return w.refreshApp()
}

// certificateRef resolves a scenario's certificate reference ("active",
// "active:one-line", "rotated", ...) to the text pasted into the workspace.
func (w *World) certificateRef(ref string, rotated *mockidp.Certificate) (string, error) {
	name, variant, _ := strings.Cut(ref, ":")
	var pem string
	switch name {
	case "active":
		pem = w.ActiveCertificatePEM()
	case "rotated":
		if rotated == nil {
			return "", fmt.Errorf("no rotated certificate")
		}
		pem = string(rotated.PEM())
	case "attacker":
		pem = w.AttackerCertificatePEM()
	default:
		return "", fmt.Errorf("unknown certificate %q (want active, rotated or attacker)", name)
	}
	switch variant {
	case "":
		return pem, nil
	case "private-key":
		// The admin pasted a private key: the attacker fixture's, never the
		// IdP's own.
		return fixtures.PEMVariant(variant, pem, w.keyPEM(fixtures.KeyAttacker))
	}
	return fixtures.PEMVariant(variant, pem, w.AttackerCertificatePEM())
}

// patchSettings overlays a scenario's settings (by their JSON names) on the
// guide's, refusing names Okta's settings do not have.
func patchSettings(base mockidp.SAMLSettings, patch map[string]any, vars map[string]string) (mockidp.SAMLSettings, error) {
	raw, err := json.Marshal(base)
	if err != nil {
		return base, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return base, err
	}
	for k, v := range patch {
		if s, ok := v.(string); ok {
			v = expand(s, vars)
		}
		m[k] = v
	}
	raw, err = json.Marshal(m)
	if err != nil {
		return base, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var out mockidp.SAMLSettings
	if err := dec.Decode(&out); err != nil {
		return base, err
	}
	return out, nil
}
