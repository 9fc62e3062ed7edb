package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

// column is one target under one profile: a column of the matrix.
type column struct {
	Key     string // "target/profile"
	Target  string
	Profile scenario.Profile
	Report  *runner.Report
}

// matrixRow is one scenario across columns.
type matrixRow struct {
	ID, Title, Category string
	Cells               map[string]*runner.Result // by column key
}

// matrix arranges reports as scenario rows × (target, profile) columns,
// rows grouped by category in catalogue order.
type matrix struct {
	Columns []column
	ByCat   map[string][]*matrixRow
}

func buildMatrix(reps []runner.Report) matrix {
	m := matrix{ByCat: map[string][]*matrixRow{}}
	index := map[string]*matrixRow{}
	for i := range reps {
		rep := &reps[i]
		for _, p := range rep.Profiles {
			m.Columns = append(m.Columns, column{Key: rep.Target + "/" + string(p), Target: rep.Target, Profile: p, Report: rep})
		}
		for j := range rep.Results {
			r := &rep.Results[j]
			row, ok := index[r.ID]
			if !ok {
				row = &matrixRow{ID: r.ID, Title: r.Title, Category: r.Category, Cells: map[string]*runner.Result{}}
				index[r.ID] = row
				m.ByCat[r.Category] = append(m.ByCat[r.Category], row)
			}
			row.Cells[rep.Target+"/"+string(r.Profile)] = r
		}
	}
	return m
}

// expected is the expectation of the first column that ran the scenario.
func (row *matrixRow) expected(cols []column) string {
	for _, c := range cols {
		if r := row.Cells[c.Key]; r != nil {
			return r.Expected
		}
	}
	return ""
}

// expectedByProfile is the row's expectation under each profile, from the
// first column of that profile that ran the scenario.
func (row *matrixRow) expectedByProfile(cols []column, profiles []scenario.Profile) []htmlExpect {
	out := make([]htmlExpect, len(profiles))
	for i, p := range profiles {
		for _, c := range cols {
			if r := row.Cells[c.Key]; r != nil && c.Profile == p {
				out[i] = htmlExpect{Text: r.Expected, Provenance: string(r.Provenance), Source: r.Source}
				break
			}
		}
		if out[i].Text == "" {
			out[i].Text = "–"
		}
	}
	return out
}

// differs reports whether the columns disagree on the row (observed
// outcome or verdict).
func (m matrix) differs(row *matrixRow) bool {
	first := ""
	for i, c := range m.Columns {
		r := row.Cells[c.Key]
		v := "-"
		if r != nil {
			v = outcomeOf(r) + "/" + string(r.Verdict)
		}
		if i == 0 {
			first = v
		} else if v != first {
			return true
		}
	}
	return false
}

// outcomeOf is accept, reject or skip, without the reason.
func outcomeOf(r *runner.Result) string {
	if r.Verdict == runner.Skipped {
		return "skip"
	}
	o, _, _ := strings.Cut(r.Observed, ":")
	return o
}

// MatrixOptions shape WriteTargetMatrix.
type MatrixOptions struct {
	// Title heads the document.
	Title string
	// OnlyDifferences keeps the scenarios on which the columns disagree.
	OnlyDifferences bool
}

// WriteTargetMatrix writes reports of several targets (or one) as a
// Markdown matrix: a row per scenario, grouped by category; a column per
// target and profile with the observed outcome, failures in bold.
func WriteTargetMatrix(w io.Writer, reps []runner.Report, opts MatrixOptions) error {
	m := buildMatrix(reps)
	title := opts.Title
	if title == "" {
		title = "Conformance matrix"
	}
	fmt.Fprintf(w, "# %s\n\n", title)
	fmt.Fprintln(w, "| target | profile | passed | failed | inconclusive | skipped | control |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, c := range m.Columns {
		s := runner.Summarize(filterProfile(c.Report.Results, c.Profile))
		fmt.Fprintf(w, "| %s | %s | %d | %d | %d | %d | %s |\n", c.Target, c.Profile, s.Passed, s.Failed, s.Inconclusive, s.Skipped, c.Report.Controls[c.Profile])
	}
	fmt.Fprintln(w, "\nA cell is what the SP did (accept: a session for the genuine user; reject, with the reason when the SP's page tells it); **bold** marks a result that breaks the profile's expectation.")
	for _, cat := range scenario.Categories {
		rows := m.ByCat[string(cat)]
		var keep []*matrixRow
		for _, r := range rows {
			if !opts.OnlyDifferences || m.differs(r) {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s (%d)\n\n| scenario | expected |", cat, len(keep))
		for _, c := range m.Columns {
			fmt.Fprintf(w, " %s |", c.Key)
		}
		fmt.Fprint(w, "\n|---|---|")
		for range m.Columns {
			fmt.Fprint(w, "---|")
		}
		fmt.Fprintln(w)
		for _, row := range keep {
			exp := row.expected(m.Columns)
			fmt.Fprintf(w, "| `%s` | %s |", row.ID, exp)
			for _, c := range m.Columns {
				fmt.Fprintf(w, " %s |", markdownCell(row.Cells[c.Key]))
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

func markdownCell(r *runner.Result) string {
	if r == nil {
		return "–"
	}
	// A family of reasons ("reject:A|B") must not split the table's cell.
	obs := strings.ReplaceAll(r.Observed, "|", `\|`)
	switch {
	case r.Verdict == runner.Skipped:
		return "skip"
	case r.Verdict == runner.Pass:
		return obs
	}
	return "**" + obs + "** " + strings.ToUpper(string(r.Verdict))
}

func filterProfile(rs []runner.Result, p scenario.Profile) []runner.Result {
	var out []runner.Result
	for _, r := range rs {
		if r.Profile == p {
			out = append(out, r)
		}
	}
	return out
}

// WriteJSONReports writes one report as WriteJSON does, several as
// {"reports":[...]}.
func WriteJSONReports(w io.Writer, reps []runner.Report, withEvidence bool) error {
	if len(reps) == 1 {
		return WriteJSON(w, reps[0], withEvidence)
	}
	out := make([]runner.Report, len(reps))
	for i, rep := range reps {
		out[i] = rep
		if !withEvidence {
			out[i].Results = append([]runner.Result(nil), rep.Results...)
			for j := range out[i].Results {
				out[i].Results[j].Evidence = nil
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string][]runner.Report{"reports": out})
}

// WriteJUnitReports writes one report as WriteJUnit does, several as one
// document with a testsuite per target and profile.
func WriteJUnitReports(w io.Writer, reps []runner.Report) error {
	if len(reps) == 1 {
		return WriteJUnit(w, reps[0])
	}
	doc := junitSuites{Name: "samlharness"}
	for _, rep := range reps {
		part := junitDoc(rep)
		doc.Tests += part.Tests
		doc.Failures += part.Failures
		doc.Errors += part.Errors
		doc.Skipped += part.Skipped
		doc.Suites = append(doc.Suites, part.Suites...)
	}
	return writeJUnitDoc(w, doc)
}
