package sp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stepClock is a clock tests move by hand.
type stepClock struct{ ns atomic.Int64 }

func newStepClock(t time.Time) *stepClock {
	c := &stepClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *stepClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *stepClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// stateEnv is newEnv with a Config of the test's choosing.
func stateEnv(t testing.TB, cfg Config) *testEnv {
	t.Helper()
	cfg.BaseURL = testBase
	if cfg.Rand == nil {
		cfg.Rand = rand.NewChaCha8([32]byte{9})
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := srv.CreateWorkspace(WorkspaceSpec{ID: "ws1", Name: "Acme", VerifiedDomains: []string{testDomain}})
	if err != nil {
		t.Fatal(err)
	}
	signer := idpSigner(t)
	if _, err := srv.UpdateSSO(ws.ID, SSOSettings{SSOProvider: "SAML", IdentityProviderEntityID: testIdPEntity, IdentityProviderSignInURL: testIdPSSO,
		Certificates: []string{signer.certPEM}, Domains: []string{testDomain}, Acknowledge: true}); err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, srv: srv, ws: ws, signer: signer, profile: ProfileIdentityPlatform}
}

var loginSeq atomic.Int64

// login signs email in at the clock's now with fresh response IDs and
// returns the idToken.
func (e *testEnv) login(now time.Time, email string) string {
	e.t.Helper()
	started := e.start()
	spec := e.spec(started)
	n := loginSeq.Add(1)
	spec.ResponseID, spec.AssertionID = fmt.Sprintf("idR%d", n), fmt.Sprintf("idA%d", n)
	spec.IssueInstant, spec.NameID = now, email
	got, apiErr := e.submit(started, spec.build(e.t))
	if apiErr != nil {
		e.t.Fatalf("login %s: %v", email, apiErr)
	}
	return got.IDToken
}

func TestIDTokenIsSingleUse(t *testing.T) {
	t.Parallel()
	clock := newStepClock(testNow)
	e := stateEnv(t, Config{Now: clock.Now})
	tok := e.login(clock.Now(), testEmail)
	if _, apiErr := e.srv.CreateSession(context.Background(), tok); apiErr != nil {
		t.Fatal(apiErr)
	}
	for range 3 {
		if _, apiErr := e.srv.CreateSession(context.Background(), tok); apiErr == nil || apiErr.Reason != ReasonIDTokenInvalid {
			t.Fatalf("the same idToken was exchanged again: %v", apiErr)
		}
	}
	if n := len(e.srv.Sessions("ws1")); n != 1 {
		t.Fatalf("%d sessions from one idToken", n)
	}
	if c := e.srv.StateCounts(); c.IDTokens != 0 {
		t.Fatalf("the exchanged idToken is still stored: %+v", c)
	}
}

func TestIDTokensArePurgedOnExpiryAndCapped(t *testing.T) {
	t.Parallel()
	clock := newStepClock(testNow)
	e := stateEnv(t, Config{Now: clock.Now, MaxIDTokens: 5})
	var first string
	for i := range 8 {
		tok := e.login(clock.Now(), testEmail)
		if i == 0 {
			first = tok
		}
	}
	if c := e.srv.StateCounts(); c.IDTokens != 5 {
		t.Fatalf("tokens %d, cap 5", c.IDTokens)
	}
	if _, apiErr := e.srv.CreateSession(context.Background(), first); apiErr == nil {
		t.Fatal("the oldest idToken survived the cap")
	}
	clock.Advance(idTokenLifetime)
	e.login(clock.Now(), testEmail) // an insertion purges the expired ones
	if c := e.srv.StateCounts(); c.IDTokens != 1 {
		t.Fatalf("expired idTokens kept: %d", c.IDTokens)
	}
}

func TestSessionLifetimesAndCap(t *testing.T) {
	t.Parallel()
	clock := newStepClock(testNow)
	e := stateEnv(t, Config{Now: clock.Now, SessionIdleTimeout: time.Hour, SessionMaxAge: 3 * time.Hour, MaxSessions: 3})
	newSession := func() Session {
		s, apiErr := e.srv.CreateSession(context.Background(), e.login(clock.Now(), testEmail))
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		return s
	}
	t.Run("idle", func(t *testing.T) {
		s := newSession()
		clock.Advance(59 * time.Minute)
		if _, ok := e.srv.SessionByID(s.ID); !ok {
			t.Fatal("ended before the idle timeout")
		}
		clock.Advance(59 * time.Minute) // used a minute ago: the idle timeout restarted
		if _, ok := e.srv.SessionByID(s.ID); !ok {
			t.Fatal("use did not restart the idle timeout")
		}
		clock.Advance(time.Hour)
		if _, ok := e.srv.SessionByID(s.ID); ok {
			t.Fatal("alive after an hour idle")
		}
	})
	t.Run("absolute", func(t *testing.T) {
		s := newSession()
		for range 5 {
			clock.Advance(30 * time.Minute)
			if _, ok := e.srv.SessionByID(s.ID); !ok {
				t.Fatal("ended early")
			}
		}
		clock.Advance(30 * time.Minute)
		if _, ok := e.srv.SessionByID(s.ID); ok {
			t.Fatal("alive at its maximum age")
		}
	})
	t.Run("cap evicts the oldest", func(t *testing.T) {
		var ids []string
		for range 5 {
			ids = append(ids, newSession().ID)
		}
		if c := e.srv.StateCounts(); c.Sessions > 3 {
			t.Fatalf("%d sessions, cap 3", c.Sessions)
		}
		for i, id := range ids {
			_, ok := e.srv.SessionByID(id)
			if ok != (i >= 2) {
				t.Fatalf("session %d alive=%v", i, ok)
			}
		}
	})
}

// Every unauthenticated sign-in start leaves a pending entry: the store
// keeps at most MaxPending, evicting the oldest.
func TestPendingSignInsAreCapped(t *testing.T) {
	t.Parallel()
	clock := newStepClock(testNow)
	e := stateEnv(t, Config{Now: clock.Now, MaxPending: 100})
	first := e.start()
	for range 1000 {
		e.start()
	}
	if c := e.srv.StateCounts(); c.Pending != 100 {
		t.Fatalf("pending %d, cap 100", c.Pending)
	}
	if e.srv.lookupPending(first.SessionID, clock.Now()) != nil {
		t.Fatal("the oldest pending sign-in survived the cap")
	}
	recent := e.start()
	if e.srv.lookupPending(recent.SessionID, clock.Now()) == nil {
		t.Fatal("the newest pending sign-in is gone")
	}
	clock.Advance(DefaultPendingTTL)
	e.start()
	if c := e.srv.StateCounts(); c.Pending != 1 {
		t.Fatalf("expired pending sign-ins kept: %d", c.Pending)
	}
}

func TestReplayEntriesLeaveAtNotOnOrAfter(t *testing.T) {
	t.Parallel()
	clock := newStepClock(testNow)
	e := stateEnv(t, Config{Now: clock.Now})
	for range 10 {
		e.login(clock.Now(), testEmail)
	}
	if c := e.srv.StateCounts(); c.ReplayIDs != 20 {
		t.Fatalf("replay IDs %d, want 20", c.ReplayIDs)
	}
	clock.Advance(5 * time.Minute) // the test IdP's NotOnOrAfter
	e.login(clock.Now(), testEmail)
	if c := e.srv.StateCounts(); c.ReplayIDs != 2 {
		t.Fatalf("expired replay IDs kept: %d", c.ReplayIDs)
	}
	// A far-future NotOnOrAfter is remembered no longer than a pending
	// sign-in lives (after that no response can be used anyway).
	c := newReplayCache()
	c.maxTTL = time.Hour
	c.checkAndRecord([]string{"k"}, testNow, testNow.AddDate(100, 0, 0))
	if got := c.expiry("k"); !got.Equal(testNow.Add(time.Hour)) {
		t.Fatalf("expiry %s", got)
	}
}

// Concurrent logins of different users: every session belongs to the user
// whose response created it.
func TestConcurrentLoginsDoNotCrossSessions(t *testing.T) {
	t.Parallel()
	clock := newStepClock(testNow)
	e := stateEnv(t, Config{Now: clock.Now})
	const workers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				email := fmt.Sprintf("user%d-%d@acme.test", w, i)
				started, apiErr := e.srv.CreateAuthURI(context.Background(), CreateAuthURIRequest{ProviderID: e.ws.ProviderID, ContinueURI: testBase + PathHandler})
				if apiErr != nil {
					errs <- apiErr
					return
				}
				spec := e.spec(started)
				n := loginSeq.Add(1)
				spec.ResponseID, spec.AssertionID, spec.NameID = fmt.Sprintf("idR%d", n), fmt.Sprintf("idA%d", n), email
				got, apiErr := e.submit(started, spec.build(t))
				if apiErr != nil {
					errs <- fmt.Errorf("%s: %v", email, apiErr)
					return
				}
				sess, apiErr := e.srv.CreateSession(context.Background(), got.IDToken)
				if apiErr != nil {
					errs <- apiErr
					return
				}
				back, ok := e.srv.SessionByID(sess.ID)
				if !ok || sess.Email != email || back.Email != email {
					errs <- fmt.Errorf("crossed session: %s got %q / %q", email, sess.Email, back.Email)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
