package sp

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// WorkspaceSpec describes a workspace to create.
type WorkspaceSpec struct {
	// ID is optional; by default a random 16-hex-digit ID is drawn from Rand.
	ID string `json:"id,omitempty"`
	// Name is the workspace's display name (required).
	Name string `json:"name"`
	// VerifiedDomains are email domains whose DNS TXT verification already
	// succeeded (the guide's "Verify your email domain" step).
	VerifiedDomains []string `json:"verifiedDomains,omitempty"`
	// Profile is the SSO behaviour profile ("" = identity-platform).
	Profile Profile `json:"profile,omitempty"`
}

// Workspace is a workspace as the admin sees it.
type Workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// ProviderID is the workspace's Identity Platform provider ID,
	// "saml.workspace-{ID}".
	ProviderID      string    `json:"providerId"`
	VerifiedDomains []string  `json:"verifiedDomains"`
	Profile         Profile   `json:"profile"`
	SSOConfigured   bool      `json:"ssoConfigured"`
	CreatedAt       time.Time `json:"createdAt"`
}

// workspace is the server-side state of a workspace (guarded by Server.mu).
type workspace struct {
	id       string
	name     string
	verified []string
	profile  Profile
	sso      *ssoState
	created  time.Time
}

// ProviderIDPrefix starts every workspace's provider ID.
const ProviderIDPrefix = "saml.workspace-"

// ProviderIDOf is the provider ID of a workspace: "saml.workspace-{id}".
func ProviderIDOf(workspaceID string) string { return ProviderIDPrefix + workspaceID }

func (w *workspace) public() Workspace {
	return Workspace{
		ID:              w.id,
		Name:            w.name,
		ProviderID:      ProviderIDOf(w.id),
		VerifiedDomains: slices.Clone(w.verified),
		Profile:         w.profile,
		SSOConfigured:   w.sso != nil,
		CreatedAt:       w.created,
	}
}

// Workspace configuration error codes (ConfigError.Code and Problem.Code).
const (
	ErrCodeInvalidConfig       = "INVALID_CONFIG"
	ErrCodeInvalidWorkspace    = "INVALID_WORKSPACE"
	ErrCodeWorkspaceNotFound   = "WORKSPACE_NOT_FOUND"
	ProblemMissingField        = "MISSING_FIELD"
	ProblemNotAcknowledged     = "NOT_ACKNOWLEDGED"
	ProblemDomainNotVerified   = "DOMAIN_NOT_VERIFIED"
	ProblemInvalidURL          = "INVALID_URL"
	ProblemUnsupportedProvider = "UNSUPPORTED_PROVIDER"
	ProblemInvalidDomain       = "INVALID_DOMAIN"
	ProblemDomainTaken         = "DOMAIN_TAKEN"
	ProblemInvalidID           = "INVALID_ID"
	ProblemWorkspaceExists     = "WORKSPACE_EXISTS"
	ProblemUnknownProfile      = "UNKNOWN_PROFILE"
	ProblemWorkspaceNotFound   = "WORKSPACE_NOT_FOUND"
)

// ConfigError is a refused configuration change. It lists every problem at
// once; nothing of the change is stored.
type ConfigError struct {
	Code     string    `json:"code"`
	Problems []Problem `json:"problems"`
}

// Problem is one thing wrong with a configuration (or, as a warning, one
// thing that will go wrong at sign-in).
type Problem struct {
	// Field names the admin UI field, e.g. "identityProviderSignInUrl" or
	// "certificates[1]".
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *ConfigError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = fmt.Sprintf("%s: %s (%s)", p.Field, p.Message, p.Code)
	}
	return e.Code + ": " + strings.Join(parts, "; ")
}

// HasProblem reports whether the error lists a problem with that code.
func (e *ConfigError) HasProblem(code string) bool {
	for _, p := range e.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

func workspaceNotFound(id string) *ConfigError {
	return &ConfigError{Code: ErrCodeWorkspaceNotFound, Problems: []Problem{{
		Field: "workspace", Code: ProblemWorkspaceNotFound, Message: fmt.Sprintf("no workspace has ID %q", shortText(id, 64))}}}
}

// normalizeDomain lower-cases a domain and checks its shape.
func normalizeDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSpace(d))
	if len(d) > 253 {
		return "", fmt.Errorf("%q is not a domain: a domain name has at most 253 characters", shortText(d, 64))
	}
	d = strings.TrimPrefix(d, "@")
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", fmt.Errorf("the domain is empty")
	}
	if strings.Contains(d, "@") || strings.Contains(d, "/") || strings.Contains(d, ":") {
		return "", fmt.Errorf("%q is not a domain: enter only the part after @, e.g. company.com", d)
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", fmt.Errorf("%q is not a domain: it needs at least one dot, e.g. company.com", d)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("%q is not a valid domain name", d)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("%q is not a valid domain name: %q is not allowed (use punycode for international names)", d, string(c))
			}
		}
	}
	return d, nil
}

func validWorkspaceID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// CreateWorkspace creates a workspace. Every problem of the spec is listed
// at once in a *ConfigError.
func (s *Server) CreateWorkspace(spec WorkspaceSpec) (Workspace, error) {
	var problems []Problem
	name := strings.TrimSpace(spec.Name)
	if name == "" {
		problems = append(problems, Problem{Field: "name", Code: ProblemMissingField, Message: "the workspace needs a name"})
	}
	profile, err := ParseProfile(string(spec.Profile))
	if err != nil {
		problems = append(problems, Problem{Field: "profile", Code: ProblemUnknownProfile, Message: err.Error()})
	}
	var domains []string
	for i, d := range spec.VerifiedDomains {
		nd, err := normalizeDomain(d)
		if err != nil {
			problems = append(problems, Problem{Field: fmt.Sprintf("verifiedDomains[%d]", i), Code: ProblemInvalidDomain, Message: err.Error()})
			continue
		}
		if !slices.Contains(domains, nd) {
			domains = append(domains, nd)
		}
	}
	id := strings.TrimSpace(spec.ID)
	if id != "" && !validWorkspaceID(id) {
		problems = append(problems, Problem{Field: "id", Code: ProblemInvalidID, Message: fmt.Sprintf("%q is not a valid workspace ID: use up to 64 letters, digits, '-' or '_'", shortText(id, 64))})
	}
	if id == "" {
		id, err = s.rand.hex(8)
		if err != nil {
			return Workspace{}, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.workspaces[id]; exists {
		problems = append(problems, Problem{Field: "id", Code: ProblemWorkspaceExists, Message: fmt.Sprintf("a workspace with ID %q already exists", id)})
	}
	for i, d := range domains {
		if owner := s.domainOwnerLocked(d); owner != nil {
			problems = append(problems, Problem{Field: fmt.Sprintf("verifiedDomains[%d]", i), Code: ProblemDomainTaken,
				Message: fmt.Sprintf("%s is already verified by workspace %q", d, owner.name)})
		}
	}
	if len(problems) > 0 {
		return Workspace{}, &ConfigError{Code: ErrCodeInvalidWorkspace, Problems: problems}
	}
	w := &workspace{id: id, name: name, verified: domains, profile: profile, created: s.cfg.Now()}
	s.workspaces[id] = w
	s.wsOrder = append(s.wsOrder, id)
	return w.public(), nil
}

// domainOwnerLocked returns the workspace that verified a domain.
func (s *Server) domainOwnerLocked(domain string) *workspace {
	for _, w := range s.workspaces {
		if slices.Contains(w.verified, domain) {
			return w
		}
	}
	return nil
}

// VerifyDomain records a successful DNS TXT verification of a domain for a
// workspace (the harness does not query DNS).
func (s *Server) VerifyDomain(wsID, domain string) (Workspace, error) {
	nd, err := normalizeDomain(domain)
	if err != nil {
		return Workspace{}, &ConfigError{Code: ErrCodeInvalidWorkspace, Problems: []Problem{{Field: "domain", Code: ProblemInvalidDomain, Message: err.Error()}}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.workspaces[wsID]
	if !ok {
		return Workspace{}, workspaceNotFound(wsID)
	}
	if owner := s.domainOwnerLocked(nd); owner != nil && owner != w {
		return Workspace{}, &ConfigError{Code: ErrCodeInvalidWorkspace, Problems: []Problem{{Field: "domain", Code: ProblemDomainTaken,
			Message: fmt.Sprintf("%s is already verified by workspace %q", nd, owner.name)}}}
	}
	if !slices.Contains(w.verified, nd) {
		w.verified = append(w.verified, nd)
	}
	return w.public(), nil
}

// Workspace returns a workspace by ID.
func (s *Server) Workspace(id string) (Workspace, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w, ok := s.workspaces[id]
	if !ok {
		return Workspace{}, false
	}
	return w.public(), true
}

// Workspaces lists every workspace in creation order.
func (s *Server) Workspaces() []Workspace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Workspace, 0, len(s.wsOrder))
	for _, id := range s.wsOrder {
		out = append(out, s.workspaces[id].public())
	}
	return out
}

// SetProfile switches a workspace's behaviour profile.
func (s *Server) SetProfile(wsID string, p Profile) error {
	profile, err := ParseProfile(string(p))
	if err != nil {
		return &ConfigError{Code: ErrCodeInvalidWorkspace, Problems: []Problem{{Field: "profile", Code: ProblemUnknownProfile, Message: err.Error()}}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.workspaces[wsID]
	if !ok {
		return workspaceNotFound(wsID)
	}
	w.profile = profile
	return nil
}
