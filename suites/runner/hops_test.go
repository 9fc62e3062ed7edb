package runner

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samlharness/samlharness/suites/scenario"
)

// A target on loopback that sends the browser elsewhere is not followed
// there: not by a redirect at its sign-in, not by the form the IdP posts.
// The refused hop is checked before any connection is made.
func TestForeignDriverRefusesHopsOffLoopback(t *testing.T) {
	t.Parallel()
	var idpHits atomic.Int32
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idpHits.Add(1)
		// The IdP's auto-submitting form, posting to an address off
		// loopback (an ACS URL the target's settings put there).
		_, _ = w.Write([]byte(`<html><body><form id="appForm" method="POST" action="http://10.1.2.3/acs"><input name="SAMLResponse" value="x"></form></body></html>`))
	}))
	defer idp.Close()
	sp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, "http://10.1.2.3/login", http.StatusFound)
		case "/named":
			http.Redirect(w, r, "http://sp.example.invalid/login", http.StatusFound)
		case "/to-idp":
			http.Redirect(w, r, idp.URL+"/sso?SAMLRequest=", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer sp.Close()
	for _, c := range []struct {
		path, stage, where string
	}{
		{"/away", StageSPSignIn, "10.1.2.3"},
		{"/named", StageSPSignIn, "sp.example.invalid"},
		{"/to-idp", StageACS, "10.1.2.3"},
	} {
		f := &ForeignSP{
			Site:         Site{SPBase: sp.URL},
			SignInMethod: http.MethodGet, SignInURL: sp.URL + c.path,
			SessionURL: sp.URL + "/me", SessionStatus: 200, SessionPattern: regexp.MustCompile(`(.+)`),
			IdPBase: idp.URL,
		}
		start := time.Now()
		obs := f.SignIn(context.Background(), Plan{SignInEmail: "alice@acme.test"}, 5*time.Second)
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("%s: took %s: the hop was attempted", c.path, elapsed)
		}
		if obs.Session || obs.Reason != string(ReasonNotLoopback) || obs.Stage != c.stage || !strings.Contains(obs.Message, c.where) {
			t.Errorf("%s: %+v, want %s at %s naming %s", c.path, obs, ReasonNotLoopback, c.stage, c.where)
		}
		j := judgeForeign(scenario.Rejects("AUDIENCE_MISMATCH"), obs, "alice@acme.test", nil, true)
		verdict, why := j.verdict, j.why
		if verdict != Fail || !strings.Contains(why, "off loopback") {
			t.Errorf("%s: judged %s (%s), want a failure naming the hop", c.path, verdict, why)
		}
	}
	if idpHits.Load() != 1 {
		t.Errorf("the IdP was asked %d times, want once (by /to-idp)", idpHits.Load())
	}
}
