package external

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/samlharness/samlharness/suites/scenario"
)

// Bounds on a target file: its size, and the nodes its YAML holds once
// aliases are expanded (a target file needs a few dozen; a document whose
// aliases fan out, like the "billion laughs", is refused before it is
// expanded).
const (
	maxTargetFile = 1 << 20
	maxYAMLNodes  = 10000
	maxYAMLDepth  = 100
)

// TargetSpec describes an SP the harness did not write, as a target file
// (JSON or YAML) gives it. See README "Any SP as a target".
type TargetSpec struct {
	// Name names the target in reports (default: the file's base name).
	Name string `json:"name,omitempty"`
	// Profile is the catalogue profile whose expectations judge the SP
	// (default strict: the expectations of a correct SP).
	Profile scenario.Profile `json:"profile,omitempty"`
	SP      SPSpec           `json:"sp"`
	// SignIn starts an SP-initiated login.
	SignIn URLSpec `json:"signIn"`
	// Session is the oracle: what a signed-in user gets.
	Session SessionSpec `json:"session"`
	// SignOut, when set, ends the session before a replay; without it the
	// harness drops the SP's cookies.
	SignOut *URLSpec `json:"signOut,omitempty"`
	// Errors, when set, reads the SP's reason from the page it answers a
	// refused response with.
	Errors *ErrorRules `json:"errors,omitempty"`
	// User is who signs in and the email domains the SP allows.
	User UserSpec `json:"user"`
	// IdPInitiated says whether the SP accepts IdP-initiated logins.
	IdPInitiated bool `json:"idpInitiated,omitempty"`
	// SPConfig, when set, is how the harness changes the SP's own IdP
	// configuration; without it scenarios that need such a change are
	// skipped.
	SPConfig *URLSpec `json:"spConfig,omitempty"`
	// Allow lists the scenarios the SP fails on purpose (see Allowance).
	Allow []Allowance `json:"allow,omitempty"`
}

// SPSpec is the SP's SAML identity.
type SPSpec struct {
	// EntityID is the SP's entity ID (Okta's Audience URI).
	EntityID string `json:"entityId"`
	// ACSURL is its Assertion Consumer Service URL (Okta's Single sign-on
	// URL).
	ACSURL string `json:"acsUrl"`
	// EncryptionCertificate, when set (PEM), is the SP's: assertions the
	// IdP encrypts to it must be readable, so encryption scenarios expect
	// acceptance. Without it the IdP encrypts to a key the SP does not hold.
	EncryptionCertificate string `json:"encryptionCertificate,omitempty"`
	// MetadataURL, when set, is where the SP serves its SAML metadata (on
	// loopback): read at each run (ResolveMetadata), it gives the entity
	// ID, ACS URL and encryption certificate, so the fields above may be
	// left out.
	MetadataURL string `json:"metadataUrl,omitempty"`
}

// URLSpec is one HTTP request the harness makes.
type URLSpec struct {
	// URL may hold {email}: the signing-in user's email, URL-escaped.
	URL string `json:"url"`
	// Method defaults to GET (PUT for spConfig, POST for signOut).
	Method string `json:"method,omitempty"`
}

// SessionSpec is the oracle: the URL a signed-in user can open, the status
// and a body pattern they get.
type SessionSpec struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"` // default 200
	// Pattern is a regular expression the body must match; its first
	// capture group, when it has one, is the signed-in identity (email),
	// which is how forged identities are caught.
	Pattern string `json:"pattern"`
}

// ErrorRules read the SP's reason for a refusal from the page it answered
// the response with. The file's own rules are tried first (Pattern, then
// Map), then the named Preset's.
type ErrorRules struct {
	// Pattern's first capture group is the reason code itself.
	Pattern string `json:"pattern,omitempty"`
	// Map lists page texts and the reason each means, first match wins.
	Map []ErrorRule `json:"map,omitempty"`
	// Preset names ready rules for the SAML library the SP is built on
	// (package presets: crewjam, gosaml2). Besides the preset's rules, a
	// library text that names a family of reasons (gosaml2's "Unrecognized
	// Issuer value": the Response's Issuer or an Assertion's) is read as
	// that family: the reason is verified at the granularity the library
	// reports it.
	Preset string `json:"preset,omitempty"`
}

// ErrorRule maps a page text (regular expression) to a reason code, or to
// a family of reasons when the text names either of several (Reasons).
type ErrorRule struct {
	Match   string   `json:"match"`
	Reason  string   `json:"reason,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
}

// UserSpec is the user the harness signs in as.
type UserSpec struct {
	Email string `json:"email"`
	// Domains are the email domains the SP allows (default: the email's).
	Domains []string `json:"domains,omitempty"`
}

// compiledSpec is a validated TargetSpec with its patterns compiled.
type compiledSpec struct {
	TargetSpec
	sessionRE *regexp.Regexp
	errorRE   *regexp.Regexp
	errorMap  []compiledRule
	spOrigin  string // scheme://host:port of the ACS
}

type compiledRule struct {
	re     *regexp.Regexp
	reason string // one reason, or a family joined by runner.ReasonSep
}

// LoadTargetFile reads a target file: JSON, or YAML when the name ends in
// .yaml or .yml. Unknown fields are errors.
func LoadTargetFile(path string) (TargetSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return TargetSpec{}, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxTargetFile+1)); err != nil {
		return TargetSpec{}, fmt.Errorf("target file %s: %w", path, err)
	}
	if buf.Len() > maxTargetFile {
		return TargetSpec{}, fmt.Errorf("target file %s is larger than %d bytes", path, maxTargetFile)
	}
	yamlFile := strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")
	spec, err := ParseTargetSpec(buf.Bytes(), yamlFile)
	if err != nil {
		return TargetSpec{}, fmt.Errorf("target file %s: %w", path, err)
	}
	if spec.Name == "" {
		spec.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return spec, nil
}

// ParseTargetSpec decodes a target file's bytes (YAML when isYAML, else
// JSON) and validates it.
func ParseTargetSpec(data []byte, isYAML bool) (TargetSpec, error) {
	if len(data) > maxTargetFile {
		return TargetSpec{}, fmt.Errorf("larger than %d bytes: a target description is a few kilobytes", maxTargetFile)
	}
	if isYAML {
		var err error
		if data, err = yamlToJSON(data); err != nil {
			return TargetSpec{}, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var spec TargetSpec
	if err := dec.Decode(&spec); err != nil {
		return TargetSpec{}, fmt.Errorf("not a valid target description: %w", err)
	}
	if _, err := compileSpec(spec); err != nil {
		return TargetSpec{}, err
	}
	return spec, nil
}

// yamlToJSON converts a YAML target file to JSON, refusing, before any
// alias is expanded, a document that expands to more than maxYAMLNodes
// nodes or nests deeper than maxYAMLDepth.
func yamlToJSON(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if doc.Kind == 0 {
		return nil, fmt.Errorf("not a valid target description: the YAML document is empty")
	}
	if err := (&nodeBudget{sizes: map[*yaml.Node]int{}}).check(&doc); err != nil {
		return nil, err
	}
	var v any
	if err := doc.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("YAML that has no JSON form (use string keys): %w", err)
	}
	return out, nil
}

// nodeBudget counts a YAML tree's nodes as they would be once aliases are
// expanded, memoizing each node's expanded size so the count itself stays
// linear in the document.
type nodeBudget struct {
	sizes map[*yaml.Node]int // expanded size; -1 while being counted
}

func (b *nodeBudget) check(doc *yaml.Node) error {
	n, err := b.size(doc, 0)
	if err != nil {
		return err
	}
	if n > maxYAMLNodes {
		return b.tooMany()
	}
	return nil
}

func (b *nodeBudget) tooMany() error {
	return fmt.Errorf("not a valid target description: its YAML expands to more than %d values once aliases (*name) are expanded; write the values out instead of nesting aliases", maxYAMLNodes)
}

func (b *nodeBudget) size(n *yaml.Node, depth int) (int, error) {
	if depth > maxYAMLDepth {
		return 0, fmt.Errorf("not a valid target description: its YAML nests deeper than %d levels", maxYAMLDepth)
	}
	if s, ok := b.sizes[n]; ok {
		if s < 0 {
			return 0, fmt.Errorf("not valid YAML: the anchor &%s contains an alias to itself", n.Anchor)
		}
		return s, nil
	}
	b.sizes[n] = -1
	total := 1
	children := n.Content
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		children = []*yaml.Node{n.Alias}
	}
	for _, c := range children {
		s, err := b.size(c, depth+1)
		if err != nil {
			return 0, err
		}
		if total += s; total > maxYAMLNodes {
			return 0, b.tooMany()
		}
	}
	b.sizes[n] = total
	return total, nil
}

// compileSpec validates spec and fills its defaults, listing every problem.
func compileSpec(spec TargetSpec) (*compiledSpec, error) {
	var problems []string
	c := &compiledSpec{TargetSpec: spec}
	if c.Profile == "" {
		c.Profile = scenario.Strict
	} else if _, err := scenario.ParseProfile(string(c.Profile)); err != nil {
		problems = append(problems, "profile: "+err.Error())
	}
	checkURL := func(field, raw string, required bool) *url.URL {
		if raw == "" {
			if required {
				problems = append(problems, field+" is required")
			}
			return nil
		}
		u, err := url.Parse(strings.ReplaceAll(raw, "{email}", "x"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("%s %q is not an absolute http(s) URL", field, raw))
			return nil
		}
		if !loopbackHost(u.Hostname()) {
			problems = append(problems, fmt.Sprintf("%s %q is not on loopback: the harness only drives SPs on 127.0.0.0/8 or localhost", field, raw))
		}
		return u
	}
	fromMetadata := checkURL("sp.metadataUrl", c.SP.MetadataURL, false) != nil
	if c.SP.EntityID == "" && !fromMetadata {
		problems = append(problems, "sp.entityId is required (or sp.metadataUrl)")
	}
	if acs := checkURL("sp.acsUrl", c.SP.ACSURL, !fromMetadata); acs != nil {
		c.spOrigin = acs.Scheme + "://" + acs.Host
	}
	checkURL("signIn.url", c.SignIn.URL, true)
	checkURL("session.url", c.Session.URL, true)
	if c.SignOut != nil {
		checkURL("signOut.url", c.SignOut.URL, true)
		if c.SignOut.Method == "" {
			c.SignOut = &URLSpec{URL: c.SignOut.URL, Method: "POST"}
		}
	}
	if c.SPConfig != nil {
		checkURL("spConfig.url", c.SPConfig.URL, true)
		if c.SPConfig.Method == "" {
			c.SPConfig = &URLSpec{URL: c.SPConfig.URL, Method: "PUT"}
		}
	}
	problems = append(problems, checkAllow(c.Allow)...)
	if c.SignIn.Method == "" {
		c.SignIn.Method = "GET"
	}
	if c.Session.Status == 0 {
		c.Session.Status = 200
	}
	if c.Session.Pattern == "" {
		problems = append(problems, "session.pattern is required: what the page shows a signed-in user")
	} else if re, err := regexp.Compile(c.Session.Pattern); err != nil {
		problems = append(problems, "session.pattern: "+err.Error())
	} else {
		c.sessionRE = re
	}
	if c.Errors != nil {
		if c.Errors.Pattern != "" {
			re, err := regexp.Compile(c.Errors.Pattern)
			switch {
			case err != nil:
				problems = append(problems, "errors.pattern: "+err.Error())
			case re.NumSubexp() < 1:
				problems = append(problems, "errors.pattern needs a capture group: the reason code")
			default:
				c.errorRE = re
			}
		}
		for i, r := range c.Errors.Map {
			re, err := regexp.Compile(r.Match)
			reason, rerr := ruleReason(r)
			if err != nil || rerr != nil {
				problems = append(problems, fmt.Sprintf("errors.map[%d] needs a valid match pattern and a reason (reason, or reasons for a family)", i))
				continue
			}
			c.errorMap = append(c.errorMap, compiledRule{re, reason})
		}
		if name := c.Errors.Preset; name != "" {
			rules, err := presetRules(name)
			if err != nil {
				problems = append(problems, "errors.preset: "+err.Error())
			}
			c.errorMap = append(c.errorMap, rules...)
		}
	}
	email := strings.TrimSpace(c.User.Email)
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		problems = append(problems, fmt.Sprintf("user.email %q is not an email address", c.User.Email))
	} else {
		c.User.Email = email
		if len(c.User.Domains) == 0 {
			c.User.Domains = []string{strings.ToLower(email[at+1:])}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%d problem(s): %s", len(problems), strings.Join(problems, "; "))
	}
	return c, nil
}

// loopbackHost reports whether host is localhost or a loopback IP.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readReason applies the error rules to a page.
func (c *compiledSpec) readReason(body []byte) string {
	if c.errorRE != nil {
		if m := c.errorRE.FindSubmatch(body); m != nil && len(m[1]) > 0 {
			return string(m[1])
		}
	}
	for _, r := range c.errorMap {
		if r.re.Match(body) {
			return r.reason
		}
	}
	return ""
}
