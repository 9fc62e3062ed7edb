package mockidp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/mockidp/fault"
)

type apiClient struct {
	t     *testing.T
	srv   *httptest.Server
	token string // sent as "Authorization: SSWS <token>"
}

func newAPI(t *testing.T, idp *IdP) *apiClient {
	srv := httptest.NewServer(idp)
	t.Cleanup(srv.Close)
	idp.SetBaseURL(srv.URL)
	return &apiClient{t, srv, idp.APIToken()}
}

// call sends body (a string of JSON, or "") and decodes the answer into out
// (when not nil); it returns the status and the raw body.
func (c *apiClient) call(method, path, body string, out any) (int, string) {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.srv.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "SSWS "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, string(raw)
}

// apiErr decodes an error body and checks its Okta shape.
func apiErr(t *testing.T, status int, raw string, wantStatus int, wantOkta string, wantCode Code) apiErrorBody {
	t.Helper()
	var e apiErrorBody
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		t.Fatalf("error body is not JSON: %s", raw)
	}
	if status != wantStatus || e.ErrorCode != wantOkta || e.Harness.Code != wantCode || e.ErrorSummary == "" || len(e.ErrorCauses) == 0 || !strings.HasPrefix(e.ErrorID, "oae") {
		t.Fatalf("error %d %s, want %d %s %s", status, raw, wantStatus, wantOkta, wantCode)
	}
	return e
}

func TestAdminAPIRoundTrip(t *testing.T) {
	t.Parallel()
	idp := newTestIdP(t)
	c := newAPI(t, idp)

	var user userResource
	st, raw := c.call("POST", "/api/v1/users", `{"profile":{"login":"ada@example.com","firstName":"Ada","lastName":"Lovelace"},"credentials":{"password":{"value":"pw"}},"groups":["Engineering"]}`, &user)
	if st != 200 || !strings.HasPrefix(user.ID, "00u") || len(user.ID) != 20 || user.Profile.Email != "ada@example.com" || strings.Join(user.Groups, ",") != "Everyone,Engineering" {
		t.Fatalf("create user: %d %s", st, raw)
	}
	var group groupResource
	if st, raw := c.call("POST", "/api/v1/groups", `{"profile":{"name":"Sales","description":"the sales team"}}`, &group); st != 200 || !strings.HasPrefix(group.ID, "00g") || group.Profile.Description != "the sales team" {
		t.Fatalf("create group: %d %s", st, raw)
	}
	if st, _ := c.call("PUT", "/api/v1/groups/"+group.ID+"/users/"+user.ID, "", nil); st != http.StatusNoContent {
		t.Fatalf("add member: %d", st)
	}
	var got userResource
	c.call("GET", "/api/v1/users/ada@example.com", "", &got)
	if strings.Join(got.Groups, ",") != "Everyone,Engineering,Sales" {
		t.Errorf("groups after adding: %v", got.Groups)
	}

	var app appResource
	st, raw = c.call("POST", "/api/v1/apps", `{"label":"ElevenLabs","settings":{"ssoUrl":"`+testACS+`","audienceUri":"`+testAudience+`","nameIdFormat":"EmailAddress","applicationUsername":"Email"}}`, &app)
	if st != http.StatusCreated || !strings.HasPrefix(app.ID, "0oa") || !strings.HasPrefix(app.ExternalKey, "exk") || app.SignOnMode != "SAML_2_0" ||
		app.Name != "dev-123456_elevenlabs_1" || app.Credentials.Signing.KID == "" || app.Settings.NameIDFormat != NameIDEmailAddress ||
		app.EntityID != "http://www.okta.com/"+app.ExternalKey || app.SignOnURL != c.srv.URL+"/app/"+app.Name+"/"+app.ExternalKey+"/sso/saml" {
		t.Fatalf("create app: %d %s", st, raw)
	}
	var apps []appResource
	if c.call("GET", "/api/v1/apps", "", &apps); len(apps) != 1 || apps[0].ID != app.ID {
		t.Errorf("list apps: %+v", apps)
	}
	var updated appResource
	if st, raw := c.call("PUT", "/api/v1/apps/"+app.ID, `{"label":"EL","settings":{"ssoUrl":"`+testACS+`","audienceUri":"urn:x","response":"Unsigned"}}`, &updated); st != 200 ||
		updated.Label != "EL" || updated.Settings.AudienceURI != "urn:x" || updated.Settings.Response != Unsigned || updated.Name != app.Name {
		t.Fatalf("update app: %d %s", st, raw)
	}

	var assigned appUserResource
	if st, raw := c.call("POST", "/api/v1/apps/"+app.ID+"/users", `{"id":"`+user.ID+`","scope":"USER"}`, &assigned); st != 200 || assigned.Credentials.UserName != "ada@example.com" {
		t.Fatalf("assign user: %d %s", st, raw)
	}
	if st, _ := c.call("PUT", "/api/v1/apps/"+app.ID+"/groups/Sales", "", nil); st != 200 {
		t.Fatalf("assign group: %d", st)
	}
	var appUsers []appUserResource
	c.call("GET", "/api/v1/apps/"+app.ID+"/users", "", &appUsers)
	if len(appUsers) != 1 || appUsers[0].Scope != "USER" {
		t.Errorf("app users: %+v", appUsers)
	}
	var appGroups []map[string]string
	if c.call("GET", "/api/v1/apps/"+app.ID+"/groups", "", &appGroups); len(appGroups) != 1 || appGroups[0]["name"] != "Sales" {
		t.Errorf("app groups: %v", appGroups)
	}
	if st, _ := c.call("DELETE", "/api/v1/apps/"+app.ID+"/users/"+user.ID, "", nil); st != http.StatusNoContent {
		t.Errorf("unassign: %d", st)
	}
	c.call("GET", "/api/v1/apps/"+app.ID+"/users", "", &appUsers)
	if len(appUsers) != 1 || appUsers[0].Scope != "GROUP" {
		t.Errorf("after unassigning, still assigned through Sales: %+v", appUsers)
	}

	// Keys: list, generate (Inactive), activate, download.
	var keys []keyResource
	if c.call("GET", "/api/v1/apps/"+app.ID+"/credentials/keys", "", &keys); len(keys) != 1 || keys[0].Status != CertActive || keys[0].Kty != "RSA" || len(keys[0].X5C) != 1 {
		t.Fatalf("keys: %+v", keys)
	}
	var fresh keyResource
	if st, raw := c.call("POST", "/api/v1/apps/"+app.ID+"/credentials/keys/generate?validityYears=3", "", &fresh); st != http.StatusCreated || fresh.Status != CertInactive {
		t.Fatalf("generate: %d %s", st, raw)
	}
	st, raw = c.call("POST", "/api/v1/apps/"+app.ID+"/credentials/keys/generate?validityYears=forever", "", nil)
	apiErr(t, st, raw, 400, "E0000001", CodeInvalidRequest)
	if st, raw := c.call("POST", "/api/v1/apps/"+app.ID+"/credentials/keys/"+fresh.KID+"/activate", "", nil); st != 200 {
		t.Fatalf("activate: %d %s", st, raw)
	}
	c.call("GET", "/api/v1/apps/"+app.ID, "", &updated)
	if updated.Credentials.Signing.KID != fresh.KID {
		t.Errorf("active kid %q, want %q", updated.Credentials.Signing.KID, fresh.KID)
	}
	if st, pemText := c.call("GET", "/api/v1/apps/"+app.ID+"/credentials/keys/"+fresh.KID+"/cert", "", nil); st != 200 || !strings.HasPrefix(pemText, "-----BEGIN CERTIFICATE-----\n") {
		t.Errorf("download: %d %s", st, pemText)
	}
	if st, md := c.call("GET", "/api/v1/apps/"+app.ID+"/sso/saml/metadata", "", nil); st != 200 || !strings.Contains(md, "md:EntityDescriptor") {
		t.Errorf("metadata: %d", st)
	}

	// Faults.
	var fb faultsBody
	if st, raw := c.call("PUT", "/api/v1/apps/"+app.ID+"/faults", `{"faults":[{"name":"mockidp-test-probe-bind","params":{"log":"api"}}]}`, &fb); st != 200 || len(fb.Faults) != 1 {
		t.Fatalf("set faults: %d %s", st, raw)
	}
	st, raw = c.call("PUT", "/api/v1/apps/"+app.ID+"/faults", `{"faults":[{"name":"nope"},{"name":"mockidp-test-probe-bind"}]}`, nil)
	if e := apiErr(t, st, raw, 400, "E0000001", CodeInvalidFaults); len(e.ErrorCauses) != 2 {
		t.Errorf("faults causes: %+v", e.ErrorCauses)
	}
	c.call("GET", "/api/v1/apps/"+app.ID+"/faults", "", &fb)
	if len(fb.Faults) != 1 {
		t.Errorf("invalid faults replaced valid ones: %+v", fb)
	}
	var specs []map[string]any
	if c.call("GET", "/api/v1/faults", "", &specs); len(specs) == 0 {
		t.Errorf("no fault specs listed")
	}
}

func TestAdminAPIErrors(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	c := newAPI(t, idp)
	before, _ := idp.App(app.ID)

	st, raw := c.call("PUT", "/api/v1/apps/"+app.ID, `{"settings":{"ssoUrl":"nope","signatureAlgorithm":"MD5","assertionEncryption":"Encrypted"}}`, nil)
	e := apiErr(t, st, raw, 400, "E0000001", CodeInvalidSettings)
	causes := make([]string, len(e.ErrorCauses))
	for i, c := range e.ErrorCauses {
		causes[i] = c.ErrorSummary
	}
	all := strings.Join(causes, "\n")
	for _, want := range []string{"Single sign-on URL \"nope\"", "Audience URI", "Signature Algorithm \"MD5\"", "no Encryption Certificate"} {
		if !strings.Contains(all, want) {
			t.Errorf("causes lack %q:\n%s", want, all)
		}
	}
	if after, _ := idp.App(app.ID); after.Settings.SSOURL != before.Settings.SSOURL {
		t.Errorf("an invalid update changed the settings")
	}

	tests := []struct {
		name, method, path, body string
		status                   int
		okta                     string
		code                     Code
		says                     string
	}{
		{"bad json", "POST", "/api/v1/apps", `{"label": "x",}`, 400, "E0000003", CodeInvalidRequest, "invalid JSON at byte"},
		{"unknown field", "POST", "/api/v1/apps", `{"label":"x","settings":{"signOnUrl":"x"}}`, 400, "E0000003", CodeInvalidRequest, `"signOnUrl" is not a known field`},
		{"wrong type", "POST", "/api/v1/apps", `{"label":7}`, 400, "E0000003", CodeInvalidRequest, `field "label" must be a string`},
		{"empty body", "POST", "/api/v1/users", ``, 400, "E0000003", CodeInvalidRequest, "the body is empty"},
		{"two objects", "POST", "/api/v1/groups", `{"profile":{"name":"a"}} {}`, 400, "E0000003", CodeInvalidRequest, "data after the JSON object"},
		{"too large", "POST", "/api/v1/apps", `{"label":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "E0000003", CodeInvalidRequest, "larger than"},
		{"create app invalid", "POST", "/api/v1/apps", `{"settings":{}}`, 400, "E0000001", CodeInvalidSettings, "App name (label) is required"},
		{"unknown app", "GET", "/api/v1/apps/0oa00000000000000000", "", 404, "E0000007", CodeAppNotFound, "no app integration"},
		{"unknown user", "GET", "/api/v1/users/nobody", "", 404, "E0000007", CodeUserNotFound, "no user"},
		{"unknown kid", "POST", "/api/v1/apps/" + app.ID + "/credentials/keys/zzz/activate", "", 404, "E0000007", CodeCertNotFound, "no certificate"},
		{"duplicate user", "POST", "/api/v1/users", `{"profile":{"login":"` + testLogin + `"}}`, 400, "E0000001", CodeDuplicate, "already exists"},
		{"missing login", "POST", "/api/v1/users", `{"profile":{"firstName":"x"}}`, 400, "E0000001", CodeInvalidUser, "login) is required"},
		{"wrong method", "DELETE", "/api/v1/apps", "", 405, "E0000022", CodeMethodNotAllowed, "use GET or POST"},
		{"unknown path", "GET", "/api/v1/widgets", "", 404, "E0000007", CodeNotFound, "no API endpoint"},
		{"nothing to update", "PUT", "/api/v1/apps/" + app.ID, `{}`, 400, "E0000001", CodeInvalidRequest, "nothing to update"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, raw := c.call(tc.method, tc.path, tc.body, nil)
			e := apiErr(t, st, raw, tc.status, tc.okta, tc.code)
			if !strings.Contains(e.ErrorSummary+raw, tc.says) {
				t.Errorf("error does not say %q: %s", tc.says, raw)
			}
		})
	}
}

// The delivery faults were deleted (Scenario.Delivery says how a response is
// delivered): naming one through the admin API is refused with a message
// that names it, and the app's faults stay as they were.
func TestAdminAPIRefusesUnknownFaults(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	c := newAPI(t, idp)
	for _, name := range []string{"replay", "replay-after-signout", "unsolicited", "deliver-to", "deliver-after", "no-such-fault"} {
		st, raw := c.call("PUT", "/api/v1/apps/"+app.ID+"/faults", `{"faults":[{"name":"`+name+`"}]}`, nil)
		e := apiErr(t, st, raw, 400, "E0000001", CodeInvalidFaults)
		if !strings.Contains(raw, `unknown fault \"`+name+`\"`) {
			t.Errorf("%s: the error does not name the fault: %+v", name, e)
		}
		st, raw = c.call("PUT", "/api/v1/apps/"+app.ID, `{"faults":[{"name":"`+name+`"}]}`, nil)
		apiErr(t, st, raw, 400, "E0000001", CodeInvalidSettings)
		if _, ok := fault.Lookup(name); ok {
			t.Errorf("%s is still registered", name)
		}
	}
	if a, _ := idp.App(app.ID); len(a.Faults) != 0 {
		t.Errorf("refused faults were stored: %v", a.Faults)
	}
}
