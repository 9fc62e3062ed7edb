package external

import (
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/sp"
	"github.com/samlharness/samlharness/suites/demo"
	"github.com/samlharness/samlharness/suites/scenario"
	"github.com/samlharness/samlharness/suites/target"
)

// How a catalogue scenario, written for the built-in workspace SP, is
// carried over to an SP the harness did not write (README "Judging a
// foreign SP" lists the same rules):
//
//   - The expectations of the target's profile (strict unless the target
//     file says otherwise) judge it; exact Identity Platform messages are
//     dropped, reasons are compared only when the target's error rules
//     produce one.
//   - The demo world's facts are renamed to the target's: alice@acme.test
//     becomes the target's user, acme.test its email domain.
//   - A change of the SP's own configuration (SP side, or an IdP signing
//     certificate the SP would have to trust) needs the target's spConfig;
//     without it the scenario is skipped.
//   - IdP-initiated deliveries expect a session when the target accepts
//     IdP-initiated logins.
//   - With an encryption certificate, assertions encrypted to it with a
//     sound algorithm must be accepted; RSA1_5 key transport and a CBC
//     assertion in an unsigned Response are still refused.
//   - A refusal at the SP's sign-in page for the typed email needs {email}
//     in the sign-in URL; without it the scenario is skipped.
//   - Time edges of a millisecond need the SP's clock frozen with the
//     harness's; on the wall clock they are skipped.
//   - A second workspace of the SP (the cross-tenant scenarios) cannot be
//     described by a target file; those scenarios are skipped.

// encryptedAccepted are the encryption scenarios a foreign SP holding the
// encryption key must accept.
var encryptedAccepted = map[string]bool{
	"encrypted-assertion-okta-default": true,
	"encrypted-assertion-aes128-cbc":   true,
	"encrypted-assertion-aes256-gcm":   true,
}

// skipReason returns why a foreign target cannot run sc, or "".
func (x *Target) skipReason(sc scenario.Scenario, exp scenario.Expect) string {
	if sc.SP.SecondWorkspace != "" {
		if x.opts.InGo {
			return fmt.Sprintf("needs a second workspace (tenant) of the SP under the same SP entity ID (SP.SecondWorkspace %s); a TargetSpec describes one SP configuration", sc.SP.SecondWorkspace)
		}
		return fmt.Sprintf("needs a second workspace (tenant) of the SP under the same SP entity ID (SP.SecondWorkspace %s); a target file describes one SP configuration and cannot add one", sc.SP.SecondWorkspace)
	}
	if target.NeedsSPConfig(sc) && x.spec.SPConfig == nil {
		what := "a change of the SP's own configuration"
		if !sc.SP.Changed() {
			what = "the SP to trust another IdP signing certificate"
		}
		if x.opts.InGo {
			return fmt.Sprintf("%s: needs %s; set TargetSpec.SPConfig to a hook that makes it", scenario.LabelNeedsSPConfig, what)
		}
		return fmt.Sprintf("%s: needs %s, and the target file names no spConfig to make it", scenario.LabelNeedsSPConfig, what)
	}
	if exp.Reason == reasonSSONotConfigured && !strings.Contains(x.spec.SignIn.URL, "{email}") {
		if x.opts.InGo {
			return "the scenario types an email at the SP's sign-in, and TargetSpec.SignIn.URL takes none ({email})"
		}
		return "the scenario types an email at the SP's sign-in, and the target's signIn.url takes none ({email})"
	}
	if !x.opts.FrozenClock {
		for _, f := range sc.IdP.Faults {
			if f.Name != "shift-time" {
				continue
			}
			if d, err := time.ParseDuration(f.Params["offset"]); err == nil && d > -time.Second && d < time.Second && f.Params["attr"] != "all" {
				if x.opts.InGo {
					return fmt.Sprintf("a %s time edge needs the SP on the harness clock: pass a fixed time to ginkgospec.InProcess and give the SP the same clock", f.Params["offset"])
				}
				return fmt.Sprintf("a %s time edge needs the SP's clock frozen with the harness's (run with --at and an SP on the same clock)", f.Params["offset"])
			}
		}
	}
	return ""
}

// adaptExpect turns the catalogue's expectation into this target's.
func (x *Target) adaptExpect(sc scenario.Scenario, exp scenario.Expect) scenario.Expect {
	exp.Message = ""
	exp.Identity = x.rename.Replace(exp.Identity)
	switch sc.Delivery {
	case scenario.DeliverIdPInitiated, scenario.DeliverUnsolicitedIntoPending:
		if x.spec.IdPInitiated {
			return scenario.Expect{Outcome: scenario.Accept, Identity: exp.Identity}
		}
	}
	if sc.Category == scenario.CatEncryption && x.spec.SP.EncryptionCertificate != "" && encryptedAccepted[sc.ID] {
		return scenario.Expect{Outcome: scenario.Accept, Identity: exp.Identity}
	}
	return exp
}

// reasonSSONotConfigured is the built-in SP's sign-in page refusal.
const reasonSSONotConfigured = string(sp.ReasonSSONotConfigured)

// renamer maps the demo world's identities to the target's.
func renamer(email, domain, otherDomain string) *strings.Replacer {
	pairs := []string{
		"ALICE@ACME.TEST", strings.ToUpper(email),
		"alice@acme.test", email,
	}
	// A fault that splits the email inside its domain ("after:alice@acme")
	// splits the target's at the same place: before its last label.
	if at, dot := strings.LastIndexByte(email, '@'), strings.LastIndexByte(email, '.'); dot > at && at > 0 {
		pairs = append(pairs, "alice@acme", email[:dot])
	}
	return strings.NewReplacer(append(pairs,
		"@"+demo.AllowedSSO, "@"+domain,
		demo.VerifiedLabs, otherDomain,
	)...)
}
