package peers

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/samlharness/samlharness/suites/report"
	"github.com/samlharness/samlharness/suites/runner"
)

// ReasonStats counts how a peer's passing refusals were judged.
type ReasonStats struct {
	RejectPasses int // passing scenarios that expected a refusal
	Verified     int // … whose reason, read from the SP's page, was the expected one
	WrongReason  int // failures: refused, but for another reason than the expected one
}

// Stats counts a report's reason checks.
func Stats(rep runner.Report) ReasonStats {
	var s ReasonStats
	for _, r := range rep.Results {
		if !strings.HasPrefix(r.Expected, "reject") {
			continue
		}
		switch {
		case r.Verdict == runner.Pass:
			s.RejectPasses++
			if r.ReasonCheck == runner.ReasonVerified {
				s.Verified++
			}
		case r.Verdict == runner.WrongReason:
			s.WrongReason++
		}
	}
	return s
}

// WriteMatrix writes the peers' matrix (report.WriteTargetMatrix), then,
// per peer, how many refusals were reason-verified and whose each failure
// is: the library's behaviour or the integrator's part (KnownFailures).
func WriteMatrix(w io.Writer, reps []runner.Report, title string) error {
	if err := report.WriteTargetMatrix(w, reps, report.MatrixOptions{Title: title}); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## Reasons read and whose failures\n\n")
	fmt.Fprintf(w, "Refusals are read with each library's error preset (package `suites/presets`) and the reason code the peers' own pages carry. ")
	fmt.Fprintf(w, "A FAIL is *library* behaviour when no option or caller code changes it (the careful peer of the same library fails it too), ")
	fmt.Fprintf(w, "the *integrator's part* when it is what the library leaves to its caller, or to an option, and the hardened peer of the same library does it.\n\n")
	fmt.Fprintln(w, "| peer | reject-passes | reason-verified | wrong reason (FAIL) | FAIL: library | FAIL: integrator's part | FAIL: undocumented |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, rep := range reps {
		s := Stats(rep)
		lib, integ, undoc := 0, 0, 0
		known := KnownFailures(rep.Target)
		for _, r := range rep.Results {
			if !r.Verdict.IsFailure() {
				continue
			}
			switch k, ok := known[r.ID]; {
			case !ok:
				undoc++
			case k.Part == PartLibrary:
				lib++
			default:
				integ++
			}
		}
		pct := 0.0
		if s.RejectPasses > 0 {
			pct = 100 * float64(s.Verified) / float64(s.RejectPasses)
		}
		fmt.Fprintf(w, "| %s | %d | %d (%.1f %%) | %d | %d | %d | %d |\n", rep.Target, s.RejectPasses, s.Verified, pct, s.WrongReason, lib, integ, undoc)
	}
	for _, rep := range reps {
		known := KnownFailures(rep.Target)
		var rows []string
		for _, r := range rep.Results {
			if !r.Verdict.IsFailure() {
				continue
			}
			k, ok := known[r.ID]
			part, why := string(k.Part), k.Why
			if !ok {
				part, why = "undocumented", r.Why
			}
			rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s |", r.ID, strings.ReplaceAll(r.Observed, "|", "\\|"), part, strings.ReplaceAll(why, "|", "\\|")))
		}
		sort.Strings(rows)
		fmt.Fprintf(w, "\n### %s: %d FAIL\n\n", rep.Target, len(rows))
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintln(w, "| scenario | observed | part | why |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, row := range rows {
			fmt.Fprintln(w, row)
		}
	}
	return nil
}
