// Package target applies a catalogue scenario to a target: the one place
// where a scenario's IdP side (Okta settings, faults, signing certificates,
// rotation) and SP side (the SP's IdP configuration) become changes, for
// the built-in target and an external one alike. Each target supplies the
// two sides through IdPSide and SPSide; nothing else differs.
package target

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

// IdPSide is the mock Okta org a scenario signs in through.
type IdPSide interface {
	// GuideSettings are the app's SAML settings as the setup guide fills
	// them, before the scenario changes any.
	GuideSettings() mockidp.SAMLSettings
	// UseApp gives the scenario its app: with settings s (changed says the
	// scenario set some) and faults. It returns the org and the app's ID.
	UseApp(s mockidp.SAMLSettings, changed bool, faults []fault.Fault) (*mockidp.IdP, string, error)
	// Signing is the app's signing key and the certificate (PEM) the SP was
	// given for it, before the scenario changes them.
	Signing() (*rsa.PrivateKey, string)
	// Now reads the IdP's clock.
	Now() time.Time
}

// SPSide is the SP's IdP configuration: what an admin types into its SSO
// form (or a target's spConfig hook receives).
type SPSide interface {
	// Guide is the configuration as the setup guide leaves it.
	Guide() SPConfig
	// Configure makes cfg the SP's configuration. A refusal by the SP (a
	// certificate it cannot parse, say) is an observation, the scenario's
	// outcome; failing to reach the SP is an error.
	Configure(ctx context.Context, cfg SPConfig) (*runner.Observation, error)
}

// SPConfig is the SP's IdP configuration as an admin would type it. It is
// also the JSON body the harness sends to a target's spConfig hook, which
// answers 2xx when the SP took it, anything else (with a page the error
// rules can read) when it refused it.
type SPConfig struct {
	IdentityProviderEntityID  string   `json:"identityProviderEntityId"`
	IdentityProviderSignInURL string   `json:"identityProviderSignInUrl"`
	Certificates              []string `json:"certificates"` // PEM text, exactly as pasted
	Domains                   []string `json:"domains"`
	Enabled                   bool     `json:"enabled"`
}

// Adaptation carries a scenario over to a target's world.
type Adaptation struct {
	// Vars fill placeholders ({spEntityId}, {ssoUrl}, ...).
	Vars map[string]string
	// Rename maps the demo world's names (users, domains) to the
	// target's; nil keeps them.
	Rename func(string) string
}

func (a Adaptation) rename(s string) string {
	if a.Rename == nil {
		return s
	}
	return a.Rename(s)
}

// Applied is what Apply did.
type Applied struct {
	// IdP and AppID are the org and the app the scenario signs in through.
	IdP   *mockidp.IdP
	AppID string
	// Refused, when set, is the SP's refusal of the scenario's
	// configuration: the scenario's observation, without a sign-in.
	Refused *runner.Observation
}

// NeedsSPConfig reports whether the scenario changes what the SP trusts or
// allows.
func NeedsSPConfig(sc scenario.Scenario) bool {
	return sc.SP.Changed() || sc.IdP.SigningCertificate != ""
}

// Apply configures a target for sc, in a fixed order (the IDs the org
// hands out depend on it): the app's Okta settings and faults, a new
// signing certificate where the scenario names one, the certificate
// rotation will activate, the SP's configuration (when sp is not nil:
// a target that leaves the SP as configured passes nil), and last the
// activation that makes the SP's certificate stale.
func Apply(ctx context.Context, sc scenario.Scenario, idp IdPSide, sp SPSide, ad Adaptation) (Applied, error) {
	var out Applied
	wrap := func(what string, err error) (Applied, error) {
		return out, fmt.Errorf("scenario %s: %s: %w", sc.ID, what, err)
	}
	settings, err := patchSettings(idp.GuideSettings(), sc.IdP.Settings, ad)
	if err != nil {
		return wrap("Okta settings", err)
	}
	faults := make([]fault.Fault, len(sc.IdP.Faults))
	for i, f := range sc.IdP.Faults {
		faults[i] = fault.Fault{Name: f.Name, Params: map[string]string{}}
		for k, v := range f.Params {
			faults[i].Params[k] = runner.Expand(ad.rename(v), ad.Vars)
		}
	}
	org, appID, err := idp.UseApp(settings, len(sc.IdP.Settings) > 0, faults)
	if err != nil {
		return wrap("Okta app", err)
	}
	out.IdP, out.AppID = org, appID
	key, activePEM := idp.Signing()
	if kind := sc.IdP.SigningCertificate; kind != "" {
		if activePEM, err = replaceSigningCertificate(org, appID, key, idp.Now(), kind); err != nil {
			return wrap("signing certificate", err)
		}
	}
	var rotated *mockidp.Certificate
	needRotated := sc.IdP.RotateCertificate
	for _, ref := range sc.SP.Certificates {
		needRotated = needRotated || ref.Source == fixtures.CertRotated
	}
	if needRotated {
		c, err := org.GenerateCertificate(appID, 10)
		if err != nil {
			return wrap("generate certificate", err)
		}
		rotated = &c
	}
	if sp != nil {
		cfg, err := scenarioConfig(sc, sp.Guide(), activePEM, rotated, idp.Now(), ad)
		if err != nil {
			return wrap("SP configuration", err)
		}
		if out.Refused, err = sp.Configure(ctx, cfg); err != nil {
			return wrap("SP configuration", err)
		}
	}
	if sc.IdP.RotateCertificate {
		if _, err := org.ActivateCertificate(appID, rotated.KID); err != nil {
			return wrap("activate certificate", err)
		}
	}
	return out, nil
}

// scenarioConfig is the SP configuration the scenario asks for: the
// guide's, trusting the active certificate, with the scenario's changes.
func scenarioConfig(sc scenario.Scenario, cfg SPConfig, activePEM string, rotated *mockidp.Certificate, now time.Time, ad Adaptation) (SPConfig, error) {
	cfg.Certificates = []string{activePEM}
	if sc.SP.Certificates != nil {
		cfg.Certificates = nil
		for _, ref := range sc.SP.Certificates {
			pem, err := certificateText(ref, activePEM, rotated, now)
			if err != nil {
				return cfg, fmt.Errorf("certificate %q: %w", ref.String(), err)
			}
			cfg.Certificates = append(cfg.Certificates, pem)
		}
	}
	if v := sc.SP.IdentityProviderEntityID; v != "" {
		cfg.IdentityProviderEntityID = runner.Expand(v, ad.Vars)
	}
	if v := sc.SP.IdentityProviderSignInURL; v != "" {
		cfg.IdentityProviderSignInURL = runner.Expand(v, ad.Vars)
	}
	if sc.SP.Domains != nil {
		cfg.Domains = nil
		for _, d := range sc.SP.Domains {
			cfg.Domains = append(cfg.Domains, ad.rename(d))
		}
	}
	cfg.Enabled = !sc.SP.Disabled
	return cfg, nil
}

// patchSettings overlays a scenario's settings (by their JSON names) on the
// guide's, refusing names Okta's settings do not have.
func patchSettings(base mockidp.SAMLSettings, patch map[string]any, ad Adaptation) (mockidp.SAMLSettings, error) {
	if len(patch) == 0 {
		return base, nil
	}
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
			v = runner.Expand(ad.rename(s), ad.Vars)
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

// UserKey is the demo user the scenario signs in as (demo.Users' Key).
func UserKey(sc scenario.Scenario) string {
	if sc.User == "" {
		return demo.DefaultUser
	}
	return sc.User
}
