// Package external is an SP the harness did not write as a target: driven
// over HTTP as its target file describes it, against the hosted IdP it was
// configured with, each catalogue scenario adapted to it (see adapt.go).
package external

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/hostedidp"
	"github.com/samlharness/samlharness/suites/loopback"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target"
)

// Options tune a Target.
type Options struct {
	// FrozenClock says the SP reads the same frozen clock as the harness
	// (an in-process SP given the run's --at): millisecond time edges are
	// then meaningful. Otherwise they are skipped.
	FrozenClock bool
	// Index distinguishes targets sharing one hosted IdP (user logins).
	Index int
	// InGo says the target is described in Go (ginkgospec), not by a
	// target file: skip reasons then name TargetSpec fields and the
	// harness clock instead of target-file fields and --at.
	InGo bool
}

// Target is an SP the harness did not write, driven over HTTP as its
// target file describes it, against the hosted IdP it was configured with.
//
// Per-scenario IdP state: every scenario gets its own app in the hosted
// IdP (settings, faults, certificates), and the scenario's browser carries
// a cookie that routes it from the published SSO URL to that app. The SP
// sees one IdP (one entity ID, SSO URL and certificate) throughout, and
// scenarios run in parallel without sharing IdP state. Scenarios that
// change the SP's own configuration (through spConfig) hold the target
// exclusively while they run; every other scenario shares it.
type Target struct {
	spec   *compiledSpec
	idp    *hostedidp.HostedIdP
	opts   Options
	rename *strings.Replacer
	users  map[string]extUser
	lock   *semaphore.Weighted
	allow  map[string]string // scenario ID → policy choice
}

// extUser is one of the demo users as this target knows them.
type extUser struct {
	login, email, id string
}

const exclusiveWeight = 1 << 20

// NewExternal makes a target of spec, using idp (which must be started:
// the SP redirects browsers to it). It adds the target's users to the IdP.
func New(spec TargetSpec, idp *hostedidp.HostedIdP, opts Options) (*Target, error) {
	c, err := compileSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", spec.Name, err)
	}
	if c.Name == "" {
		c.Name = "external"
	}
	if c.SP.MetadataURL != "" && (c.SP.EntityID == "" || c.SP.ACSURL == "") {
		return nil, fmt.Errorf("target %s: sp.metadataUrl %s was not read: call ResolveMetadata before New", c.Name, c.SP.MetadataURL)
	}
	x := &Target{spec: c, idp: idp, opts: opts, users: map[string]extUser{}, lock: semaphore.NewWeighted(exclusiveWeight), allow: map[string]string{}}
	for _, a := range c.Allow {
		x.allow[a.Scenario] = a.Reason
	}
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
	labs, free := other(demo.VerifiedLabs, "labs-not-allowed.test"), other("freemail.test", "unverified.test")
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

// Name implements runner.Target.
func (x *Target) Name() string { return x.spec.Name }

// Profile is the catalogue profile that judges this target.
func (x *Target) Profile() scenario.Profile { return x.spec.Profile }

// Spec returns the validated target description.
func (x *Target) Spec() TargetSpec { return x.spec.TargetSpec }

// vars fill placeholders in this target's world.
func (x *Target) vars() map[string]string {
	enc := x.spec.SP.EncryptionCertificate
	if enc == "" {
		enc = target.MintFixturePEM(fixtures.KeySPEncryption, x.idp.Now())
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
func (x *Target) guideConfig() target.SPConfig {
	return target.SPConfig{
		IdentityProviderEntityID: x.idp.EntityID(), IdentityProviderSignInURL: x.idp.SSOURL(),
		Certificates: []string{x.idp.CertificatePEM()}, Domains: x.spec.User.Domains, Enabled: true,
	}
}

// Prepare implements runner.Target: a scenario app in the hosted IdP,
// and, for a scenario that changes what the SP trusts, the SP's
// configuration through spConfig (holding the target exclusively), both by
// target.Apply.
func (x *Target) Prepare(ctx context.Context, sc scenario.Scenario, p scenario.Profile, seed uint64) (*runner.Env, error) {
	vars := x.vars()
	exp := x.adaptExpect(sc, sc.Expect[p])
	env := &runner.Env{Vars: vars, Expect: exp, Foreign: true}
	if why := x.skipReason(sc, sc.Expect[p]); why != "" {
		env.Skip = why
		return env, nil
	}
	userKey := target.UserKey(sc)
	u, ok := x.users[userKey]
	if !ok {
		return nil, fmt.Errorf("scenario %s: no demo user %q", sc.ID, userKey)
	}
	email := x.rename.Replace(sc.SignInEmail)
	if email == "" {
		email = u.email
	}
	exclusive := target.NeedsSPConfig(sc)
	weight := int64(1)
	if exclusive {
		weight = exclusiveWeight
	}
	if err := x.lock.Acquire(ctx, weight); err != nil {
		return nil, err
	}
	side := &scenarioIdP{x: x}
	var spSide target.SPSide
	if exclusive {
		spSide = &hookSP{x: x}
	}
	env.Close = func() {
		if h, ok := spSide.(*hookSP); ok && h.applied {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, _ = h.Configure(rctx, x.guideConfig())
			cancel()
		}
		if side.sa != nil {
			x.idp.Release(side.sa)
		}
		x.lock.Release(weight)
	}
	applied, err := target.Apply(ctx, sc, side, spSide, target.Adaptation{Vars: vars, Rename: x.rename.Replace})
	if err != nil {
		env.Close()
		return nil, err
	}
	env.Identity = u.email
	env.Site = runner.Site{SPBase: x.spec.spOrigin, IdPInitiatedURL: x.idp.TileURL(side.sa)}
	env.Plan = runner.Plan{Username: u.login, Password: demo.Password, SignInEmail: email, Delivery: sc.Delivery}
	foreign := x.foreignSP(env.Site, side.sa.Token)
	env.Drive = func(ctx context.Context, timeout time.Duration) runner.Observation {
		if applied.Refused != nil {
			return *applied.Refused
		}
		return foreign.SignIn(ctx, env.Plan, timeout)
	}
	return env, nil
}

// foreignSP is how the driver signs in at this target.
func (x *Target) foreignSP(site runner.Site, token string) *runner.ForeignSP {
	f := &runner.ForeignSP{
		Site: site, SignInMethod: x.spec.SignIn.Method, SignInURL: x.spec.SignIn.URL,
		SessionURL: x.spec.Session.URL, SessionStatus: x.spec.Session.Status, SessionPattern: x.spec.sessionRE,
		ReadReason: x.spec.readReason, IdPBase: x.idp.BaseURL(),
		Cookie: &http.Cookie{Name: hostedidp.ScenarioCookie, Value: token, Path: "/"},
	}
	if so := x.spec.SignOut; so != nil {
		f.SignOutMethod, f.SignOutURL = so.Method, so.URL
	}
	return f
}

// scenarioIdP is the hosted IdP as a scenario's IdP side: a new app of its
// own behind the published SSO URL, signing with the published key.
type scenarioIdP struct {
	x  *Target
	sa *hostedidp.ScenarioApp
}

// GuideSettings point the app at the target's ACS and entity ID, with
// Okta's defaults otherwise.
func (i *scenarioIdP) GuideSettings() mockidp.SAMLSettings {
	return mockidp.SAMLSettings{
		SSOURL: i.x.spec.SP.ACSURL, AudienceURI: i.x.spec.SP.EntityID,
		NameIDFormat: mockidp.NameIDEmailAddress, ApplicationUsername: mockidp.UsernameEmail,
	}
}

func (i *scenarioIdP) UseApp(s mockidp.SAMLSettings, _ bool, faults []fault.Fault) (*mockidp.IdP, string, error) {
	sa, err := i.x.idp.NewScenarioApp(s, faults, []string{i.x.users["carol"].id})
	if err != nil {
		return nil, "", err
	}
	i.sa = sa
	return i.x.idp.IdP, sa.App.ID, nil
}

func (i *scenarioIdP) Signing() (*rsa.PrivateKey, string) {
	return i.x.idp.SigningKey(), i.x.idp.CertificatePEM()
}

func (i *scenarioIdP) Now() time.Time { return i.x.idp.Now() }

// hookSP is the target's spConfig hook as the scenario's SP side.
type hookSP struct {
	x       *Target
	applied bool
}

func (h *hookSP) Guide() target.SPConfig { return h.x.guideConfig() }

// Configure sends cfg to the target's spConfig hook. A refusal by the SP
// is an observation (the scenario's outcome); a transport failure is an
// error.
func (h *hookSP) Configure(ctx context.Context, cfg target.SPConfig) (*runner.Observation, error) {
	h.applied = true
	body, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	hook := h.x.spec.SPConfig
	req, err := http.NewRequestWithContext(ctx, hook.Method, hook.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := loopback.Client(nil, 0, true).Do(req)
	if err != nil {
		return nil, fmt.Errorf("spConfig: %w", err)
	}
	defer resp.Body.Close()
	page, _ := runner.ReadBounded(resp.Body)
	if resp.StatusCode/100 == 2 {
		return nil, nil
	}
	obs := runner.Observation{Stage: runner.StageSPConfig, Reason: h.x.spec.readReason(page),
		Message: fmt.Sprintf("the SP refused the configuration: HTTP %d %s", resp.StatusCode, runner.PageText(page, 300))}
	obs.Evidence.SPAnswer = fmt.Sprintf("HTTP %d %s %s\n%s", resp.StatusCode, hook.Method, hook.URL, runner.Excerpt(page, 4096))
	return &obs, nil
}
