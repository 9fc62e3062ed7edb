package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/runner"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeSignIn starts serve on ephemeral loopback ports, reads the URLs it
// prints, fetches the Okta-shaped metadata and completes the SP-initiated
// login from the printed sign-in URL with a plain Go HTTP client.
func TestServeSignIn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() { done <- serve(ctx, []string{"--sp", "127.0.0.1:0", "--idp", "127.0.0.1:0"}, &out, io.Discard) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d", code)
		}
	}()

	var printed string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if printed = out.String(); strings.Contains(printed, "Press Ctrl-C") {
			break
		}
	}
	find := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(printed)
		if m == nil {
			t.Fatalf("serve printed no %s:\n%s", re, printed)
		}
		return m[1]
	}
	metadataURL := find(`IdP metadata\s+(http://127\.0\.0\.1:\d+/app/exk\w+/sso/saml/metadata)`)
	signIn := find(`Sign in with SSO\s+(http://127\.0\.0\.1:\d+/app/sign-in\?use_sso=true\S*)`)
	spBase := signIn[:strings.Index(signIn, "/app/")]
	site := runner.Site{SPBase: spBase}
	if got := site.SignInURL("alice@acme.test"); got != signIn {
		t.Fatalf("the driver would open %s, serve printed %s", got, signIn)
	}

	resp, err := http.Get(metadataURL)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`entityID="http://www.okta.com/exk`, `use="signing"`, `/sso/saml"`} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("metadata lacks %s:\n%s", want, md)
		}
	}

	obs := runner.SignIn(ctx, site, runner.Plan{
		Username: "alice@acme.test", Password: demo.Password, SignInEmail: "alice@acme.test",
	}, 10*time.Second)
	if !obs.Session || obs.Identity != "alice@acme.test" {
		t.Fatalf("no session from the printed sign-in URL: %+v", obs)
	}

	// The admin surface: refused to anyone, open to the printed admin.
	email := find(`Email\s+(\S+@\S+)`)
	password := find(`Password\s+(\S+)`)
	apiURL := find(`Admin API\s+(http://127\.0\.0\.1:\d+/api/workspaces/\w+/sso)`)
	if resp, err := http.Get(apiURL); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous admin API: %v %v", resp, err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err = c.PostForm(spBase+sp.PathPasswordSignIn, url.Values{"email": {email}, "password": {password}})
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, sp.PathSecurity) {
		t.Fatalf("admin sign-in with the printed password: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = c.Get(apiURL)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("admin API as the admin: %v %v", resp, err)
	}
	resp.Body.Close()
}
