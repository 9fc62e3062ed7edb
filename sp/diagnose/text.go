package diagnose

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/samlharness/samlharness/internal/pastedcert"
)

// WriteJSON writes the report as indented JSON (the --json structure).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText renders the report for people: the SP's result first, then the
// findings, most likely cause first.
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }

	ev := r.Evidence
	what := "SAMLResponse"
	if ev.File != "" {
		what += " from " + ev.File
	}
	if ev.Source == "har" && ev.Login != nil {
		what = fmt.Sprintf("HAR %s, sign-in %d of %d (entry %d: POST %s at %s)", ev.File, ev.Login.Number, ev.Login.Of, ev.Login.Entry, ev.Login.URL, ev.Login.StartedDateTime)
	} else if ev.Encoding != "" {
		what += " (" + ev.Encoding + ")"
	}
	atFrom := map[string]string{"--at": "--at", "har": "the HAR's timestamp", "now": "now: pass --at to judge at the time of the failure"}[r.JudgedAtSource]
	p("samlharness diagnose — the SP's view of one sign-in")
	p("  Evidence    %s", what)
	p("  Judged at   %s (%s), profile %s", r.JudgedAt, atFrom, r.Profile)
	p("  Workspace   Service Provider Entity Id %s · Redirect URL %s", r.Workspace.ServiceProviderEntityID, r.Workspace.RedirectURL)
	p("              Identity Provider Entity Id %s · %d certificate(s) · domains %s", r.Workspace.IdentityProviderEntityID, len(r.Certificates), strings.Join(r.Workspace.Domains, ", "))
	for _, n := range ev.Notes {
		p("  Note        %s", n)
	}
	p("")

	res := r.Result
	p("RESULT")
	if res.Outcome == "accept" {
		p("  signed in as %s (accounts:signInWithIdp 200, session created)", res.Email)
	} else {
		p("  %s → HTTP %d", stageName(res.Stage), res.HTTPStatus)
		p("  %s", res.Message)
		p("  reason %s: %s", res.Reason, res.Detail)
	}
	for name, other := range r.ByProfile {
		if name != r.Profile && (other.Outcome != res.Outcome || other.Message != res.Message) && res.Stage != "handler" {
			if other.Outcome == "accept" {
				p("  (the %s profile signs the user in)", name)
			} else {
				p("  (the %s profile answers: %s [%s])", name, other.Message, other.Reason)
			}
		}
	}
	if rec := r.Recorded; rec != nil {
		if rec.Matches {
			p("  The HAR recorded the same answer (entry %d).", rec.Entry)
		} else {
			got := rec.Message
			if rec.Outcome == "accept" {
				got = "a successful sign-in"
			}
			p("  The HAR recorded a different answer (entry %d): %s — the settings given may not be the ones the workspace had then.", rec.Entry, got)
		}
	}
	p("")

	if len(r.Findings) == 0 {
		p("FINDINGS  none")
	} else {
		p("FINDINGS (most likely cause first)")
		for _, f := range r.Findings {
			p("  %d. [%s] %s   %s", f.Rank, f.Severity, f.Title, f.Code)
			p("     Field     %s", f.Field)
			if f.Expected != "" {
				p("     Expected  %s", f.Expected)
			}
			if f.Found != "" {
				p("     Found     %s", f.Found)
			}
			if f.Line > 0 {
				p("     Where     certificate %d, line %d, column %d of the pasted text", f.Certificate, f.Line, f.Column)
			}
			p("     Fix       %s", f.Fix)
		}
	}
	p("")
	if len(r.Passed) > 0 {
		p("PASSED")
		for _, s := range r.Passed {
			p("  ✓ %s", s)
		}
		p("")
	}
	if r.Response != nil {
		p("SIGNATURES")
		if len(r.Response.Signatures) == 0 {
			p("  none: neither the Response nor the Assertion is signed")
		}
		for _, s := range r.Response.Signatures {
			by := "no certificate given verifies it"
			if len(s.VerifiedBy) > 0 {
				names := make([]string, len(s.VerifiedBy))
				for i, v := range s.VerifiedBy {
					names[i] = map[string]string{"keyinfo": "the certificate in its KeyInfo", "metadata": "the metadata's certificate"}[v]
					if names[i] == "" {
						names[i] = "workspace " + v
					}
				}
				by = "verified by " + strings.Join(names, ", ")
			}
			if s.ContentChanged {
				by += "; content changed after signing"
			}
			p("  %-9s %s, digest %s, %s — %s", s.Element, algName(s.SignatureMethod), algName(s.DigestMethod), algName(s.Canonicalization), by)
		}
		p("")
	}
	p("CERTIFICATES")
	for _, c := range r.Certificates {
		switch {
		case !c.Parses:
			p("  %d. unparseable (%s)%s", c.Index, c.Problem, shapeSuffix(c.Shape))
		default:
			ci := c.Certificate
			p("  %d. %s — %q, valid %s to %s, SHA-256 %s%s", c.Index, c.Role, ci.Subject, day(ci.NotBefore), day(ci.NotAfter), ci.SHA256, shapeSuffix(c.Shape))
		}
	}
	if r.Response != nil {
		for _, s := range r.Response.Signatures {
			if s.KeyInfo == nil {
				continue
			}
			held := "not in the workspace"
			for _, by := range s.VerifiedBy {
				if strings.HasPrefix(by, "certificate ") {
					held = "= workspace " + by
				}
			}
			p("  %s signature's KeyInfo — %q, valid %s to %s, SHA-256 %s (%s)", s.Element, s.KeyInfo.Subject, day(s.KeyInfo.NotBefore), day(s.KeyInfo.NotAfter), s.KeyInfo.SHA256, held)
			break
		}
	}
	if r.Metadata != nil {
		for _, c := range r.Metadata.Certificates {
			p("  metadata certificate — %q, valid %s to %s, SHA-256 %s", c.Subject, day(c.NotBefore), day(c.NotAfter), c.SHA256)
		}
	}
	if len(ev.Logins) > 1 {
		p("")
		p("SIGN-INS IN THE HAR")
		for _, l := range ev.Logins {
			mark := " "
			if ev.Login != nil && l.Number == ev.Login.Number {
				mark = "→"
			}
			p("  %s %s", mark, l.Summary)
		}
	}
	return b.Flush()
}

func stageName(s string) string {
	switch s {
	case "signInWithIdp":
		return "accounts:signInWithIdp"
	case "session":
		return "the workspace session step (after accounts:signInWithIdp succeeded)"
	case "handler":
		return "the Redirect URL page (no accounts:signInWithIdp call)"
	}
	return s
}

func shapeSuffix(shape pastedcert.Shape) string {
	if shape == "" {
		return ""
	}
	return " · pasted as " + string(shape)
}
