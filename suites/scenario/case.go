package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/samlharness/samlharness/fixtures"
	"github.com/samlharness/samlharness/mockidp/fault"
)

// Case is a customer case: a catalogue scenario written down as JSON (the
// files in fixtures/cases, written by `samlharness diagnose --emit-case`)
// that recreates a customer's SSO failure with the mock IdP — the same Okta
// settings, the same SP configuration, the same certificate relationship —
// with personal data replaced. suites/repro replays every case and asserts
// the SP gives the recorded error.
//
// The JSON names are the file format; they do not follow the Go field names.
type Case struct {
	// ID is the case's stable kebab-case name (the file's base name).
	ID    string `json:"id"`
	Title string `json:"title"`
	// Category and Labels are the catalogue's (labels from its closed
	// vocabulary, without the category).
	Category Category `json:"category"`
	Labels   []string `json:"labels,omitempty"`
	Refs     []string `json:"refs,omitempty"`
	// At is the instant the customer's SP judged the response; the case is
	// replayed with the harness clock frozen there.
	At time.Time `json:"at"`
	// User is the demo user who signs in (alice, carol, erin, frank), and
	// SignInEmail what they type at the workspace (default: their email).
	User        string   `json:"user,omitempty"`
	SignInEmail string   `json:"signInEmail,omitempty"`
	Delivery    Delivery `json:"delivery,omitempty"`
	IdP         CaseIdP  `json:"idp"`
	SP          CaseSP   `json:"sp"`
	// Expect is the SP's answer per profile, as diagnose computed it from
	// the customer's evidence (messages with {spEntityId}, {redirectUrl},
	// {idpEntityId}, {providerId} placeholders).
	Expect map[Profile]Expect `json:"expect"`
	// Diagnosis is what diagnose found in the customer's evidence.
	Diagnosis CaseDiagnosis `json:"diagnosis"`
}

// CaseIdP is the Okta side of a case (IdPSide as JSON).
type CaseIdP struct {
	// Settings are Okta SAML settings by the admin API's JSON names
	// (audienceUri, nameIdFormat, …), as changed from the setup guide's.
	Settings map[string]any `json:"settings,omitempty"`
	// Faults are mock IdP faults (mockidp/fault).
	Faults []fault.Fault `json:"faults,omitempty"`
	// RotateCertificate: Okta generates and activates a new signing
	// certificate after the workspace was configured with the old one.
	RotateCertificate bool `json:"rotateCertificate,omitempty"`
	// SigningCertificate replaces the app's signing certificate before the
	// workspace is configured: expired, not-yet-valid or weak-1024.
	SigningCertificate fixtures.CertKind `json:"signingCertificate,omitempty"`
}

// CaseSP is the workspace side of a case (SPSide as JSON).
type CaseSP struct {
	// Certificates are the pasted certificates: active, rotated or
	// attacker, optionally ":variant" (a fixtures PEM variant: how it was
	// pasted).
	Certificates              []fixtures.CertRef `json:"certificates,omitempty"`
	IdentityProviderEntityID  string             `json:"identityProviderEntityId,omitempty"`
	IdentityProviderSignInURL string             `json:"identityProviderSignInUrl,omitempty"`
	Domains                   []string           `json:"domains,omitempty"`
	Disabled                  bool               `json:"disabled,omitempty"`
	// SecondWorkspace adds another workspace of the SP under the same SP
	// entity ID, trusting the same-idp or an other-idp (SPSide's).
	SecondWorkspace string `json:"secondWorkspace,omitempty"`
}

// CaseDiagnosis records what diagnose found in the customer's evidence.
type CaseDiagnosis struct {
	// Cause is the code of the first finding (e.g. CERT_UNPARSEABLE,
	// AUDIENCE_MISMATCH); diagnosing the replayed case must name it first.
	Cause string `json:"cause"`
	// Summary, Field and Fix are that finding's title, field and fix.
	Summary string `json:"summary"`
	Field   string `json:"field"`
	Fix     string `json:"fix"`
	// Evidence says what the case was made from: "har" or "response".
	Evidence string `json:"evidence"`
	// Anonymised lists what was replaced to remove personal data.
	Anonymised []string `json:"anonymised,omitempty"`
}

// Scenario is the case as a catalogue entry, for runner.RunScenario.
func (c Case) Scenario() Scenario {
	return Scenario{
		ID: c.ID, Title: c.Title, Category: c.Category, Tags: c.Labels, Refs: c.Refs,
		IdP: IdPSide{Settings: c.IdP.Settings, Faults: c.IdP.Faults, RotateCertificate: c.IdP.RotateCertificate,
			SigningCertificate: c.IdP.SigningCertificate},
		SP: SPSide{Certificates: c.SP.Certificates, IdentityProviderEntityID: c.SP.IdentityProviderEntityID,
			IdentityProviderSignInURL: c.SP.IdentityProviderSignInURL, Domains: c.SP.Domains, Disabled: c.SP.Disabled,
			SecondWorkspace: c.SP.SecondWorkspace},
		User: c.User, SignInEmail: c.SignInEmail, Delivery: c.Delivery, Expect: c.Expect,
	}
}

// Validate checks a case: the scenario rules (kebab-case ID, category,
// expectations for every profile with reasons, labels, registered faults)
// plus an instant and a recorded cause.
func (c Case) Validate() error {
	var problems []string
	if err := c.Scenario().Validate(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.At.IsZero() {
		problems = append(problems, `"at" is missing: the instant the SP judged the response (RFC 3339)`)
	}
	if c.Diagnosis.Cause == "" {
		problems = append(problems, `"diagnosis.cause" is missing`)
	}
	if len(problems) > 0 {
		return fmt.Errorf("case %s: %s", c.ID, strings.Join(problems, "; "))
	}
	return nil
}

// ParseCase reads a case file's JSON strictly (unknown fields are errors)
// and validates it.
func ParseCase(data []byte) (Case, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Case
	if err := dec.Decode(&c); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return Case{}, fmt.Errorf("case file: invalid JSON at line %d: %v", line, err)
		}
		return Case{}, fmt.Errorf("case file: %v (expected the fields id, title, category, labels, refs, at, user, signInEmail, delivery, idp, sp, expect, diagnosis)", err)
	}
	if err := c.Validate(); err != nil {
		return Case{}, err
	}
	return c, nil
}

// LoadCase reads and validates a case file; its ID must be the file's base
// name.
func LoadCase(path string) (Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Case{}, err
	}
	c, err := ParseCase(data)
	if err != nil {
		return Case{}, fmt.Errorf("%s: %w", path, err)
	}
	if want := strings.TrimSuffix(filepath.Base(path), ".json"); c.ID != want {
		return Case{}, fmt.Errorf("%s: the case's id %q is not the file's name %q", path, c.ID, want)
	}
	return c, nil
}

// MarshalCase renders a case as its file's JSON (indented, stable).
func MarshalCase(c Case) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
