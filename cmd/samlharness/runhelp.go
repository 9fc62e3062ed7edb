package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

// runHelp is what `run --help` says about targets besides the flags: how a
// target's profile meets --profile, the target file's allow and
// sp.metadataUrl, and the reason codes errors rules map to (taken from the
// catalogue, so the list stays true).
func runHelp() string {
	var sp, idp []string
	seen := map[string]bool{}
	for _, s := range catalogue() {
		for _, e := range s.Expect {
			if e.Reason == "" || seen[e.Reason] {
				continue
			}
			seen[e.Reason] = true
			if r, ok := runner.DriverReason(e.Reason); ok && r.AtIdP {
				idp = append(idp, e.Reason)
			} else {
				sp = append(sp, e.Reason)
			}
		}
	}
	sort.Strings(sp)
	sort.Strings(idp)
	var b strings.Builder
	b.WriteString(`targets:
  builtin        the workspace SP in this process, judged under --profile (default all: ` + joinProfiles() + `)
  peer:NAME      a peer SP on a SAML library, started on loopback, judged under its target's profile
  FILE           a target file (JSON, or YAML for .yaml/.yml) describing your SP on loopback; run
                 'samlharness idp metadata' first and configure the SP from it (same --idp-dir)

profiles: a target file's "profile" (default strict: the expectations of a correct SP) judges it
  unless --profile is given: --profile P judges every target under P, --profile all under each.

target file fields, besides sp, signIn, session, signOut, errors, user, idpInitiated, spConfig:
  sp.metadataUrl   the SP's metadata URL (loopback), read at each run: its entityID, HTTP-POST ACS and
                   encryption certificate replace sp.entityId, sp.acsUrl, sp.encryptionCertificate
                   (given as well, they must agree: a stale certificate is an error naming both)
  allow            [{scenario: ID, reason: TEXT}]: failures the SP makes on purpose, reported as
                   skipped "allowed: TEXT"; an allowed scenario that passes fails (stale allowance)

reason codes errors rules map an SP's refusal page to (errors.pattern's capture group, or
errors.map[].reason); a refusal without one is judged by "no session" alone:
`)
	b.WriteString(wrap(sp, "  ", 100))
	fmt.Fprintf(&b, "observed at the mock IdP, whatever the SP says (no rule needed):\n%s", wrap(idp, "  ", 100))
	return b.String()
}

func joinProfiles() string {
	var ps []string
	for _, p := range scenario.Profiles {
		ps = append(ps, string(p))
	}
	return strings.Join(ps, " and ")
}

// wrap lists words on lines of at most width bytes.
func wrap(words []string, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, w := range words {
		if len(line)+len(w)+1 > width && line != indent {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += w + " "
	}
	if line != indent {
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}
