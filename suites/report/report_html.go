package report

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"html/template"
	"io"
	"strings"

	"github.com/beevik/etree"

	"github.com/samlharness/samlharness/suites/runner"
	"github.com/samlharness/samlharness/suites/scenario"
)

// htmlCell is one matrix cell as the page shows it.
type htmlCell struct {
	Text    string
	Class   string // pass, fail, inconclusive, skipped, none
	Anchor  string // evidence anchor for a result that is not a pass
	Tooltip string
}

type htmlRow struct {
	ID, Title string
	// Expected holds the expectation under each profile of the page's
	// columns, in column order.
	Expected []htmlExpect
	Cells    []htmlCell
}

// htmlExpect is one profile's expectation and what it rests on.
type htmlExpect struct {
	Text, Provenance, Source string
}

type htmlCategory struct {
	Name string
	Rows []htmlRow
}

type htmlEvidence struct {
	Anchor, Column, ID, Title     string
	Verdict, Expected, Observed   string
	Provenance, Source            string
	ReasonCheck, Control          string
	Why, Message, Stage           string
	SAMLResponse, AuthnRequest    string
	SPAnswer, SignInWithIdp, Page string
}

type htmlColumn struct {
	Key                                   string
	Passed, Failed, Inconclusive, Skipped int
	WrongReason, Verified, Unknown        int
	Control                               string
}

type htmlPage struct {
	Title      string
	Profiles   []scenario.Profile
	Columns    []htmlColumn
	Categories []htmlCategory
	Evidence   []htmlEvidence
}

var htmlTmpl = template.Must(template.New("matrix").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;font-size:.9em;vertical-align:top}
th{background:#f3f3f3;text-align:left}
td.pass{background:#eaf7ea} td.fail{background:#fbe3e3;font-weight:bold}
td.inconclusive{background:#fff4d6} td.skipped{color:#888} td.none{color:#bbb}
code{font-size:.95em} small.prov{color:#666} pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:.5em;max-height:30em;overflow:auto}
section.ev{border-top:2px solid #ddd;margin-top:1.5em;padding-top:.5em}
a{color:inherit}
</style></head><body>
<h1>{{.Title}}</h1>
<table><tr><th>target / profile</th><th>passed</th><th>failed</th><th>of which wrong reason</th><th>inconclusive</th><th>skipped</th><th>passing refusals reason-verified</th><th>control</th></tr>
{{range .Columns}}<tr><td>{{.Key}}</td><td>{{.Passed}}</td><td>{{.Failed}}</td><td>{{.WrongReason}}</td><td>{{.Inconclusive}}</td><td>{{.Skipped}}</td><td>{{.Verified}} of {{.Verified}}+{{.Unknown}} (reason unknown: {{.Unknown}})</td><td>{{.Control}}</td></tr>
{{end}}</table>
<p>A cell is what the SP did: <em>accept</em> (a session for the genuine user) or <em>reject</em> (with the reason when the SP tells it).
Red cells break the profile's expectation; click one for its evidence.</p>
{{range .Categories}}<h2 id="cat-{{.Name}}">{{.Name}} ({{len .Rows}})</h2>
<table><tr><th>scenario</th>{{range $.Profiles}}<th>expected ({{.}})</th>{{end}}{{range $.Columns}}<th>{{.Key}}</th>{{end}}</tr>
{{range .Rows}}<tr><td title="{{.Title}}"><code>{{.ID}}</code></td>{{range .Expected}}<td title="{{.Source}}">{{.Text}}{{if .Provenance}} <small class="prov">{{.Provenance}}</small>{{end}}</td>{{end}}{{range .Cells}}<td class="{{.Class}}" title="{{.Tooltip}}">{{if .Anchor}}<a href="#{{.Anchor}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</table>
{{end}}
{{if .Evidence}}<h2>Evidence</h2>{{end}}
{{range .Evidence}}<section class="ev" id="{{.Anchor}}">
<h3>{{.Verdict}}: <code>{{.ID}}</code> against {{.Column}}</h3>
<p>{{.Title}}</p>
<p>expected <b>{{.Expected}}</b>, observed <b>{{.Observed}}</b>{{if .Stage}} at {{.Stage}}{{end}}</p>
<p>the expectation is {{if .Provenance}}<b>{{.Provenance}}</b>{{if .Source}}: {{.Source}}{{end}}{{else}}of no stated provenance{{end}}{{if .ReasonCheck}}; reason check: {{.ReasonCheck}}{{end}}{{if .Control}}; control: {{.Control}}{{end}}</p>
{{if .Why}}<pre>{{.Why}}</pre>{{end}}
{{if .Message}}<p>message: <code>{{.Message}}</code></p>{{end}}
{{if .SAMLResponse}}<details><summary>the decoded SAML response (indented for reading; the IdP signed it without this whitespace)</summary><pre>{{.SAMLResponse}}</pre></details>{{end}}
{{if .SPAnswer}}<details open><summary>the SP's answer</summary><pre>{{.SPAnswer}}</pre></details>{{end}}
{{if .SignInWithIdp}}<details open><summary>accounts:signInWithIdp answer</summary><pre>{{.SignInWithIdp}}</pre></details>{{end}}
{{if .Page}}<p>page: {{.Page}}</p>{{end}}
{{if .AuthnRequest}}<details><summary>the SP's AuthnRequest</summary><pre>{{.AuthnRequest}}</pre></details>{{end}}
</section>
{{end}}
</body></html>
`))

// WriteHTML renders reports of one or several targets as an HTML page: the
// scenario × target matrix by category, each result that is not a pass
// linked to its evidence (the decoded response, the SP's answer). Results
// carry evidence when the run kept it (Run does; a JSON report read back
// has it only with --evidence).
func WriteHTML(w io.Writer, reps []runner.Report, title string) error {
	m := buildMatrix(reps)
	if title == "" {
		title = "samlharness conformance matrix"
	}
	pg := htmlPage{Title: title}
	seen := map[scenario.Profile]bool{}
	for _, c := range m.Columns {
		s := runner.Summarize(filterProfile(c.Report.Results, c.Profile))
		pg.Columns = append(pg.Columns, htmlColumn{Key: c.Key, Passed: s.Passed, Failed: s.Failed, Inconclusive: s.Inconclusive, Skipped: s.Skipped,
			WrongReason: s.WrongReason, Verified: s.ReasonVerified, Unknown: s.ReasonUnknown, Control: c.Report.Controls[c.Profile]})
		if !seen[c.Profile] {
			seen[c.Profile] = true
			pg.Profiles = append(pg.Profiles, c.Profile)
		}
	}
	for _, cat := range scenario.Categories {
		rows := m.ByCat[string(cat)]
		if len(rows) == 0 {
			continue
		}
		hc := htmlCategory{Name: string(cat)}
		for _, row := range rows {
			hr := htmlRow{ID: row.ID, Title: row.Title, Expected: row.expectedByProfile(m.Columns, pg.Profiles)}
			for ci, c := range m.Columns {
				r := row.Cells[c.Key]
				if r == nil {
					hr.Cells = append(hr.Cells, htmlCell{Text: "–", Class: "none"})
					continue
				}
				cell := htmlCell{Text: r.Observed, Class: string(r.Verdict), Tooltip: r.Why}
				switch {
				case r.Verdict == runner.Skipped:
					cell.Text = "skip"
				case r.Verdict == runner.WrongReason:
					cell.Text, cell.Class = r.Observed+" (wrong reason)", "fail"
				case r.Verdict == runner.Pass && r.ReasonCheck == runner.ReasonNotRead:
					cell.Text += " (reason unknown)"
				}
				if r.Verdict.IsFailure() || r.Verdict == runner.Inconclusive {
					cell.Anchor = "ev-" + itoa(ci) + "-" + r.ID
					ev := htmlEvidence{Anchor: cell.Anchor, Column: c.Key, ID: r.ID, Title: r.Title,
						Verdict: strings.ToUpper(string(r.Verdict)), Expected: r.Expected, Observed: r.Observed,
						Why: r.Why, Message: r.Message, Stage: r.Stage,
						Provenance: string(r.Provenance), Source: r.Source, ReasonCheck: string(r.ReasonCheck), Control: r.Control}
					if e := r.Evidence; e != nil {
						ev.SAMLResponse = indentXML(decodeSAMLResponse(e.SAMLResponse))
						ev.AuthnRequest = indentXML(e.AuthnRequest)
						ev.SPAnswer, ev.SignInWithIdp, ev.Page = e.SPAnswer, e.SignInWithIdp, e.Page
					}
					pg.Evidence = append(pg.Evidence, ev)
				}
				hr.Cells = append(hr.Cells, cell)
			}
			hc.Rows = append(hc.Rows, hr)
		}
		pg.Categories = append(pg.Categories, hc)
	}
	return htmlTmpl.Execute(w, pg)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// decodeSAMLResponse shows a SAMLResponse as its XML (base64, possibly of a
// deflated Redirect-binding message), or as sent when it does not decode.
func decodeSAMLResponse(v string) string {
	if v == "" {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
	if err != nil {
		return v
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("<")) {
		if out, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), 4<<20)); err == nil && len(out) > 0 {
			raw = out
		}
	}
	return runner.Excerpt(raw, 256<<10)
}

// indentXML shows XML indented, one element a line, for reading; text
// that is not XML (or does not parse) is shown as it is.
func indentXML(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "<") {
		return s
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(t); err != nil || doc.Root() == nil {
		return s
	}
	doc.Indent(2)
	out, err := doc.WriteToString()
	if err != nil {
		return s
	}
	return out
}
