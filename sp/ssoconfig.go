package sp

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SSOProviderSAML is the only SSO Provider this SP implements.
const SSOProviderSAML = "SAML"

// AcknowledgeText is the admin UI's acknowledgement checkbox label.
const AcknowledgeText = "I acknowledge this change will log out users currently using SSO"

// SSOSettings is what an admin submits with "Update SSO" (Workspace settings
// → Security & SSO). Field names are the admin UI's.
type SSOSettings struct {
	// SSOProvider must be "SAML".
	SSOProvider string `json:"ssoProvider"`
	// IdentityProviderEntityID is the IdP's entityID (Okta:
	// http://www.okta.com/exk…).
	IdentityProviderEntityID string `json:"identityProviderEntityId"`
	// IdentityProviderSignInURL is the IdP's SingleSignOnService Location.
	IdentityProviderSignInURL string `json:"identityProviderSignInUrl"`
	// Certificates are the IdP signing certificates, kept exactly as pasted
	// (several allow rotation). They are parsed only at sign-in, as Identity
	// Platform does; problems come back as warnings.
	Certificates []string `json:"certificates"`
	// Domains are the allowed SSO email domains; each must be a verified
	// domain of the workspace.
	Domains []string `json:"domains"`
	// Acknowledge must be true: "I acknowledge this change will log out
	// users currently using SSO".
	Acknowledge bool `json:"acknowledge"`
	// Enabled turns the provider on or off (nil means true).
	Enabled *bool `json:"enabled,omitempty"`
	// Profile optionally switches the workspace's behaviour profile ("" keeps it).
	Profile Profile `json:"profile,omitempty"`
}

// SSOConfig is a workspace's stored SSO configuration as the admin sees it.
type SSOConfig struct {
	WorkspaceID string `json:"workspaceId"`
	ProviderID  string `json:"providerId"`
	// Configured is false until the first successful Update SSO.
	Configured  bool   `json:"configured"`
	SSOProvider string `json:"ssoProvider"`
	// ServiceProviderEntityID (read-only) is the SP's entity ID: its base URL.
	ServiceProviderEntityID string `json:"serviceProviderEntityId"`
	// RedirectURL (read-only) is the ACS: base URL + "/__/auth/handler".
	RedirectURL               string   `json:"redirectUrl"`
	IdentityProviderEntityID  string   `json:"identityProviderEntityId"`
	IdentityProviderSignInURL string   `json:"identityProviderSignInUrl"`
	Certificates              []string `json:"certificates"`
	Domains                   []string `json:"domains"`
	Enabled                   bool     `json:"enabled"`
	Profile                   Profile  `json:"profile"`
	// Warnings are non-fatal problems, chiefly certificates that will fail
	// at sign-in, each saying precisely what is wrong.
	Warnings  []Problem `json:"warnings"`
	Revision  int       `json:"revision"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
	// LoggedOutSessions is how many SSO sessions the update ended (set on
	// the UpdateSSO result only).
	LoggedOutSessions int `json:"loggedOutSessions"`
}

// ssoState is the stored configuration (guarded by Server.mu; replaced, never mutated).
type ssoState struct {
	provider     string
	idpEntityID  string
	idpSignInURL string
	certificates []string
	parsed       []parsedCert
	domains      []string
	enabled      bool
	warnings     []Problem
	revision     int
	updatedAt    time.Time
}

// ssoRuntime is a snapshot of everything a sign-in needs from a workspace.
type ssoRuntime struct {
	workspaceID string
	providerID  string
	profile     Profile
	sso         *ssoState
}

func (rt *ssoRuntime) strict() bool { return rt.profile == ProfileStrict }

// certs returns the parsed certificates, or the CERT_PARSE error of the
// first one that does not parse.
func (rt *ssoRuntime) certs() ([]*x509.Certificate, *APIError) {
	out := make([]*x509.Certificate, 0, len(rt.sso.parsed))
	var refused *APIError
	for i, pc := range rt.sso.parsed {
		if pc.err != nil && refused == nil {
			refused = newError(ReasonCertParse, nil, "configured certificate %d of %d cannot be parsed: %s (%s). Remove it in Security & SSO and re-add the IdP's signing certificate in PEM format.",
				i+1, len(rt.sso.parsed), pc.err.Message, pc.err.Code)
		}
		if pc.err == nil {
			out = append(out, pc.cert)
		}
	}
	// With a refusal, out holds the certificates that parse: only a test
	// that disables certificates-parse lets the SP verify with them.
	return out, refused
}

// UpdateSSO validates and stores a workspace's SSO configuration, as the
// admin UI's "Update SSO" button does. Every problem is listed at once in a
// *ConfigError (Code INVALID_CONFIG) and nothing is stored half. On success
// every session of the workspace that signed in with SSO is logged out.
func (s *Server) UpdateSSO(wsID string, in SSOSettings) (SSOConfig, error) {
	var problems []Problem
	provider := strings.TrimSpace(in.SSOProvider)
	switch {
	case provider == "":
		problems = append(problems, Problem{Field: "ssoProvider", Code: ProblemMissingField, Message: "select an SSO Provider: SAML"})
	case strings.EqualFold(provider, SSOProviderSAML):
		provider = SSOProviderSAML
	case strings.EqualFold(provider, "OIDC"):
		problems = append(problems, Problem{Field: "ssoProvider", Code: ProblemUnsupportedProvider, Message: "OIDC is not supported by this SP; select SAML"})
	default:
		problems = append(problems, Problem{Field: "ssoProvider", Code: ProblemUnsupportedProvider, Message: fmt.Sprintf("SSO Provider %q is not supported; select SAML", shortText(provider, 64))})
	}
	entityID := strings.TrimSpace(in.IdentityProviderEntityID)
	if entityID == "" {
		problems = append(problems, Problem{Field: "identityProviderEntityId", Code: ProblemMissingField,
			Message: "enter the Identity Provider Entity Id: the entityID of the IdP metadata (Okta: http://www.okta.com/exk…)"})
	}
	signInURL := strings.TrimSpace(in.IdentityProviderSignInURL)
	if signInURL == "" {
		problems = append(problems, Problem{Field: "identityProviderSignInUrl", Code: ProblemMissingField,
			Message: "enter the Identity Provider Sign-In URL: the SingleSignOnService Location of the IdP metadata (Okta: the URL ending in /sso/saml)"})
	} else if err := checkSignInURL(signInURL); err != nil {
		problems = append(problems, Problem{Field: "identityProviderSignInUrl", Code: ProblemInvalidURL, Message: err.Error()})
	}
	if len(in.Certificates) == 0 {
		problems = append(problems, Problem{Field: "certificates", Code: ProblemMissingField,
			Message: "add at least one certificate with Add Certificate: the IdP's X.509 signing certificate in PEM format"})
	}
	for i, c := range in.Certificates {
		if strings.TrimSpace(c) == "" {
			problems = append(problems, Problem{Field: fmt.Sprintf("certificates[%d]", i), Code: ProblemMissingField,
				Message: fmt.Sprintf("certificate %d is empty: paste the IdP's signing certificate, including -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----", i+1)})
		}
	}
	if !in.Acknowledge {
		problems = append(problems, Problem{Field: "acknowledge", Code: ProblemNotAcknowledged,
			Message: "select \"" + AcknowledgeText + "\" to update SSO"})
	}
	var profile Profile
	if in.Profile != "" {
		p, err := ParseProfile(string(in.Profile))
		if err != nil {
			problems = append(problems, Problem{Field: "profile", Code: ProblemUnknownProfile, Message: err.Error()})
		}
		profile = p
	}
	enabled := in.Enabled == nil || *in.Enabled
	now := s.cfg.Now()
	certs := slices.Clone(in.Certificates)
	parsed := make([]parsedCert, len(certs))
	for i, c := range certs {
		parsed[i] = parseCertificateText(c)
	}
	warnings := certificateWarnings(certs, now)

	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.workspaces[wsID]
	if !ok {
		return SSOConfig{}, workspaceNotFound(wsID)
	}
	var domains []string
	if len(in.Domains) == 0 {
		problems = append(problems, Problem{Field: "domains", Code: ProblemMissingField,
			Message: "add at least one domain with Add Domain: only verified domains can be used for SSO"})
	}
	for i, d := range in.Domains {
		field := fmt.Sprintf("domains[%d]", i)
		nd, err := normalizeDomain(d)
		if err != nil {
			problems = append(problems, Problem{Field: field, Code: ProblemInvalidDomain, Message: err.Error()})
			continue
		}
		if !slices.Contains(w.verified, nd) {
			msg := fmt.Sprintf("%s is not a verified domain of this workspace: verify it first (DNS TXT record, then Verify)", nd)
			if len(w.verified) > 0 {
				msg += "; verified domains: " + strings.Join(w.verified, ", ")
			}
			problems = append(problems, Problem{Field: field, Code: ProblemDomainNotVerified, Message: msg})
			continue
		}
		if !slices.Contains(domains, nd) {
			domains = append(domains, nd)
		}
	}
	if len(problems) > 0 {
		return SSOConfig{}, &ConfigError{Code: ErrCodeInvalidConfig, Problems: problems}
	}
	rev := 1
	if w.sso != nil {
		rev = w.sso.revision + 1
	}
	w.sso = &ssoState{
		provider:     provider,
		idpEntityID:  entityID,
		idpSignInURL: signInURL,
		certificates: certs,
		parsed:       parsed,
		domains:      domains,
		enabled:      enabled,
		warnings:     warnings,
		revision:     rev,
		updatedAt:    now,
	}
	if profile != "" {
		w.profile = profile
	}
	out := s.ssoConfigLocked(w)
	out.LoggedOutSessions = s.logOutSSOLocked(wsID)
	return out, nil
}

func checkSignInURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", shortText(s, maxEcho))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q must be an absolute https:// (or http://) URL: the IdP's SingleSignOnService Location", shortText(s, maxEcho))
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", shortText(s, maxEcho))
	}
	if u.Fragment != "" {
		return fmt.Errorf("%q must not have a #fragment", shortText(s, maxEcho))
	}
	return nil
}

// SSO returns a workspace's SSO configuration. Before the first Update SSO
// it has Configured false and only the read-only SP fields filled.
func (s *Server) SSO(wsID string) (SSOConfig, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w, ok := s.workspaces[wsID]
	if !ok {
		return SSOConfig{}, workspaceNotFound(wsID)
	}
	return s.ssoConfigLocked(w), nil
}

func (s *Server) ssoConfigLocked(w *workspace) SSOConfig {
	out := SSOConfig{
		WorkspaceID:             w.id,
		ProviderID:              ProviderIDOf(w.id),
		SSOProvider:             SSOProviderSAML,
		ServiceProviderEntityID: s.entityIDLocked(),
		RedirectURL:             s.redirectURLLocked(),
		Profile:                 w.profile,
		Certificates:            []string{},
		Domains:                 []string{},
		Warnings:                []Problem{},
	}
	if st := w.sso; st != nil {
		out.Configured = true
		out.SSOProvider = st.provider
		out.IdentityProviderEntityID = st.idpEntityID
		out.IdentityProviderSignInURL = st.idpSignInURL
		out.Certificates = slices.Clone(st.certificates)
		out.Domains = slices.Clone(st.domains)
		out.Enabled = st.enabled
		out.Warnings = slices.Clone(st.warnings)
		out.Revision = st.revision
		out.UpdatedAt = st.updatedAt
	}
	return out
}

// runtimeForProvider snapshots the configuration behind a provider ID.
// Provider IDs are case-sensitive, as in Identity Platform.
func (s *Server) runtimeForProvider(providerID string) (*ssoRuntime, *APIError) {
	wsID, ok := strings.CutPrefix(providerID, ProviderIDPrefix)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var w *workspace
	if ok {
		w = s.workspaces[wsID]
	}
	if w == nil || w.sso == nil {
		return nil, newError(ReasonProviderNotFound, nil, "no workspace SSO configuration has provider ID %q (provider IDs are case-sensitive and look like %sID)", shortText(providerID, 128), ProviderIDPrefix)
	}
	if !w.sso.enabled {
		return nil, newError(ReasonProviderDisabled, nil, "the SSO configuration of workspace %q (%s) is disabled", w.name, providerID)
	}
	return &ssoRuntime{workspaceID: w.id, providerID: providerID, profile: w.profile, sso: w.sso}, nil
}

// workspaceForEmailDomainLocked finds the workspace whose allowed SSO
// domains contain domain.
func (s *Server) workspaceForEmailDomainLocked(domain string) *workspace {
	for _, id := range s.wsOrder {
		w := s.workspaces[id]
		if w.sso != nil && slices.Contains(w.sso.domains, domain) {
			return w
		}
	}
	return nil
}
