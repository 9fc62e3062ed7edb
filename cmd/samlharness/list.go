package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/samlharness/samlharness/suites/scenario"
)

// listEntry is one scenario in `list --json`.
type listEntry struct {
	ID       string                               `json:"id"`
	Title    string                               `json:"title"`
	Category string                               `json:"category"`
	Labels   []string                             `json:"labels"`
	Refs     []string                             `json:"refs"`
	Covers   []string                             `json:"covers"`
	Faults   []string                             `json:"faults,omitempty"`
	Expect   map[scenario.Profile]scenario.Expect `json:"expect"`
}

// provenanceEntry is one expectation in `list --provenance KIND --json`.
type provenanceEntry struct {
	ID         string              `json:"id"`
	Profile    scenario.Profile    `json:"profile"`
	Outcome    scenario.Outcome    `json:"outcome"`
	Reason     string              `json:"reason,omitempty"`
	Provenance scenario.Provenance `json:"provenance"`
	Source     string              `json:"source"`
}

// coverageEntry is one attack-catalogue entry in `list --coverage --json`.
type coverageEntry struct {
	ID            string   `json:"id"`
	Family        string   `json:"family"`
	Scenarios     []string `json:"scenarios"`
	NotApplicable string   `json:"notApplicable"`
	// Pending stays out of the JSON, whose shape is fixed; the table shows it.
	Pending string `json:"-"`
}

func listCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, `print {"scenarios":[...]} as JSON`)
	filter := fs.String("filter", "", "comma-separated ID globs, categories or labels; prefix ! to exclude")
	coverage := fs.Bool("coverage", false, "print the attack catalogue's entries with the scenarios that cover them")
	prov := fs.String("provenance", "", "list the expectations of one provenance: recorded, specified, policy or assumed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	list, err := scenario.Filter(catalogue(), *filter)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness list:", err)
		return 2
	}
	switch {
	case *coverage && *prov != "":
		fmt.Fprintln(stderr, "samlharness list: --coverage and --provenance exclude each other")
		return 2
	case *coverage:
		return listCoverage(list, *asJSON, stdout, stderr)
	case *prov != "":
		p, err := scenario.ParseProvenance(*prov)
		if err != nil {
			fmt.Fprintln(stderr, "samlharness list:", err)
			return 2
		}
		return listProvenance(list, p, *asJSON, stdout, stderr)
	}
	if *asJSON {
		out := struct {
			Scenarios []listEntry `json:"scenarios"`
		}{Scenarios: []listEntry{}}
		for _, s := range list {
			e := listEntry{ID: s.ID, Title: s.Title, Category: string(s.Category), Labels: s.Labels(), Refs: s.Refs,
				Covers: s.Covers, Expect: s.Expect}
			if e.Refs == nil {
				e.Refs = []string{}
			}
			if e.Covers == nil {
				e.Covers = []string{}
			}
			for _, f := range s.IdP.Faults {
				e.Faults = append(e.Faults, f.String())
			}
			out.Scenarios = append(out.Scenarios, e)
		}
		return writeJSON(out, stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCATEGORY\tIDENTITY-PLATFORM\tSTRICT\tTITLE")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Category,
			withProvenance(s.Expect[scenario.IdentityPlatform]), withProvenance(s.Expect[scenario.Strict]), s.Title)
	}
	tw.Flush()
	cats := map[scenario.Category]int{}
	for _, s := range list {
		cats[s.Category]++
	}
	var parts []string
	for _, c := range scenario.Categories {
		if cats[c] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c, cats[c]))
		}
	}
	fmt.Fprintf(stdout, "\n%d scenarios: %s\n", len(list), strings.Join(parts, ", "))
	return 0
}

func withProvenance(e scenario.Expect) string {
	return e.String() + " (" + string(e.Provenance) + ")"
}

// listProvenance prints every expectation of provenance p: one row per
// scenario and profile.
func listProvenance(list []scenario.Scenario, p scenario.Provenance, asJSON bool, stdout, stderr io.Writer) int {
	rows := []provenanceEntry{}
	for _, s := range list {
		for _, prof := range scenario.Profiles {
			e := s.Expect[prof]
			if e.Provenance != p {
				continue
			}
			rows = append(rows, provenanceEntry{ID: s.ID, Profile: prof, Outcome: e.Outcome, Reason: e.Reason,
				Provenance: e.Provenance, Source: e.Source})
		}
	}
	if asJSON {
		return writeJSON(struct {
			Provenance   scenario.Provenance `json:"provenance"`
			Expectations []provenanceEntry   `json:"expectations"`
		}{p, rows}, stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPROFILE\tEXPECT\tSOURCE")
	per := map[scenario.Profile]int{}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Profile, scenario.Expect{Outcome: r.Outcome, Reason: r.Reason}, r.Source)
		per[r.Profile]++
	}
	tw.Flush()
	var parts []string
	for _, prof := range scenario.Profiles {
		parts = append(parts, fmt.Sprintf("%s %d", prof, per[prof]))
	}
	fmt.Fprintf(stdout, "\n%d %s expectations: %s\n", len(rows), p, strings.Join(parts, ", "))
	return 0
}

// listCoverage prints the attack catalogue's entries with the scenarios of
// list that cover them.
func listCoverage(list []scenario.Scenario, asJSON bool, stdout, stderr io.Writer) int {
	rows, err := scenario.Coverage(list)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness list:", err)
		return 1
	}
	covered, na, pend := 0, 0, 0
	entries := make([]coverageEntry, 0, len(rows))
	for _, r := range rows {
		switch {
		case r.Covered():
			covered++
		case r.NotApplicable != "":
			na++
		case r.Pending != "":
			pend++
		}
		sc := r.Scenarios
		if sc == nil {
			sc = []string{}
		}
		entries = append(entries, coverageEntry{ID: r.ID, Family: string(r.Family), Scenarios: sc,
			NotApplicable: r.NotApplicable, Pending: r.Pending})
	}
	if asJSON {
		return writeJSON(struct {
			Total         int             `json:"total"`
			Covered       int             `json:"covered"`
			NotApplicable int             `json:"notApplicable"`
			Entries       []coverageEntry `json:"entries"`
		}{len(rows), covered, na, entries}, stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tFAMILY\tCOVERED BY")
	for _, e := range entries {
		by := strings.Join(e.Scenarios, ", ")
		switch {
		case e.NotApplicable != "":
			by = "not applicable: " + e.NotApplicable
		case e.Pending != "":
			by = "PENDING, needs " + e.Pending
		case by == "":
			by = "UNCOVERED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.ID, e.Family, by)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d entries: %d covered, %d not applicable, %d pending, %d uncovered\n",
		len(rows), covered, na, pend, len(rows)-covered-na-pend)
	return 0
}

func writeJSON(v any, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "samlharness list:", err)
		return 1
	}
	return 0
}
