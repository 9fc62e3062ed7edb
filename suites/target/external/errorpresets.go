package external

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/samlharness/samlharness/suites/presets"
	"github.com/samlharness/samlharness/suites/runner"
)

// ruleReason is an errors.map rule's reason: one code, or a family of
// codes (Reasons) joined as the runner reads them.
func ruleReason(r ErrorRule) (string, error) {
	if r.Reason != "" && len(r.Reasons) > 0 {
		return "", errors.New("both reason and reasons")
	}
	if r.Reason != "" {
		if strings.Contains(r.Reason, runner.ReasonSep) {
			return "", errors.New("reason holds " + runner.ReasonSep)
		}
		return r.Reason, nil
	}
	if len(r.Reasons) == 0 {
		return "", errors.New("no reason")
	}
	for _, x := range r.Reasons {
		if x == "" || strings.Contains(x, runner.ReasonSep) {
			return "", errors.New("an empty reason in reasons")
		}
	}
	return strings.Join(r.Reasons, runner.ReasonSep), nil
}

// PresetRules are the errors.map rules a preset stands for, in the order
// they are tried: the preset's rules (one reason each), then each library
// text that names a family of reasons (presets.Unread with two or more
// Candidates), read as that family. A text the preset reads no reason from
// at all (no candidates, or one it gives as a guess the text does not
// state) stays "reason unknown".
func PresetRules(name string) ([]ErrorRule, error) {
	p, ok := presets.Get(name)
	if !ok {
		return nil, fmt.Errorf("no preset %q (presets: %s)", name, strings.Join(presets.Names(), ", "))
	}
	var out []ErrorRule
	for _, r := range p.Rules {
		out = append(out, ErrorRule{Match: r.Match, Reason: string(r.Reason)})
	}
	for _, u := range p.Unread {
		if len(u.Candidates) < 2 {
			continue
		}
		fam := make([]string, len(u.Candidates))
		for i, c := range u.Candidates {
			fam[i] = string(c)
		}
		out = append(out, ErrorRule{Match: u.Match, Reasons: fam})
	}
	return out, nil
}

// presetRules compiles a preset's rules.
func presetRules(name string) ([]compiledRule, error) {
	rules, err := PresetRules(name)
	if err != nil {
		return nil, err
	}
	out := make([]compiledRule, 0, len(rules))
	for _, r := range rules {
		reason, err := ruleReason(r)
		if err != nil {
			return nil, fmt.Errorf("preset %s: %s: %w", name, r.Match, err)
		}
		out = append(out, compiledRule{regexp.MustCompile(r.Match), reason})
	}
	return out, nil
}
