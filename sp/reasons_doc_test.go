package sp

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite REASONS.md and CHECKLIST.md from the reason table and the checklist")

// TestReasonAndChecklistDocs keeps sp/REASONS.md (every reason, its
// message and whether that text is recorded, with the source) and
// sp/CHECKLIST.md (every step, its rule and what the rule rests on) equal
// to the code: `go test ./sp -run TestReasonAndChecklistDocs -update-docs`
// rewrites them.
func TestReasonAndChecklistDocs(t *testing.T) {
	for name, want := range map[string][]byte{"REASONS.md": reasonsDoc(), "CHECKLIST.md": checklistDoc()} {
		if *updateDocs {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("sp/%s is stale: run go test ./sp -run TestReasonAndChecklistDocs -update-docs", name)
		}
	}
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }

func reasonsDoc() []byte {
	var b bytes.Buffer
	b.WriteString("# The SP's reasons and messages\n\nGenerated from `sp.ReasonTable` by `go test ./sp -run TestReasonAndChecklistDocs -update-docs`.\n\n" +
		"`recorded`: a public source shows Identity Platform answering this text in this situation. `partly-recorded`: part of the text is. " +
		"`reused`: the text is recorded for another situation, its use here is assumed. `ours`: our wording or our choice of a bare code.\n\n" +
		"| reason | HTTP | message | text | source or note |\n|---|---|---|---|---|\n")
	counts := map[MessageProvenance]int{}
	for _, r := range ReasonTable {
		counts[r.MessageProvenance]++
		fmt.Fprintf(&b, "| `%s` | %d | `%s` | %s | %s |\n", r.Reason, r.HTTPStatus, cell(r.Message(nil)), r.MessageProvenance, cell(r.MessageSource))
	}
	fmt.Fprintf(&b, "\n%d reasons: %d recorded, %d partly recorded, %d reused, %d ours.\n", len(ReasonTable),
		counts[MessageRecorded], counts[MessagePartlyRecorded], counts[MessageReused], counts[MessageOurs])
	return b.Bytes()
}

func checklistDoc() []byte {
	var b bytes.Buffer
	b.WriteString("# The SP's verification checklist\n\nGenerated from `sp.Checklist()` by `go test ./sp -run TestReasonAndChecklistDocs -update-docs`. " +
		"Steps run in this order; a sign-in stops at the first refusal, `sp.Explain` runs them all.\n\n" +
		"| # | step | concern | profiles | checks | rule | rests on |\n|---|---|---|---|---|---|---|\n")
	for i, s := range Checklist() {
		var ps []string
		for _, p := range s.Profiles {
			ps = append(ps, string(p))
		}
		on := s.Rule.Clause + s.Rule.Source
		if s.Rule.Reason != "" {
			on = strings.TrimSpace(on + " " + s.Rule.Reason)
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s | %s | %s | %s |\n", i+1, s.Name, s.Concern, strings.Join(ps, ", "), cell(s.Summary), s.Rule.Kind, cell(on))
	}
	return b.Bytes()
}
