package sp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const (
	testAdminEmail    = "admin@acme.test"
	testAdminPassword = "correct horse battery"
)

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInAdmin makes testAdminEmail an admin of ws1, signs c in with the
// password form and returns the session's CSRF token.
func signInAdmin(t *testing.T, env *httpEnv, c *http.Client) string {
	t.Helper()
	if err := env.srv.AddAdmin("ws1", testAdminEmail, testAdminPassword); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, env.base+PathPasswordSignIn, strings.NewReader(url.Values{"email": {testAdminEmail}, "password": {testAdminPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", env.base)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != PathSecurity+"?workspace=ws1" {
		t.Fatalf("password sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = c.Get(env.base + PathAppMe)
	var me struct{ Email, Method, CSRFToken string }
	if err := json.Unmarshal([]byte(readAll(t, resp)), &me); err != nil || me.CSRFToken == "" || me.Method != SignInMethodPassword {
		t.Fatalf("me: %+v %v", me, err)
	}
	return me.CSRFToken
}

func do(t *testing.T, c *http.Client, method, u, ctype string, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readAll(t, resp)
}

func refusalCode(t *testing.T, body string) string {
	t.Helper()
	var env configErrorEnvelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("not an error envelope: %s", body)
	}
	return env.Error.Status
}

// The probe's attack: a cross-site text/plain PUT replacing the
// certificate and entity ID. Each layer refuses it on its own.
func TestAdminAPIRefusesWhoDoesNotBelong(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	before, _ := env.srv.SSO("ws1")
	evil, _ := json.Marshal(map[string]any{"ssoProvider": "SAML", "identityProviderEntityId": "http://evil.test", "identityProviderSignInUrl": "http://evil.test/sso",
		"certificates": []string{"x"}, "domains": []string{testDomain}, "acknowledge": true})
	putURL := env.base + "/api/workspaces/ws1/sso"

	anon := browser(t)
	for _, tc := range []struct {
		name, method, u, ctype string
		hdr                    map[string]string
		status                 int
		code                   string
	}{
		{"anonymous cross-site text/plain", http.MethodPut, putURL, "text/plain", map[string]string{"Origin": "http://evil.test"}, 403, ErrCodeCrossOrigin},
		{"anonymous text/plain", http.MethodPut, putURL, "text/plain", nil, 415, ErrCodeUnsupportedMediaType},
		{"anonymous JSON", http.MethodPut, putURL, "application/json", nil, 401, ErrCodeUnauthenticated},
		{"anonymous GET", http.MethodGet, putURL, "", nil, 401, ErrCodeUnauthenticated},
		{"anonymous domain verification", http.MethodPost, env.base + "/api/workspaces/ws1/domains", "application/json", nil, 401, ErrCodeUnauthenticated},
		{"anonymous profile", http.MethodPut, env.base + "/api/workspaces/ws1/profile", "application/json", nil, 401, ErrCodeUnauthenticated},
		{"anonymous create", http.MethodPost, env.base + "/api/workspaces", "application/json", nil, 401, ErrCodeUnauthenticated},
		{"anonymous list", http.MethodGet, env.base + "/api/workspaces", "", nil, 401, ErrCodeUnauthenticated},
	} {
		status, body := do(t, anon, tc.method, tc.u, tc.ctype, string(evil), tc.hdr)
		if status != tc.status || refusalCode(t, body) != tc.code {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}

	admin := browser(t)
	csrf := signInAdmin(t, env, admin)
	for _, tc := range []struct {
		name   string
		ctype  string
		hdr    map[string]string
		status int
		code   string
	}{
		{"admin, no CSRF token", "application/json", nil, 403, ErrCodeCSRFTokenInvalid},
		{"admin, wrong CSRF token", "application/json", map[string]string{CSRFHeader: csrf + "x"}, 403, ErrCodeCSRFTokenInvalid},
		{"admin, foreign Origin", "application/json", map[string]string{CSRFHeader: csrf, "Origin": "http://evil.test"}, 403, ErrCodeCrossOrigin},
		{"admin, null Origin", "application/json", map[string]string{CSRFHeader: csrf, "Origin": "null"}, 403, ErrCodeCrossOrigin},
		{"admin, cross-site fetch", "application/json", map[string]string{CSRFHeader: csrf, "Sec-Fetch-Site": "cross-site"}, 403, ErrCodeCrossOrigin},
		{"admin, text/plain", "text/plain", map[string]string{CSRFHeader: csrf}, 415, ErrCodeUnsupportedMediaType},
	} {
		status, body := do(t, admin, http.MethodPut, putURL, tc.ctype, string(evil), tc.hdr)
		if status != tc.status || refusalCode(t, body) != tc.code {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	if after, _ := env.srv.SSO("ws1"); after.Revision != before.Revision || after.IdentityProviderEntityID != before.IdentityProviderEntityID {
		t.Fatalf("a refused request changed the configuration: %+v", after)
	}

	// A signed-in admin of another workspace is not an admin of ws1.
	if _, err := env.srv.CreateWorkspace(WorkspaceSpec{ID: "ws2", Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	if err := env.srv.AddAdmin("ws2", "other@other.test", "another long password"); err != nil {
		t.Fatal(err)
	}
	creds, err := env.srv.AdminSession("other@other.test")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, putURL, bytes.NewReader(evil))
	req.Header.Set("Content-Type", "application/json")
	creds.Apply(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 403 || refusalCode(t, body) != ErrCodePermissionDenied {
		t.Fatalf("admin of another workspace: %d %s", resp.StatusCode, body)
	}

	// The same-origin admin with the token gets through.
	status, body := do(t, admin, http.MethodPut, putURL, "application/json", string(evil), map[string]string{CSRFHeader: csrf, "Origin": env.base})
	if status != 200 {
		t.Fatalf("admin PUT: %d %s", status, body)
	}
}

func TestSecurityPageRefusesWhoDoesNotBelong(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	before, _ := env.srv.SSO("ws1")
	page := env.base + PathSecurity + "?workspace=ws1"
	form := url.Values{"ssoProvider": {"SAML"}, "identityProviderEntityId": {"http://evil.test"}, "identityProviderSignInUrl": {"http://evil.test/sso"},
		"certificates": {"x"}, "domains": {testDomain}, "acknowledge": {"true"}}

	anon := browser(t)
	status, _ := do(t, anon, http.MethodGet, page, "", "", nil)
	if status != http.StatusSeeOther {
		t.Fatalf("anonymous GET: %d", status)
	}
	status, _ = do(t, anon, http.MethodPost, page, "application/x-www-form-urlencoded", form.Encode(), map[string]string{"Origin": "http://evil.test"})
	if status != 403 {
		t.Fatalf("cross-site form post: %d", status)
	}

	admin := browser(t)
	csrf := signInAdmin(t, env, admin)
	for name, tc := range map[string]struct {
		ctype  string
		hdr    map[string]string
		token  string
		status int
	}{
		"cross-site form post with the token": {"application/x-www-form-urlencoded", map[string]string{"Origin": "http://evil.test"}, csrf, 403},
		"text/plain post":                     {"text/plain", nil, csrf, 415},
		"no token":                            {"application/x-www-form-urlencoded", nil, "", 403},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if tc.token != "" {
			f.Set("csrf_token", tc.token)
		}
		if status, _ := do(t, admin, http.MethodPost, page, tc.ctype, f.Encode(), tc.hdr); status != tc.status {
			t.Errorf("%s: %d", name, status)
		}
	}
	if after, _ := env.srv.SSO("ws1"); after.Revision != before.Revision {
		t.Fatalf("a refused post changed the configuration")
	}
}

func TestPasswordSignIn(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	if err := env.srv.AddAdmin("ws1", testAdminEmail, testAdminPassword); err != nil {
		t.Fatal(err)
	}
	if err := env.srv.AddAdmin("ws1", testAdminEmail, "short"); err == nil {
		t.Fatal("a short password was accepted")
	}
	c := browser(t)
	post := func(email, password, cont string, hdr map[string]string) (int, string) {
		return do(t, c, http.MethodPost, env.base+PathPasswordSignIn, "application/x-www-form-urlencoded",
			url.Values{"email": {email}, "password": {password}, "continue": {cont}}.Encode(), hdr)
	}
	if status, body := post(testAdminEmail, "wrong password!!", "", nil); status != 401 || !strings.Contains(body, `data-error-code="INVALID_LOGIN_CREDENTIALS"`) {
		t.Fatalf("wrong password: %d", status)
	}
	if status, _ := post("nobody@acme.test", testAdminPassword, "", nil); status != 401 {
		t.Fatalf("unknown admin: %d", status)
	}
	if status, _ := post(testAdminEmail, testAdminPassword, "", map[string]string{"Origin": "http://evil.test"}); status != 403 {
		t.Fatalf("cross-site sign-in (login CSRF): %d", status)
	}
	// The return address is a path on this site, never another origin.
	for _, bad := range []string{"//evil.test/x", "/\\evil.test", "http://evil.test/", "/%09/evil.test", "/\t/evil.test", "javascript:alert(1)"} {
		req, _ := http.NewRequest(http.MethodPost, env.base+PathPasswordSignIn, strings.NewReader(url.Values{"email": {testAdminEmail}, "password": {testAdminPassword}, "continue": {bad}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || loc != PathSecurity+"?workspace=ws1" {
			t.Errorf("continue=%q: %d → %q", bad, resp.StatusCode, loc)
		}
	}
	if localPath("/app/settings/security?workspace=ws1") == "" {
		t.Fatal("a local path was refused")
	}
}

func TestInsecureOpenAdminOptsOut(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{InsecureOpenAdmin: true})
	status, body := do(t, browser(t), http.MethodGet, env.base+"/api/workspaces/ws1/sso", "", "", nil)
	if status != 200 {
		t.Fatalf("open admin GET: %d %s", status, body)
	}
}
