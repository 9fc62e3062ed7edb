package sp

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func TestReplay(t *testing.T) {
	t.Parallel()
	for _, profile := range AllProfiles() {
		t.Run(profile.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, profile)
			started := e.start()
			resp := e.spec(started).build(t)
			if _, apiErr := e.submit(started, resp); apiErr != nil {
				t.Fatalf("first use: %v", apiErr)
			}
			// Same sessionId: the pending request is not consumed, so the
			// replay cache is what stops it.
			_, apiErr := e.submit(started, resp)
			if apiErr == nil || apiErr.Reason != ReasonReplay || apiErr.Message() != msgReplay {
				t.Fatalf("replay with the same sessionId: %v", apiErr)
			}
			// Another sign-in's sessionId, the same (solicited) response.
			_, apiErr = e.submit(e.start(), resp)
			if apiErr == nil || apiErr.Reason != ReasonInResponseToMismatch {
				t.Fatalf("replay into another sign-in: %v", apiErr)
			}
		})
	}
}

func TestSessionUnknownAndProviderStates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ProfileIdentityPlatform)
	started := e.start()
	resp := e.spec(started).build(t)

	t.Run("unknown sessionId", func(t *testing.T) {
		bogus := *started
		bogus.SessionID = "nope"
		_, apiErr := e.submit(&bogus, resp)
		if apiErr == nil || apiErr.Reason != ReasonSessionUnknown {
			t.Fatalf("got %v", apiErr)
		}
	})
	t.Run("expired sessionId", func(t *testing.T) {
		var later atomic.Bool
		clock := func() time.Time {
			if later.Load() {
				return testNow.Add(2 * time.Hour)
			}
			return testNow
		}
		srv, err := New(Config{BaseURL: testBase, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.CreateWorkspace(WorkspaceSpec{ID: "ws1", Name: "Acme", VerifiedDomains: []string{testDomain}}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.UpdateSSO("ws1", SSOSettings{SSOProvider: "SAML", IdentityProviderEntityID: testIdPEntity, IdentityProviderSignInURL: testIdPSSO, Certificates: []string{idpSigner(t).certPEM}, Domains: []string{testDomain}, Acknowledge: true}); err != nil {
			t.Fatal(err)
		}
		s, apiErr := srv.CreateAuthURI(context.Background(), CreateAuthURIRequest{ProviderID: "saml.workspace-ws1", ContinueURI: callback})
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		later.Store(true) // past the default 1 h PendingTTL
		_, apiErr = srv.SignInWithIdp(context.Background(), SignInWithIdpRequest{RequestURI: callback, PostBody: "SAMLResponse=x", SessionID: s.SessionID})
		if apiErr == nil || apiErr.Reason != ReasonSessionUnknown {
			t.Fatalf("got %v", apiErr)
		}
	})
	t.Run("provider not found (wrong case)", func(t *testing.T) {
		_, apiErr := e.srv.CreateAuthURI(context.Background(), CreateAuthURIRequest{ProviderID: "saml.Workspace-ws1", ContinueURI: callback})
		if apiErr == nil || apiErr.Reason != ReasonProviderNotFound || apiErr.Message() != "OPERATION_NOT_ALLOWED : The identity provider configuration is not found." {
			t.Fatalf("got %v", apiErr)
		}
	})
	t.Run("continueUri missing or foreign", func(t *testing.T) {
		if _, apiErr := e.srv.CreateAuthURI(context.Background(), CreateAuthURIRequest{ProviderID: e.ws.ProviderID}); apiErr == nil || apiErr.Reason != ReasonContinueURIMissing {
			t.Fatalf("got %v", apiErr)
		}
		if _, apiErr := e.srv.CreateAuthURI(context.Background(), CreateAuthURIRequest{ProviderID: e.ws.ProviderID, ContinueURI: "https://evil.example/"}); apiErr == nil || apiErr.Reason != ReasonContinueURIInvalid {
			t.Fatalf("got %v", apiErr)
		}
	})
}

func TestProviderDisabled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ProfileIdentityPlatform)
	started := e.start()
	resp := e.spec(started).build(t)
	off := false
	if _, err := e.srv.UpdateSSO(e.ws.ID, SSOSettings{SSOProvider: "SAML", IdentityProviderEntityID: testIdPEntity, IdentityProviderSignInURL: testIdPSSO,
		Certificates: []string{e.signer.certPEM}, Domains: []string{testDomain}, Acknowledge: true, Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	want := "OPERATION_NOT_ALLOWED : The identity provider configuration is disabled."
	if _, apiErr := e.submit(started, resp); apiErr == nil || apiErr.Reason != ReasonProviderDisabled || apiErr.Message() != want {
		t.Fatalf("signInWithIdp: %v", apiErr)
	}
	if _, apiErr := e.srv.CreateAuthURI(context.Background(), CreateAuthURIRequest{ProviderID: e.ws.ProviderID, ContinueURI: callback}); apiErr == nil || apiErr.Reason != ReasonProviderDisabled {
		t.Fatalf("createAuthUri: %v", apiErr)
	}
}

// TestSessionPolicy covers the workspace's session step.
func TestSessionPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		nameID string
		want   Reason
		msg    string
	}{
		{"email of an allowed domain", "alice@acme.test", "", ""},
		{"upper-case email", "ALICE@ACME.TEST", "", ""},
		{"NameID not an email", "123456789", ReasonNameIDNotEmail, `Unable to login with saml.workspace-ws1 : the SAML NameID "123456789" is not an email address.`},
		{"fullwidth at sign", "alice＠acme.test", ReasonNameIDNotEmail, ""},
		{"verified but not allowed domain", "bob@acme-labs.test", ReasonDomainNotAllowed, "Unable to login with saml.workspace-ws1 : the email domain acme-labs.test is not an allowed domain of this workspace."},
		{"other domain", "mallory@evil.test", ReasonDomainNotAllowed, "Unable to login with saml.workspace-ws1 : the email domain evil.test is not an allowed domain of this workspace."},
		{"lookalike subdomain", "alice@acme.test.evil.test", ReasonDomainNotAllowed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, ProfileIdentityPlatform)
			got, apiErr := e.signIn(func(s *respSpec) { s.NameID = tc.nameID })
			if apiErr != nil {
				t.Fatalf("signInWithIdp: %v", apiErr)
			}
			if isEmailAddress(tc.nameID) != (got.Email != "") {
				t.Fatalf("email field %q for NameID %q", got.Email, tc.nameID)
			}
			sess, apiErr := e.srv.CreateSession(context.Background(), got.IDToken)
			if tc.want == "" {
				if apiErr != nil {
					t.Fatalf("session: %v", apiErr)
				}
				if sess.Email != tc.nameID || sess.Method != SignInMethodSAML || sess.ProviderID != "saml.workspace-ws1" {
					t.Fatalf("session %+v", sess)
				}
				return
			}
			if apiErr == nil || apiErr.Reason != tc.want || apiErr.HTTPStatus != 403 {
				t.Fatalf("got %v, want %s", apiErr, tc.want)
			}
			if tc.msg != "" && apiErr.Message() != tc.msg {
				t.Fatalf("message\n got %q\nwant %q", apiErr.Message(), tc.msg)
			}
		})
	}
	t.Run("unknown idToken", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, ProfileIdentityPlatform)
		if _, apiErr := e.srv.CreateSession(context.Background(), "bogus"); apiErr == nil || !errors.Is(apiErr, ReasonIDTokenInvalid) {
			t.Fatalf("got %v", apiErr)
		}
	})
}

func TestUpdateSSOLogsOutSSOSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ProfileIdentityPlatform)
	var ids []string
	for i := range 2 {
		got, apiErr := e.signIn(func(s *respSpec) { s.AssertionID, s.ResponseID = fmt.Sprintf("_a%d", i), fmt.Sprintf("_r%d", i) })
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		sess, apiErr := e.srv.CreateSession(context.Background(), got.IDToken)
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		ids = append(ids, sess.ID)
	}
	// An unexchanged idToken is revoked too.
	pending, apiErr := e.signIn(func(s *respSpec) { s.AssertionID, s.ResponseID = "_other_assertion", "_other_response" })
	if apiErr != nil {
		t.Fatal(apiErr)
	}
	if n := len(e.srv.Sessions(e.ws.ID)); n != 2 {
		t.Fatalf("%d sessions before the update", n)
	}
	cfg, err := e.srv.UpdateSSO(e.ws.ID, SSOSettings{SSOProvider: "SAML", IdentityProviderEntityID: testIdPEntity, IdentityProviderSignInURL: testIdPSSO,
		Certificates: []string{e.signer.certPEM}, Domains: []string{testDomain}, Acknowledge: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LoggedOutSessions != 2 || cfg.Revision != 2 {
		t.Fatalf("loggedOutSessions %d revision %d", cfg.LoggedOutSessions, cfg.Revision)
	}
	for _, id := range ids {
		if _, ok := e.srv.SessionByID(id); ok {
			t.Fatalf("session %s survived Update SSO", id)
		}
	}
	if _, apiErr := e.srv.CreateSession(context.Background(), pending.IDToken); apiErr == nil {
		t.Fatal("an idToken issued before Update SSO still opens a session")
	}
}
