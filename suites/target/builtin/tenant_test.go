package builtin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

var testAt = time.Date(2026, 8, 29, 12, 0, 0, 0, time.UTC)

func scenarioByID(t *testing.T, id string) scenario.Scenario {
	t.Helper()
	for _, s := range scenario.All() {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no scenario %s", id)
	return scenario.Scenario{}
}

// The second workspace is a working tenant of the same SP: same SP entity
// ID and Redirect URL, its own provider, and a user of its domain signs in
// to it through the IdP it trusts — so a cross-tenant refusal is the SP
// telling the workspaces apart, not a broken second workspace.
func TestSecondWorkspaceIsAWorkingTenant(t *testing.T) {
	t.Parallel()
	for _, trust := range []string{scenario.SecondWorkspaceSameIdP, scenario.SecondWorkspaceOtherIdP} {
		t.Run(trust, func(t *testing.T) {
			t.Parallel()
			w, err := NewWorld(WorldConfig{Now: func() time.Time { return testAt }, Seed: 3, Configure: true})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			tn, err := w.AddSecondWorkspace(trust, sp.ProfileStrict)
			if err != nil {
				t.Fatal(err)
			}
			first, err := w.SP.SSO(w.Workspace.ID)
			if err != nil {
				t.Fatal(err)
			}
			second, err := w.SP.SSO(tn.Workspace.ID)
			if err != nil {
				t.Fatal(err)
			}
			if second.ServiceProviderEntityID != first.ServiceProviderEntityID || second.RedirectURL != first.RedirectURL {
				t.Errorf("the workspaces do not share the SP entity ID and Redirect URL: %s %s vs %s %s",
					first.ServiceProviderEntityID, first.RedirectURL, second.ServiceProviderEntityID, second.RedirectURL)
			}
			if second.Profile != sp.ProfileStrict || tn.ProviderID() == w.ProviderID() {
				t.Errorf("second workspace: profile %s, provider %s (first %s)", second.Profile, tn.ProviderID(), w.ProviderID())
			}
			sameIdP := second.IdentityProviderEntityID == first.IdentityProviderEntityID &&
				strings.Join(second.Certificates, "") == strings.Join(first.Certificates, "")
			if sameIdP != (trust == scenario.SecondWorkspaceSameIdP) {
				t.Errorf("%s: the second workspace trusts %s, the first %s", trust, second.IdentityProviderEntityID, first.IdentityProviderEntityID)
			}
			vars := w.Vars()
			if vars["secondProviderId"] != tn.ProviderID() || vars["secondIdpEntityId"] != second.IdentityProviderEntityID {
				t.Errorf("vars %v", vars)
			}

			login := "greta@" + SecondDomain
			u, err := w.IdP.AddUser(mockidp.User{Login: login, Email: login, FirstName: "Greta", LastName: "Gale", Password: demo.Password})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.IdP.AssignUser(tn.App.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			obs := runner.SignIn(context.Background(), w.Site(), runner.Plan{Username: login, Password: demo.Password, SignInEmail: login}, 10*time.Second)
			if !obs.Session || obs.Identity != login {
				t.Fatalf("sign-in at the second workspace: %+v", obs)
			}
			if got := w.SP.Sessions(tn.Workspace.ID); len(got) != 1 || got[0].Email != login {
				t.Errorf("sessions of the second workspace: %+v", got)
			}
			for _, got := range w.SP.Sessions(w.Workspace.ID) {
				if got.Email != demo.AdminEmail { // the World's own admin session
					t.Errorf("the first workspace got a session: %+v", got)
				}
			}
			if !runner.SameOrigin(obs.Landed, w.SPURL) {
				t.Errorf("landed at %q, not on %s", obs.Landed, w.SPURL)
			}
		})
	}
}

// The cross-tenant scenarios pass against the SP, and notice the missing
// protection when the SP lacks it: with the step that stops them
// disabled, the response signs its user in to the second workspace and
// the scenario fails.
func TestCrossTenantScenariosNoticeAMissingCheck(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		id      string
		disable []string
		who     string
	}{
		{"cross-tenant-same-idp-second-workspace-user", []string{"in-response-to"}, "alice@" + SecondDomain},
		{"cross-tenant-other-idp-asserts-second-workspace-user", []string{"signature-verify", "response-issuer", "assertion-issuer", "in-response-to"}, "alice@" + SecondDomain},
		// Trusting every workspace's IdP for every workspace: InResponseTo
		// still refuses, for another reason than the expected one.
		{"cross-tenant-other-idp-response-into-other-workspace", []string{"signature-verify", "response-issuer", "assertion-issuer"}, ""},
		// Without its InResponseTo check the SP signs the first workspace's
		// user in at the SAML layer; the second workspace's domain rule
		// then refuses the session, for the wrong reason.
		{"cross-tenant-same-idp-response-into-other-workspace", []string{"in-response-to"}, ""},
	} {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			sc := scenarioByID(t, c.id)
			for _, p := range scenario.Profiles {
				good := runner.RunScenario(context.Background(), New(Config{At: testAt}), sc, p, runner.Options{Seed: 1}, true)
				if !good.Pass {
					t.Errorf("%s: %s against the SP: %s (%s)", p, good.Verdict, good.Observed, good.Why)
				}
				weak := New(Config{At: testAt, UnsafeDisableSteps: c.disable})
				bad := runner.RunScenario(context.Background(), weak, sc, p, runner.Options{Seed: 1}, true)
				if bad.Pass {
					t.Errorf("%s: passed against an SP without %v", p, c.disable)
				}
				if c.who != "" && (bad.Observed != "accept" || !strings.EqualFold(bad.Identity, c.who)) {
					t.Errorf("%s: without %v observed %s for %q, want a session for %s", p, c.disable, bad.Observed, bad.Identity, c.who)
				}
			}
		})
	}
}

// Every cross-tenant delivery's control is a valid login in the same
// configuration: the scenario with a plain delivery and no faults signs
// the first workspace's user in.
func TestCrossTenantTwinsSignIn(t *testing.T) {
	t.Parallel()
	n := 0
	for _, sc := range scenario.All() {
		if sc.Delivery != scenario.DeliverIntoOtherWorkspace {
			continue
		}
		n++
		twin := sc
		twin.Delivery, twin.IdP.Faults = scenario.DeliverOnce, nil
		twin.Expect = scenario.Both(scenario.Accepts())
		res := runner.RunScenario(context.Background(), New(Config{At: testAt}), twin, scenario.Strict, runner.Options{Seed: 2}, true)
		if !res.Pass {
			t.Errorf("%s's twin: %s %s (%s)", sc.ID, res.Verdict, res.Observed, res.Why)
		}
	}
	if n < 2 {
		t.Errorf("%d scenarios deliver into another workspace, want at least 2", n)
	}
}
