// Package fault is the mock IdP's library of deliberate breakage. A fault is
// data — a registered name plus string parameters — so a scenario catalogue,
// a JSON admin API and a customer case file can all name one. Each registered
// fault applies at one stage of the IdP's fixed pipeline:
//
//		settings → build → pre-sign → sign → post-sign → bind
//
//	  - pre-sign faults edit the unsigned Response document; the IdP then signs
//	    what they produced, so the signature is valid over bad content.
//	  - sign faults change how the IdP signs (which elements, key, algorithms,
//	    canonicalization, placement) by editing the SignPlan, and how it
//	    encrypts the Assertion by editing the EncryptPlan.
//	  - post-sign faults edit the signed document: wrapping (XSW), tampering,
//	    comment injection, dangerous XML. Some re-sign parts through Signer.
//	    What the element tree cannot express (entity references, malformed
//	    names, huge payloads) they queue as RawEdits, which run on the
//	    serialized bytes when the bind stage starts (see Apply).
//	  - bind faults change the encoded form the browser posts (base64 shape,
//	    duplicate parameters, Redirect binding, deflate).
//
// How a response is delivered (replayed, unsolicited, posted to another
// ACS, held back) is not a fault: the scenario says it (Scenario.Delivery in
// the catalogue) and the driver carries it out. A fault name that is not
// registered is an error everywhere: Validate, Apply and the IdP's admin API
// refuse it.
package fault

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
)

// Stage is a step of the IdP's response pipeline.
type Stage string

// The pipeline stages, in order.
const (
	StagePreSign  Stage = "pre-sign"
	StageSign     Stage = "sign"
	StagePostSign Stage = "post-sign"
	StageBind     Stage = "bind"
)

// Stages returns the pipeline stages in order.
func Stages() []Stage {
	return []Stage{StagePreSign, StageSign, StagePostSign, StageBind}
}

// Valid reports whether s is one of the pipeline stages.
func (s Stage) Valid() bool {
	for _, v := range Stages() {
		if s == v {
			return true
		}
	}
	return false
}

// Fault names a registered fault and its parameters.
type Fault struct {
	Name   string            `json:"name"`
	Params map[string]string `json:"params,omitempty"`
}

// Param returns the named parameter or def when it is absent.
func (f Fault) Param(name, def string) string {
	if v, ok := f.Params[name]; ok {
		return v
	}
	return def
}

// String renders the fault as name(k=v,...) with sorted keys.
func (f Fault) String() string {
	if len(f.Params) == 0 {
		return f.Name
	}
	keys := make([]string, 0, len(f.Params))
	for k := range f.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + f.Params[k]
	}
	return f.Name + "(" + strings.Join(parts, ",") + ")"
}

// ParamSpec documents one parameter of a fault. Apply fills in a non-empty
// Default when the parameter is absent; an empty Default means the fault
// computes its own (its Summary says how).
type ParamSpec struct {
	Name     string `json:"name"`
	Default  string `json:"default,omitempty"`
	Required bool   `json:"required,omitempty"`
	Summary  string `json:"summary"`
	// Values, when set, is the closed list of accepted values.
	Values []string `json:"values,omitempty"`
}

// Spec describes a registered fault.
type Spec struct {
	Name    string                          `json:"name"`
	Stage   Stage                           `json:"stage"`
	Resigns bool                            `json:"resigns"` // true: the signature stays valid over the changed content
	Summary string                          `json:"summary"`
	Params  []ParamSpec                     `json:"params,omitempty"`
	Apply   func(c *Context, f Fault) error `json:"-"`
}

// SignPlan says how the IdP signs the response. The IdP fills it from the app
// integration's SAML settings; sign-stage faults edit it.
type SignPlan struct {
	SignResponse  bool
	SignAssertion bool
	// Key selects the signing key: "" or "active" is the app's active Okta
	// certificate; "attacker" is a key the SP does not trust (its own
	// self-signed certificate goes in KeyInfo); "attacker-with-idp-cert"
	// signs with the attacker key but puts the IdP's certificate in KeyInfo.
	Key             string
	SignatureMethod string // wire.AlgRSASHA256 by default
	DigestMethod    string // wire.AlgDigestSHA256 by default
	// Canonicalization is the exclusive C14N algorithm URI
	// (wire.AlgExcC14N, or wire.AlgExcC14NComments).
	Canonicalization string
	// OmitKeyInfo leaves KeyInfo out of the signature.
	OmitKeyInfo bool
	// Placement: "after-issuer" (Okta, schema position, the default) or
	// "last-child".
	Placement string
	// SignAssertionBeforeEncrypt is implied: with encryption on, the
	// assertion is signed first, then encrypted.
}

// Keys a SignPlan may name besides "" / "active", "attacker" and
// "attacker-with-idp-cert". A Signer returns an error for a key it does not
// hold.
const (
	// KeyRotated is the IdP's other (inactive or newly generated) signing
	// key (the mock IdP's Config.RotatedKey), with its own certificate in KeyInfo.
	KeyRotated = "idp-rotated"
	// KeyWeak1024 is an RSA-1024 key (the mock IdP's Config.WeakKey) with its own
	// self-signed certificate in KeyInfo.
	KeyWeak1024 = "weak-1024"
)

// EncryptPlan says how the IdP encrypts the Assertion (Okta "Assertion
// Encryption"). The IdP fills it from the app's settings before the sign
// stage and honours it when it encrypts (after signing the Assertion, before
// signing the Response); sign-stage encryption faults edit it. The IdP uses
// crewjam/saml/xmlenc for the encryption itself.
type EncryptPlan struct {
	// Enabled turns assertion encryption on.
	Enabled bool
	// Key selects the recipient certificate: "" is the SP encryption
	// certificate configured in the app; "wrong" is a certificate whose key
	// the SP does not hold (the mock IdP's Config.SpareKey).
	Key string
	// KeyTransport is the EncryptedKey algorithm (wire.AlgRSAOAEPMGF1P by
	// default, wire.AlgRSA15 on request).
	KeyTransport string
	// DataEncryption is the EncryptedData algorithm (wire.AlgAES256CBC by
	// default; wire.AlgAES128CBC, wire.AlgAES256GCM, or
	// "http://www.w3.org/2001/04/xmlenc#tripledes-cbc").
	DataEncryption string
}

// RawEdit edits the serialized Response: what the element tree cannot
// express (DOCTYPE entity references, malformed names, parser bombs).
type RawEdit func(raw []byte) ([]byte, error)

// Signer signs on behalf of the IdP. The mock IdP implements it with
// goxmldsig; faults never sign on their own.
type Signer interface {
	// SignElement signs el (a Response or Assertion, identified by its ID
	// attribute) in place with an enveloped signature following plan, putting
	// ds:Signature where plan.Placement says and replacing any signature that
	// is already its direct child.
	SignElement(el *etree.Element, plan SignPlan) error
	// ResignSignedInfo recomputes the SignatureValue of sig (a ds:Signature
	// element) over its current SignedInfo, with plan's key and
	// SignatureMethod, leaving References and digests as they are. Used by
	// faults that edit SignedInfo (extra References, odd URIs) and still want
	// a signature that verifies over SignedInfo.
	ResignSignedInfo(sig *etree.Element, plan SignPlan) error
	// Certificate is the certificate of the key the plan would use.
	Certificate(plan SignPlan) *x509.Certificate
}

// Context is what a fault sees and may change.
type Context struct {
	// Doc is the Response document: unsigned at pre-sign, signed at
	// post-sign. Sign-stage faults must not touch it.
	Doc *etree.Document
	// Plan is the signing plan; sign-stage faults edit it.
	Plan *SignPlan
	// Signer signs for the IdP (see Signer).
	Signer Signer
	// Now is the IdP's clock reading for this response (IssueInstant).
	Now time.Time
	// Form is what the browser will POST (SAMLResponse, RelayState) at the
	// bind stage; bind faults may rewrite it. Raw is the serialized XML that
	// was base64-encoded into Form; bind faults that re-encode use it.
	Form url.Values
	Raw  []byte
	// Binding is wire.BindingHTTPPost unless a bind fault switches the
	// response to HTTP-Redirect (then RedirectURL holds the full URL).
	Binding     string
	RedirectURL string
	// ACS is where the response is delivered.
	ACS string

	// Encryption is the IdP's assertion-encryption plan; sign-stage
	// encryption faults edit it. Nil when the IdP does not support
	// encryption faults (they then fail with a clear error).
	Encryption *EncryptPlan

	// RawEdits are edits of the serialized document queued by post-sign
	// faults, in order. They run on Raw when the bind stage starts:
	// Apply(StageBind, ...) first calls ApplyRawEdits, which rewrites Raw and
	// re-encodes Form's SAMLResponse (standard base64), so an IdP that
	// serializes Doc into Raw and Form before the bind stage needs nothing
	// more. Until then Doc may carry placeholder tokens
	// ("samlharness-raw-N") that the edits replace.
	RawEdits []RawEdit

	// rawSeq numbers placeholders; removedAssertions keeps what the
	// pre-sign remove-assertion fault took out, for post-sign faults that put
	// a forged copy back.
	rawSeq            int
	removedAssertions []*etree.Element
}

// ApplyRawEdits runs the queued RawEdits on Raw, in order, and empties the
// queue. When Form is set, its SAMLResponse is re-encoded from the new Raw.
func (c *Context) ApplyRawEdits() error {
	if len(c.RawEdits) == 0 {
		return nil
	}
	if c.Raw == nil {
		return fmt.Errorf("raw edits are queued but the serialized response (Context.Raw) is empty")
	}
	raw := c.Raw
	for i, edit := range c.RawEdits {
		out, err := edit(raw)
		if err != nil {
			return fmt.Errorf("raw edit %d: %w", i+1, err)
		}
		raw = out
	}
	c.Raw = raw
	c.RawEdits = nil
	if c.Form != nil {
		c.Form.Set("SAMLResponse", base64.StdEncoding.EncodeToString(raw))
	}
	return nil
}

var (
	mu       sync.RWMutex
	registry = map[string]Spec{}
)

// Register adds a fault to the registry. It panics on a duplicate or
// malformed registration: that is a programming error found at init.
func Register(s Spec) {
	mu.Lock()
	defer mu.Unlock()
	if s.Name == "" || s.Apply == nil || s.Stage == "" {
		panic("fault: incomplete registration " + s.Name)
	}
	if _, dup := registry[s.Name]; dup {
		panic("fault: duplicate registration " + s.Name)
	}
	registry[s.Name] = s
}

// Lookup returns the registered fault named name.
func Lookup(name string) (Spec, bool) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := registry[name]
	return s, ok
}

// All returns every registered fault, sorted by name.
func All() []Spec {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Spec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Validate checks that every fault is registered, carries its required
// parameters, names no parameter its Spec does not document and uses only
// the listed values of closed parameters; it reports every problem at once.
func Validate(faults []Fault) error {
	var problems []string
	for _, f := range faults {
		s, ok := Lookup(f.Name)
		if !ok {
			problems = append(problems, fmt.Sprintf("unknown fault %q", short(f.Name)))
			continue
		}
		problems = append(problems, s.check(f)...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid faults: %s", strings.Join(problems, "; "))
	}
	return nil
}

// check lists what is wrong with f's parameters against s.
func (s Spec) check(f Fault) []string {
	var problems []string
	known := map[string]ParamSpec{}
	for _, p := range s.Params {
		known[p.Name] = p
		v, have := f.Params[p.Name]
		if p.Required && !have {
			problems = append(problems, fmt.Sprintf("fault %q needs parameter %q (%s)", f.Name, p.Name, p.Summary))
		}
		if have && len(p.Values) > 0 && !contains(p.Values, v) {
			problems = append(problems, fmt.Sprintf("fault %q parameter %q is %q, want one of %s", f.Name, p.Name, v, strings.Join(p.Values, "|")))
		}
	}
	names := make([]string, 0, len(f.Params))
	for name := range f.Params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := known[name]; !ok {
			problems = append(problems, fmt.Sprintf("fault %q has no parameter %q", f.Name, name))
		}
	}
	return problems
}

// withDefaults returns f with the non-empty Spec defaults of absent
// parameters filled in.
func (s Spec) withDefaults(f Fault) Fault {
	out := Fault{Name: f.Name, Params: make(map[string]string, len(s.Params))}
	for _, p := range s.Params {
		if p.Default != "" {
			out.Params[p.Name] = p.Default
		}
	}
	for k, v := range f.Params {
		out.Params[k] = v
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Apply runs, in order, the faults of the given stage, after checking each
// one's parameters and filling in documented defaults. At the bind stage it
// first runs the RawEdits queued by post-sign faults (see
// Context.ApplyRawEdits).
func Apply(stage Stage, c *Context, faults []Fault) error {
	if stage == StageBind && c != nil {
		if err := c.ApplyRawEdits(); err != nil {
			return err
		}
	}
	for _, f := range faults {
		s, ok := Lookup(f.Name)
		if !ok {
			return fmt.Errorf("unknown fault %q", f.Name)
		}
		if s.Stage != stage {
			continue
		}
		if problems := s.check(f); len(problems) > 0 {
			return fmt.Errorf("fault %s: %s", f, strings.Join(problems, "; "))
		}
		if err := s.Apply(c, s.withDefaults(f)); err != nil {
			return fmt.Errorf("fault %s: %w", f, err)
		}
	}
	return nil
}

// OfStage returns the faults in list that apply at stage.
func OfStage(stage Stage, faults []Fault) []Fault {
	var out []Fault
	for _, f := range faults {
		if s, ok := Lookup(f.Name); ok && s.Stage == stage {
			out = append(out, f)
		}
	}
	return out
}

// registerAll registers the faults the given functions describe: each
// fault is one small named function returning its Spec.
func registerAll(specs ...func() Spec) {
	for _, spec := range specs {
		Register(spec())
	}
}

// short returns at most 80 bytes of a received name for an error message,
// so a huge name is not repeated back.
func short(s string) string {
	if len(s) <= 80 {
		return s
	}
	return strings.ToValidUTF8(s[:80], "") + "…"
}
