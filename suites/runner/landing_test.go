package runner

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/scenario"
)

// An acceptance that must land on the SP fails when the browser ended the
// sign-in on another origin, or when nobody recorded where it ended; an
// acceptance without the requirement does not look.
func TestJudgeLandsOnSP(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"sp": "http://127.0.0.1:8000"}
	onSP, plain := scenario.Accepts().OnSP(), scenario.Accepts()
	for _, c := range []struct {
		name   string
		exp    scenario.Expect
		landed string
		pass   bool
	}{
		{"on the SP", onSP, "http://127.0.0.1:8000/app", true},
		{"same origin, other case", onSP, "HTTP://127.0.0.1:8000/app", true},
		{"another port", onSP, "http://127.0.0.1:8001/", false},
		{"another site", onSP, "https://evil.example/", false},
		{"javascript", onSP, "javascript:alert(1)", false},
		{"nothing recorded", onSP, "", false},
		{"not required", plain, "https://evil.example/", true},
	} {
		o := Observation{Session: true, Identity: "alice@acme.test", Stage: StageApp, Landed: c.landed}
		for name, judgeFn := range map[string]func(scenario.Expect, Observation, string, map[string]string, bool) judgement{"judge": judge, "judgeForeign": judgeForeign} {
			j := judgeFn(c.exp, o, "alice@acme.test", vars, true)
			v, why := j.verdict, j.why
			if (v == Pass) != c.pass {
				t.Errorf("%s, %s: %s (%s)", c.name, name, v, why)
			}
			if !c.pass && c.landed != "" && !strings.Contains(why, c.landed) {
				t.Errorf("%s, %s: the verdict does not name where the browser went: %s", c.name, name, why)
			}
		}
	}
}

// The driver records where the browser ends after the SP's answer to the
// response: the end of the SP's redirect chain, or the off-loopback URL it
// refused to visit.
func TestForeignDriverRecordsLanding(t *testing.T) {
	t.Parallel()
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html><title>elsewhere</title></html>"))
	}))
	defer elsewhere.Close()
	var relay string
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acs := r.URL.Query().Get("acs")
		_, _ = w.Write([]byte(`<html><body><form id="appForm" method="POST" action="` + html.EscapeString(acs) + `">` +
			`<input name="SAMLResponse" value="eA=="><input name="RelayState" value="` + html.EscapeString(relay) + `"></form></body></html>`))
	}))
	defer idp.Close()
	var sp *httptest.Server
	sp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.Redirect(w, r, idp.URL+"/sso?SAMLRequest=&acs="+sp.URL+"/acs", http.StatusFound)
		case "/acs":
			_ = r.ParseForm()
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "alice", Path: "/"})
			// An SP that follows the RelayState: an open redirect.
			http.Redirect(w, r, r.PostForm.Get("RelayState"), http.StatusFound)
		case "/me":
			if c, err := r.Cookie("s"); err == nil {
				_, _ = w.Write([]byte("<b>" + c.Value + "@acme.test</b>"))
				return
			}
			http.Error(w, "no session", http.StatusUnauthorized)
		default:
			_, _ = w.Write([]byte("<html><title>app</title></html>"))
		}
	}))
	defer sp.Close()
	for _, c := range []struct {
		relay, landed string
		session       bool
		pass          bool
	}{
		{"/app", sp.URL + "/app", true, true},
		{elsewhere.URL + "/landing", elsewhere.URL + "/landing", true, false},
		{"https://evil.example/", "https://evil.example/", false, false},
	} {
		relay = c.relay
		f := &ForeignSP{
			Site:         Site{SPBase: sp.URL},
			SignInMethod: http.MethodGet, SignInURL: sp.URL + "/login",
			SessionURL: sp.URL + "/me", SessionStatus: 200, SessionPattern: regexp.MustCompile(`<b>(.+?)</b>`),
			IdPBase: idp.URL,
		}
		obs := f.SignIn(context.Background(), Plan{SignInEmail: "alice@acme.test"}, 5*time.Second)
		if obs.Landed != c.landed || obs.Session != c.session {
			t.Errorf("RelayState %s: session %v, landed %q; want %v, %q (%+v)", c.relay, obs.Session, obs.Landed, c.session, c.landed, obs)
		}
		j := judgeForeign(scenario.Accepts().OnSP(), obs, "alice@acme.test", map[string]string{"sp": sp.URL}, true)
		v, why := j.verdict, j.why
		if (v == Pass) != c.pass {
			t.Errorf("RelayState %s: judged %s (%s)", c.relay, v, why)
		}
	}
}
