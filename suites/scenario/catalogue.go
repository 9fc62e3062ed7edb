package scenario

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

// entries collects the catalogue's files: each category file appends its
// entries in init through add, so a category lives in one file and the
// catalogue is the union.
var (
	entriesMu sync.Mutex
	entries   []Scenario
)

func add(s ...Scenario) {
	entriesMu.Lock()
	defer entriesMu.Unlock()
	for _, x := range s {
		entries = append(entries, settle(x))
	}
}

// All returns the whole catalogue in report order (category order, then ID).
// The slice is a copy; callers may keep it.
func All() []Scenario {
	entriesMu.Lock()
	defer entriesMu.Unlock()
	out := append([]Scenario(nil), entries...)
	order := map[Category]int{}
	for i, c := range Categories {
		order[c] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return order[out[i].Category] < order[out[j].Category]
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ByID returns the scenario with the given ID.
func ByID(id string) (Scenario, bool) {
	for _, s := range All() {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}

// Check validates every entry and that IDs are unique, reporting every
// problem at once.
func Check(list []Scenario) error {
	var problems []string
	seen := map[string]bool{}
	for _, s := range list {
		if seen[s.ID] {
			problems = append(problems, fmt.Sprintf("duplicate ID %s", s.ID))
		}
		seen[s.ID] = true
		if err := s.Validate(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("catalogue: %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// Filter selects scenarios. Each comma-separated term is an ID glob
// ("xsw*"), a category ("protocol") or a label ("area:time",
// "needs:sp-config"); a term prefixed with "!" excludes. A scenario is kept
// when it matches any including term (or there is none) and no excluding
// term. An empty filter keeps everything.
func Filter(list []Scenario, filter string) ([]Scenario, error) {
	var include, exclude []string
	for _, term := range strings.Split(filter, ",") {
		term = strings.TrimSpace(term)
		switch {
		case term == "":
		case strings.HasPrefix(term, "!"):
			exclude = append(exclude, strings.TrimPrefix(term, "!"))
		default:
			include = append(include, term)
		}
	}
	for _, t := range append(append([]string(nil), include...), exclude...) {
		if _, err := path.Match(t, ""); err != nil {
			return nil, fmt.Errorf("filter term %q is not a valid glob: %w", t, err)
		}
	}
	// A term that matches nothing is a typo, not an empty selection: it
	// is an error rather than silently ignored.
	for _, t := range append(append([]string(nil), include...), exclude...) {
		if !matchesSome(list, t) {
			return nil, fmt.Errorf("%w %q: it matches no scenario ID, category or label ('samlharness list' shows them)", ErrUnknownFilterTerm, t)
		}
	}
	var out []Scenario
	for _, s := range list {
		if len(include) > 0 && !matchesAny(s, include) {
			continue
		}
		if matchesAny(s, exclude) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// ErrUnknownFilterTerm is a filter term that matches no scenario.
var ErrUnknownFilterTerm = errors.New("unknown filter term")

func matchesSome(list []Scenario, term string) bool {
	for _, s := range list {
		if matchesAny(s, []string{term}) {
			return true
		}
	}
	return false
}

func matchesAny(s Scenario, terms []string) bool {
	for _, t := range terms {
		if ok, _ := path.Match(t, s.ID); ok {
			return true
		}
		for _, l := range s.Labels() {
			if ok, _ := path.Match(t, l); ok {
				return true
			}
		}
	}
	return false
}
