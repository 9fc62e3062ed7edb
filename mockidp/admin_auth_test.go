package mockidp

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve runs one request against idp with the given headers.
func serve(idp *IdP, method, target string, body string, headers map[string]string) *httptest.ResponseRecorder {
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, testBase+target, strings.NewReader(body))
	} else {
		req = httptest.NewRequest(method, testBase+target, nil)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	idp.ServeHTTP(rec, req)
	return rec
}

// The API answers anything but "Authorization: SSWS <token>" with 401 and
// Okta's E0000011 error object, on every path, before routing.
func TestAdminAPIRequiresSSWSToken(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	tok := idp.APIToken()
	for _, auth := range []string{"", "SSWS", "SSWS ", "SSWS wrong", "Bearer " + tok, "sSWS " + tok, "SSWS " + tok + "x", tok} {
		for _, path := range []string{"/api/v1/apps", "/api/v1/apps/" + app.ID, "/api/v1/users", "/api/v1/faults", "/api/v1/nope", "/api/v2/x"} {
			rec := serve(idp, "GET", path, "", map[string]string{"Authorization": auth})
			var e apiErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != http.StatusUnauthorized ||
				e.ErrorCode != "E0000011" || e.ErrorSummary != "Invalid token provided" || e.ErrorLink != "E0000011" ||
				e.Harness.Code != CodeUnauthorized || e.ErrorCauses == nil || len(e.ErrorCauses) != 0 || !strings.HasPrefix(e.ErrorID, "oae") {
				t.Errorf("Authorization %q on %s: %d %s", auth, path, rec.Code, rec.Body.String())
			}
		}
	}
	// A state-changing call without the token changes nothing.
	rec := serve(idp, "PUT", "/api/v1/apps/"+app.ID, `{"label":"Owned"}`, map[string]string{"Content-Type": "text/plain", "Origin": "http://evil.example"})
	if a, _ := idp.App(app.ID); rec.Code != http.StatusUnauthorized || a.Label == "Owned" {
		t.Errorf("unauthenticated PUT: %d, label %q", rec.Code, a.Label)
	}
	if rec := serve(idp, "GET", "/api/v1/apps/"+app.ID, "", map[string]string{"Authorization": "SSWS " + tok}); rec.Code != http.StatusOK {
		t.Errorf("with the token: %d %s", rec.Code, rec.Body.String())
	}
}

// The console requires an admin session; state-changing requests also the
// same origin and the session's CSRF token.
func TestConsoleRequiresAdminSignIn(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	app := c.createApp("Guarded")
	cookie := map[string]string{"Cookie": adminCookie + "=" + c.session, "Content-Type": "application/x-www-form-urlencoded"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range cookie {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	signOn := appConsolePath(app) + "/sign-on"
	generate := appConsolePath(app) + "/certificates"
	certs := func() int { cs, _ := c.idp.Certificates(app.ID); return len(cs) }
	before := certs()

	// Without a session: sign in first, coming back to the page.
	rec := serve(c.idp, "GET", signOn, "", nil)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusFound || loc != adminSigninPath+"?fromURI="+url.QueryEscape(signOn) {
		t.Errorf("GET without a session: %d %q", rec.Code, loc)
	}
	for name, h := range map[string]map[string]string{
		"no session":            {"Origin": testBase},
		"foreign Origin":        with(map[string]string{"Origin": "http://evil.example"}),
		"null Origin":           with(map[string]string{"Origin": "null"}),
		"no Origin or Referer":  with(nil),
		"foreign Referer":       with(map[string]string{"Referer": "http://evil.example/x"}),
		"no CSRF token":         with(map[string]string{"Origin": testBase}),
		"wrong CSRF token":      with(map[string]string{"Origin": testBase, csrfHeader: "x" + c.csrf}),
		"text/plain cross-site": {"Cookie": adminCookie + "=" + c.session, "Content-Type": "text/plain", "Origin": "http://evil.example"},
	} {
		body := ""
		if name == "foreign Origin" || name == "null Origin" || name == "no Origin or Referer" || name == "foreign Referer" {
			body = csrfField + "=" + c.csrf // even with the right token
		}
		rec := serve(c.idp, "POST", generate, body, h)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `data-okta-error="admin-forbidden"`) {
			t.Errorf("%s: %d %.200s", name, rec.Code, rec.Body.String())
		}
	}
	if n := certs(); n != before {
		t.Fatalf("a refused request generated a certificate (%d → %d)", before, n)
	}
	// The same origin by Referer (no Origin) with the token in the header,
	// then by Origin with the token in the form: both pass.
	if rec := serve(c.idp, "POST", generate, "", with(map[string]string{"Referer": testBase + signOn, csrfHeader: c.csrf})); rec.Code != http.StatusSeeOther {
		t.Errorf("same-origin Referer with the header token: %d %.200s", rec.Code, rec.Body.String())
	}
	if rec := serve(c.idp, "POST", generate, csrfField+"="+c.csrf, with(map[string]string{"Origin": testBase})); rec.Code != http.StatusSeeOther {
		t.Errorf("same Origin with the form token: %d", rec.Code)
	}
	if n := certs(); n != before+2 {
		t.Errorf("%d certificates, want %d", n, before+2)
	}

	// Sign out ends the session.
	if rec := serve(c.idp, "POST", adminSignoutPath, csrfField+"="+c.csrf, with(map[string]string{"Origin": testBase})); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", rec.Code)
	}
	if rec := serve(c.idp, "GET", signOn, "", cookie); rec.Code != http.StatusFound {
		t.Errorf("the session outlived sign-out: %d", rec.Code)
	}
}

func TestAdminSignIn(t *testing.T) {
	t.Parallel()
	idp := newTestIdP(t)
	form := func(user, pw, from string) string {
		return url.Values{"username": {user}, "password": {pw}, "fromURI": {from}}.Encode()
	}
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": testBase}
	if rec := serve(idp, "GET", adminSigninPath+"?fromURI=%2Fadmin%2Fapps%2Factive", "", nil); rec.Code != 200 ||
		!strings.Contains(rec.Body.String(), `action="`+adminSigninPath+`"`) || !strings.Contains(rec.Body.String(), `id="okta-signin-username"`) {
		t.Errorf("sign-in page: %d", rec.Code)
	}
	for name, body := range map[string]string{
		"wrong password": form(idp.AdminLogin(), "wrong", ""),
		"end user":       form(testLogin, testPassword, ""),
		"empty":          form("", "", ""),
	} {
		if rec := serve(idp, "POST", adminSigninPath, body, h); rec.Code != http.StatusUnauthorized || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: %d", name, rec.Code)
		}
	}
	if rec := serve(idp, "POST", adminSigninPath, form(idp.AdminLogin(), idp.AdminPassword(), ""),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d", rec.Code)
	}
	for from, want := range map[string]string{
		"/admin/app/x/instance/y/general": "/admin/app/x/instance/y/general",
		"":                                ConsolePath,
		"/app/UserHome":                   ConsolePath, // not the console
		"/%09/evil.example":               ConsolePath,
		"//evil.example/admin":            ConsolePath,
		"https://evil.example/admin":      ConsolePath,
		adminSigninPath:                   ConsolePath,
	} {
		rec := serve(idp, "POST", adminSigninPath, form(strings.ToUpper(idp.AdminLogin()), idp.AdminPassword(), from), h)
		ck := rec.Result().Cookies()
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want || len(ck) != 1 || ck[0].Name != adminCookie ||
			!ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Path != "/admin" {
			t.Errorf("fromURI %q: %d → %q, cookies %v", from, rec.Code, rec.Header().Get("Location"), ck)
		}
	}
}

// Credentials come from Config or crypto/rand; generating them leaves the
// seeded IDs alone, so a seeded run is the same with or without them.
func TestAdminCredentials(t *testing.T) {
	t.Parallel()
	a, b := newTestIdP(t), newTestIdP(t)
	if a.APIToken() == b.APIToken() || a.AdminPassword() == b.AdminPassword() {
		t.Error("two IdPs generated the same credentials")
	}
	if tok := a.APIToken(); len(tok) != 42 || !strings.HasPrefix(tok, "00") {
		t.Errorf("token %q is not Okta-shaped (42 characters from 00)", tok)
	}
	if a.AdminLogin() != "admin@dev-123456.example" || len(a.AdminPassword()) < 20 {
		t.Errorf("admin %q / %d-character password", a.AdminLogin(), len(a.AdminPassword()))
	}
	cfg := testConfig(1)
	cfg.AdminLogin, cfg.AdminPassword, cfg.APIToken = "root@example.com", "pw", "tok"
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminLogin() != "root@example.com" || c.AdminPassword() != "pw" || c.APIToken() != "tok" || c.AdminOpen() {
		t.Error("configured credentials not used")
	}
	// Same seed, generated vs configured credentials: same app IDs.
	d, _ := New(testConfig(1))
	x, _ := c.CreateApp("Same", defaultSettings())
	y, _ := d.CreateApp("Same", defaultSettings())
	if x.ID != y.ID || x.ExternalKey != y.ExternalKey {
		t.Errorf("generating credentials moved the seeded IDs: %s/%s vs %s/%s", x.ID, x.ExternalKey, y.ID, y.ExternalKey)
	}
}

// InsecureOpenAdmin opens both, for library use in tests.
func TestInsecureOpenAdmin(t *testing.T) {
	t.Parallel()
	cfg := testConfig(3)
	cfg.InsecureOpenAdmin = true
	idp, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !idp.AdminOpen() {
		t.Error("AdminOpen false")
	}
	if rec := serve(idp, "GET", "/api/v1/apps", "", nil); rec.Code != http.StatusOK {
		t.Errorf("API: %d", rec.Code)
	}
	if rec := serve(idp, "GET", ConsolePath, "", nil); rec.Code != http.StatusOK {
		t.Errorf("console: %d", rec.Code)
	}
	if rec := serve(idp, "POST", consoleWizardPath, "step=general&label=x", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); rec.Code != http.StatusOK {
		t.Errorf("console POST: %d", rec.Code)
	}
}

// Console sessions end after their idle time and are capped.
func TestAdminSessionsBounded(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := testNow
	cfg := testConfig(4)
	cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	idp, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := idp.admin.newSession(testNow)
	req := httptest.NewRequest("GET", testBase+ConsolePath, nil)
	req.AddCookie(&http.Cookie{Name: adminCookie, Value: first})
	if _, ok := idp.admin.session(req, testNow.Add(adminIdleTimeout-time.Minute)); !ok {
		t.Fatal("a fresh session is not live")
	}
	if _, ok := idp.admin.session(req, testNow.Add(2*adminIdleTimeout)); ok {
		t.Error("an idle session is still live")
	}
	for i := 0; i < maxAdminSessions+50; i++ {
		if _, err := idp.admin.newSession(testNow.Add(time.Duration(i) * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(idp.admin.sessions); n > maxAdminSessions {
		t.Errorf("%d sessions kept, cap %d", n, maxAdminSessions)
	}
}
