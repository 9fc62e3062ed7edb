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

// appSession is the server-side session state (guarded by Server.mu).
type appSession struct {
	Session
}

// CreateSession is the workspace app's session step (POST /app/api/session):
// it exchanges an idToken from signInWithIdp for a workspace session after
// applying the workspace policy of the guide: the NameID must be the user's
// email (NAMEID_NOT_EMAIL) and its domain one of the workspace's allowed
// SSO domains (DOMAIN_NOT_ALLOWED). Both refusals read "Unable to login
// with saml.workspace-… : …", the message ElevenLabs users see.
func (s *Server) CreateSession(ctx context.Context, idToken string) (Session, *APIError) {
	if err := ctx.Err(); err != nil {
		return Session{}, internalError("request cancelled", err)
	}
	now := s.cfg.Now()
	id, err := s.rand.hex(32)
	if err != nil {
		return Session{}, internalError("cannot draw a session ID", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.tokens[idToken]
	if !ok || !now.Before(rec.expires) {
		return Session{}, newError(ReasonIDTokenInvalid, nil, "the idToken is unknown or expired (ID tokens last %s; an Update SSO also revokes them): sign in again", idTokenLifetime)
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
	s.sessions[id] = &appSession{Session: sess}
	return sess, nil
}

// SessionByID returns a live session.
func (s *Server) SessionByID(id string) (Session, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.sessions[id]
	if !ok {
		return Session{}, false
	}
	return a.Session, true
}

// SignOut ends a session.
func (s *Server) SignOut(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[id]
	delete(s.sessions, id)
	return ok
}

// Sessions lists the live sessions of a workspace.
func (s *Server) Sessions(wsID string) []Session {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Session
	for _, a := range s.sessions {
		if a.WorkspaceID == wsID {
			out = append(out, a.Session)
		}
	}
	slices.SortFunc(out, func(a, b Session) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// logOutSSOLocked ends every SSO session of a workspace and revokes its
// unexchanged ID tokens; it returns how many sessions ended.
func (s *Server) logOutSSOLocked(wsID string) int {
	n := 0
	for id, a := range s.sessions {
		if a.WorkspaceID == wsID && a.Method == SignInMethodSAML {
			delete(s.sessions, id)
			n++
		}
	}
	for tok, rec := range s.tokens {
		if rec.workspaceID == wsID {
			delete(s.tokens, tok)
		}
	}
	return n
}

// sessionFromRequest returns the session named by the app_session cookie.
func (s *Server) sessionFromRequest(r *http.Request) (Session, bool) {
	c, err := r.Cookie(AppSessionCookie)
	if err != nil || c.Value == "" {
		return Session{}, false
	}
	return s.SessionByID(c.Value)
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
	http.SetCookie(w, &http.Cookie{
		Name:     AppSessionCookie,
		Value:    sess.ID,
		Path:     "/",
		HttpOnly: true,
		Secure:   !s.cfg.TrackingCookieInsecure,
		SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, map[string]string{"email": sess.Email})
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.sessionFromRequest(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401, "message": "UNAUTHENTICATED : not signed in"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"email": sess.Email, "providerId": sess.ProviderID, "method": sess.Method})
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(AppSessionCookie); err == nil {
		s.SignOut(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: AppSessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: !s.cfg.TrackingCookieInsecure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, PathSignIn+"?use_sso=true", http.StatusSeeOther)
}
