package sp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// configErrorEnvelope is the JSON body of a refused admin change.
type configErrorEnvelope struct {
	Error configErrorBody `json:"error"`
}

type configErrorBody struct {
	Code     int       `json:"code"`
	Status   string    `json:"status"`
	Message  string    `json:"message"`
	Problems []Problem `json:"problems"`
}

// writeAdminError answers an admin API error: a *ConfigError lists its
// problems (400, or 404 for an unknown workspace).
func writeAdminError(w http.ResponseWriter, err error) {
	var ce *ConfigError
	if errors.As(err, &ce) {
		status := http.StatusBadRequest
		if ce.Code == ErrCodeWorkspaceNotFound {
			status = http.StatusNotFound
		}
		msgs := make([]string, len(ce.Problems))
		for i, p := range ce.Problems {
			msgs[i] = p.Field + ": " + p.Message
		}
		writeJSON(w, status, configErrorEnvelope{Error: configErrorBody{
			Code: status, Status: ce.Code, Message: ce.Code + " : " + strings.Join(msgs, "; "), Problems: ce.Problems,
		}})
		return
	}
	writeJSON(w, http.StatusInternalServerError, configErrorEnvelope{Error: configErrorBody{
		Code: 500, Status: "INTERNAL", Message: err.Error(), Problems: []Problem{},
	}})
}

func decodeAdminJSON(r *http.Request, v any) error {
	body, err := readBody(r, 1<<20)
	if err != nil {
		return &ConfigError{Code: ErrCodeInvalidConfig, Problems: []Problem{{Field: "body", Code: "INVALID_JSON", Message: "the request body is unreadable or over 1 MiB"}}}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &ConfigError{Code: ErrCodeInvalidConfig, Problems: []Problem{{Field: "body", Code: "INVALID_JSON", Message: "the body is not the expected JSON: " + err.Error()}}}
	}
	return nil
}

func (s *Server) handleListWorkspaces(w http.ResponseWriter, r *http.Request) {
	sess, refused := s.checkAdmin(r, "", false)
	if refused != nil {
		writeAdminRefusal(w, refused)
		return
	}
	all := s.Workspaces()
	if s.cfg.InsecureOpenAdmin {
		writeJSON(w, http.StatusOK, map[string]any{"workspaces": all})
		return
	}
	out := []Workspace{}
	s.mu.RLock()
	for _, ws := range all {
		if s.isAdminLocked(sess.Email, ws.ID) {
			out = append(out, ws)
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"workspaces": out})
}

// handleCreateWorkspace serves POST /api/workspaces: a signed-in admin
// creates a workspace and becomes its admin.
func (s *Server) handleCreateWorkspace(w http.ResponseWriter, r *http.Request) {
	sess, refused := s.checkAdmin(r, "", false)
	if refused != nil {
		writeAdminRefusal(w, refused)
		return
	}
	var spec WorkspaceSpec
	if err := decodeAdminJSON(r, &spec); err != nil {
		writeAdminError(w, err)
		return
	}
	ws, err := s.CreateWorkspace(spec)
	if err != nil {
		writeAdminError(w, err)
		return
	}
	if sess.Email != "" {
		if err := s.AddAdmin(ws.ID, sess.Email, ""); err != nil {
			writeAdminError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusCreated, ws)
}

func (s *Server) handleGetWorkspace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, refused := s.checkAdmin(r, id, false); refused != nil {
		writeAdminRefusal(w, refused)
		return
	}
	ws, ok := s.Workspace(id)
	if !ok {
		writeAdminError(w, workspaceNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, ws)
}

func (s *Server) handleGetSSO(w http.ResponseWriter, r *http.Request) {
	s.ensureBaseURL(r)
	if _, refused := s.checkAdmin(r, r.PathValue("id"), false); refused != nil {
		writeAdminRefusal(w, refused)
		return
	}
	cfg, err := s.SSO(r.PathValue("id"))
	if err != nil {
		writeAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

// ssoUpdateJSON is the PUT body: the SSO settings; the read-only fields
// may be echoed back and are ignored.
type ssoUpdateJSON struct {
	SSOSettings
	ServiceProviderEntityID string    `json:"serviceProviderEntityId,omitempty"`
	RedirectURL             string    `json:"redirectUrl,omitempty"`
	WorkspaceID             string    `json:"workspaceId,omitempty"`
	ProviderID              string    `json:"providerId,omitempty"`
	Configured              *bool     `json:"configured,omitempty"`
	Warnings                []Problem `json:"warnings,omitempty"`
	Revision                int       `json:"revision,omitempty"`
	UpdatedAt               string    `json:"updatedAt,omitempty"`
	LoggedOutSessions       int       `json:"loggedOutSessions,omitempty"`
}

func (s *Server) handlePutSSO(w http.ResponseWriter, r *http.Request) {
	s.ensureBaseURL(r)
	if _, refused := s.checkAdmin(r, r.PathValue("id"), false); refused != nil {
		writeAdminRefusal(w, refused)
		return
	}
	var in ssoUpdateJSON
	if err := decodeAdminJSON(r, &in); err != nil {
		writeAdminError(w, err)
		return
	}
	cfg, err := s.UpdateSSO(r.PathValue("id"), in.SSOSettings)
	if err != nil {
		writeAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

func (s *Server) handleVerifyDomain(w http.ResponseWriter, r *http.Request) {
	if _, refused := s.checkAdmin(r, r.PathValue("id"), false); refused != nil {
		writeAdminRefusal(w, refused)
		return
	}
	var in struct {
		Domain string `json:"domain"`
	}
	if err := decodeAdminJSON(r, &in); err != nil {
		writeAdminError(w, err)
		return
	}
	ws, err := s.VerifyDomain(r.PathValue("id"), in.Domain)
	if err != nil {
		writeAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ws)
}

func (s *Server) handleSetProfile(w http.ResponseWriter, r *http.Request) {
	if _, refused := s.checkAdmin(r, r.PathValue("id"), false); refused != nil {
		writeAdminRefusal(w, refused)
		return
	}
	var in struct {
		Profile Profile `json:"profile"`
	}
	if err := decodeAdminJSON(r, &in); err != nil {
		writeAdminError(w, err)
		return
	}
	id := r.PathValue("id")
	if err := s.SetProfile(id, in.Profile); err != nil {
		writeAdminError(w, err)
		return
	}
	ws, _ := s.Workspace(id)
	writeJSON(w, http.StatusOK, ws)
}

// certView is one certificate row of the Security & SSO page.
type certView struct {
	Index   int
	JSON    string // the exact text, JSON-encoded (form submission would rewrite raw newlines)
	Summary string // one line: subject and expiry, or why it cannot be parsed
	// Title and Detail are the row's two lines as the page shows them:
	// who issued the certificate, then its fingerprint and validity (or
	// the parse problem).
	Title, Detail string
	Problem       string
}

type securityPage struct {
	pageBase
	Action          string
	CSRFToken       string
	Workspace       Workspace
	Config          SSOConfig
	Form            SSOSettings
	Enabled         bool
	Certificates    []certView
	Domains         []string
	VerifiedJSON    string
	Profiles        []Profile
	Problems        []Problem
	ErrorCode       string
	Warnings        []Problem
	Updated         bool
	LoggedOut       int
	AcknowledgeText string
}

// handleSecurityPage serves Workspace settings → Security & SSO
// (GET/POST /app/settings/security?workspace={id}). The POST is a plain form
// post of the same fields as the JSON API.
func (s *Server) handleSecurityPage(w http.ResponseWriter, r *http.Request) {
	s.ensureBaseURL(r)
	id := r.URL.Query().Get("workspace")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	}
	if _, refused := s.checkAdmin(r, id, true); refused != nil {
		if refused.status == http.StatusUnauthorized {
			http.Redirect(w, r, PathSignIn+"?continue="+url.QueryEscape(PathSecurity+"?workspace="+id), http.StatusSeeOther)
			return
		}
		s.renderMessage(w, refused.status, "You can't change these settings", refused.message+".")
		return
	}
	ws, ok := s.Workspace(id)
	if !ok {
		s.renderMessage(w, http.StatusNotFound, "Workspace not found", fmt.Sprintf("No workspace has ID %q.", shortText(id, 64)))
		return
	}
	cfg, _ := s.SSO(id)
	page := securityPage{
		pageBase:        pageBase{Title: "Security & SSO — " + ws.Name, Nav: ws.Name},
		Action:          PathSecurity + "?workspace=" + url.QueryEscape(id),
		CSRFToken:       s.csrfTokenOf(r),
		Workspace:       ws,
		Profiles:        AllProfiles(),
		AcknowledgeText: AcknowledgeText,
	}
	var form SSOSettings
	enabled := cfg.Enabled || !cfg.Configured
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			page.Problems = []Problem{{Field: "form", Code: "INVALID_FORM", Message: "the form could not be read: " + err.Error()}}
		}
		form = SSOSettings{
			SSOProvider:               r.PostForm.Get("ssoProvider"),
			IdentityProviderEntityID:  r.PostForm.Get("identityProviderEntityId"),
			IdentityProviderSignInURL: r.PostForm.Get("identityProviderSignInUrl"),
			Domains:                   r.PostForm["domains"],
			Acknowledge:               r.PostForm.Get("acknowledge") == "true" || r.PostForm.Get("acknowledge") == "on",
			Profile:                   Profile(r.PostForm.Get("profile")),
		}
		form.Certificates = append(form.Certificates, r.PostForm["certificates"]...)
		for _, j := range r.PostForm["certificates_json"] {
			var text string
			if err := json.Unmarshal([]byte(j), &text); err != nil {
				text = j
			}
			form.Certificates = append(form.Certificates, text)
		}
		if r.PostForm.Get("enabled_present") != "" {
			en := r.PostForm.Get("enabled") == "true" || r.PostForm.Get("enabled") == "on"
			form.Enabled = &en
			enabled = en
		}
		if page.Problems == nil {
			updated, err := s.UpdateSSO(id, form)
			var ce *ConfigError
			switch {
			case err == nil:
				page.Updated, page.LoggedOut = true, updated.LoggedOutSessions
				cfg = updated
				ws, _ = s.Workspace(id)
				page.Workspace = ws
				form = settingsOf(cfg)
			case errors.As(err, &ce):
				page.Problems, page.ErrorCode = ce.Problems, ce.Code
			default:
				page.Problems = []Problem{{Field: "form", Code: "INTERNAL", Message: err.Error()}}
			}
		}
	} else {
		form = settingsOf(cfg)
	}
	if form.Profile == "" {
		form.Profile = ws.Profile
	}
	if form.SSOProvider == "" {
		form.SSOProvider = SSOProviderSAML
	}
	page.Config, page.Form, page.Enabled = cfg, form, enabled
	if !page.Updated && r.Method == http.MethodGet {
		page.Warnings = cfg.Warnings
	} else if page.Updated {
		page.Warnings = cfg.Warnings
	}
	warnByField := map[string]string{}
	for _, p := range certificateWarnings(form.Certificates, s.cfg.Now()) {
		if _, seen := warnByField[p.Field]; !seen {
			warnByField[p.Field] = p.Code
		}
	}
	for i, text := range form.Certificates {
		j, _ := json.Marshal(text)
		v := certView{Index: i, JSON: string(j), Problem: warnByField[fmt.Sprintf("certificates[%d]", i)]}
		if pc := parseCertificateText(text); pc.err != nil {
			v.Summary = "Cannot be parsed: " + pc.err.Message
			v.Title, v.Detail = "Certificate that cannot be parsed", pc.err.Message
		} else {
			c := pc.cert
			v.Summary = fmt.Sprintf("%s — expires %s", c.Subject.String(), c.NotAfter.UTC().Format("2006-01-02"))
			v.Title = c.Subject.CommonName
			if len(c.Subject.Organization) > 0 {
				v.Title += " · " + strings.Join(c.Subject.Organization, ", ")
			}
			if v.Title == "" {
				v.Title = c.Subject.String()
			}
			fp := certFingerprint(c)
			v.Detail = fmt.Sprintf("SHA-256 %s… · valid %s to %s", strings.ToUpper(fp[:16]),
				c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
		}
		page.Certificates = append(page.Certificates, v)
	}
	for _, d := range form.Domains {
		if nd, err := normalizeDomain(d); err == nil && !slices.Contains(page.Domains, nd) {
			page.Domains = append(page.Domains, nd)
		}
	}
	vj, _ := json.Marshal(ws.VerifiedDomains)
	page.VerifiedJSON = string(vj)
	status := http.StatusOK
	if len(page.Problems) > 0 {
		status = http.StatusBadRequest
	}
	s.renderPage(w, status, "security", page)
}

// settingsOf turns a stored configuration back into form values.
func settingsOf(cfg SSOConfig) SSOSettings {
	en := cfg.Enabled
	return SSOSettings{
		SSOProvider:               cfg.SSOProvider,
		IdentityProviderEntityID:  cfg.IdentityProviderEntityID,
		IdentityProviderSignInURL: cfg.IdentityProviderSignInURL,
		Certificates:              cfg.Certificates,
		Domains:                   cfg.Domains,
		Enabled:                   &en,
		Profile:                   cfg.Profile,
	}
}
