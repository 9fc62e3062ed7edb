package sp

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SignInMethodSAML is the sign-in method of sessions created through SSO.
const SignInMethodSAML = "saml"

// Session is a signed-in workspace session.
type Session struct {
	ID          string    `json:"-"`
	Email       string    `json:"email"`
	ProviderID  string    `json:"providerId"`
	Method      string    `json:"method"`
	WorkspaceID string    `json:"workspaceId"`
	LocalID     string    `json:"localId"`
	CreatedAt   time.Time `json:"createdAt"`
}

// SignInMethodPassword is the sign-in method of a workspace admin's
// email-and-password session.
const SignInMethodPassword = "password"

// appSession is the server-side session state (guarded by Server.mu).
type appSession struct {
	Session
	// csrf is the session's CSRF token: every state-changing admin request
	// must carry it.
	csrf string
}

// sessionExpiry is when a session used at now ends: after the idle timeout,
// and never later than its maximum age.
func (s *Server) sessionExpiry(created, now time.Time) time.Time {
	idle, abs := now.Add(s.cfg.SessionIdleTimeout), created.Add(s.cfg.SessionMaxAge)
	if abs.Before(idle) {
		return abs
	}
	return idle
}

// CreateSession is the workspace app's session step (POST /app/api/session):
// it exchanges an idToken from signInWithIdp for a workspace session after
// applying the workspace policy of the guide: the NameID must be the user's
// email (NAMEID_NOT_EMAIL) and its domain one of the workspace's allowed
// SSO domains (DOMAIN_NOT_ALLOWED). Both refusals read "Unable to login
// with saml.workspace-… : …", the message ElevenLabs users see.
//
// An idToken is single-use: the exchange deletes it, whatever its outcome.
func (s *Server) CreateSession(ctx context.Context, idToken string) (Session, *APIError) {
	if err := ctx.Err(); err != nil {
		return Session{}, internalError("request cancelled", err)
	}
	now := s.cfg.Now()
	id, err := s.rand.hex(32)
	if err != nil {
		return Session{}, internalError("cannot draw a session ID", err)
	}
	csrf, err := s.rand.token(32)
	if err != nil {
		return Session{}, internalError("cannot draw a CSRF token", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.tokens.take(idToken, now)
	if !ok {
		return Session{}, newError(ReasonIDTokenInvalid, nil, "the idToken is unknown, expired or already used (ID tokens last %s and are exchanged once; an Update SSO also revokes them): sign in again", idTokenLifetime)
	}
	w := s.workspaces[rec.workspaceID]
	if w == nil || w.sso == nil {
		return Session{}, newError(ReasonIDTokenInvalid, nil, "the idToken's workspace no longer has SSO configured")
	}
	if e := s.checkWorkspacePolicy(w.profile, rec.providerID, rec.nameID, w.sso.domains); e != nil {
		return Session{}, e
	}
	sess := Session{
		ID:          id,
		Email:       rec.nameID,
		ProviderID:  rec.providerID,
		Method:      SignInMethodSAML,
		WorkspaceID: rec.workspaceID,
		LocalID:     rec.localID,
		CreatedAt:   now,
	}
	s.sessions.put(id, &appSession{Session: sess, csrf: csrf}, s.sessionExpiry(now, now), now)
	return sess, nil
}

// SessionByID returns a live session and marks it used (its idle timeout
// restarts).
func (s *Server) SessionByID(id string) (Session, bool) {
	a, ok := s.touchSession(id)
	if !ok {
		return Session{}, false
	}
	return a.Session, true
}

// touchSession returns a live session's state and restarts its idle timeout.
func (s *Server) touchSession(id string) (appSession, bool) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.sessions.get(id, now)
	if !ok {
		return appSession{}, false
	}
	s.sessions.setExpiry(id, s.sessionExpiry(a.CreatedAt, now))
	return *a, true
}

// SignOut ends a session.
func (s *Server) SignOut(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions.delete(id)
}

// Sessions lists the live sessions of a workspace.
func (s *Server) Sessions(wsID string) []Session {
	now := s.cfg.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Session
	s.sessions.each(now, func(a *appSession) {
		if a.WorkspaceID == wsID {
			out = append(out, a.Session)
		}
	})
	slices.SortFunc(out, func(a, b Session) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// StateCounts is how much per-client state the SP holds (for tests and
// soak benchmarks).
type StateCounts struct {
	Sessions, Pending, IDTokens, ReplayIDs, Users int
}

// StateCounts counts the SP's sessions, pending sign-ins, unexchanged ID
// tokens, replay-cache IDs and federated users.
func (s *Server) StateCounts() StateCounts {
	s.mu.RLock()
	c := StateCounts{Sessions: s.sessions.len(), Pending: s.pending.len(), IDTokens: s.tokens.len(), Users: len(s.users)}
	s.mu.RUnlock()
	c.ReplayIDs = s.replay.size()
	return c
}

// logOutSSOLocked ends every SSO session of a workspace and revokes its
// unexchanged ID tokens; it returns how many sessions ended.
func (s *Server) logOutSSOLocked(wsID string) int {
	n := s.sessions.deleteIf(func(a *appSession) bool { return a.WorkspaceID == wsID && a.Method == SignInMethodSAML })
	s.tokens.deleteIf(func(rec *idTokenRecord) bool { return rec.workspaceID == wsID })
	return n
}

// sessionFromRequest returns the session named by the app_session cookie.
func (s *Server) sessionFromRequest(r *http.Request) (Session, bool) {
	a, ok := s.appSessionFromRequest(r)
	return a.Session, ok
}

// appSessionFromRequest is sessionFromRequest with the server-side state.
func (s *Server) appSessionFromRequest(r *http.Request) (appSession, bool) {
	c, err := r.Cookie(AppSessionCookie)
	if err != nil || c.Value == "" {
		return appSession{}, false
	}
	return s.touchSession(c.Value)
}

func (s *Server) handleAppSession(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, 64<<10)
	if err != nil {
		writeAPIError(w, newError(ReasonRequestInvalid, map[string]string{"what": "the request body is too large"}, "%v", err))
		return
	}
	var in struct {
		IDToken string `json:"idToken"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.IDToken == "" {
		writeAPIError(w, newError(ReasonIDTokenInvalid, nil, "the body must be JSON {\"idToken\": …}"))
		return
	}
	sess, e := s.CreateSession(r.Context(), in.IDToken)
	if e != nil {
		writeAPIError(w, e)
		return
	}
	http.SetCookie(w, s.sessionCookie(sess.ID))
	writeJSON(w, http.StatusOK, map[string]string{"email": sess.Email})
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	a, ok := s.appSessionFromRequest(r)
	sess := a.Session
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401, "message": "UNAUTHENTICATED : not signed in"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"email": sess.Email, "providerId": sess.ProviderID, "method": sess.Method, "csrfToken": a.csrf})
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if !s.sameOriginRequest(r) {
		s.renderMessage(w, http.StatusForbidden, "Not signed out", "This sign-out came from another site and was refused.")
		return
	}
	if c, err := r.Cookie(AppSessionCookie); err == nil {
		s.SignOut(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: AppSessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: !s.cfg.TrackingCookieInsecure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, PathSignIn+"?use_sso=true", http.StatusSeeOther)
}
