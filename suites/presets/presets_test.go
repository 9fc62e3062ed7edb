package presets

import (
	"crypto/rsa"
	"errors"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samlharness/samlharness/sp"
)

// page renders a text as a peer's refusal page does: HTML-escaped.
func page(text string) string {
	return `<!doctype html><html><body><h1>Sign-in failed</h1><p id="error">` + html.EscapeString(text) + `</p></body></html>`
}

func all(t *testing.T) []Preset {
	t.Helper()
	var out []Preset
	for _, n := range Names() {
		p, ok := Get(n)
		if !ok {
			t.Fatalf("Get(%q) failed", n)
		}
		out = append(out, p)
	}
	if len(out) != 2 {
		t.Fatalf("presets %v, want crewjam and gosaml2", Names())
	}
	return out
}

// TestRulesReadTheirExamples: every rule reads its own example, as plain
// text and as a page shows it, and no earlier rule shadows it.
func TestRulesReadTheirExamples(t *testing.T) {
	for _, p := range all(t) {
		for i, r := range p.Rules {
			if _, err := regexp.Compile(r.Match); err != nil {
				t.Errorf("%s rule %d: %v", p.Name, i, err)
				continue
			}
			if _, ok := sp.LookupReason(r.Reason); !ok {
				t.Errorf("%s rule %q: reason %q is not one of the SP's", p.Name, r.Match, r.Reason)
			}
			if r.Example == "" || r.Source == "" {
				t.Errorf("%s rule %q: needs an example and a source", p.Name, r.Match)
			}
			for _, text := range []string{r.Example, page(r.Example)} {
				got, ok := p.Read(text)
				if !ok || got != r.Reason {
					t.Errorf("%s: %q read as %q (%v), want %s from rule %q", p.Name, text, got, ok, r.Reason, r.Match)
				}
			}
		}
	}
}

// TestUnreadTextsStayUnknown: a text that could mean several reasons reads
// as none.
func TestUnreadTextsStayUnknown(t *testing.T) {
	for _, p := range all(t) {
		if len(p.Unread) == 0 {
			t.Errorf("%s lists no unread texts", p.Name)
		}
		for _, u := range p.Unread {
			if u.Why == "" || u.Source == "" {
				t.Errorf("%s unread %q: needs a reason and a source", p.Name, u.Match)
			}
			if !regexp.MustCompile(u.Match).MatchString(u.Example) {
				t.Errorf("%s unread %q does not match its example %q", p.Name, u.Match, u.Example)
			}
			for _, c := range u.Candidates {
				if _, ok := sp.LookupReason(c); !ok {
					t.Errorf("%s unread %q: candidate %q is not one of the SP's", p.Name, u.Match, c)
				}
			}
			for _, text := range []string{u.Example, page(u.Example)} {
				if got, ok := p.Read(text); ok {
					t.Errorf("%s: ambiguous %q read as %s", p.Name, u.Example, got)
				}
			}
		}
	}
}

func TestLookup(t *testing.T) {
	rules, ok := Lookup(NameCrewjam)
	if !ok || len(rules) == 0 {
		t.Fatal("no crewjam preset")
	}
	rules[0].Reason = "CHANGED"
	if again, _ := Lookup(NameCrewjam); again[0].Reason == "CHANGED" {
		t.Error("Lookup shares the preset's rules with its caller")
	}
	if _, ok := Lookup("onelogin"); ok {
		t.Error("Lookup of an unknown preset succeeded")
	}
	if _, ok := Get("onelogin"); ok {
		t.Error("Get of an unknown preset succeeded")
	}
}

// TestGosaml2TypedErrors reads texts the gosaml2 and goxmldsig error values
// themselves render.
func TestGosaml2TypedErrors(t *testing.T) {
	p, _ := Get(NameGosaml2)
	verify := func(err error) error { return saml2.ErrVerification{Cause: err} }
	cases := []struct {
		err  error
		want sp.Reason // "" for unread
	}{
		{verify(dsig.ErrMissingSignature), sp.ReasonSignatureMissing},
		{verify(dsig.ErrInvalidSignature), sp.ReasonSignatureShape},
		{verify(rsa.ErrVerification), sp.ReasonSignatureInvalid},
		{verify(errors.New("Signature could not be verified")), sp.ReasonSignatureInvalid},
		{verify(saml2.ErrInvalidValue{Key: saml2.DestinationAttr, Expected: "http://sp/acs", Actual: "http://other/acs"}), sp.ReasonDestinationMismatch},
		{verify(saml2.ErrInvalidValue{Key: saml2.RecipientAttr, Expected: "http://sp/acs", Actual: ""}), sp.ReasonRecipientMismatch},
		{verify(saml2.ErrInvalidValue{Key: saml2.StatusCodeTag, Expected: saml2.StatusCodeSuccess, Actual: "urn:oasis:names:tc:SAML:2.0:status:Requester"}), sp.ReasonStatusNotSuccess},
		{verify(saml2.ErrInvalidValue{Reason: saml2.ReasonUnsupported, Key: "SAML version", Expected: "2.0", Actual: "1.1"}), sp.ReasonVersionInvalid},
		{verify(saml2.ErrInvalidValue{Reason: saml2.ReasonExpired, Key: saml2.NotOnOrAfterAttr, Expected: "t1", Actual: "t0"}), sp.ReasonExpired},
		{verify(saml2.ErrInvalidValue{Reason: saml2.ReasonUnsupported, Key: saml2.SubjectConfirmationTag, Expected: saml2.SubjMethodBearer, Actual: "hok"}), sp.ReasonSubjectConfirmation},
		{verify(saml2.ErrMissingElement{Tag: saml2.SubjectTag}), sp.ReasonNameIDMissing},
		{saml2.ErrMissingElement{Tag: saml2.NameIdTag}, sp.ReasonNameIDMissing},
		{verify(saml2.ErrMissingElement{Tag: saml2.SubjectConfirmationTag}), sp.ReasonSubjectConfirmation},
		{verify(saml2.ErrMissingElement{Tag: saml2.SubjectConfirmationDataTag}), sp.ReasonSubjectConfirmation},
		{verify(saml2.ErrMissingElement{Tag: saml2.SubjectConfirmationDataTag, Attribute: saml2.NotOnOrAfterAttr}), sp.ReasonSubjectConfirmation},
		{saml2.ErrMissingAssertion, sp.ReasonAssertionMissing},
		{saml2.ErrParsing{Tag: saml2.NotBeforeAttr, Value: "not-a-time", Type: "time.RFC3339"}, sp.ReasonResponseMalformed},
		// Ambiguous: read as nothing.
		{verify(saml2.ErrInvalidValue{Key: saml2.IssuerTag, Expected: "a", Actual: "b"}), ""},
		{verify(saml2.ErrMissingElement{Tag: saml2.IssuerTag}), ""},
		{saml2.ErrMissingElement{Tag: saml2.ConditionsTag}, ""},
		{saml2.ErrMissingElement{Tag: saml2.ConditionsTag, Attribute: saml2.NotOnOrAfterAttr}, ""},
	}
	for _, c := range cases {
		got, ok := p.Read(page(c.err.Error()))
		if c.want == "" {
			if ok {
				t.Errorf("%q read as %s, want unread", c.err, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%q read as %q, want %s", c.err, got, c.want)
		}
	}
}

// TestCrewjamParsedErrors runs crewjam's own ParseXMLResponse on small
// inputs and reads the PrivateErr texts it returns.
func TestCrewjamParsedErrors(t *testing.T) {
	p, _ := Get(NameCrewjam)
	acs, _ := url.Parse("http://127.0.0.1:7790/saml/acs")
	now := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	s := saml.ServiceProvider{
		EntityID:    "http://127.0.0.1:7790/saml/metadata",
		AcsURL:      *acs,
		IDPMetadata: &saml.EntityDescriptor{EntityID: "http://idp.example"},
		Clock:       dsig.NewFakeClockAt(now),
	}
	response := func(extra string) string {
		return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" Version="2.0" IssueInstant="2026-01-15T09:30:00Z"` + extra +
			`><saml:Issuer>http://idp.example</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`
	}
	cases := []struct {
		in   string
		ids  []string
		want sp.Reason
	}{
		{"", nil, sp.ReasonResponseMalformed},
		{strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), nil, sp.ReasonXMLLimit},
		{`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>`, nil, sp.ReasonXMLForbidden},
		{`<r><a></r>`, nil, sp.ReasonResponseMalformed},
		{`<r/>`, nil, sp.ReasonStructure},
		{response(""), nil, sp.ReasonMissingInitialState},
		{response(` InResponseTo="id-1"`), []string{"id-1"}, sp.ReasonAssertionMissing},
		{response(` InResponseTo="id-1" Destination="https://other.example/acs"`), []string{"id-1"}, sp.ReasonDestinationMismatch},
		{strings.Replace(response(` InResponseTo="id-1"`), `Version="2.0"`, `Version="1.1"`, 1), []string{"id-1"}, sp.ReasonVersionInvalid},
		{strings.Replace(response(` InResponseTo="id-1"`), "http://idp.example<", "http://other.example<", 1), []string{"id-1"}, sp.ReasonResponseIssuer},
		{strings.Replace(response(` InResponseTo="id-1"`), "status:Success", "status:Responder", 1), []string{"id-1"}, sp.ReasonStatusNotSuccess},
		{strings.Replace(response(` InResponseTo="id-1"`), "2026-01-15T09:30:00Z", "2026-01-15T09:20:00Z", 1), []string{"id-1"}, sp.ReasonExpired},
		{strings.Replace(response(` InResponseTo="id-1"`), "2026-01-15T09:30:00Z", "2026-01-15T09:40:00Z", 1), []string{"id-1"}, sp.ReasonNotYetValid},
		{strings.Replace(response(` InResponseTo="id-1"`), "2026-01-15T09:30:00Z", "not-a-time", 1), []string{"id-1"}, sp.ReasonResponseMalformed},
		// Ambiguous: InResponseTo missing or foreign, the same text.
		{response(` InResponseTo="id-2"`), []string{"id-1"}, ""},
		{response(""), []string{"id-1"}, ""},
	}
	for _, c := range cases {
		_, err := s.ParseXMLResponse([]byte(c.in), c.ids, *acs)
		var ire *saml.InvalidResponseError
		if !errors.As(err, &ire) || ire.PrivateErr == nil {
			t.Errorf("%.60q: error %v, want an InvalidResponseError", c.in, err)
			continue
		}
		text := ire.PrivateErr.Error()
		got, ok := p.Read(page(text))
		if c.want == "" {
			if ok {
				t.Errorf("%q read as %s, want unread", text, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%.60q: %q read as %q, want %s", c.in, text, got, c.want)
		}
	}
	if got, _ := p.Read(page(saml.ErrBadStatus{Status: saml.StatusRequester}.Error())); got != sp.ReasonStatusNotSuccess {
		t.Errorf("ErrBadStatus read as %q", got)
	}
	if got, _ := p.Read(page(`assertion "a1": ` + saml.ErrAssertionReplayed.Error())); got != sp.ReasonReplay {
		t.Errorf("ErrAssertionReplayed read as %q", got)
	}
}
