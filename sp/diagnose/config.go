package diagnose

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Config is the workspace's SSO configuration as the admin UI shows it
// (Workspace settings → Security & SSO), with the UI's field names. The JSON
// of GET /api/workspaces/{id}/sso is accepted as is.
type Config struct {
	// SSOProvider is "SAML".
	SSOProvider string `json:"ssoProvider"`
	// ServiceProviderEntityID and RedirectURL are the workspace's read-only
	// values, e.g. https://elevenlabs.io and https://elevenlabs.io/__/auth/handler.
	ServiceProviderEntityID string `json:"serviceProviderEntityId"`
	RedirectURL             string `json:"redirectUrl"`
	// IdentityProviderEntityID is Okta's issuer (http://www.okta.com/exk…).
	IdentityProviderEntityID string `json:"identityProviderEntityId"`
	// IdentityProviderSignInURL is Okta's SSO URL ending in /sso/saml.
	IdentityProviderSignInURL string `json:"identityProviderSignInUrl"`
	// Certificates are the pasted certificates, exactly as pasted.
	Certificates []string `json:"certificates"`
	// Domains are the allowed SSO domains.
	Domains []string `json:"domains"`

	// VerifiedDomains (optional) are the workspace's verified domains
	// (GET /api/workspaces/{id}); they tell a domain that only needs Add
	// Domain from one that must be verified first.
	VerifiedDomains []string `json:"verifiedDomains,omitempty"`
	// ProviderID (optional) is the workspace's provider ID,
	// saml.workspace-…, as the session step's messages show it.
	ProviderID string `json:"providerId,omitempty"`
	// Profile (optional) is the workspace's behaviour profile.
	Profile string `json:"profile,omitempty"`
	// Enabled (optional, default true) is whether the SAML provider is on.
	Enabled *bool `json:"enabled,omitempty"`
}

// configFields are the keys ParseConfig reads; configExtra the keys of the
// admin API's answer it knowingly ignores.
var (
	configFields = []string{"ssoProvider", "serviceProviderEntityId", "redirectUrl", "identityProviderEntityId",
		"identityProviderSignInUrl", "certificates", "domains", "verifiedDomains", "providerId", "profile", "enabled"}
	configExtra = []string{"workspaceId", "configured", "warnings", "revision", "updatedAt", "loggedOutSessions", "acknowledge"}
)

// ParseConfig reads the workspace's SSO settings JSON. Every problem is
// reported at once: invalid JSON with its line and column, a missing or
// empty required field with what to put there, a field of the wrong type.
func ParseConfig(data []byte) (Config, error) {
	if err := checkSize("config file", len(data), MaxConfigBytes,
		"the workspace's SSO settings as JSON, a few KB"); err != nil {
		return Config{}, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Config{}, errorf(ErrConfigJSON, "the config is not valid JSON: %s. Expected the workspace's SSO settings as a JSON object with the admin UI's field names: %s",
			jsonErrorAt(data, err), configExample)
	}
	var problems []string
	var unknown []string
	for k := range raw {
		if !contains(configFields, k) && !contains(configExtra, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Config{}, errorf(ErrConfigInvalidField, "config field %q is a JSON %s; expected %s", te.Field, te.Value, fieldType(te.Field))
		}
		return Config{}, errorf(ErrConfigJSON, "the config cannot be read: %v", err)
	}
	for _, l := range []struct {
		name   string
		n, max int
	}{{"certificates", len(c.Certificates), MaxCertificates}, {"domains", len(c.Domains), MaxDomains}, {"verifiedDomains", len(c.VerifiedDomains), MaxDomains}} {
		if l.n > l.max {
			return Config{}, errorf(ErrInputTooLarge, "config field %q lists %d values; the limit is %d. Expected the workspace's settings as the admin UI shows them", l.name, l.n, l.max)
		}
	}
	required := []struct {
		name, value, what string
	}{
		{"serviceProviderEntityId", c.ServiceProviderEntityID, "the workspace's Service Provider Entity Id, e.g. \"https://elevenlabs.io\""},
		{"redirectUrl", c.RedirectURL, "the workspace's Redirect URL, e.g. \"https://elevenlabs.io/__/auth/handler\""},
		{"identityProviderEntityId", c.IdentityProviderEntityID, "the Identity Provider Entity Id as entered, e.g. \"http://www.okta.com/exk…\""},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			problems = append(problems, fmt.Sprintf("%q is missing or empty: expected %s", r.name, r.what))
		}
	}
	if len(c.Certificates) == 0 {
		problems = append(problems, `"certificates" is missing or empty: expected the pasted certificates, exactly as pasted, as a JSON array of strings ["-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n"]`)
	}
	if len(c.Domains) == 0 {
		problems = append(problems, `"domains" is missing or empty: expected the allowed SSO domains as a JSON array, e.g. ["company.com"]`)
	}
	// Unusual values (an entity ID that is not a URL, an unknown profile)
	// are not refused: Identity Platform accepts any string as the SP
	// entity ID, so the diagnosis goes on and reports them as findings
	// (checkConfig).
	if len(problems) > 0 {
		msg := strings.Join(problems, "; ")
		if len(unknown) > 0 {
			msg += fmt.Sprintf(" (the config has field(s) this tool does not know: %s — the admin UI's names are %s)", strings.Join(unknown, ", "), strings.Join(configFields[:7], ", "))
		}
		return Config{}, errorf(ErrConfigMissingField, "%s", msg)
	}
	c.ServiceProviderEntityID = strings.TrimSpace(c.ServiceProviderEntityID)
	c.RedirectURL = strings.TrimSpace(c.RedirectURL)
	return c, nil
}

const configExample = `{"ssoProvider":"SAML","serviceProviderEntityId":"https://elevenlabs.io","redirectUrl":"https://elevenlabs.io/__/auth/handler",` +
	`"identityProviderEntityId":"http://www.okta.com/exk…","identityProviderSignInUrl":"https://company.okta.com/app/…/sso/saml",` +
	`"certificates":["-----BEGIN CERTIFICATE-----\n…"],"domains":["company.com"]}`

func fieldType(field string) string {
	switch field {
	case "certificates", "domains", "verifiedDomains":
		return "an array of strings"
	case "enabled":
		return "true or false"
	}
	return "a string"
}

// jsonErrorAt renders a JSON decoding error with its line and column.
func jsonErrorAt(data []byte, err error) string {
	if len(bytes.TrimSpace(data)) == 0 {
		return "the file is empty"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, int(se.Offset)-1) // Offset is just past the bad byte
		return fmt.Sprintf("%v at line %d, column %d", se, line, col)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := lineCol(data, int(te.Offset))
		return fmt.Sprintf("a JSON %s where %s was expected at line %d, column %d", te.Value, te.Type, line, col)
	}
	return err.Error()
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
