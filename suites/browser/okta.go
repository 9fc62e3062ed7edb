package browser

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp"
)

// OktaConsole drives the mock Okta org's admin console in a tab, in the
// words of the setup guide. Its methods wait for the page each step leads
// to, so a failure names the step.
type OktaConsole struct {
	Tab *Tab
	// Base is the IdP's base URL.
	Base string
	// AdminLogin and AdminPassword sign in to the console when it asks
	// (the mock IdP's AdminLogin and AdminPassword).
	AdminLogin, AdminPassword string
}

// Selectors of the console's SAML settings form.
const (
	OktaSSOURL              = "#sso-url"
	OktaUseForRecipient     = "#use-for-recipient-and-destination"
	OktaAudienceURI         = "#audience-uri"
	OktaDefaultRelayState   = "#default-relay-state"
	OktaNameIDFormat        = "#name-id-format"
	OktaApplicationUsername = "#application-username"
	OktaResponse            = "#response"
	OktaAssertionSignature  = "#assertion-signature"
	OktaSignatureAlgorithm  = "#signature-algorithm"
	OktaDigestAlgorithm     = "#digest-algorithm"
	OktaAssertionEncryption = "#assertion-encryption"
	OktaAuthnContextClass   = "#authn-context-class"
	OktaHonorForceAuthn     = "#honor-force-authn"
	OktaSAMLIssuerID        = "#saml-issuer-id"
)

// Applications opens Applications → Applications.
func (o OktaConsole) Applications() error {
	if err := o.Tab.Navigate(o.Base + mockidp.ConsolePath); err != nil {
		return err
	}
	signIn, err := o.Tab.Eval(`document.getElementById('okta-signin-username') !== null`)
	if err != nil {
		return err
	}
	if signIn == "true" {
		// The console sends a signed-out admin to its sign-in page and
		// back to Applications.
		if err := OktaSignIn(o.Tab, o.AdminLogin, o.AdminPassword); err != nil {
			return fmt.Errorf("Admin Console sign-in: %w", err)
		}
	}
	return o.Tab.WaitVisible("#app-list")
}

// CreateSAMLIntegration is Create App Integration → SAML 2.0 → Next,
// General Settings (App name) → Next: it ends on Configure SAML.
func (o OktaConsole) CreateSAMLIntegration(appName string) error {
	t := o.Tab
	for _, step := range []func() error{
		func() error { return t.Click("#create-app-integration") },
		func() error { return t.WaitVisible("#create-app-dialog") },
		func() error { return t.Click("#sign-on-saml") },
		func() error { return t.Click("#create-app-next") },
		func() error { return t.WaitVisible("#app-name") },
		func() error { return t.Type("#app-name", appName) },
		func() error { return t.Click("#wizard-next") },
		func() error { return t.WaitVisible(OktaSSOURL) },
	} {
		if err := step(); err != nil {
			return fmt.Errorf("Create App Integration: %w", err)
		}
	}
	return nil
}

// ShowAdvancedSettings opens "Show Advanced Settings" if it is closed.
func (o OktaConsole) ShowAdvancedSettings() error {
	open, err := o.Tab.Eval(`!document.getElementById('advanced-settings').hidden`)
	if err != nil || open == "true" {
		return err
	}
	if err := o.Tab.Click("#toggle-advanced"); err != nil {
		return err
	}
	return o.Tab.WaitVisible(OktaResponse)
}

// FinishWizard is Next on Configure SAML, then Finish on Feedback: it ends
// on the new app's Sign On tab.
func (o OktaConsole) FinishWizard() error {
	t := o.Tab
	if err := t.ClickToPage("#wizard-next", "#wizard-finish, #console-errors"); err != nil {
		return err
	}
	if ok, _ := t.Has("#console-errors"); ok {
		msg, _ := t.Text("#console-errors")
		return fmt.Errorf("Configure SAML refused the settings: %s", msg)
	}
	return t.ClickToPage("#wizard-finish", "#signing-certificates")
}

// OpenApp opens the app from the Applications list (its General tab).
func (o OktaConsole) OpenApp(label string) error {
	if err := o.Applications(); err != nil {
		return err
	}
	if err := o.Tab.Click(fmt.Sprintf(`a[data-app-link=%s]`, jsString(label))); err != nil {
		return err
	}
	return o.Tab.WaitVisible("#tab-general.on")
}

// AppTab opens one of the app's tabs: "general", "sign-on", "assignments".
func (o OktaConsole) AppTab(tab string) error {
	if err := o.Tab.Click("#tab-" + tab); err != nil {
		return err
	}
	return o.Tab.WaitVisible("#tab-" + tab + ".on")
}

// EditSAMLSettings is Edit on the General tab's SAML Settings.
func (o OktaConsole) EditSAMLSettings() error {
	if err := o.AppTab("general"); err != nil {
		return err
	}
	if err := o.Tab.Click("#edit-saml-settings"); err != nil {
		return err
	}
	return o.Tab.WaitVisible(OktaSSOURL)
}

// SaveSAMLSettings is Save: it ends on the General tab with the settings
// saved, or returns the problems the console listed.
func (o OktaConsole) SaveSAMLSettings() error {
	if err := o.Tab.ClickToPage("#save-saml-settings", "#console-flash, #console-errors"); err != nil {
		return err
	}
	if ok, _ := o.Tab.Has("#console-errors"); ok {
		msg, _ := o.Tab.Text("#console-errors")
		return fmt.Errorf("Save refused the settings: %s", msg)
	}
	return nil
}

// AssignGroup is Assignments → Assign → Assign to Groups → Assign next to
// the group → Done.
func (o OktaConsole) AssignGroup(group string) error {
	t := o.Tab
	btn := fmt.Sprintf(`#assign-dialog button[data-assign-group=%s]`, jsString(group))
	for _, step := range []func() error{
		func() error { return o.AppTab("assignments") },
		func() error { return t.Click("#assign-menu-button") },
		func() error { return t.Click("#assign-to-groups") },
		func() error { return t.WaitVisible("#assign-dialog") },
		func() error { return t.Click(btn) },
		func() error { return t.WaitVisible(btn + "[disabled]") },
		func() error { return t.Click("#assign-done") },
		func() error {
			return t.WaitVisible(fmt.Sprintf(`#assigned-groups tr[data-assigned-group=%s]`, jsString(group)))
		},
	} {
		if err := step(); err != nil {
			return fmt.Errorf("assign group %s: %w", group, err)
		}
	}
	return nil
}

// AssignedPeople lists the usernames the Assignments tab shows.
func (o OktaConsole) AssignedPeople() ([]string, error) {
	v, err := o.Tab.Eval(`JSON.stringify(Array.prototype.map.call(document.querySelectorAll('#assigned-people tr[data-assigned-user]'), function (r) { return r.getAttribute('data-assigned-user'); }))`)
	if err != nil {
		return nil, err
	}
	var out []string
	return out, json.Unmarshal([]byte(v), &out)
}

// Certificate is a row of SAML Signing Certificates.
type Certificate struct {
	KID    string `json:"kid"`
	Status string `json:"status"`
}

// Certificates lists the Sign On tab's signing certificates.
func (o OktaConsole) Certificates() ([]Certificate, error) {
	if err := o.Tab.WaitVisible("#certificate-table"); err != nil {
		return nil, err
	}
	v, err := o.Tab.Eval(`JSON.stringify(Array.prototype.map.call(document.querySelectorAll('#certificate-table tr[data-kid]'), function (r) { return {kid: r.getAttribute('data-kid'), status: r.getAttribute('data-status')}; }))`)
	if err != nil {
		return nil, err
	}
	var out []Certificate
	return out, json.Unmarshal([]byte(v), &out)
}

// Certificate returns the certificate with the status ("Active",
// "Inactive"), the newest when several.
func (o OktaConsole) Certificate(status string) (Certificate, error) {
	certs, err := o.Certificates()
	if err != nil {
		return Certificate{}, err
	}
	for i := len(certs) - 1; i >= 0; i-- {
		if certs[i].Status == status {
			return certs[i], nil
		}
	}
	return Certificate{}, fmt.Errorf("no %s certificate among %+v", status, certs)
}

func actionsMenu(kid string) string {
	return fmt.Sprintf(`details[data-actions-for=%s]`, jsString(kid))
}

// openActions opens the certificate's Actions menu.
func (o OktaConsole) openActions(kid string) error {
	open, err := o.Tab.Eval(fmt.Sprintf(`document.querySelector(%s).open`, jsString(actionsMenu(kid))))
	if err != nil || open == "true" {
		return err
	}
	return o.Tab.Click(actionsMenu(kid) + " > summary")
}

// DownloadCertificate is Actions → Download certificate: the saved file's
// content (okta.cert, PEM).
func (o OktaConsole) DownloadCertificate(kid string) (string, error) {
	if err := o.openActions(kid); err != nil {
		return "", err
	}
	_, data, err := o.Tab.Download(actionsMenu(kid) + " a[data-action=download]")
	return string(data), err
}

// MetadataLink is the address Actions → View IdP metadata opens (in a new
// tab, as Okta does).
func (o OktaConsole) MetadataLink(kid string) (string, error) {
	if err := o.openActions(kid); err != nil {
		return "", err
	}
	sel := actionsMenu(kid) + " a[data-action=view-metadata]"
	if err := o.Tab.WaitVisible(sel); err != nil {
		return "", err
	}
	return o.Tab.Eval(fmt.Sprintf(`document.querySelector(%s).href`, jsString(sel)))
}

// GenerateCertificate is "Generate new certificate".
func (o OktaConsole) GenerateCertificate() error {
	return o.Tab.ClickToPage("#generate-certificate", "#console-flash")
}

// ActivateCertificate is Actions → Activate on an inactive certificate.
func (o OktaConsole) ActivateCertificate(kid string) error {
	if err := o.openActions(kid); err != nil {
		return err
	}
	return o.Tab.ClickToPage(actionsMenu(kid)+" button[data-action=activate]", fmt.Sprintf(`tr[data-kid=%s][data-status=Active]`, jsString(kid)))
}

// Metadata is what an admin reads off the IdP metadata page.
type Metadata struct {
	EntityID string
	// SSOLocations are the SingleSignOnService Locations, by binding.
	SSOLocations map[string]string
}

// SignInURL is the SingleSignOnService Location that ends in /sso/saml,
// as the guide says to copy.
func (m Metadata) SignInURL() string {
	for _, b := range []string{wire.BindingHTTPRedirect, wire.BindingHTTPPost} {
		if l := m.SSOLocations[b]; strings.HasSuffix(l, "/sso/saml") {
			return l
		}
	}
	return ""
}

// ReadMetadata reads entityID and the SingleSignOnService Locations from
// the IdP metadata shown in the tab.
func ReadMetadata(t *Tab) (Metadata, error) {
	js := fmt.Sprintf(`(function () {
  // Chromium shows XML as a tree and keeps the document itself in a
  // hidden element of the viewer.
  var src = document.getElementById('webkit-xml-viewer-source-xml');
  var root = src ? src.firstElementChild : document.documentElement;
  var out = {entityID: root ? root.getAttribute('entityID') : null, sso: {}};
  var els = root ? root.getElementsByTagNameNS(%s, 'SingleSignOnService') : [];
  for (var i = 0; i < els.length; i++) { out.sso[els[i].getAttribute('Binding')] = els[i].getAttribute('Location'); }
  return JSON.stringify(out);
})()`, jsString(wire.NSMetadata))
	v, err := t.Eval(js)
	if err != nil {
		return Metadata{}, err
	}
	var raw struct {
		EntityID *string           `json:"entityID"`
		SSO      map[string]string `json:"sso"`
	}
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return Metadata{}, fmt.Errorf("reading the metadata page: %w", err)
	}
	if raw.EntityID == nil {
		return Metadata{}, fmt.Errorf("the page is not IdP metadata: no entityID on its root element")
	}
	return Metadata{EntityID: *raw.EntityID, SSOLocations: raw.SSO}, nil
}

// OktaSignIn signs in on Okta's end-user sign-in page shown in the tab.
func OktaSignIn(t *Tab, username, password string) error {
	if err := t.WaitVisible("#okta-signin-username"); err != nil {
		return fmt.Errorf("Okta sign-in page: %w", err)
	}
	if err := t.Type("#okta-signin-username", username); err != nil {
		return err
	}
	if err := t.Type("#okta-signin-password", password); err != nil {
		return err
	}
	return t.Click("#okta-signin-submit")
}
