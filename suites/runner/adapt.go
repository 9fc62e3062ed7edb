package runner

import (
	"fmt"
	"strings"
	"time"

	"github.com/samlharness/samlharness/mockidp/fault"
	"github.com/samlharness/samlharness/suites/scenario"
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

// encryptedAccepted are the encryption scenarios a foreign SP holding the
// encryption key must accept.
var encryptedAccepted = map[string]bool{
	"encrypted-assertion-okta-default": true,
	"encrypted-assertion-aes128-cbc":   true,
	"encrypted-assertion-aes256-gcm":   true,
}

// reasonSSONotConfigured is the built-in SP's sign-in page refusal.
const reasonSSONotConfigured = "SSO_NOT_CONFIGURED"

// needsSPConfig reports whether the scenario changes what the SP trusts or
// allows.
func needsSPConfig(sc scenario.Scenario) bool {
	return sc.SP.Changed() || sc.IdP.SigningCertificate != ""
}

// skipReason returns why a foreign target cannot run sc, or "".
func (x *External) skipReason(sc scenario.Scenario, exp scenario.Expect) string {
	if needsSPConfig(sc) && x.spec.SPConfig == nil {
		what := "a change of the SP's own configuration"
		if !sc.SP.Changed() {
			what = "the SP to trust another IdP signing certificate"
		}
		return fmt.Sprintf("%s: needs %s, and the target file names no spConfig to make it", scenario.LabelNeedsSPConfig, what)
	}
	if exp.Reason == reasonSSONotConfigured && !strings.Contains(x.spec.SignIn.URL, "{email}") {
		return "the scenario types an email at the SP's sign-in, and the target's signIn.url takes none ({email})"
	}
	if !x.opts.FrozenClock {
		for _, f := range sc.IdP.Faults {
			if f.Name != "shift-time" {
				continue
			}
			if d, err := time.ParseDuration(f.Params["offset"]); err == nil && d > -time.Second && d < time.Second && f.Params["attr"] != "all" {
				return fmt.Sprintf("a %s time edge needs the SP's clock frozen with the harness's (run with --at and an SP on the same clock)", f.Params["offset"])
			}
		}
	}
	return ""
}

// adaptExpect turns the catalogue's expectation into this target's.
func (x *External) adaptExpect(sc scenario.Scenario, exp scenario.Expect) scenario.Expect {
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

// renamer maps the demo world's identities to the target's.
func renamer(email, domain, otherDomain string) *strings.Replacer {
	return strings.NewReplacer(
		"ALICE@ACME.TEST", strings.ToUpper(email),
		"alice@acme.test", email,
		"@"+DemoAllowedSSO, "@"+domain,
		DemoVerifiedLabs, otherDomain,
	)
}

// adaptFaults renames identities in fault parameters and fills
// placeholders.
func (x *External) adaptFaults(faults []fault.Fault, vars map[string]string) []fault.Fault {
	out := make([]fault.Fault, len(faults))
	for i, f := range faults {
		out[i] = fault.Fault{Name: f.Name, Params: map[string]string{}}
		for k, v := range f.Params {
			out[i].Params[k] = expand(x.rename.Replace(v), vars)
		}
	}
	return out
}

// adaptSettings renames identities in string settings.
func (x *External) adaptSettings(s map[string]any) map[string]any {
	if len(s) == 0 {
		return nil
	}
	out := make(map[string]any, len(s))
	for k, v := range s {
		if str, ok := v.(string); ok {
			v = x.rename.Replace(str)
		}
		out[k] = v
	}
	return out
}
