package mockidp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The admin console through net/http: every step of the setup guide's
// Okta side, and what a tampered form gets.

type consoleClient struct {
	t   *testing.T
	idp *IdP
	// session and csrf are the admin's console session, as a browser
	// holds them after signing in: the cookie, and the token every form
	// carries in its hidden _xsrfToken field.
	session, csrf string
}

var csrfRE = regexp.MustCompile(`name="_xsrfToken" value="([^"]+)"`)

// newConsole returns a client signed in to the console as the admin.
func newConsole(t *testing.T) *consoleClient {
	t.Helper()
	c := &consoleClient{t: t, idp: newTestIdP(t)}
	c.signIn()
	return c
}

// signIn signs in on /admin/signin and reads the session's CSRF token off
// the Applications page.
func (c *consoleClient) signIn() {
	c.t.Helper()
	req := httptest.NewRequest("POST", testBase+adminSigninPath, strings.NewReader(url.Values{
		"username": {c.idp.AdminLogin()}, "password": {c.idp.AdminPassword()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", testBase)
	rec := httptest.NewRecorder()
	c.idp.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == adminCookie {
			c.session = ck.Value
		}
	}
	if rec.Code != http.StatusSeeOther || c.session == "" {
		c.t.Fatalf("admin sign-in: %d %s", rec.Code, rec.Body.String())
	}
	_, _, body := c.do("GET", ConsolePath, nil)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("the Applications page carries no CSRF token")
	}
	c.csrf = m[1]
}

// do serves one request and returns the status, the Location and the body.
func (c *consoleClient) do(method, target string, form url.Values) (int, string, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		if c.csrf != "" && !form.Has(csrfField) {
			form = cloneValues(form)
			form.Set(csrfField, c.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, testBase+target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != "GET" {
		req.Header.Set("Origin", testBase)
	}
	if c.session != "" {
		req.AddCookie(&http.Cookie{Name: adminCookie, Value: c.session})
	}
	rec := httptest.NewRecorder()
	c.idp.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location"), rec.Body.String()
}

var stateRE = regexp.MustCompile(`name="state" value="([^"]*)"`)

// guideForm is the Configure SAML step as the guide fills it.
func guideForm(label string) url.Values {
	return url.Values{
		"step": {"saml"}, "direction": {"next"}, "label": {label},
		"ssoUrl": {testACS}, "useForRecipientAndDestination": {"true"}, "audienceUri": {testAudience},
		"nameIdFormat": {"EmailAddress"}, "applicationUsername": {"Email"},
		"response": {"Signed"}, "assertionSignature": {"Signed"}, "signatureAlgorithm": {"RSA-SHA256"},
		"digestAlgorithm": {"SHA256"}, "assertionEncryption": {"Unencrypted"},
		"authnContextClassRef": {"PasswordProtectedTransport"}, "honorForceAuthn": {"Yes"},
		"samlIssuerId":  {defaultIssuerTemplate},
		"attributeName": {""}, "attributeNameFormat": {"Unspecified"}, "attributeValue": {""},
	}
}

// createApp walks the wizard and returns the new app.
func (c *consoleClient) createApp(label string) App {
	c.t.Helper()
	status, _, body := c.do("GET", ConsolePath+"?create=1", nil)
	if status != 200 || !strings.Contains(body, `id="create-app-dialog"`) || !strings.Contains(body, `value="SAML_2_0"`) {
		c.t.Fatalf("Applications with the create dialog: %d\n%s", status, body)
	}
	if status, _, body = c.do("GET", consoleWizardPath+"?signOnMode=SAML_2_0", nil); status != 200 || !strings.Contains(body, `id="app-name"`) {
		c.t.Fatalf("wizard step 1: %d", status)
	}
	status, _, body = c.do("POST", consoleWizardPath, url.Values{"step": {"general"}, "label": {label}})
	if status != 200 || !strings.Contains(body, `id="sso-url"`) || !strings.Contains(body, `id="advanced-settings"`) {
		c.t.Fatalf("wizard step 2: %d\n%s", status, body)
	}
	status, _, body = c.do("POST", consoleWizardPath, guideForm(label))
	m := stateRE.FindStringSubmatch(body)
	if status != 200 || m == nil || !strings.Contains(body, `id="wizard-finish"`) {
		c.t.Fatalf("wizard step 3: %d\n%s", status, body)
	}
	status, loc, _ := c.do("POST", consoleWizardPath, url.Values{"step": {"feedback"}, "direction": {"finish"}, "state": {m[1]}, "audience": {"customer"}})
	if status != http.StatusSeeOther || !strings.HasSuffix(loc, "/sign-on?created=1") {
		c.t.Fatalf("Finish: %d %q", status, loc)
	}
	apps := c.idp.Apps()
	return apps[len(apps)-1]
}

func TestConsoleWizardCreatesTheGuidesApp(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	a := c.createApp("ElevenLabs")
	want := SAMLSettings{SSOURL: testACS, AudienceURI: testAudience, NameIDFormat: NameIDEmailAddress, ApplicationUsername: UsernameEmail}
	if a.Label != "ElevenLabs" || a.Name != "dev-123456_elevenlabs_1" {
		t.Errorf("app %q %q", a.Label, a.Name)
	}
	if got := a.Settings; got.SSOURL != want.SSOURL || got.AudienceURI != want.AudienceURI || got.NameIDFormat != want.NameIDFormat ||
		got.ApplicationUsername != want.ApplicationUsername || got.SAMLIssuerID != "" || got.Response != "" || got.SeparateRecipientAndDestination ||
		len(got.AttributeStatements) != 0 || got.AuthnContextClassRef != "" {
		t.Errorf("settings = %+v, want the guide's %+v with Okta's defaults", got, want)
	}
	status, _, body := c.do("GET", appConsolePath(a)+"/sign-on?created=1", nil)
	for _, s := range []string{`id="console-flash"`, `id="metadata-url" value="` + a.MetadataURL + `"`, a.SignOnURL, a.EntityID,
		`data-status="Active"`, `data-action="download"`, `data-action="view-metadata"`} {
		if !strings.Contains(body, s) {
			t.Errorf("Sign On tab (%d) lacks %s", status, s)
		}
	}
}

func TestConsoleWizardListsEveryProblem(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	status, _, body := c.do("POST", consoleWizardPath, url.Values{"step": {"general"}, "label": {"  "}})
	if status != http.StatusBadRequest || !strings.Contains(body, "App name is required") {
		t.Errorf("empty App name: %d", status)
	}
	f := guideForm("ElevenLabs")
	f.Set("ssoUrl", "not a url")
	f.Set("audienceUri", "")
	f.Set("nameIdFormat", "Email")
	status, _, body = c.do("POST", consoleWizardPath, f)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="console-errors"`) || !strings.Contains(body, "Fix these 3 problems") {
		t.Errorf("bad settings: %d\n%s", status, body)
	}
	if !strings.Contains(body, `value="not a url"`) {
		t.Error("the form does not keep what was typed")
	}
	if len(c.idp.Apps()) != 0 {
		t.Error("an app was created from invalid settings")
	}
}

func TestConsoleWizardPreviousKeepsAnswers(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	f := guideForm("ElevenLabs")
	f.Set("direction", "previous")
	_, _, body := c.do("POST", consoleWizardPath, f)
	m := stateRE.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `id="app-name"`) {
		t.Fatalf("Previous from step 2 did not show step 1:\n%s", body)
	}
	_, _, body = c.do("POST", consoleWizardPath, url.Values{"step": {"general"}, "label": {"ElevenLabs"}, "state": {m[1]}})
	if !strings.Contains(body, `value="`+testACS+`"`) {
		t.Error("Next after Previous lost the SAML settings")
	}
}

func TestConsoleRefusesTamperedInput(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	a := c.createApp("ElevenLabs")
	for _, tc := range []struct {
		method, path string
		form         url.Values
		status       int
	}{
		{"POST", consoleWizardPath, url.Values{"step": {"feedback"}, "state": {"%%%"}}, 400},
		{"POST", consoleWizardPath, url.Values{"step": {"feedback"}, "state": {"e30"}}, 400}, // {} : no label
		{"POST", consoleWizardPath, url.Values{"step": {"nope"}}, 400},
		{"POST", appConsolePath(a) + "/assignments", url.Values{"action": {"assign-user"}, "user": {"nobody"}}, 400},
		{"POST", appConsolePath(a) + "/assignments", url.Values{"action": {"explode"}}, 400},
		{"POST", appConsolePath(a) + "/certificates/nokid/activate", url.Values{}, 404},
		{"GET", appConsolePath(a) + "/certificates/nokid/download", nil, 404},
		{"GET", appConsolePath(a) + "/nosuchtab", nil, 404},
		{"GET", "/admin/app/other_name/instance/" + a.ID + "/general", nil, 404},
		{"GET", "/admin/app/x/instance/0oaNOPE/sign-on", nil, 404},
	} {
		status, _, body := c.do(tc.method, tc.path, tc.form)
		if status != tc.status || !strings.Contains(body, "Okta Admin Console") {
			t.Errorf("%s %s: %d, want %d with a console page", tc.method, tc.path, status, tc.status)
		}
	}
	// Columns of different lengths (a tampered form) are read without panicking.
	f := guideForm("ElevenLabs")
	f["attributeName"] = []string{"email", "x"}
	f["attributeValue"] = []string{"user.email"}
	status, _, body := c.do("POST", appConsolePath(a)+"/saml-settings", f)
	if status != http.StatusBadRequest || !strings.Contains(body, `Attribute Statements row 2 (&#34;x&#34;): Value is required`) {
		t.Errorf("uneven attribute columns: %d\n%s", status, body)
	}
}

func TestConsoleCertificateRotation(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	a := c.createApp("ElevenLabs")
	old := a.SigningKID
	status, _, body := c.do("GET", appConsolePath(a)+"/certificates/"+old+"/download", nil)
	if status != 200 || !strings.HasPrefix(body, "-----BEGIN CERTIFICATE-----\n") {
		t.Fatalf("download: %d %q", status, body)
	}
	if status, loc, _ := c.do("POST", appConsolePath(a)+"/certificates", url.Values{}); status != http.StatusSeeOther || !strings.Contains(loc, "generated=1") {
		t.Fatalf("generate: %d %q", status, loc)
	}
	certs, _ := c.idp.Certificates(a.ID)
	if len(certs) != 2 || certs[1].Status != CertInactive {
		t.Fatalf("after Generate new certificate: %+v", certs)
	}
	_, _, body = c.do("GET", appConsolePath(a)+"/sign-on", nil)
	if !strings.Contains(body, `data-kid="`+certs[1].KID+`" data-status="Inactive"`) || !strings.Contains(body, `data-action="activate"`) {
		t.Error("the new certificate is not listed as Inactive with Activate")
	}
	c.do("POST", appConsolePath(a)+"/certificates/"+certs[1].KID+"/activate", url.Values{})
	if active, _ := c.idp.ActiveCertificate(a.ID); active.KID != certs[1].KID {
		t.Errorf("active = %s, want the new %s", active.KID, certs[1].KID)
	}
}

func TestConsoleAssignmentsAndEdit(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	a := c.createApp("ElevenLabs")
	u, _ := c.idp.AddUser(User{Login: "ann@example.com", FirstName: "Ann", LastName: "Lee", Groups: []string{"Engineering"}})
	g, _ := c.idp.Group("Engineering")
	_, _, body := c.do("GET", appConsolePath(a)+"/assignments?assign=groups", nil)
	if !strings.Contains(body, `id="assign-dialog" data-assign="groups"`) || !strings.Contains(body, `data-assign-group="Engineering">Assign<`) {
		t.Fatalf("Assign to Groups dialog:\n%s", body)
	}
	status, loc, _ := c.do("POST", appConsolePath(a)+"/assignments", url.Values{"action": {"assign-group"}, "group": {g.ID}, "dialog": {"groups"}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "assign=groups") {
		t.Fatalf("assign: %d %q", status, loc)
	}
	_, _, body = c.do("GET", appConsolePath(a)+"/assignments", nil)
	if !strings.Contains(body, `data-assigned-group="Engineering"`) || !strings.Contains(body, `data-assigned-user="ann@example.com"`) {
		t.Errorf("Assignments tab does not list the group and its member")
	}
	if users, _ := c.idp.AppUsers(a.ID); len(users) != 1 || users[0].ID != u.ID {
		t.Errorf("AppUsers = %+v", users)
	}
	f := guideForm("ElevenLabs")
	f.Set("nameIdFormat", "Unspecified")
	f.Set("applicationUsername", "Okta username")
	if status, _, _ := c.do("POST", appConsolePath(a)+"/saml-settings", f); status != http.StatusSeeOther {
		t.Fatalf("Save: %d", status)
	}
	got, _ := c.idp.App(a.ID)
	if got.Settings.NameIDFormat != "" || got.Settings.ApplicationUsername != "" {
		t.Errorf("after Edit: %+v", got.Settings)
	}
	_, _, body = c.do("GET", appConsolePath(a)+"/general?saved=1", nil)
	if !strings.Contains(body, `data-setting="nameIdFormat">Unspecified<`) {
		t.Error("General tab does not show the saved Name ID format")
	}
}

func TestDeleteApp(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	a := c.createApp("ElevenLabs")
	if err := c.idp.DeleteApp(a.ID); err != nil {
		t.Fatal(err)
	}
	if len(c.idp.Apps()) != 0 {
		t.Error("the app is still listed")
	}
	if ErrorCode(c.idp.DeleteApp(a.ID)) != CodeAppNotFound {
		t.Error("deleting twice should say APP_NOT_FOUND")
	}
	if status, _, _ := c.do("GET", "/app/"+a.ExternalKey+"/sso/saml/metadata", nil); status != 404 {
		t.Errorf("metadata of a deleted app: %d", status)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
