package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/suites/scenario"
)

// ExternalOptions tune an External target.
type ExternalOptions struct {
	// FrozenClock says the SP reads the same frozen clock as the harness
	// (an in-process SP given the run's --at): millisecond time edges are
	// then meaningful. Otherwise they are skipped.
	FrozenClock bool
	// Index distinguishes targets sharing one hosted IdP (user logins).
	Index int
}

// SPConfigChange is the JSON body the harness sends to a target's spConfig
// hook: the SP's IdP configuration as an admin would type it. The hook
// answers 2xx when the SP took it, anything else (with a page the error
// rules can read) when it refused it, e.g. a certificate it cannot parse.
type SPConfigChange struct {
	IdentityProviderEntityID  string   `json:"identityProviderEntityId"`
	IdentityProviderSignInURL string   `json:"identityProviderSignInUrl"`
	Certificates              []string `json:"certificates"` // PEM text, exactly as pasted
	Domains                   []string `json:"domains"`
	Enabled                   bool     `json:"enabled"`
}

// External is an SP the harness did not write, driven over HTTP as its
// target file describes it, against the hosted IdP it was configured with.
//
// Per-scenario IdP state: every scenario gets its own app in the hosted
// IdP (settings, faults, certificates), and the scenario's browser carries
// a cookie that routes it from the published SSO URL to that app. The SP
// sees one IdP (one entity ID, SSO URL and certificate) throughout, and
// scenarios run in parallel without sharing IdP state. Scenarios that
// change the SP's own configuration (through spConfig) hold the target
// exclusively while they run; every other scenario shares it.
type External struct {
	spec   *compiledSpec
	idp    *HostedIdP
	opts   ExternalOptions
	rename *strings.Replacer
	users  map[string]extUser
	lock   *semaphore.Weighted
}

// extUser is one of the demo users as this target knows them.
type extUser struct {
	login, email, id string
}

const exclusiveWeight = 1 << 20

// NewExternal makes a target of spec, using idp (which must be started:
// the SP redirects browsers to it). It adds the target's users to the IdP.
func NewExternal(spec TargetSpec, idp *HostedIdP, opts ExternalOptions) (*External, error) {
	c, err := compileSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", spec.Name, err)
	}
	if c.Name == "" {
		c.Name = "external"
	}
	x := &External{spec: c, idp: idp, opts: opts, users: map[string]extUser{}, lock: semaphore.NewWeighted(exclusiveWeight)}
	email := c.User.Email
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	allowed := map[string]bool{}
	for _, d := range c.User.Domains {
		allowed[strings.ToLower(d)] = true
	}
	other := func(candidates ...string) string {
		for _, d := range candidates {
			if !allowed[d] {
				return d
			}
		}
		return "not-allowed.invalid"
	}
	labs, free := other(DemoVerifiedLabs, "labs-not-allowed.test"), other("freemail.test", "unverified.test")
	x.rename = renamer(email, domain, labs)
	carol := "carol"
	if opts.Index > 0 {
		carol = fmt.Sprintf("carol%d", opts.Index)
	}
	for _, u := range []struct {
		key, login, email string
		assigned          bool
	}{
		{"alice", email, email, true},
		{"bob", "bob@" + domain, "bob@" + domain, false},
		{"carol", carol, "carol@" + domain, false}, // assigned directly, per app
		{"erin", "erin@" + labs, "erin@" + labs, true},
		{"frank", "frank@" + free, "frank@" + free, true},
	} {
		id, err := idp.AddUser(u.login, u.email, u.assigned)
		if err != nil {
			return nil, fmt.Errorf("target %s: user %s: %w", c.Name, u.login, err)
		}
		x.users[u.key] = extUser{login: u.login, email: u.email, id: id}
	}
	if err := idp.IdP.AssignUser(idp.App().ID, x.users["carol"].id); err != nil {
		return nil, err
	}
	return x, nil
}

// Name implements Target.
func (x *External) Name() string { return x.spec.Name }

// Profile is the catalogue profile that judges this target.
func (x *External) Profile() scenario.Profile { return x.spec.Profile }

// Spec returns the validated target description.
func (x *External) Spec() TargetSpec { return x.spec.TargetSpec }

// vars fill placeholders in this target's world.
func (x *External) vars() map[string]string {
	enc := x.spec.SP.EncryptionCertificate
	if enc == "" {
		enc = mintFixturePEM(fixtures.KeySPEncryption, x.idp.cfg.Now())
	}
	return map[string]string{
		"spEntityId":  x.spec.SP.EntityID,
		"redirectUrl": x.spec.SP.ACSURL,
		"idpEntityId": x.idp.EntityID(),
		"ssoUrl":      x.idp.SSOURL(),
		"metadataUrl": x.idp.MetadataURL(),
		"sp":          x.spec.spOrigin,
		"idp":         x.idp.BaseURL(),

		"spEncryptionCertificate": enc,
	}
}

// guideConfig is the SP configuration the target was set up with.
func (x *External) guideConfig() SPConfigChange {
	return SPConfigChange{
		IdentityProviderEntityID: x.idp.EntityID(), IdentityProviderSignInURL: x.idp.SSOURL(),
		Certificates: []string{x.idp.CertificatePEM()}, Domains: x.spec.User.Domains, Enabled: true,
	}
}

// Prepare implements Target.
func (x *External) Prepare(ctx context.Context, sc scenario.Scenario, p scenario.Profile, seed uint64) (*Env, error) {
	vars := x.vars()
	exp := x.adaptExpect(sc, sc.Expect[p])
	env := &Env{Vars: vars, Expect: exp, Foreign: true}
	if why := x.skipReason(sc, sc.Expect[p]); why != "" {
		env.Skip = why
		return env, nil
	}
	userKey := sc.User
	if userKey == "" {
		userKey = "alice"
	}
	u, ok := x.users[userKey]
	if !ok {
		return nil, fmt.Errorf("scenario %s: no demo user %q", sc.ID, userKey)
	}
	email := x.rename.Replace(sc.SignInEmail)
	if email == "" {
		email = u.email
	}
	exclusive := needsSPConfig(sc)
	weight := int64(1)
	if exclusive {
		weight = exclusiveWeight
	}
	if err := x.lock.Acquire(ctx, weight); err != nil {
		return nil, err
	}
	var cleanups []func()
	env.Close = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	cleanups = append(cleanups, func() { x.lock.Release(weight) })
	fail := func(err error) (*Env, error) {
		env.Close()
		return nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
	}

	base := mockidp.SAMLSettings{
		SSOURL: x.spec.SP.ACSURL, AudienceURI: x.spec.SP.EntityID,
		NameIDFormat: mockidp.NameIDEmailAddress, ApplicationUsername: mockidp.UsernameEmail,
	}
	settings, err := patchSettings(base, x.adaptSettings(sc.IdP.Settings), vars)
	if err != nil {
		return fail(fmt.Errorf("Okta settings: %w", err))
	}
	sa, err := x.idp.newScenarioApp(settings, x.adaptFaults(sc.IdP.Faults, vars), []string{x.users["carol"].id})
	if err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, func() { x.idp.release(sa) })
	activePEM := x.idp.CertificatePEM()
	if sc.IdP.SigningCertificate != "" {
		if activePEM, err = x.replaceSigningCertificate(sa, sc.IdP.SigningCertificate); err != nil {
			return fail(err)
		}
	}
	var rotated *mockidp.Certificate
	needRotated := sc.IdP.RotateCertificate
	for _, c := range sc.SP.Certificates {
		needRotated = needRotated || strings.HasPrefix(c, "rotated")
	}
	if needRotated {
		c, err := x.idp.IdP.GenerateCertificate(sa.app.ID, 10)
		if err != nil {
			return fail(err)
		}
		rotated = &c
	}
	var configRefused *Observation
	if exclusive {
		cfg, err := x.scenarioConfig(sc, vars, activePEM, rotated)
		if err != nil {
			return fail(err)
		}
		if obs, err := x.applyConfig(ctx, cfg); err != nil {
			return fail(err)
		} else if obs != nil {
			configRefused = obs
		}
		cleanups = append(cleanups, func() {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, _ = x.applyConfig(rctx, x.guideConfig())
		})
	}
	if sc.IdP.RotateCertificate {
		if _, err := x.idp.IdP.ActivateCertificate(sa.app.ID, rotated.KID); err != nil {
			return fail(err)
		}
	}
	env.Identity = u.email
	env.Site = Site{SPBase: x.spec.spOrigin, IdPInitiatedURL: x.idp.tileURL(sa)}
	env.Plan = Plan{Username: u.login, Password: DemoPassword, SignInEmail: email, Delivery: string(sc.Delivery)}
	env.Drive = func(ctx context.Context, timeout time.Duration) Observation {
		if configRefused != nil {
			return *configRefused
		}
		return x.drive(ctx, timeout, env.Site, env.Plan, sa.token)
	}
	return env, nil
}

// replaceSigningCertificate gives a scenario's app a new active certificate
// of the named kind and returns its PEM (what the SP must then trust).
func (x *External) replaceSigningCertificate(sa *scenarioApp, kind string) (string, error) {
	now := x.idp.cfg.Now()
	key := x.idp.key
	notBefore, notAfter := now.Add(-time.Minute), now.AddDate(10, 0, 0)
	switch kind {
	case "expired":
		notBefore, notAfter = now.AddDate(-11, 0, 0), now.AddDate(-1, 0, 0)
	case "not-yet-valid":
		notBefore, notAfter = now.AddDate(0, 0, 1), now.AddDate(10, 0, 1)
	case "weak-1024":
		key = fixtures.Key(fixtures.KeyWeak1024)
	default:
		return "", fmt.Errorf("unknown signing certificate %q (want expired, not-yet-valid or weak-1024)", kind)
	}
	cert, err := mockidp.MintCertificate(key, DemoOrg, notBefore, notAfter)
	if err != nil {
		return "", err
	}
	c, err := x.idp.IdP.AddCertificate(sa.app.ID, key, cert)
	if err != nil {
		return "", err
	}
	if _, err := x.idp.IdP.ActivateCertificate(sa.app.ID, c.KID); err != nil {
		return "", err
	}
	return string(c.PEM()), nil
}

// scenarioConfig is the SP configuration the scenario asks for.
func (x *External) scenarioConfig(sc scenario.Scenario, vars map[string]string, activePEM string, rotated *mockidp.Certificate) (SPConfigChange, error) {
	cfg := x.guideConfig()
	cfg.Certificates = []string{activePEM}
	if sc.SP.Certificates != nil {
		cfg.Certificates = nil
		for _, ref := range sc.SP.Certificates {
			pem, err := x.certificateRef(ref, activePEM, rotated)
			if err != nil {
				return cfg, fmt.Errorf("certificate %q: %w", ref, err)
			}
			cfg.Certificates = append(cfg.Certificates, pem)
		}
	}
	if v := sc.SP.IdentityProviderEntityID; v != "" {
		cfg.IdentityProviderEntityID = expand(v, vars)
	}
	if v := sc.SP.IdentityProviderSignInURL; v != "" {
		cfg.IdentityProviderSignInURL = expand(v, vars)
	}
	if sc.SP.Domains != nil {
		cfg.Domains = nil
		for _, d := range sc.SP.Domains {
			cfg.Domains = append(cfg.Domains, x.rename.Replace(d))
		}
	}
	cfg.Enabled = !sc.SP.Disabled
	return cfg, nil
}

// certificateRef resolves a scenario's certificate reference, as
// World.certificateRef does for the built-in SP.
func (x *External) certificateRef(ref, activePEM string, rotated *mockidp.Certificate) (string, error) {
	name, variant, _ := strings.Cut(ref, ":")
	now := x.idp.cfg.Now()
	attacker := mintFixturePEM(fixtures.KeyAttacker, now)
	var pem string
	switch name {
	case "active":
		pem = activePEM
	case "rotated":
		if rotated == nil {
			return "", fmt.Errorf("no rotated certificate")
		}
		pem = string(rotated.PEM())
	case "attacker":
		pem = attacker
	default:
		return "", fmt.Errorf("unknown certificate %q (want active, rotated or attacker)", name)
	}
	switch variant {
	case "":
		return pem, nil
	case "private-key":
		w := &World{now: func() time.Time { return now }}
		return fixtures.PEMVariant(variant, pem, w.keyPEM(fixtures.KeyAttacker))
	}
	return fixtures.PEMVariant(variant, pem, attacker)
}

// applyConfig sends cfg to the target's spConfig hook. A refusal by the SP
// is an observation (the scenario's outcome); a transport failure is an
// error.
func (x *External) applyConfig(ctx context.Context, cfg SPConfigChange) (*Observation, error) {
	body, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, x.spec.SPConfig.Method, x.spec.SPConfig.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("spConfig: %w", err)
	}
	defer resp.Body.Close()
	page, _ := readBounded(resp.Body)
	if resp.StatusCode/100 == 2 {
		return nil, nil
	}
	obs := Observation{Stage: StageSPConfig, Reason: x.spec.readReason(page),
		Message: fmt.Sprintf("the SP refused the configuration: HTTP %d %s", resp.StatusCode, pageText(page, 300))}
	obs.Evidence.SPAnswer = fmt.Sprintf("HTTP %d %s %s\n%s", resp.StatusCode, x.spec.SPConfig.Method, x.spec.SPConfig.URL, excerpt(page, 4096))
	return &obs, nil
}
