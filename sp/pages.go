package sp

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed templates/*.html
var templateFS embed.FS

// The templates are embedded and never change, so they are parsed once per
// process and shared (html/template executes concurrently): the harness
// starts a Server for every scenario.
var parsePages = sync.OnceValues(func() (*template.Template, error) {
	return template.New("pages").ParseFS(templateFS, "templates/*.html")
})

// pageBase is what every page's layout needs.
type pageBase struct {
	Title string
	Nav   string
}

// renderPage writes a page; a template failure is a build defect and
// answers 500.
func (s *Server) renderPage(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "page rendering failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// messagePage is a page that only says something: not found, not allowed.
type messagePage struct {
	pageBase
	Status    int
	Heading   string
	Message   string
	Back      string
	BackLabel string
}

// renderMessage answers with a styled message page.
func (s *Server) renderMessage(w http.ResponseWriter, status int, heading, message string) {
	s.renderPage(w, status, "notfound", messagePage{pageBase: pageBase{Title: heading}, Status: status,
		Heading: heading, Message: message, Back: PathApp, BackLabel: "Back to the workspace"})
}

// handleNotFound answers every path the SP does not serve: Identity
// Platform's JSON error under /v1/ and /api/, a styled page elsewhere. It
// names at most a short prefix of the path asked for.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	shown := shortText(r.URL.Path, 80)
	if strings.HasPrefix(r.URL.Path, "/v1/") || strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": 404, "status": "NOT_FOUND", "message": "NOT_FOUND : no such endpoint: " + shown}})
		return
	}
	s.renderMessage(w, http.StatusNotFound, "Page not found", "There is no page at "+shown+". Check the address, or go back to the workspace.")
}

type signInPage struct {
	pageBase
	Action       string
	Email        string
	ErrorCode    string
	ErrorMessage string
	// The workspace admin's email-and-password form.
	PasswordAction       string
	AdminEmail           string
	Continue             string
	PasswordErrorCode    string
	PasswordErrorMessage string
}

// maxEcho is the most characters of a client's input a page shows back.
const maxEcho = 256

// shortText is at most n characters of s, with "…" when cut; pages echo
// what they were sent only through it (and html/template escapes it).
func shortText(s string, n int) string {
	if n <= 0 {
		n = maxEcho
	}
	if len(s) <= n {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i >= len(s) {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ToValidUTF8(s[:i], "\uFFFD") + "…"
}

// handleSignIn serves GET /app/sign-in?use_sso=true[&email=…]: without an
// email, the SSO sign-in form; with one, the workspace whose allowed SSO
// domains contain its domain → createAuthUri → 302 to the IdP with the
// AuthnRequest, setting the gip_session tracking cookie.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	s.ensureBaseURL(r)
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	page := signInPage{pageBase: pageBase{Title: "Sign in with SSO"}, Action: PathSignIn, Email: shortText(email, maxEcho),
		PasswordAction: PathPasswordSignIn, Continue: localPath(r.URL.Query().Get("continue"))}
	if email == "" {
		s.renderPage(w, http.StatusOK, "signin", page)
		return
	}
	if len(email) > 254 || !isEmailAddress(email) {
		page.ErrorCode, page.ErrorMessage = "INVALID_EMAIL", "Enter a valid work email address, e.g. you@company.com."
		s.renderPage(w, http.StatusOK, "signin", page)
		return
	}
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	s.mu.RLock()
	ws := s.workspaceForEmailDomainLocked(domain)
	s.mu.RUnlock()
	if ws == nil {
		page.ErrorCode = string(ReasonSSONotConfigured)
		page.ErrorMessage = "SSO is not configured for " + shortText(domain, 64) + ". Ask your workspace admin to add it under Workspace settings › Security & SSO, or sign in another way."
		s.renderPage(w, http.StatusOK, "signin", page)
		return
	}
	resp, e := s.CreateAuthURI(r.Context(), CreateAuthURIRequest{ProviderID: ProviderIDOf(ws.id), ContinueURI: s.RedirectURL()})
	if e != nil {
		page.ErrorCode, page.ErrorMessage = string(e.Reason), e.Message()
		s.renderPage(w, http.StatusOK, "signin", page)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     TrackingCookie,
		Value:    resp.SessionID,
		Path:     "/",
		HttpOnly: true,
		Secure:   !s.cfg.TrackingCookieInsecure,
		SameSite: s.cfg.TrackingCookieSameSite,
		MaxAge:   int(s.cfg.PendingTTL.Seconds()),
	})
	http.Redirect(w, r, resp.AuthURI, http.StatusFound)
}

type handlerPage struct {
	pageBase
	SignInPath          string
	MissingState        bool
	MissingStateMessage string
	ErrorCode           string
	ErrorMessage        string
	StateJSON           template.JS
}

// handlerState is the JSON the handler page embeds for its script.
type handlerState struct {
	RequestURI string `json:"requestUri"`
	PostBody   string `json:"postBody"`
	SessionID  string `json:"sessionId"`
}

// handleAuthHandler serves the Redirect URL (/__/auth/handler): with the
// gip_session cookie, a page embedding the state JSON whose script calls
// accounts:signInWithIdp, then /app/api/session, then goes to /app or shows
// the error; without it, Identity Platform's "missing initial state" view.
func (s *Server) handleAuthHandler(w http.ResponseWriter, r *http.Request) {
	s.ensureBaseURL(r)
	page := handlerPage{pageBase: pageBase{Title: "Signing in…"}, SignInPath: PathSignIn + "?use_sso=true"}
	limit := int64(3*s.cfg.MaxResponseBytes + 64<<10)
	var body []byte
	if r.Method == http.MethodPost {
		b, err := readBody(r, limit)
		if err != nil {
			code := ReasonResponseMalformed
			if errors.Is(err, errBodyTooLarge) {
				code = ReasonResponseTooLarge
			}
			page.ErrorCode, page.ErrorMessage = string(code), code.Info().Message(nil)
			s.renderPage(w, http.StatusOK, "handler", page)
			return
		}
		body = b
	}
	c, err := r.Cookie(TrackingCookie)
	if err != nil || c.Value == "" {
		page.MissingState = true
		page.MissingStateMessage = ReasonMissingInitialState.Info().Template
		s.renderPage(w, http.StatusOK, "handler", page)
		return
	}
	state, err := json.Marshal(handlerState{
		RequestURI: s.BaseURL() + r.URL.RequestURI(),
		PostBody:   string(body),
		SessionID:  c.Value,
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// json.Marshal escapes <, > and & as \u003c…, so the state cannot end
	// the script element.
	page.StateJSON = template.JS(state)
	s.renderPage(w, http.StatusOK, "handler", page)
}

type appPage struct {
	pageBase
	Session       Session
	WorkspaceName string
	SignOutPath   string
	SecurityPath  string // set for a workspace admin
}

// handleApp serves GET /app: the signed-in page, or a redirect to sign-in.
func (s *Server) handleApp(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.sessionFromRequest(r)
	if !ok {
		http.Redirect(w, r, PathSignIn, http.StatusFound)
		return
	}
	name := sess.WorkspaceID
	if ws, ok := s.Workspace(sess.WorkspaceID); ok {
		name = ws.Name
	}
	page := appPage{
		pageBase:      pageBase{Title: name, Nav: sess.Email},
		Session:       sess,
		WorkspaceName: name,
		SignOutPath:   PathSignOut,
	}
	s.mu.RLock()
	if s.isAdminLocked(sess.Email, sess.WorkspaceID) {
		page.SecurityPath = PathSecurity + "?workspace=" + url.QueryEscape(sess.WorkspaceID)
	}
	s.mu.RUnlock()
	s.renderPage(w, http.StatusOK, "app", page)
}

// ensureBaseURL adopts the request's origin as the base URL when the
// embedder never set one.
func (s *Server) ensureBaseURL(r *http.Request) {
	if s.BaseURL() != "" || r.Host == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.baseURL != "" {
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if b, err := normalizeBaseURL(scheme + "://" + r.Host); err == nil {
		s.baseURL = b
	}
}
