package mockidp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sameOriginPath lets through paths on the IdP and nothing a browser could
// turn into another origin.
func TestSameOriginPath(t *testing.T) {
	t.Parallel()
	const base = "http://127.0.0.1:7781"
	accepted := map[string]string{
		"/app/UserHome": "/app/UserHome",
		"/home/a/b":     "/home/a/b",
		"/":             "/",
		"/app/x?y=1":    "/app/x?y=1",
		"/app/x/exk/sso/saml?SAMLRequest=fZBBa%2B%2F&RelayState=%2F%2Fevil": "/app/x/exk/sso/saml?SAMLRequest=fZBBa%2B%2F&RelayState=%2F%2Fevil",
		base + "/app/x?y=1":           "/app/x?y=1",
		base:                          "/",
		"HTTP://127.0.0.1:7781/admin": "/admin",
	}
	for in, want := range accepted {
		if got, ok := sameOriginPath(base, in); !ok || got != want {
			t.Errorf("sameOriginPath(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	hostile := []string{
		"", "//host", "//host/path", "///host", "/\\host", "\\\\host", "\\/host", "/\\/host",
		"/\t/host", "/\n/host", "/\r/host", "\t//host", "/ /host", "/\x00/host", "/\x7f/host", "/\u0085/host",
		"/\u200b/host", "/\u202e/host", "/\u00a0/host", "/\u3000/host",
		"/%09/host", "/%0a/host", "/%0d/host", "/%00/host", "/%2F/host", "/%2f/host", "/%5C/host", "/%5c/host",
		"/%252F/host", "/%25252F/host", "/%255C/host", "/%2509/host", "%2F%2Fhost", "/%zz",
		"https://other", "https://other/app/UserHome", "http://127.0.0.1:7782/x", "http://127.0.0.1:7781.evil.test/x",
		"http://user@127.0.0.1:7781/x", "https://127.0.0.1:7781/x", "ftp://127.0.0.1:7781/x",
		"javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,x", "vbscript:x",
		"host", "host/path", "app/UserHome", ".//host", "?x", "#x",
		"http:/\\host", "http:host", "\\host",
		"/x\xff", strings.Repeat("/a", maxReturnAddress),
	}
	for _, in := range hostile {
		if got, ok := sameOriginPath(base, in); ok {
			t.Errorf("sameOriginPath(%q) accepted as %q", in, got)
		}
	}
	// Without a base URL only paths pass.
	if _, ok := sameOriginPath("", base+"/x"); ok {
		t.Error("an absolute URL passed without a base URL")
	}
}

// The login page's fromURI: a hostile one, sent as a browser would (the
// form encodes it once), lands on the home page, never another origin.
func TestLoginFromURIIsNoOpenRedirect(t *testing.T) {
	t.Parallel()
	idp, _, _ := setup(t, defaultSettings())
	b := newBrowser(t, idp)
	for _, from := range []string{"/\t/evil.example", "/%09/evil.example", "/%2F/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "/\u2028/evil.example"} {
		p := b.post("/login/login.htm", url.Values{"username": {testLogin}, "password": {testPassword}, "fromURI": {from}})
		if p.status != http.StatusFound || p.location != homePath {
			t.Errorf("fromURI %q → %d %q, want %s", from, p.status, p.location, homePath)
		}
	}
	// The query string form as the issue reported it: ?fromURI=/%09/host
	// decodes to "/\t/host".
	q, _ := url.ParseQuery("fromURI=/%09/evil.example")
	p := b.post("/login/login.htm", url.Values{"username": {testLogin}, "password": {testPassword}, "fromURI": {q.Get("fromURI")}})
	if p.location != homePath {
		t.Errorf("?fromURI=/%%09/host → %q", p.location)
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 4<<20)
	if got := echo(long); len([]rune(got)) != maxEcho+1 || !strings.HasSuffix(got, "…") {
		t.Errorf("echo of 4 MiB is %d runes", len([]rune(got)))
	}
	if got := echo("a\x00b\nc\u202ed"); got != `a\x00b\nc\u202ed` {
		t.Errorf("echo = %q", got)
	}
	if got := echo("short"); got != "short" {
		t.Errorf("echo = %q", got)
	}
}
