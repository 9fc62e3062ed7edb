package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"sync"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/suites/scenario"
)

// Twin controls (see README "Twin controls"). A refusal proves something only when the same target,
// configured exactly as the scenario configures it, signs the genuine user
// in during the same run: otherwise the configuration, not the scenario's
// fault, may be what the SP refused.
//
// A scenario's twin keeps its configuration — the IdP's Okta settings,
// the SP's own IdP configuration, the signing certificate and its
// rotation — and drops what the scenario does to one sign-in: the IdP's
// faults, the delivery (replays, IdP-initiated), the user and the email
// typed at the SP. The genuine user then signs in once, SP-initiated.
//
// When a scenario changes nothing but the configuration, the configuration
// is its fault: its twin is the guide's configuration, which is the
// profile's control (ControlID). So is the twin of a scenario that changes
// no configuration at all.
//
// Twins are keyed by the configuration and the profile: scenarios sharing a
// configuration share one twin, run once per run (the first scenario that
// needs it runs it; the others wait for its result).

// TwinControl is the name a result gives the profile's control when it is
// the twin (see Result.Control).
const TwinControl = "control"

// twinConfig is what a twin keeps of a scenario: its configuration.
type twinConfig struct {
	Settings           map[string]any    `json:",omitempty"`
	SP                 scenario.SPSide   `json:",omitempty"`
	SigningCertificate fixtures.CertKind `json:",omitempty"`
	RotateCertificate  bool              `json:",omitempty"`
}

func configOf(sc scenario.Scenario) twinConfig {
	return twinConfig{sc.IdP.Settings, sc.SP, sc.IdP.SigningCertificate, sc.IdP.RotateCertificate}
}

func (c twinConfig) key() string {
	raw, _ := json.Marshal(c) // maps marshal with sorted keys
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:5])
}

// oneSignIn reports whether sc changes what happens to one sign-in (its
// faults), and configured whether it changes the configuration.
func oneSignIn(sc scenario.Scenario) bool {
	return len(sc.IdP.Faults) > 0 || sc.Delivery != scenario.DeliverOnce || sc.User != "" || sc.SignInEmail != ""
}

func configured(sc scenario.Scenario) bool {
	return len(sc.IdP.Settings) > 0 || sc.SP.Changed() || sc.IdP.SigningCertificate != "" || sc.IdP.RotateCertificate
}

// configOnly indexes the catalogue's scenarios that change the
// configuration and nothing else, by configuration: where one exists, it
// is the twin of every scenario adding faults to that configuration, judged
// by its own expectation.
var configOnly = sync.OnceValue(func() map[string]scenario.Scenario {
	m := map[string]scenario.Scenario{}
	for _, sc := range scenario.All() {
		if configured(sc) && !oneSignIn(sc) {
			if _, dup := m[configOf(sc).key()]; !dup {
				m[configOf(sc).key()] = sc
			}
		}
	}
	return m
})

// twinOf returns the twin scenario of sc under profile p and its name, or
// ok=false when the twin is the profile's control. The twin is the
// catalogue's scenario of the same configuration without faults where
// there is one (judged by its own expectation), else that configuration
// with the genuine user signing in once, expected to succeed.
func twinOf(sc scenario.Scenario, p scenario.Profile) (twin scenario.Scenario, name string, ok bool) {
	if !oneSignIn(sc) || !configured(sc) {
		return scenario.Scenario{}, TwinControl, false
	}
	cfg := configOf(sc)
	if c, ok := configOnly()[cfg.key()]; ok {
		return c, "twin:" + c.ID, true
	}
	control, _ := scenario.ByID(ControlID)
	h := cfg.key()
	twin = scenario.Scenario{
		ID:       "twin-" + h,
		Title:    "twin control: the configuration of " + sc.ID + " without its faults",
		Category: control.Category,
		IdP:      scenario.IdPSide{Settings: sc.IdP.Settings, SigningCertificate: sc.IdP.SigningCertificate, RotateCertificate: sc.IdP.RotateCertificate},
		SP:       sc.SP,
		Expect:   scenario.Both(scenario.Accepts()),
	}
	return twin, "twin:" + h, true
}

// TwinResult is how a twin control went.
type TwinResult struct {
	Name    string           `json:"name"`
	Profile scenario.Profile `json:"profile"`
	// Pass: the twin met its expectation (Expected).
	Pass     bool   `json:"pass"`
	Expected string `json:"expected"`
	Observed string `json:"observed"`
	Why      string `json:"why,omitempty"`
	// refused is the reason a twin whose configuration is expected to be
	// refused was expected to be refused with.
	refused string
}

// Twins caches the twin controls of one target: each twin runs once, the
// first time a refusal needs it. Run makes its own; a Ginkgo suite that
// runs scenarios one by one (RunScenario) makes one with NewTwins for its
// target and passes it in Options.Twins.
type Twins struct {
	mu      sync.Mutex
	entries map[string]*twinEntry
}

type twinEntry struct {
	once sync.Once
	res  TwinResult
}

// NewTwins is an empty cache of twin controls.
func NewTwins() *Twins { return &Twins{entries: map[string]*twinEntry{}} }

// get runs the twin named name once and returns its result.
func (t *Twins) get(ctx context.Context, target Target, name string, twin scenario.Scenario, p scenario.Profile, opts Options) TwinResult {
	key := target.Name() + "/" + string(p) + "/" + name
	t.mu.Lock()
	e, ok := t.entries[key]
	if !ok {
		e = &twinEntry{}
		t.entries[key] = e
	}
	t.mu.Unlock()
	e.once.Do(func() {
		r := runOne(ctx, target, twin, p, opts, true, nil)
		e.res = TwinResult{Name: name, Profile: p, Pass: r.Verdict == Pass, Expected: r.Expected, Observed: r.Observed}
		if r.Expect.Outcome == scenario.Reject {
			e.res.refused = r.Expect.Reason
		}
		if !e.res.Pass {
			e.res.Why = string(r.Verdict) + ": " + r.Observed
			if r.Why != "" {
				e.res.Why += ": " + r.Why
			}
		}
	})
	return e.res
}

// Results lists the twins that ran, by target, profile and name.
func (t *Twins) Results() []TwinResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.entries))
	for k := range t.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]TwinResult, 0, len(keys))
	for _, k := range keys {
		out = append(out, t.entries[k].res)
	}
	return out
}
