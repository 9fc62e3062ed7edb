package sp

import (
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"sync"
)

// Server is the Service Provider: a SaaS workspace app whose SAML SSO runs
// on (an emulation of) Google Identity Platform. It is an http.Handler.
type Server struct {
	cfg   Config
	rand  *randSource
	mux   *http.ServeMux
	pages *template.Template

	mu         sync.RWMutex
	baseURL    string
	workspaces map[string]*workspace
	wsOrder    []string
	pending    *boundedMap[*pendingRequest]
	users      map[string]*federatedUser
	tokens     *boundedMap[*idTokenRecord]
	sessions   *boundedMap[*appSession]
	admins     map[string]*adminAccount // by lower-case email

	replay *replayCache
}

// New builds a Server. Every Config field has a default.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	base, err := normalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		rand:       &randSource{r: cfg.Rand},
		pages:      pages,
		baseURL:    base,
		workspaces: map[string]*workspace{},
		pending:    newBoundedMap[*pendingRequest](cfg.MaxPending),
		users:      map[string]*federatedUser{},
		tokens:     newBoundedMap[*idTokenRecord](cfg.MaxIDTokens),
		sessions:   newBoundedMap[*appSession](cfg.MaxSessions),
		admins:     map[string]*adminAccount{},
		replay:     newReplayCache(),
	}
	s.replay.maxTTL = cfg.PendingTTL
	s.routes()
	return s, nil
}

// SetBaseURL sets the SP's external base URL once it is known (after the
// listener starts). It panics on a URL that is not absolute http(s), which
// is a programming error of the embedder.
func (s *Server) SetBaseURL(base string) {
	b, err := normalizeBaseURL(base)
	if err != nil {
		panic("sp: SetBaseURL: " + err.Error())
	}
	s.mu.Lock()
	s.baseURL = b
	s.mu.Unlock()
}

// BaseURL is the SP's external base URL.
func (s *Server) BaseURL() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.baseURL
}

// EntityID is the Service Provider Entity Id (the base URL).
func (s *Server) EntityID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.entityIDLocked()
}

// RedirectURL is the Redirect URL (ACS): base URL + "/__/auth/handler".
func (s *Server) RedirectURL() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.redirectURLLocked()
}

// SignInURL is the SP-initiated sign-in URL the guide tells users to bookmark.
func (s *Server) SignInURL() string { return s.BaseURL() + PathSignIn + "?use_sso=true" }

func (s *Server) entityIDLocked() string    { return s.baseURL }
func (s *Server) redirectURLLocked() string { return s.baseURL + PathHandler }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, PathApp, http.StatusFound) })
	m.HandleFunc("GET "+PathSignIn, s.handleSignIn)
	m.HandleFunc("POST "+PathCreateAuthURI, s.handleCreateAuthURI)
	m.HandleFunc("POST "+PathSignInWithIdp, s.handleSignInWithIdp)
	m.HandleFunc("POST "+PathHandler, s.handleAuthHandler)
	m.HandleFunc("GET "+PathHandler, s.handleAuthHandler)
	m.HandleFunc("POST "+PathAppSession, s.handleAppSession)
	m.HandleFunc("GET "+PathApp, s.handleApp)
	m.HandleFunc("GET "+PathAppMe, s.handleMe)
	m.HandleFunc("POST "+PathSignOut, s.handleSignOut)
	m.HandleFunc("GET "+PathSecurity, s.handleSecurityPage)
	m.HandleFunc("POST "+PathSecurity, s.handleSecurityPage)
	m.HandleFunc("GET /api/workspaces", s.handleListWorkspaces)
	m.HandleFunc("POST /api/workspaces", s.handleCreateWorkspace)
	m.HandleFunc("GET /api/workspaces/{id}", s.handleGetWorkspace)
	m.HandleFunc("GET /api/workspaces/{id}/sso", s.handleGetSSO)
	m.HandleFunc("PUT /api/workspaces/{id}/sso", s.handlePutSSO)
	m.HandleFunc("POST /api/workspaces/{id}/domains", s.handleVerifyDomain)
	m.HandleFunc("PUT /api/workspaces/{id}/profile", s.handleSetProfile)
	m.HandleFunc("GET /api/reasons", s.handleReasons)
	m.HandleFunc("POST "+PathPasswordSignIn, s.handlePasswordSignIn)
	m.HandleFunc("/", s.handleNotFound)
	s.mux = m
}

// writeJSON writes v as JSON without HTML escaping (Google's APIs do not
// escape <, > and &).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeAPIError(w http.ResponseWriter, e *APIError) {
	writeJSON(w, e.HTTPStatus, e.Envelope())
}

// errBodyTooLarge reports a request body over its cap.
var errBodyTooLarge = errors.New("request body too large")

// readBody reads at most limit bytes of a request body.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errBodyTooLarge
	}
	return b, nil
}
