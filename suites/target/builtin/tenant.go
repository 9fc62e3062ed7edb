package builtin

import (
	"fmt"

	"github.com/samlharness/samlharness/mockidp"
	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/scenario"
)

// The second workspace's facts: another customer of the same SP.
const (
	SecondWorkspaceName = "Globex"
	SecondDomain        = scenario.SecondWorkspaceDomain
	// secondAppLabel names the Okta app the second workspace trusts when it
	// trusts another IdP.
	secondAppLabel = "ElevenLabs (Globex)"
)

// Tenant is a second workspace of the World's SP: another tenant under the
// same Service Provider Entity Id and Redirect URL as the first.
type Tenant struct {
	Workspace sp.Workspace
	// App is the Okta app the workspace trusts: the first workspace's when
	// it trusts the same IdP, its own otherwise.
	App mockidp.App
	// SignInEmail is what a browser types at the SP's sign-in to start
	// this workspace's sign-in (the domain picks the workspace).
	SignInEmail string
}

// ProviderID is the tenant's Identity Platform provider ID.
func (t *Tenant) ProviderID() string { return sp.ProviderIDOf(t.Workspace.ID) }

// AddSecondWorkspace creates the second workspace (scenario.SPSide's
// SecondWorkspace) in profile, with its own verified domain, and saves its
// SSO form as the setup guide fills it for the IdP it trusts:
// scenario.SecondWorkspaceSameIdP, what the first workspace's form holds
// (entity ID, sign-in URL and certificates, as the scenario left them);
// scenario.SecondWorkspaceOtherIdP,
// a second app of the org, configured by the guide against the same SP
// (same Audience URI and Single sign-on URL), with its own entity ID and
// signing key — another IdP the SP trusts, for this workspace only.
func (w *World) AddSecondWorkspace(trust string, profile sp.Profile) (*Tenant, error) {
	t := &Tenant{App: w.App, SignInEmail: demo.DefaultUser + "@" + SecondDomain}
	sso := sp.SSOSettings{SSOProvider: sp.SSOProviderSAML, Domains: []string{SecondDomain}, Acknowledge: true}
	switch trust {
	case scenario.SecondWorkspaceSameIdP:
		first, err := w.SP.SSO(w.Workspace.ID)
		if err != nil {
			return nil, fmt.Errorf("first workspace's SSO: %w", err)
		}
		sso.IdentityProviderEntityID, sso.IdentityProviderSignInURL = first.IdentityProviderEntityID, first.IdentityProviderSignInURL
		sso.Certificates = first.Certificates
	case scenario.SecondWorkspaceOtherIdP:
		app, err := w.IdP.CreateApp(secondAppLabel, w.GuideSettings())
		if err != nil {
			return nil, fmt.Errorf("second workspace's app: %w", err)
		}
		if err := w.IdP.AssignGroup(app.ID, demo.Group); err != nil {
			return nil, fmt.Errorf("second workspace's app: %w", err)
		}
		cert, err := w.IdP.ActiveCertificate(app.ID)
		if err != nil {
			return nil, fmt.Errorf("second workspace's certificate: %w", err)
		}
		t.App = *app
		sso.IdentityProviderEntityID, sso.IdentityProviderSignInURL = app.EntityID, app.SignOnURL
		sso.Certificates = []string{string(cert.PEM())}
	default:
		return nil, fmt.Errorf("unknown second workspace %q", trust)
	}
	ws, err := w.SP.CreateWorkspace(sp.WorkspaceSpec{Name: SecondWorkspaceName, VerifiedDomains: []string{SecondDomain}, Profile: profile})
	if err != nil {
		return nil, fmt.Errorf("second workspace: %w", err)
	}
	t.Workspace = ws
	if _, err := w.SP.UpdateSSO(ws.ID, sso); err != nil {
		return nil, fmt.Errorf("second workspace's SSO: %w", err)
	}
	w.tenant = t
	return t, nil
}
