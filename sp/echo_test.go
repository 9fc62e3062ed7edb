package sp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Error pages and error answers show at most a short, escaped prefix of
// what they were sent (the probe's 4 MiB parameter came back three times).
func TestErrorsEchoOnlyAShortPrefix(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	big := strings.Repeat("A", 512<<10) // under the test server's 1 MiB header cap
	marker := `<script>x</script>` + big
	c := browser(t)
	admin := browser(t)
	csrf := signInAdmin(t, env, admin)
	check := func(name string, resp *http.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body := readAll(t, resp)
		if resp.StatusCode >= 500 {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
		if len(body) > 32<<10 {
			t.Errorf("%s: a %d-byte answer to a %d-byte input", name, len(body), len(big))
		}
		if strings.Contains(body, strings.Repeat("A", maxEcho+1)) {
			t.Errorf("%s: echoes more than %d characters of its input", name, maxEcho)
		}
		// JSON answers are JSON-escaped and served as application/json
		// with nosniff (Google's APIs do not HTML-escape); HTML pages must
		// escape markup.
		if html := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"); html && strings.Contains(body, "<script>x</script>") {
			t.Errorf("%s: echoes markup unescaped", name)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", name)
		}
	}
	get := func(name, u string) {
		resp, err := c.Get(u)
		check(name, resp, err)
	}
	postJSONTo := func(name, u string, v any) {
		b, _ := json.Marshal(v)
		resp, err := c.Post(u, "application/json", bytes.NewReader(b))
		check(name, resp, err)
	}
	q := url.QueryEscape(marker)
	get("sign-in, long email", env.base+PathSignIn+"?use_sso=true&email="+q)
	get("sign-in, long domain", env.base+PathSignIn+"?use_sso=true&email=a@"+q+".test")
	get("sign-in, long continue", env.base+PathSignIn+"?continue=/"+q)
	get("404, long path", env.base+"/nope/"+q)
	get("API 404, long path", env.base+"/api/nope/"+q)
	postJSONTo("createAuthUri, long providerId", env.base+PathCreateAuthURI, map[string]string{"providerId": marker, "continueUri": env.base + PathHandler})
	postJSONTo("createAuthUri, long continueUri", env.base+PathCreateAuthURI, map[string]string{"providerId": "saml.workspace-ws1", "continueUri": "http://evil.test/" + marker})
	postJSONTo("signInWithIdp, long requestUri", env.base+PathSignInWithIdp, map[string]string{"requestUri": env.base + "/x" + marker, "sessionId": "s"})
	postJSONTo("signInWithIdp, long sessionId", env.base+PathSignInWithIdp, map[string]string{"requestUri": env.base + PathHandler, "sessionId": marker})
	resp, err := c.PostForm(env.base+PathPasswordSignIn, url.Values{"email": {marker}, "password": {"x"}, "continue": {"/" + marker}})
	check("password sign-in, long email", resp, err)

	adminGet := func(name, u string) {
		resp, err := admin.Get(u)
		check(name, resp, err)
	}
	adminGet("security page, long workspace", env.base+PathSecurity+"?workspace="+q)
	adminGet("API, long workspace", env.base+"/api/workspaces/"+url.PathEscape(marker)+"/sso")
	b, _ := json.Marshal(map[string]any{"ssoProvider": marker, "identityProviderEntityId": "x", "identityProviderSignInUrl": marker,
		"certificates": []string{"x"}, "domains": []string{marker}, "acknowledge": true})
	req, _ := http.NewRequest(http.MethodPut, env.base+"/api/workspaces/ws1/sso", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(CSRFHeader, csrf)
	resp, err = admin.Do(req)
	check("PUT sso, long fields", resp, err)
}

func TestStyledNotFound(t *testing.T) {
	t.Parallel()
	env := newHTTPEnv(t, Config{})
	resp, err := http.Get(env.base + "/no/such/page")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, `id="not-found"`) || !strings.Contains(body, `class="logo"`) || !strings.Contains(body, "/no/such/page") {
		t.Fatalf("404: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, err = http.Get(env.base + "/v1/accounts:nope")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 404 || !strings.Contains(body, `"status": "NOT_FOUND"`) {
		t.Fatalf("API 404: %d %s", resp.StatusCode, body)
	}
}
