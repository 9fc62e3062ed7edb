package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Artifacts are the files WriteArtifacts left for a spec.
type Artifacts struct {
	Dir string
	// Screenshots, DOMs and NetLogs are per tab, in tab order.
	Screenshots, DOMs, NetLogs []string
	// HAR is the spec's whole traffic, every tab merged.
	HAR string
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Slug turns a spec's text into a folder name.
func Slug(s string) string {
	s = strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(s), "-"), "-.")
	if len(s) > 100 {
		s = strings.TrimRight(s[:100], "-.")
	}
	if s == "" {
		s = "spec"
	}
	return s
}

// WriteArtifacts writes, for each tab, a screenshot ({session}-{tab}.png),
// the live DOM ({session}-{tab}.dom.html) and the network log with cookie
// decisions ({session}-{tab}.network.json), and the spec's merged traffic
// as network.har (HAR 1.2, for `samlharness diagnose --har`). It writes
// what it can and reports what it could not.
func WriteArtifacts(dir, browserVersion string, tabs ...*Tab) (Artifacts, error) {
	a := Artifacts{Dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return a, err
	}
	var errs []error
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			errs = append(errs, err)
			return ""
		}
		return p
	}
	for _, t := range tabs {
		base := Slug(t.Session.Name + "-" + t.Name)
		if png, err := t.Screenshot(); err == nil {
			a.Screenshots = append(a.Screenshots, write(base+".png", png))
		} else {
			errs = append(errs, fmt.Errorf("screenshot of %s: %w", base, err))
		}
		if dom, err := t.DOM(); err == nil {
			a.DOMs = append(a.DOMs, write(base+".dom.html", []byte(dom)))
		} else {
			errs = append(errs, fmt.Errorf("DOM of %s: %w", base, err))
		}
		if nl, err := json.MarshalIndent(t.Net.Entries(), "", "  "); err == nil {
			a.NetLogs = append(a.NetLogs, write(base+".network.json", nl))
		} else {
			errs = append(errs, err)
		}
	}
	har, err := json.MarshalIndent(BuildHAR(browserVersion, tabs...), "", "  ")
	if err == nil {
		a.HAR = write("network.har", har)
	} else {
		errs = append(errs, err)
	}
	return a, errors.Join(errs...)
}
