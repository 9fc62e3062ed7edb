// Package report renders a run's results: JSON (the design's report
// contract), JUnit, a readable table, Markdown matrices and an HTML page with
// the evidence behind every result that is not a pass.
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

// WriteJSON writes the report contract of the design:
// {"summary":{...},"results":[{"id","category","expected","observed","reason","pass",...}]}.
// Evidence is left out unless withEvidence; nothing time-dependent is
// written, so the same seed and clock give the same bytes.
func WriteJSON(w io.Writer, rep runner.Report, withEvidence bool) error {
	if !withEvidence {
		rep.Results = append([]runner.Result(nil), rep.Results...)
		for i := range rep.Results {
			rep.Results[i].Evidence = nil
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// JUnit types (the subset CI systems read).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name       string           `xml:"name,attr"`
	ClassName  string           `xml:"classname,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Failure    *junitProblem    `xml:"failure,omitempty"`
	Error      *junitProblem    `xml:"error,omitempty"`
	Skipped    *junitProblem    `xml:"skipped,omitempty"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

// junitProperties carry a result's expectation provenance, reason check
// and control (testcase-level properties, as Jenkins, GitLab and
// EnricoMi/publish-unit-test-result read them).
type junitProperties struct {
	List []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// WriteJUnit writes one testsuite per profile, one testcase per scenario;
// a failure is <failure> (type "regression", or "wrong-reason" for a
// refusal for another reason than the expected one), an inconclusive
// verdict <error>, a skip <skipped>. Each testcase carries the
// expectation's provenance and source, the reason check and the control as
// properties, and the provenance in its failure text.
func WriteJUnit(w io.Writer, rep runner.Report) error {
	return writeJUnitDoc(w, junitDoc(rep))
}

// junitDoc is WriteJUnit's document for one report.
func junitDoc(rep runner.Report) junitSuites {
	doc := junitSuites{Name: "samlharness " + rep.Target}
	for _, p := range rep.Profiles {
		s := junitSuite{Name: rep.Target + "/" + string(p)}
		for _, r := range rep.Results {
			if r.Profile != p {
				continue
			}
			c := junitCase{Name: r.ID, ClassName: r.Category, Properties: junitProps(r)}
			detail := fmt.Sprintf("%s\nexpected: %s (%s)\nobserved: %s\nmessage: %s\n%s", r.Title, r.Expected, provenanceText(r), r.Observed, r.Message, r.Why)
			switch r.Verdict {
			case runner.Fail:
				c.Failure = &junitProblem{Message: firstLine(r.Why), Type: "regression", Body: detail}
				s.Failures++
			case runner.WrongReason:
				c.Failure = &junitProblem{Message: fmt.Sprintf("refused for the wrong reason: observed %s, expected %s", r.Observed, r.Expected), Type: "wrong-reason", Body: detail}
				s.Failures++
			case runner.Inconclusive:
				c.Error = &junitProblem{Message: r.Why, Type: "inconclusive", Body: detail}
				s.Errors++
			case runner.Skipped:
				c.Skipped = &junitProblem{Message: r.Why}
				s.Skipped++
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, s)
	}
	return doc
}

// writeJUnitDoc writes doc as an indented XML document.
func writeJUnitDoc(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitProps are a result's properties: what its expectation rests on,
// how its refusal's reason was checked, and its control.
func junitProps(r runner.Result) *junitProperties {
	var ps []junitProperty
	add := func(name, value string) {
		if value != "" {
			ps = append(ps, junitProperty{name, value})
		}
	}
	add("expected", r.Expected)
	add("provenance", string(r.Provenance))
	add("source", r.Source)
	add("reasonCheck", string(r.ReasonCheck))
	if r.Control != "" {
		state := "fail"
		if r.ControlPass != nil && *r.ControlPass {
			state = "pass"
		}
		add("control", r.Control+" "+state)
	}
	if len(ps) == 0 {
		return nil
	}
	return &junitProperties{ps}
}

// provenanceText is "specified: SAML core 2.5.1.4" or "provenance not
// given".
func provenanceText(r runner.Result) string {
	if r.Provenance == "" {
		return "provenance not given"
	}
	if r.Source == "" {
		return string(r.Provenance)
	}
	return string(r.Provenance) + ": " + r.Source
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// WriteTable prints the run as a readable table: one row per scenario,
// one column per profile, then every failure explained, then the summary.
func WriteTable(w io.Writer, rep runner.Report) error {
	byID := map[string]map[scenario.Profile]runner.Result{}
	var order []string
	for _, r := range rep.Results {
		if byID[r.ID] == nil {
			byID[r.ID] = map[scenario.Profile]runner.Result{}
			order = append(order, r.ID)
		}
		byID[r.ID][r.Profile] = r
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"SCENARIO", "CATEGORY"}
	for _, p := range rep.Profiles {
		head = append(head, strings.ToUpper(string(p)))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, id := range order {
		row := byID[id]
		var cat string
		cells := []string{id}
		for _, p := range rep.Profiles {
			r, ok := row[p]
			if !ok {
				cells = append(cells, "-")
				continue
			}
			cat = r.Category
			cells = append(cells, cell(r))
		}
		cells = append(cells[:1], append([]string{cat}, cells[1:]...)...)
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var problems []runner.Result
	for _, r := range rep.Results {
		if r.Verdict.IsFailure() || r.Verdict == runner.Inconclusive {
			problems = append(problems, r)
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "\n%d scenario(s) did not meet their expectation:\n", len(problems))
		for _, r := range problems {
			fmt.Fprintf(w, "\n  %s [%s] %s\n    %s\n", strings.ToUpper(string(r.Verdict)), r.Profile, r.ID, r.Title)
			fmt.Fprintf(w, "    expected %s (%s), observed %s\n", r.Expected, provenanceText(r), r.Observed)
			if r.Control != "" && r.Control != runner.TwinControl {
				fmt.Fprintf(w, "    control: %s\n", r.Control)
			}
			for _, l := range strings.Split(r.Why, "\n") {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
	s := rep.Summary
	fmt.Fprintf(w, "\ncontrols: ")
	for i, p := range rep.Profiles {
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprintf(w, "%s %s", p, rep.Controls[p])
	}
	if n := len(rep.Twins); n > 0 {
		failed := 0
		for _, t := range rep.Twins {
			if !t.Pass {
				failed++
			}
		}
		fmt.Fprintf(w, "; %d twin control(s), %d failed", n, failed)
	}
	fmt.Fprintf(w, "\n%d scenarios × %d profile(s) against %s: %d passed, %d failed, %d inconclusive, %d skipped\n",
		len(order), len(rep.Profiles), rep.Target, s.Passed, s.Failed, s.Inconclusive, s.Skipped)
	fmt.Fprintln(w, ReasonLine(s))
	return nil
}

// ReasonLine says how much of a run's passing refusals were
// reason-verified, and how many refusals named the wrong reason.
func ReasonLine(s runner.Summary) string {
	refusals := s.ReasonVerified + s.ReasonUnknown
	line := fmt.Sprintf("refusals: %d of %d passing refusals reason-verified (%.1f %%), %d passed with the reason unknown, %d refused for the wrong reason",
		s.ReasonVerified, refusals, 100*s.VerifiedShare(), s.ReasonUnknown, s.WrongReason)
	return line
}

// cell renders one verdict for the table with the expectation's
// provenance: "ok reject:AUDIENCE_MISMATCH [specified]"; a skip gives its
// reason.
func cell(r runner.Result) string {
	if r.Verdict == runner.Skipped {
		return "skip: " + strings.Join(strings.Fields(r.Why), " ")
	}
	mark := map[runner.Verdict]string{runner.Pass: "ok", runner.Fail: "FAIL", runner.WrongReason: "WRONG-REASON", runner.Inconclusive: "INCONCLUSIVE"}[r.Verdict]
	out := mark + " " + r.Observed
	if r.Verdict == runner.Pass && r.ReasonCheck == runner.ReasonNotRead {
		out += " (reason unknown)"
	}
	if r.Provenance != "" {
		out += " [" + string(r.Provenance) + "]"
	}
	return out
}

// WriteMatrix writes the scenario × outcome matrix as Markdown, grouped by
// category: expected and observed per profile, failures marked.
func WriteMatrix(w io.Writer, rep runner.Report) error {
	type row struct {
		id, title string
		by        map[scenario.Profile]runner.Result
	}
	cats := map[string][]*row{}
	index := map[string]*row{}
	for _, r := range rep.Results {
		x, ok := index[r.ID]
		if !ok {
			x = &row{id: r.ID, title: r.Title, by: map[scenario.Profile]runner.Result{}}
			index[r.ID] = x
			cats[r.Category] = append(cats[r.Category], x)
		}
		x.by[r.Profile] = r
	}
	s := rep.Summary
	fmt.Fprintf(w, "# Conformance matrix: %s\n\n%d results: %d passed, %d failed, %d inconclusive, %d skipped.\n",
		rep.Target, s.Total, s.Passed, s.Failed, s.Inconclusive, s.Skipped)
	for _, c := range scenario.Categories {
		rows := cats[string(c)]
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s (%d)\n\n| scenario |", c, len(rows))
		for _, p := range rep.Profiles {
			fmt.Fprintf(w, " %s expected | observed |", p)
		}
		fmt.Fprint(w, "\n|---|")
		for range rep.Profiles {
			fmt.Fprint(w, "---|---|")
		}
		fmt.Fprintln(w)
		for _, x := range rows {
			fmt.Fprintf(w, "| `%s` |", x.id)
			for _, p := range rep.Profiles {
				r, ok := x.by[p]
				if !ok {
					fmt.Fprint(w, " – | – |")
					continue
				}
				mark := ""
				if r.Verdict != runner.Pass {
					mark = " **" + strings.ToUpper(string(r.Verdict)) + "**"
				}
				fmt.Fprintf(w, " %s | %s%s |", r.Expected, r.Observed, mark)
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}
