package mockidp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Who may use the admin surface, as in an Okta org:
//
//   - the admin console (/admin/...) requires an admin signed in on its
//     sign-in page (/admin/signin): an admin session cookie. Every
//     state-changing request (POST) must also carry the session's CSRF
//     token (the form field _xsrfToken or the X-Okta-XsrfToken header, the
//     names Okta's console uses) and come from the IdP's own origin (Origin,
//     or Referer when a client sends no Origin);
//   - the JSON API (/api/v1/...) requires "Authorization: SSWS <token>",
//     Okta's API-token scheme; anything else is answered 401 with Okta's
//     error object, errorCode E0000011 "Invalid token provided".
//
// Sources: SSWS and the error object's shape are Okta's documented API
// conventions (the harness's reference notes record the error object's
// fields and the E0000001/E0000003/E0000007 family). That Okta answers a
// missing or wrong token with E0000011 "Invalid token provided" and 401 is
// NOT recorded in those notes: it is taken from Okta's public error-code
// list and is assumed here. The admin sign-in page standing apart from the
// end-user one is a simplification (Okta signs admins in on the org's page
// and then opens the separate -admin host).
//
// Credentials come from Config (AdminLogin, AdminPassword, APIToken) or
// are generated from crypto/rand when absent — never from Config.IDs, so
// seeded runs keep their IDs. Config.InsecureOpenAdmin turns all of this
// off for library use in tests.

const (
	adminCookie        = "okta_admin_sid"
	adminSigninPath    = "/admin/signin"
	adminSignoutPath   = "/admin/signout"
	csrfField          = "_xsrfToken"
	csrfHeader         = "X-Okta-XsrfToken"
	maxAdminSessions   = 1000
	adminIdleTimeout   = 2 * time.Hour
	adminAbsoluteLimit = 12 * time.Hour
)

// AdminLogin is the admin console's username.
func (idp *IdP) AdminLogin() string { return idp.admin.login }

// AdminPassword is the admin console's password.
func (idp *IdP) AdminPassword() string { return idp.admin.password }

// APIToken is the token the admin API takes as "Authorization: SSWS
// <token>".
func (idp *IdP) APIToken() string { return idp.admin.token }

// AdminOpen reports whether the admin surface is open to anyone
// (Config.InsecureOpenAdmin).
func (idp *IdP) AdminOpen() bool { return idp.admin.open }

// adminAuth holds the admin credentials and console sessions.
type adminAuth struct {
	login, password, token string
	open                   bool

	mu       sync.Mutex
	sessions map[string]*adminSession
}

type adminSession struct {
	csrf              string
	created, lastSeen time.Time
}

// newAdminAuth fills in generated credentials for the absent ones.
func newAdminAuth(cfg Config, org string) (*adminAuth, error) {
	a := &adminAuth{login: cfg.AdminLogin, password: cfg.AdminPassword, token: cfg.APIToken,
		open: cfg.InsecureOpenAdmin, sessions: map[string]*adminSession{}}
	if a.login == "" {
		a.login = "admin@" + org + ".example"
	}
	var err error
	if a.password == "" {
		if a.password, err = secret(18); err != nil {
			return nil, err
		}
	}
	if a.token == "" {
		// Okta's API tokens are 42 characters starting "00".
		t, err := secret(30)
		if err != nil {
			return nil, err
		}
		a.token = "00" + t
	}
	return a, nil
}

// secret is n random bytes in unpadded base64url.
func secret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", wrapError(CodeKeyUnavailable, "cannot generate an admin credential", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func equalSecret(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// tokenOK reports whether r carries "Authorization: SSWS <token>".
func (a *adminAuth) tokenOK(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && scheme == "SSWS" && equalSecret(strings.TrimSpace(tok), a.token)
}

// newSession starts a console session and returns its ID.
func (a *adminAuth) newSession(now time.Time) (string, error) {
	id, err := secret(24)
	if err != nil {
		return "", err
	}
	csrf, err := secret(24)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.sessions) >= maxAdminSessions {
		a.evictLocked(now)
	}
	a.sessions[id] = &adminSession{csrf: csrf, created: now, lastSeen: now}
	return id, nil
}

// evictLocked drops expired sessions, then the least recently seen until
// there is room.
func (a *adminAuth) evictLocked(now time.Time) {
	for id, s := range a.sessions {
		if s.expired(now) {
			delete(a.sessions, id)
		}
	}
	for len(a.sessions) >= maxAdminSessions {
		var oldest string
		for id, s := range a.sessions {
			if oldest == "" || s.lastSeen.Before(a.sessions[oldest].lastSeen) {
				oldest = id
			}
		}
		delete(a.sessions, oldest)
	}
}

func (s *adminSession) expired(now time.Time) bool {
	return now.Sub(s.lastSeen) > adminIdleTimeout || now.Sub(s.created) > adminAbsoluteLimit
}

// session returns the CSRF token of r's console session, if it has a live
// one.
func (a *adminAuth) session(r *http.Request, now time.Time) (csrf string, ok bool) {
	c, err := r.Cookie(adminCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[c.Value]
	if !ok {
		return "", false
	}
	if s.expired(now) {
		delete(a.sessions, c.Value)
		return "", false
	}
	s.lastSeen = now
	return s.csrf, true
}

func (a *adminAuth) endSession(r *http.Request) {
	if c, err := r.Cookie(adminCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
}

// origin is the IdP's own origin: the base URL's, else the request's Host.
func (idp *IdP) origin(r *http.Request) string {
	if u, err := url.Parse(idp.BaseURL()); err == nil && u.Scheme != "" && u.Host != "" {
		return strings.ToLower(u.Scheme + "://" + u.Host)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.ToLower(scheme + "://" + r.Host)
}

// sameOrigin reports whether a state-changing request comes from the IdP's
// own pages: its Origin header, or without one its Referer, names the
// IdP's origin. A request with neither is refused.
func (idp *IdP) sameOrigin(r *http.Request) bool {
	want := idp.origin(r)
	if o := r.Header.Get("Origin"); o != "" {
		return strings.EqualFold(o, want)
	}
	ref, err := url.Parse(r.Header.Get("Referer"))
	if err != nil || ref.Scheme == "" || ref.Host == "" {
		return false
	}
	return strings.EqualFold(ref.Scheme+"://"+ref.Host, want)
}

// csrfKey carries the session's CSRF token to the console's pages.
type csrfKey struct{}

// csrfToken is the CSRF token requireAdmin found for r ("" when the
// console is open).
func csrfToken(r *http.Request) string {
	s, _ := r.Context().Value(csrfKey{}).(string)
	return s
}

// requireAdmin guards a console handler: an admin session, and for a POST
// the same origin and the session's CSRF token.
func (idp *IdP) requireAdmin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if idp.admin.open {
			h(w, r)
			return
		}
		csrf, ok := idp.admin.session(r, idp.now())
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, adminSigninPath+"?fromURI="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
				return
			}
			idp.adminRefused(w, "You are not signed in to the Admin Console, or your session has ended. Sign in again and repeat the change.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !idp.sameOrigin(r) {
				idp.adminRefused(w, "The request did not come from this Admin Console (its Origin is another site's): it was refused.")
				return
			}
			if !idp.parseConsoleForm(w, r) {
				return
			}
			got := r.Header.Get(csrfHeader)
			if got == "" {
				got = r.PostForm.Get(csrfField)
			}
			if !equalSecret(got, csrf) {
				idp.adminRefused(w, "The request is missing this session's security token: reload the page and try again.")
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), csrfKey{}, csrf)))
	}
}

// adminRefused is the console's 403.
func (idp *IdP) adminRefused(w http.ResponseWriter, why string) {
	idp.renderError(w, http.StatusForbidden, "403 Forbidden", "admin-forbidden", why)
}

// handleAdminSigninPage is the admin console's sign-in page.
func (idp *IdP) handleAdminSigninPage(w http.ResponseWriter, r *http.Request) {
	idp.render(w, http.StatusOK, "login", pageData{Title: idp.org + " - Admin Sign In", Action: adminSigninPath,
		FromURI: adminReturn(idp.BaseURL(), r.URL.Query().Get("fromURI"))})
}

// adminReturn is where a signed-in admin goes: a same-origin console path,
// else the Applications page.
func adminReturn(base, from string) string {
	if p, ok := sameOriginPath(base, from); ok && (p == "/admin" || strings.HasPrefix(p, "/admin/")) && !strings.HasPrefix(p, adminSigninPath) {
		return p
	}
	return ConsolePath
}

// handleAdminSignin checks the admin's credentials and starts a session.
func (idp *IdP) handleAdminSignin(w http.ResponseWriter, r *http.Request) {
	if !idp.sameOrigin(r) {
		idp.adminRefused(w, "The sign-in did not come from this org's sign-in page: it was refused.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		idp.render(w, http.StatusBadRequest, "login", pageData{Title: idp.org + " - Admin Sign In", Action: adminSigninPath, Error: "Unable to sign in: the form could not be read."})
		return
	}
	login, password := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	from := adminReturn(idp.BaseURL(), r.PostForm.Get("fromURI"))
	// Both comparisons always run, so timing does not tell which failed.
	okLogin := equalSecret(strings.ToLower(login), strings.ToLower(idp.admin.login))
	okPassword := equalSecret(password, idp.admin.password)
	if !okLogin || !okPassword {
		if len(login) > maxNameLen {
			login = ""
		}
		idp.render(w, http.StatusUnauthorized, "login", pageData{Title: idp.org + " - Admin Sign In", Action: adminSigninPath,
			Error: "Unable to sign in", Username: login, FromURI: from})
		return
	}
	id, err := idp.admin.newSession(idp.now())
	if err != nil {
		idp.renderError(w, http.StatusInternalServerError, "500 Internal Server Error", "internal", "The admin session could not be started.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: id, Path: "/admin", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, from, http.StatusSeeOther)
}

// handleAdminSignout ends the console session (a POST with the CSRF
// token, through requireAdmin).
func (idp *IdP) handleAdminSignout(w http.ResponseWriter, r *http.Request) {
	idp.admin.endSession(r)
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: "", Path: "/admin", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, adminSigninPath, http.StatusSeeOther)
}

// requireToken guards an API handler: "Authorization: SSWS <token>".
func (idp *IdP) requireToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if idp.admin.open || idp.admin.tokenOK(r) {
			h(w, r)
			return
		}
		idp.apiError(w, &Error{Code: CodeUnauthorized, Message: "Invalid token provided"})
	}
}
