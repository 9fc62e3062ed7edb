package sp

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// The admin surface — Workspace settings → Security & SSO (PathSecurity)
// and the /api/workspaces API — answers only a signed-in admin of the
// workspace, as the real product does ("Only workspace admins can change
// these settings"). A state-changing request (POST, PUT, DELETE) must also
// carry the session's CSRF token (form field csrf_token or header
// X-CSRF-Token) and, when the browser names one, a same-origin Origin (or
// Referer, or Sec-Fetch-Site); the JSON API accepts only
// application/json bodies, so a cross-site text/plain post is refused
// before it is read. Config.InsecureOpenAdmin turns all of this off for
// library use in tests.
//
// Admins sign in with email and password at PathPasswordSignIn (the page
// at PathSignIn has the form); an SSO session of an admin's email counts
// too. Accounts are made with Server.AddAdmin.

// Admin surface refusal codes (the Status of the error envelope).
const (
	ErrCodeUnauthenticated      = "UNAUTHENTICATED"
	ErrCodePermissionDenied     = "PERMISSION_DENIED"
	ErrCodeCSRFTokenInvalid     = "CSRF_TOKEN_INVALID"
	ErrCodeCrossOrigin          = "CROSS_ORIGIN_REQUEST"
	ErrCodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
)

// CSRFHeader carries the CSRF token of an admin API request.
const CSRFHeader = "X-CSRF-Token"

// MinAdminPasswordLength is the shortest admin password AddAdmin accepts.
const MinAdminPasswordLength = 12

// passwordIterations is the PBKDF2-SHA256 work factor of admin passwords.
const passwordIterations = 10000

// adminAccount is a workspace admin (guarded by Server.mu).
type adminAccount struct {
	email      string
	salt, hash []byte // empty hash: no password (SSO sign-in only)
	workspaces []string
}

func hashPassword(password string, salt []byte) []byte {
	k, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, 32)
	if err != nil { // only for invalid parameters, which are constants here
		panic("sp: pbkdf2: " + err.Error())
	}
	return k
}

// AddAdmin makes email an admin of a workspace. A non-empty password (at
// least MinAdminPasswordLength characters) lets the admin sign in with it
// at PathPasswordSignIn and replaces any earlier one; with "" the admin
// signs in with SSO only (or keeps an earlier password).
func (s *Server) AddAdmin(wsID, email, password string) error {
	email = strings.TrimSpace(email)
	var problems []Problem
	if !isEmailAddress(email) {
		problems = append(problems, Problem{Field: "email", Code: ProblemInvalidEmail, Message: fmt.Sprintf("%q is not an email address", email)})
	}
	if password != "" && utf8.RuneCountInString(password) < MinAdminPasswordLength {
		problems = append(problems, Problem{Field: "password", Code: ProblemWeakPassword, Message: fmt.Sprintf("the password needs at least %d characters", MinAdminPasswordLength)})
	}
	if len(problems) > 0 {
		return &ConfigError{Code: ErrCodeInvalidWorkspace, Problems: problems}
	}
	var salt, hash []byte
	if password != "" {
		var err error
		if salt, err = s.rand.bytes(16); err != nil {
			return err
		}
		hash = hashPassword(password, salt)
	}
	key := strings.ToLower(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.workspaces[wsID]; !ok {
		return workspaceNotFound(wsID)
	}
	a := s.admins[key]
	if a == nil {
		a = &adminAccount{email: email}
		s.admins[key] = a
	}
	if hash != nil {
		a.salt, a.hash = salt, hash
	}
	if !slices.Contains(a.workspaces, wsID) {
		a.workspaces = append(a.workspaces, wsID)
	}
	return nil
}

// Problem codes of AddAdmin.
const (
	ProblemInvalidEmail = "INVALID_EMAIL"
	ProblemWeakPassword = "WEAK_PASSWORD"
)

// checkPassword returns the admin account of email when password is its
// password. It costs the same whether or not the account exists.
func (s *Server) checkPassword(email, password string) (*adminAccount, bool) {
	s.mu.RLock()
	a := s.admins[strings.ToLower(strings.TrimSpace(email))]
	var salt, want []byte
	if a != nil {
		salt, want = a.salt, a.hash
	}
	s.mu.RUnlock()
	if len(want) == 0 {
		hashPassword(password, []byte("no such admin...")) // same cost as a real check
		return nil, false
	}
	return a, subtle.ConstantTimeCompare(hashPassword(password, salt), want) == 1
}

// isAdminLocked reports whether email administers a workspace.
func (s *Server) isAdminLocked(email, wsID string) bool {
	a := s.admins[strings.ToLower(email)]
	return a != nil && slices.Contains(a.workspaces, wsID)
}

// AdminCredentials are a signed-in admin session for an HTTP client of
// the admin API: send Cookie and, on a state-changing request, the CSRF
// token in the X-CSRF-Token header (Apply does both).
type AdminCredentials struct {
	Email     string
	Cookie    *http.Cookie
	CSRFToken string
}

// Apply adds the session cookie and the CSRF header to a request.
func (c AdminCredentials) Apply(r *http.Request) {
	r.AddCookie(c.Cookie)
	r.Header.Set(CSRFHeader, c.CSRFToken)
}

// AdminSession signs an admin in without a password, for Go callers that
// drive the admin HTTP API (tests, the runner): the Go caller owns the
// server, so it needs no password. email must be an admin of some
// workspace (AddAdmin).
func (s *Server) AdminSession(email string) (AdminCredentials, error) {
	s.mu.RLock()
	a := s.admins[strings.ToLower(strings.TrimSpace(email))]
	s.mu.RUnlock()
	if a == nil {
		return AdminCredentials{}, fmt.Errorf("%q is not a workspace admin: add it with AddAdmin", email)
	}
	sess, csrf, err := s.newPasswordSession(a)
	if err != nil {
		return AdminCredentials{}, err
	}
	return AdminCredentials{Email: a.email, Cookie: s.sessionCookie(sess.ID), CSRFToken: csrf}, nil
}

// newPasswordSession starts an admin's email-and-password session.
func (s *Server) newPasswordSession(a *adminAccount) (Session, string, error) {
	id, err := s.rand.hex(32)
	if err != nil {
		return Session{}, "", err
	}
	csrf, err := s.rand.token(32)
	if err != nil {
		return Session{}, "", err
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := ""
	if len(a.workspaces) > 0 {
		ws = a.workspaces[0]
	}
	sess := Session{ID: id, Email: a.email, Method: SignInMethodPassword, WorkspaceID: ws, CreatedAt: now}
	s.sessions.put(id, &appSession{Session: sess, csrf: csrf}, s.sessionExpiry(now, now), now)
	return sess, csrf, nil
}

func (s *Server) sessionCookie(id string) *http.Cookie {
	return &http.Cookie{Name: AppSessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: !s.cfg.TrackingCookieInsecure, SameSite: http.SameSiteLaxMode}
}

// siteOrigin is the SP's own origin: the base URL, or the request's host
// before one is known.
func (s *Server) siteOrigin(r *http.Request) string {
	if b := s.BaseURL(); b != "" {
		if u, err := url.Parse(b); err == nil {
			return u.Scheme + "://" + strings.ToLower(u.Host)
		}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

// sameOriginRequest reports whether a browser says the request comes from
// the SP's own pages: Origin when present, else Sec-Fetch-Site, else
// Referer. A request naming none (not a browser) passes: the CSRF token
// is what it must have.
func (s *Server) sameOriginRequest(r *http.Request) bool {
	origin := s.siteOrigin(r)
	if o := r.Header.Get("Origin"); o != "" {
		return strings.EqualFold(o, origin)
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && strings.EqualFold(u.Scheme+"://"+u.Host, origin)
	}
	return true
}

// mediaType is the request's Content-Type without parameters.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// adminRefusal is why a request may not use the admin surface.
type adminRefusal struct {
	status  int
	code    string
	message string
}

func (e *adminRefusal) problem() Problem {
	return Problem{Field: "request", Code: e.code, Message: e.message}
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// checkAdmin decides whether r may use the admin surface of workspace
// wsID ("" for any workspace the caller administers). form names where a
// state-changing request's CSRF token is: a form field, or the header.
func (s *Server) checkAdmin(r *http.Request, wsID string, form bool) (Session, *adminRefusal) {
	if s.cfg.InsecureOpenAdmin {
		return Session{}, nil
	}
	if unsafeMethod(r.Method) {
		if !s.sameOriginRequest(r) {
			return Session{}, &adminRefusal{http.StatusForbidden, ErrCodeCrossOrigin, "this request comes from another site (Origin " + r.Header.Get("Origin") + "): admin changes are accepted only from the workspace's own pages"}
		}
		mt := mediaType(r)
		if form && mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data" {
			return Session{}, &adminRefusal{http.StatusUnsupportedMediaType, ErrCodeUnsupportedMediaType, "the form must be posted as application/x-www-form-urlencoded"}
		}
		if !form && mt != "application/json" {
			return Session{}, &adminRefusal{http.StatusUnsupportedMediaType, ErrCodeUnsupportedMediaType, "the body must be Content-Type: application/json"}
		}
	}
	a, ok := s.appSessionFromRequest(r)
	if !ok {
		return Session{}, &adminRefusal{http.StatusUnauthorized, ErrCodeUnauthenticated, "sign in as a workspace admin first"}
	}
	s.mu.RLock()
	allowed := wsID == "" && s.admins[strings.ToLower(a.Email)] != nil || wsID != "" && s.isAdminLocked(a.Email, wsID)
	s.mu.RUnlock()
	if !allowed {
		return Session{}, &adminRefusal{http.StatusForbidden, ErrCodePermissionDenied, a.Email + " is not an admin of this workspace"}
	}
	if unsafeMethod(r.Method) {
		got := r.Header.Get(CSRFHeader)
		if form {
			got = r.PostFormValue("csrf_token")
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.csrf)) != 1 {
			return Session{}, &adminRefusal{http.StatusForbidden, ErrCodeCSRFTokenInvalid, "the CSRF token is missing or does not belong to this session: reload the page and try again"}
		}
	}
	return a.Session, nil
}

// writeAdminRefusal answers a refused admin API request.
func writeAdminRefusal(w http.ResponseWriter, e *adminRefusal) {
	writeJSON(w, e.status, configErrorEnvelope{Error: configErrorBody{
		Code: e.status, Status: e.code, Message: e.code + " : " + e.message, Problems: []Problem{e.problem()},
	}})
}

// csrfTokenOf returns the CSRF token of the request's session ("" without
// one).
func (s *Server) csrfTokenOf(r *http.Request) string {
	a, ok := s.appSessionFromRequest(r)
	if !ok {
		return ""
	}
	return a.csrf
}

// localPath returns p when it is a path on this site ("/…", not "//…",
// no backslash or control character, neither as typed nor once
// percent-decoded), else "".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || len(p) > 2048 {
		return ""
	}
	for _, c := range p {
		if c == '\\' || c < 0x20 || c == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	if strings.HasPrefix(u.Path, "//") || strings.ContainsAny(u.Path, "\\\x00\t\r\n") {
		return ""
	}
	return p
}

// handlePasswordSignIn serves POST /app/sign-in/password: a workspace
// admin's email and password → a session, then the page asked for.
func (s *Server) handlePasswordSignIn(w http.ResponseWriter, r *http.Request) {
	s.ensureBaseURL(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	page := signInPage{pageBase: pageBase{Title: "Sign in"}, Action: PathSignIn, PasswordAction: PathPasswordSignIn}
	if !s.sameOriginRequest(r) {
		page.PasswordErrorCode, page.PasswordErrorMessage = ErrCodeCrossOrigin, "This sign-in came from another site and was refused. Open the sign-in page and try again."
		s.renderPage(w, http.StatusForbidden, "signin", page)
		return
	}
	if mediaType(r) != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		page.PasswordErrorCode, page.PasswordErrorMessage = ErrCodeUnsupportedMediaType, "The sign-in form could not be read."
		s.renderPage(w, http.StatusBadRequest, "signin", page)
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	page.Continue = localPath(r.PostForm.Get("continue"))
	page.AdminEmail = shortText(email, 254)
	a, ok := s.checkPassword(email, password)
	if !ok {
		page.PasswordErrorCode, page.PasswordErrorMessage = "INVALID_LOGIN_CREDENTIALS", "Wrong email or password."
		s.renderPage(w, http.StatusUnauthorized, "signin", page)
		return
	}
	sess, _, err := s.newPasswordSession(a)
	if err != nil {
		http.Error(w, "cannot start a session", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, s.sessionCookie(sess.ID))
	next := page.Continue
	if next == "" {
		next = PathApp
		if sess.WorkspaceID != "" {
			next = PathSecurity + "?workspace=" + url.QueryEscape(sess.WorkspaceID)
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
