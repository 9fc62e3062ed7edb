package sp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"math/rand/v2"
)

// httpEnv is the SP behind a real loopback listener.
type httpEnv struct {
	srv    *Server
	ts     *httptest.Server
	base   string
	signer *testSigner
}

func newHTTPEnv(t *testing.T, cfg Config) *httpEnv {
	t.Helper()
	cfg.Now = func() time.Time { return testNow }
	cfg.Rand = rand.NewChaCha8([32]byte{7})
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	srv.SetBaseURL(ts.URL)
	if _, err := srv.CreateWorkspace(WorkspaceSpec{ID: "ws1", Name: "Acme", VerifiedDomains: []string{testDomain}}); err != nil {
		t.Fatal(err)
	}
	signer := idpSigner(t)
	if _, err := srv.UpdateSSO("ws1", SSOSettings{SSOProvider: "SAML", IdentityProviderEntityID: testIdPEntity, IdentityProviderSignInURL: testIdPSSO,
		Certificates: []string{signer.certPEM}, Domains: []string{testDomain}, Acknowledge: true}); err != nil {
		t.Fatal(err)
	}
	return &httpEnv{srv: srv, ts: ts, base: ts.URL, signer: signer}
}

// browser is a cookie-jar client that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func readAll(t *testing.T, r *http.Response) string {
	t.Helper()
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func postJSON(t *testing.T, c *http.Client, u string, v any) (*http.Response, string) {
	t.Helper()
	b, _ := json.Marshal(v)
	resp, err := c.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return resp, readAll(t, resp)
}

var stateRE = regexp.MustCompile(`<script id="gip-handler-state" type="application/json">(.*?)</script>`)

func TestHTTPFlow(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	c := browser(t)

	// Not signed in: /app sends to sign-in, which offers the email form.
	resp, err := c.Get(env.base + "/app")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != PathSignIn {
		t.Fatalf("GET /app: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = c.Get(env.base + "/app/sign-in?use_sso=true")
	if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `id="sso-form"`) || !strings.Contains(body, `name="email"`) {
		t.Fatalf("sign-in page: %d", resp.StatusCode)
	}

	// With the email: 302 to the IdP with the AuthnRequest and the tracking cookie.
	resp, _ = c.Get(env.base + "/app/sign-in?use_sso=true&email=" + url.QueryEscape(testEmail))
	readAll(t, resp)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign-in with email: %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if !strings.HasPrefix(loc.String(), testIdPSSO+"?") {
		t.Fatalf("redirect to %s", loc)
	}
	setCookie := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"gip_session=", "Path=/", "HttpOnly", "Secure", "SameSite=None"} {
		if !strings.Contains(setCookie, attr) {
			t.Fatalf("Set-Cookie %q lacks %s", setCookie, attr)
		}
	}
	relayState := loc.Query().Get("RelayState")
	raw, err := base64.StdEncoding.DecodeString(loc.Query().Get("SAMLRequest"))
	if err != nil {
		t.Fatal(err)
	}
	xmlBytes, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	authn := regexp.MustCompile(`^<\?xml version="1\.0" encoding="UTF-8"\?><saml2p:AuthnRequest xmlns:saml2p="urn:oasis:names:tc:SAML:2\.0:protocol" AssertionConsumerServiceURL="` +
		regexp.QuoteMeta(env.base+PathHandler) + `" Destination="` + regexp.QuoteMeta(testIdPSSO) + `" ID="(_[0-9a-f]{32})" IssueInstant="2026-08-29T12:01:00\.000Z" ProtocolBinding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-POST" Version="2\.0"><saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2\.0:assertion">` +
		regexp.QuoteMeta(env.base) + `</saml2:Issuer></saml2p:AuthnRequest>$`)
	m := authn.FindStringSubmatch(string(xmlBytes))
	if m == nil || relayState == "" {
		t.Fatalf("AuthnRequest not shaped like Identity Platform's:\n%s\nRelayState %q", xmlBytes, relayState)
	}
	requestID := m[1]

	// The IdP posts the response to the Redirect URL.
	spec := respSpec{InResponseTo: requestID, SignResponse: true, SignAssertion: true, Signer: env.signer,
		Destination: env.base + PathHandler, Recipient: env.base + PathHandler, Audience: env.base}
	form := url.Values{"SAMLResponse": {spec.build(t)}, "RelayState": {relayState}}
	resp, err = c.PostForm(env.base+PathHandler, form)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	sm := stateRE.FindStringSubmatch(page)
	if resp.StatusCode != 200 || sm == nil || strings.Contains(page, `id="auth-error"`) {
		t.Fatalf("handler page (%d) has no state script:\n%s", resp.StatusCode, page)
	}
	var state struct{ RequestURI, PostBody, SessionID string }
	if err := json.Unmarshal([]byte(sm[1]), &state); err != nil {
		t.Fatal(err)
	}
	var gip *http.Cookie
	u, _ := url.Parse(env.base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == TrackingCookie {
			gip = ck
		}
	}
	if gip == nil || state.SessionID != gip.Value || state.RequestURI != env.base+PathHandler || state.PostBody != form.Encode() {
		t.Fatalf("state %+v, cookie %v", state, gip)
	}

	// The page's script: signInWithIdp, then the session, then /app.
	signInReq := map[string]any{"requestUri": state.RequestURI, "postBody": state.PostBody, "sessionId": state.SessionID, "returnSecureToken": true}
	resp, body := postJSON(t, c, env.base+PathSignInWithIdp, signInReq)
	if resp.StatusCode != 200 {
		t.Fatalf("signInWithIdp: %d %s", resp.StatusCode, body)
	}
	var answer map[string]any
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range answer {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	wantKeys := []string{"context", "email", "emailVerified", "expiresIn", "federatedId", "idToken", "isNewUser", "kind", "localId", "providerId", "rawUserInfo", "refreshToken"}
	if !slices.Equal(keys, wantKeys) || answer["federatedId"] != "saml.workspace-ws1/"+testEmail || answer["kind"] != KindVerifyAssertion || answer["expiresIn"] != "3600" || answer["context"] != "" {
		t.Fatalf("signInWithIdp answer keys %v\n%s", keys, body)
	}
	resp, body = postJSON(t, c, env.base+PathAppSession, map[string]any{"idToken": answer["idToken"]})
	if resp.StatusCode != 200 || strings.TrimSpace(body) != "{\n  \"email\": \"alice@acme.test\"\n}" {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	resp, _ = c.Get(env.base + "/app")
	appPage := readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(appPage, `<main id="app" class="wrap" data-signed-in-email="alice@acme.test" data-sign-in-method="saml" data-provider-id="saml.workspace-ws1">`) {
		t.Fatalf("app page %d:\n%s", resp.StatusCode, appPage)
	}
	resp, _ = c.Get(env.base + PathAppMe)
	if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `"method": "saml"`) || !strings.Contains(body, `"providerId": "saml.workspace-ws1"`) {
		t.Fatalf("me: %d %s", resp.StatusCode, body)
	}

	// The same response again: REPLAY, in Identity Platform's envelope.
	resp, body = postJSON(t, c, env.base+PathSignInWithIdp, signInReq)
	var env400 ErrorEnvelope
	if err := json.Unmarshal([]byte(body), &env400); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || env400.Error.Code != 400 || env400.Error.Message != msgReplay || env400.Error.Harness.Reason != ReasonReplay ||
		len(env400.Error.Errors) != 1 || env400.Error.Errors[0] != (ErrorItem{Message: msgReplay, Domain: "global", Reason: "invalid"}) {
		t.Fatalf("replay: %d %s", resp.StatusCode, body)
	}

	// Sign out.
	resp, _ = c.Post(env.base+PathSignOut, "application/x-www-form-urlencoded", nil)
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	resp, _ = c.Get(env.base + PathAppMe)
	if readAll(t, resp); resp.StatusCode != 401 {
		t.Fatalf("me after sign-out: %d", resp.StatusCode)
	}
}

func TestHandlerMissingInitialState(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	resp, err := browser(t).PostForm(env.base+PathHandler, url.Values{"SAMLResponse": {"PHg+"}, "RelayState": {""}})
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	want := "Unable to process request due to missing initial state. This may happen if browser sessionStorage is inaccessible or accidentally cleared. Some specific scenarios are - 1) Using IDP-Initiated SAML SSO. 2) Using signInWithRedirect in a storage-partitioned browser environment."
	if resp.StatusCode != 200 || !strings.Contains(page, `data-error-code="MISSING_INITIAL_STATE"`) || !strings.Contains(page, want) || strings.Contains(page, "gip-handler-state") {
		t.Fatalf("page %d:\n%s", resp.StatusCode, page)
	}
}

func TestSignInPageErrorsAndCookieVariants(t *testing.T) {
	t.Parallel()
	t.Run("unknown domain", func(t *testing.T) {
		t.Parallel()
		env := newHTTPEnv(t, Config{})
		resp, _ := browser(t).Get(env.base + "/app/sign-in?use_sso=true&email=bob@unknown.test")
		if page := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(page, `data-error-code="SSO_NOT_CONFIGURED"`) {
			t.Fatalf("%d %s", resp.StatusCode, page)
		}
	})
	t.Run("lax, not secure", func(t *testing.T) {
		t.Parallel()
		env := newHTTPEnv(t, Config{TrackingCookieSameSite: http.SameSiteLaxMode, TrackingCookieInsecure: true})
		resp, _ := browser(t).Get(env.base + "/app/sign-in?use_sso=true&email=" + testEmail)
		readAll(t, resp)
		sc := resp.Header.Get("Set-Cookie")
		if !strings.Contains(sc, "SameSite=Lax") || strings.Contains(sc, "Secure") {
			t.Fatalf("Set-Cookie %q", sc)
		}
	})
	t.Run("error envelope over HTTP", func(t *testing.T) {
		t.Parallel()
		env := newHTTPEnv(t, Config{})
		c := browser(t)
		started, apiErr := env.srv.CreateAuthURI(t.Context(), CreateAuthURIRequest{ProviderID: "saml.workspace-ws1", ContinueURI: env.base + PathHandler})
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		spec := respSpec{InResponseTo: started.RequestID, SignResponse: true, SignAssertion: true, Signer: env.signer,
			Destination: env.base + PathHandler, Recipient: env.base + PathHandler, Audience: "https://other-sp.example"}
		resp, body := postJSON(t, c, env.base+PathSignInWithIdp, map[string]any{"requestUri": env.base + PathHandler,
			"postBody": url.Values{"SAMLResponse": {spec.build(t)}}.Encode(), "sessionId": started.SessionID, "returnSecureToken": true})
		want := "All <AudienceRestriction>s should contain the SAML RP entity ID: '" + env.base + "'."
		if resp.StatusCode != 400 || !strings.Contains(body, want) || !strings.Contains(body, `"reason": "AUDIENCE_MISMATCH"`) || !strings.Contains(body, `"domain": "global"`) {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	c := browser(t)
	csrf := signInAdmin(t, env, c)
	postJSON := func(t *testing.T, c *http.Client, u string, v any) (*http.Response, string) {
		b, _ := json.Marshal(v)
		req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(CSRFHeader, csrf)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}
	resp, body := postJSON(t, c, env.base+"/api/workspaces", map[string]any{"id": "ws2", "name": "Labs", "verifiedDomains": []string{"labs.test"}, "profile": "strict"})
	if resp.StatusCode != 201 || !strings.Contains(body, `"providerId": "saml.workspace-ws2"`) {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	resp, body = postJSON(t, c, env.base+"/api/workspaces/ws2/domains", map[string]any{"domain": "more.test"})
	if resp.StatusCode != 200 || !strings.Contains(body, "more.test") {
		t.Fatalf("verify domain: %d %s", resp.StatusCode, body)
	}
	put := func(v any) (*http.Response, string) {
		b, _ := json.Marshal(v)
		req, _ := http.NewRequest(http.MethodPut, env.base+"/api/workspaces/ws2/sso", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(CSRFHeader, csrf)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}
	resp, body = put(map[string]any{"ssoProvider": "SAML", "domains": []string{"acme.test"}})
	if resp.StatusCode != 400 || !strings.Contains(body, `"status": "INVALID_CONFIG"`) || !strings.Contains(body, "NOT_ACKNOWLEDGED") || !strings.Contains(body, "DOMAIN_NOT_VERIFIED") || !strings.Contains(body, "identityProviderSignInUrl") {
		t.Fatalf("bad PUT: %d %s", resp.StatusCode, body)
	}
	cert := env.signer.certPEM + "\r\n"
	resp, body = put(map[string]any{"ssoProvider": "SAML", "identityProviderEntityId": testIdPEntity, "identityProviderSignInUrl": testIdPSSO,
		"certificates": []string{cert}, "domains": []string{"labs.test"}, "acknowledge": true, "redirectUrl": "ignored"})
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	resp, body = func() (*http.Response, string) {
		r, _ := c.Get(env.base + "/api/workspaces/ws2/sso")
		return r, readAll(t, r)
	}()
	var cfg SSOConfig
	if err := json.Unmarshal([]byte(body), &cfg); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || cfg.Certificates[0] != cert || cfg.RedirectURL != env.base+PathHandler || cfg.ServiceProviderEntityID != env.base || cfg.Profile != ProfileStrict {
		t.Fatalf("GET sso: %+v", cfg)
	}
	resp, _ = c.Get(env.base + "/api/workspaces/nope")
	if readAll(t, resp); resp.StatusCode != 403 {
		t.Fatalf("unknown workspace: %d", resp.StatusCode)
	}
	resp, body = func() (*http.Response, string) { r, _ := c.Get(env.base + "/api/reasons"); return r, readAll(t, r) }()
	if resp.StatusCode != 200 || !strings.Contains(body, `"reason": "CERT_PARSE"`) {
		t.Fatalf("reasons: %d", resp.StatusCode)
	}
}

func TestSecurityPage(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	c := browser(t)
	signInAdmin(t, env, c)
	resp, _ := c.Get(env.base + PathSecurity + "?workspace=ws1")
	page := readAll(t, resp)
	csrf := csrfRE.FindStringSubmatch(page)
	if csrf == nil {
		t.Fatal("the security page carries no CSRF token")
	}
	for _, want := range []string{`id="sso-provider"`, `id="sp-entity-id" value="` + env.base + `"`, `id="redirect-url" value="` + env.base + PathHandler + `"`,
		`id="copy-sp-entity-id"`, `id="copy-redirect-url"`, `id="idp-entity-id"`, `id="idp-sign-in-url"`, `id="certificate-list"`, `id="add-certificate"`,
		"Add X509 Certificate", `id="domain-list"`, `id="add-domain"`, `id="acknowledge"`, AcknowledgeText, `id="update-sso"`, "Update SSO", "Service Provider Entity Id", "Identity Provider Sign-In URL"} {
		if !strings.Contains(page, want) {
			t.Fatalf("security page lacks %s", want)
		}
	}
	cert := "\n" + env.signer.certPEM // a leading newline survives the round trip
	certJSON, _ := json.Marshal(cert)
	form := url.Values{"ssoProvider": {"SAML"}, "identityProviderEntityId": {testIdPEntity}, "identityProviderSignInUrl": {testIdPSSO},
		"certificates_json": {string(certJSON)}, "domains": {testDomain}, "profile": {"strict"}, "enabled_present": {"1"}, "enabled": {"true"}, "csrf_token": {csrf[1]}}
	resp, _ = c.PostForm(env.base+PathSecurity+"?workspace=ws1", form)
	page = readAll(t, resp)
	if resp.StatusCode != 400 || !strings.Contains(page, `data-problem-code="NOT_ACKNOWLEDGED"`) || strings.Contains(page, `id="sso-update-result"`) {
		t.Fatalf("without acknowledgement: %d", resp.StatusCode)
	}
	form.Set("acknowledge", "true")
	resp, _ = c.PostForm(env.base+PathSecurity+"?workspace=ws1", form)
	page = readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="sso-update-result" data-status="ok"`) {
		t.Fatalf("update: %d\n%s", resp.StatusCode, page)
	}
	cfg, _ := env.srv.SSO("ws1")
	if cfg.Certificates[0] != cert || cfg.Profile != ProfileStrict || !cfg.Enabled {
		t.Fatalf("stored %+v", cfg)
	}
	resp, _ = c.Get(env.base + PathSecurity + "?workspace=nope")
	if readAll(t, resp); resp.StatusCode != 403 {
		t.Fatalf("unknown workspace: %d", resp.StatusCode)
	}
}
