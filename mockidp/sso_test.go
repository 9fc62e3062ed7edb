package mockidp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/samlharness/samlharness/internal/wire"
)

// browser is a cookie-keeping client that does not follow redirects, so
// each step of the flow can be checked.
type browser struct {
	t   *testing.T
	c   *http.Client
	srv *httptest.Server
}

func newBrowser(t *testing.T, idp *IdP) *browser {
	t.Helper()
	srv := httptest.NewServer(idp)
	t.Cleanup(srv.Close)
	idp.SetBaseURL(srv.URL)
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, srv: srv, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	body     string
	location string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if !strings.HasPrefix(req.URL.String(), "http") {
		u, _ := url.Parse(b.srv.URL + req.URL.String())
		req.URL = u
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body), resp.Header.Get("Location")}
}

func (b *browser) get(u string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// login signs in through the login page reached from p (a redirect to it)
// and returns the page the IdP sends the browser back to.
func (b *browser) login(p page, password string) page {
	b.t.Helper()
	if p.status != http.StatusFound || !strings.Contains(p.location, "/login/login.htm?fromURI=") {
		b.t.Fatalf("expected a redirect to the login page, got %d %q", p.status, p.location)
	}
	lp := b.get(p.location)
	if lp.status != 200 || !strings.Contains(lp.body, `<form id="form-signin" method="POST" action="/login/login.htm"`) {
		b.t.Fatalf("login page: %d %s", lp.status, lp.body)
	}
	from := html.UnescapeString(regexp.MustCompile(`name="fromURI" value="([^"]*)"`).FindStringSubmatch(lp.body)[1])
	res := b.post("/login/login.htm", url.Values{"username": {testLogin}, "password": {password}, "fromURI": {from}})
	if res.status == http.StatusFound {
		return b.get(res.location)
	}
	return res
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"/>`)

// postForm extracts the auto-submit form's action and fields.
func postForm(t *testing.T, p page) (string, url.Values) {
	t.Helper()
	if p.status != 200 || !strings.Contains(p.body, `<form id="appForm" method="POST" action="`) ||
		!strings.Contains(p.body, `<script>document.getElementById('appForm').submit()</script>`) || !strings.Contains(p.body, "<noscript>") {
		t.Fatalf("not the auto-submit page: %d %s", p.status, p.body)
	}
	action := html.UnescapeString(regexp.MustCompile(`<form id="appForm" method="POST" action="([^"]*)"`).FindStringSubmatch(p.body)[1])
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		form.Add(m[1], html.UnescapeString(m[2]))
	}
	return action, form
}

func checkSPAccepts(t *testing.T, idp *IdP, app *App, form url.Values, requestIDs ...string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	acs, _ := url.Parse(testACS)
	a, err := crewjamSP(t, idp, app).ParseXMLResponse(raw, requestIDs, *acs)
	if err != nil {
		t.Fatalf("crewjam/saml rejects the response: %+v", err)
	}
	if a.Subject.NameID.Value != testLogin {
		t.Errorf("NameID %q", a.Subject.NameID.Value)
	}
}

func TestBrowserFlowRedirectBinding(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	b := newBrowser(t, idp)
	app, _ = idp.App(app.ID)
	q := url.Values{"SAMLRequest": {redirectRequest(t, authnRequestXML("_req1"))}, "RelayState": {"relay&<1>"}}
	first := b.get(app.SignOnURL + "?" + q.Encode())

	// Wrong password: 401, Okta's words, still on the login page.
	lp := b.get(first.location)
	from := html.UnescapeString(regexp.MustCompile(`name="fromURI" value="([^"]*)"`).FindStringSubmatch(lp.body)[1])
	if !strings.HasPrefix(from, "/app/"+app.Name+"/"+app.ExternalKey+"/sso/saml?") {
		t.Errorf("fromURI %q is not the SSO URL with its query", from)
	}
	bad := b.post("/login/login.htm", url.Values{"username": {testLogin}, "password": {"wrong"}, "fromURI": {from}})
	if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, "Unable to sign in") || !strings.Contains(bad.body, `id="form-signin"`) {
		t.Fatalf("bad password: %d %s", bad.status, bad.body)
	}

	action, form := postForm(t, b.login(first, testPassword))
	if action != testACS || form.Get("RelayState") != "relay&<1>" {
		t.Errorf("action %q RelayState %q", action, form.Get("RelayState"))
	}
	checkSPAccepts(t, idp, app, form, "_req1")

	// With the IdP session, the next request is answered at once.
	q.Set("SAMLRequest", redirectRequest(t, authnRequestXML("_req2")))
	_, form = postForm(t, b.get(app.SignOnURL+"?"+q.Encode()))
	checkSPAccepts(t, idp, app, form, "_req2")

	// Sign out ends the session.
	if p := b.get("/login/signout"); p.status != http.StatusFound {
		t.Fatalf("signout: %d", p.status)
	}
	if p := b.get(app.SignOnURL + "?" + q.Encode()); p.status != http.StatusFound || !strings.Contains(p.location, "/login/login.htm") {
		t.Errorf("after sign-out: %d %q", p.status, p.location)
	}
}

func TestBrowserFlowPostBinding(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	b := newBrowser(t, idp)
	app, _ = idp.App(app.ID)
	post := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString([]byte(authnRequestXML("_post1")))}, "RelayState": {"rp"}}
	first := b.post(app.SignOnURL, post)
	action, form := postForm(t, b.login(first, testPassword))
	if action != testACS || form.Get("RelayState") != "rp" {
		t.Errorf("action %q relay %q", action, form.Get("RelayState"))
	}
	checkSPAccepts(t, idp, app, form, "_post1")
	// Signed in: a POSTed request is answered directly.
	post.Set("SAMLRequest", base64.StdEncoding.EncodeToString([]byte(authnRequestXML("_post2"))))
	_, form = postForm(t, b.post(app.SignOnURL, post))
	checkSPAccepts(t, idp, app, form, "_post2")
}

func TestBrowserIdPInitiated(t *testing.T) {
	t.Parallel()
	s := defaultSettings()
	s.DefaultRelayState = "/after"
	idp, app, _ := setup(t, s)
	b := newBrowser(t, idp)
	tile := "/home/" + app.Name + "/" + app.ID
	_, form := postForm(t, b.login(b.get(tile), testPassword))
	if form.Get("RelayState") != "/after" {
		t.Errorf("RelayState %q", form.Get("RelayState"))
	}
	checkSPAccepts(t, idp, app, form)
	raw, _ := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if bytes.Contains(raw, []byte("InResponseTo")) {
		t.Errorf("IdP-initiated response has InResponseTo")
	}
	// The SSO URL without SAMLRequest is IdP-initiated too; the dashboard lists the tile.
	postForm(t, b.get("/app/"+app.Name+"/"+app.ExternalKey+"/sso/saml"))
	if home := b.get("/app/UserHome"); home.status != 200 || !strings.Contains(home.body, `data-app-id="`+app.ID+`"`) || !strings.Contains(home.body, tile) {
		t.Errorf("home: %d %s", home.status, home.body)
	}
	if p := b.get("/home/wrong_name/" + app.ID); p.status != http.StatusNotFound {
		t.Errorf("tile with a wrong app name: %d", p.status)
	}
}

func TestBrowserAppNotAssigned(t *testing.T) {
	t.Parallel()
	idp, app, u := setup(t, defaultSettings())
	if err := idp.UnassignUser(app.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, idp)
	app, _ = idp.App(app.ID)
	q := url.Values{"SAMLRequest": {redirectRequest(t, authnRequestXML("_r"))}}
	p := b.login(b.get(app.SignOnURL+"?"+q.Encode()), testPassword)
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "<title>403 App Not Assigned</title>") ||
		!strings.Contains(p.body, `data-okta-error="app-not-assigned"`) ||
		!strings.Contains(p.body, "Sorry, you can&#39;t access ElevenLabs because you are not assigned this app in Okta. If you&#39;re wondering why this is happening, please contact your administrator.") {
		t.Fatalf("403 page: %d %s", p.status, p.body)
	}
	// Assigned through a group: allowed.
	if err := idp.AssignGroup(app.ID, "Engineering"); err != nil {
		t.Fatal(err)
	}
	postForm(t, b.get(app.SignOnURL+"?"+q.Encode()))
}

func deflateRaw(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func TestBrowserBadRequests(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	b := newBrowser(t, idp)
	app, _ = idp.App(app.ID)
	enc := base64.StdEncoding.EncodeToString
	bomb := deflateRaw(bytes.Repeat([]byte("A"), 20<<20)) // 20 MiB of output from ~20 KiB
	tests := []struct {
		name     string
		post     bool
		value    string
		sentence string
	}{
		{"not base64", false, "!!!not base64!!!", "is not valid base64"},
		{"not deflate", false, enc([]byte("<samlp:AuthnRequest/>")), "is not DEFLATE-compressed"},
		{"truncated deflate", false, enc(deflateRaw([]byte(authnRequestXML("_x")))[:20]), "truncated"},
		{"no xml", false, redirectRequest(t, "hello, world"), "contains no XML element"},
		{"not xml", false, redirectRequest(t, "<a><b></a>"), "not well-formed XML"},
		{"doctype", false, redirectRequest(t, `<!DOCTYPE x [<!ENTITY a "aaaa">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a">&a;</samlp:AuthnRequest>`), "DOCTYPE"},
		{"wrong root", false, redirectRequest(t, `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a"/>`), "is a <LogoutRequest> element"},
		{"wrong namespace", false, redirectRequest(t, `<AuthnRequest ID="_a"/>`), "in no namespace, not an AuthnRequest"},
		{"missing id", false, redirectRequest(t, `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`), "has no ID attribute"},
		{"oversized", false, strings.Repeat("A", 70<<10), "more than the 65536 bytes accepted"},
		{"deflate bomb", false, enc(bomb), "inflates to more than 262144 bytes"},
		{"post not xml", true, enc([]byte("garbage")), "decodes to neither XML nor DEFLATE data"},
		{"post empty", true, "", "The POST has no SAMLRequest parameter"},
		{"post deep", true, enc([]byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a">` + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + `</samlp:AuthnRequest>`)), "more than 32 levels deep"},
	}
	if len(bomb) > 64<<10 {
		t.Fatalf("the bomb is %d bytes, over the encoded limit", len(bomb))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p page
			if tc.post {
				p = b.post(app.SignOnURL, url.Values{"SAMLRequest": {tc.value}})
			} else {
				p = b.get(app.SignOnURL + "?" + url.Values{"SAMLRequest": {tc.value}}.Encode())
			}
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "<title>400 Bad Request</title>") || !strings.Contains(p.body, `data-okta-error="bad-saml-request"`) {
				t.Fatalf("%d %s", p.status, p.body)
			}
			msg := html.UnescapeString(regexp.MustCompile(`(?s)<p id="okta-error-message">(.*?)</p>`).FindStringSubmatch(p.body)[1])
			if !strings.Contains(msg, tc.sentence) {
				t.Errorf("message %q does not say %q", msg, tc.sentence)
			}
		})
	}
}

func TestBrowserForceAuthn(t *testing.T) {
	t.Parallel()
	force := func(id string) string {
		return strings.Replace(authnRequestXML(id), `Version="2.0"`, `Version="2.0" ForceAuthn="true"`, 1)
	}
	for _, honor := range []YesNo{"", No} {
		t.Run("honor="+string(honor), func(t *testing.T) {
			t.Parallel()
			s := defaultSettings()
			s.HonorForceAuthn = honor
			idp, app, _ := setup(t, s)
			b := newBrowser(t, idp)
			app, _ = idp.App(app.ID)
			postForm(t, b.login(b.get(app.SignOnURL+"?"+url.Values{"SAMLRequest": {redirectRequest(t, authnRequestXML("_a"))}}.Encode()), testPassword))
			p := b.get(app.SignOnURL + "?" + url.Values{"SAMLRequest": {redirectRequest(t, force("_f"))}}.Encode())
			if honor == No {
				postForm(t, p)
				return
			}
			if p.status != http.StatusFound || !strings.Contains(p.location, "stateToken") {
				t.Fatalf("ForceAuthn with a session did not ask to sign in again: %d %q", p.status, p.location)
			}
			// Coming back without signing in again does not pass.
			from, _ := url.QueryUnescape(strings.TrimPrefix(p.location, "/login/login.htm?fromURI="))
			if again := b.get(from); again.status != http.StatusFound {
				t.Fatalf("ForceAuthn satisfied without signing in: %d", again.status)
			}
			_, form := postForm(t, b.login(p, testPassword))
			checkSPAccepts(t, idp, app, form, "_f")
		})
	}
}

func TestBrowserMisc(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	b := newBrowser(t, idp)
	app, _ = idp.App(app.ID)
	if p := b.get("/app/" + app.ExternalKey + "/sso/saml/metadata"); p.status != 200 || !strings.HasPrefix(p.body, `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor`) ||
		!strings.Contains(p.body, b.srv.URL+"/app/"+app.Name) {
		t.Errorf("metadata: %d %.200s", p.status, p.body)
	}
	for _, path := range []string{"/app/exk00000000000000000/sso/saml/metadata", "/app/x_y_1/" + app.ExternalKey + "/sso/saml", "/nowhere"} {
		if p := b.get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, "404") {
			t.Errorf("%s: %d", path, p.status)
		}
	}
	// fromURI cannot send the browser elsewhere.
	for from, want := range map[string]string{
		"https://evil.example/":  "/app/UserHome",
		"//evil.example/":        "/app/UserHome",
		b.srv.URL + "/app/x?y=1": "/app/x?y=1",
		"/home/a/b":              "/home/a/b",
		"javascript:alert(1)":    "/app/UserHome",
		"/\\evil.example/":       "/app/UserHome",
	} {
		p := b.post("/login/login.htm", url.Values{"username": {testLogin}, "password": {testPassword}, "fromURI": {from}})
		if p.status != http.StatusFound || p.location != want {
			t.Errorf("fromURI %q → %d %q, want %q", from, p.status, p.location, want)
		}
	}
	if p := b.get("/"); p.status != http.StatusFound || p.location != "/app/UserHome" {
		t.Errorf("/ → %d %q", p.status, p.location)
	}
	if p := b.post("/login/login.htm", url.Values{"username": {"nobody@example.com"}, "password": {"x"}}); p.status != http.StatusUnauthorized {
		t.Errorf("unknown user: %d", p.status)
	}
	_ = wire.BindingHTTPPost
}
