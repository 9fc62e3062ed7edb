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
	Faults   []string                             `json:"faults,omitempty"`
	Expect   map[scenario.Profile]scenario.Expect `json:"expect"`
}

func listCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, `print {"scenarios":[...]} as JSON`)
	filter := fs.String("filter", "", "comma-separated ID globs, categories or labels; prefix ! to exclude")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	list, err := scenario.Filter(catalogue(), *filter)
	if err != nil {
		fmt.Fprintln(stderr, "samlharness list:", err)
		return 2
	}
	if *asJSON {
		out := struct {
			Scenarios []listEntry `json:"scenarios"`
		}{Scenarios: []listEntry{}}
		for _, s := range list {
			e := listEntry{ID: s.ID, Title: s.Title, Category: string(s.Category), Labels: s.Labels(), Refs: s.Refs, Expect: s.Expect}
			if e.Refs == nil {
				e.Refs = []string{}
			}
			for _, f := range s.IdP.Faults {
				e.Faults = append(e.Faults, f.String())
			}
			out.Scenarios = append(out.Scenarios, e)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "samlharness list:", err)
			return 1
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCATEGORY\tIDENTITY-PLATFORM\tSTRICT\tTITLE")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Category,
			s.Expect[scenario.IdentityPlatform], s.Expect[scenario.Strict], s.Title)
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
