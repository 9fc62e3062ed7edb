package fault

import (
	"fmt"
	"time"

	"github.com/beevik/etree"
	"github.com/samlharness/samlharness/internal/wire"
)

// timeAttrs are the time attributes a time fault can address. "all" means
// every one of them that is present.
var timeAttrs = []string{"IssueInstant", "ResponseIssueInstant", "AssertionIssueInstant",
	"NotBefore", "NotOnOrAfter", "SCDNotBefore", "SCDNotOnOrAfter", "AuthnInstant", "SessionNotOnOrAfter"}

var timeAttrParam = ParamSpec{Name: "attr", Required: true, Values: append([]string{"all"}, timeAttrs...),
	Summary: "IssueInstant (Response and Assertion), ResponseIssueInstant, AssertionIssueInstant, NotBefore / NotOnOrAfter (Conditions), SCDNotBefore / SCDNotOnOrAfter (SubjectConfirmationData), AuthnInstant / SessionNotOnOrAfter (AuthnStatement), or all"}

// timeSlot is one attribute on one element.
type timeSlot struct {
	el   *etree.Element
	attr string
}

// timeSlots returns the elements carrying the named time attribute, in
// document order (every Assertion of the Response counts).
func timeSlots(c *Context, name string) ([]timeSlot, error) {
	resp, err := response(c)
	if err != nil {
		return nil, err
	}
	as := children(resp, wire.NSAssertion, "Assertion")
	var out []timeSlot
	add := func(attr string, els ...*etree.Element) {
		for _, el := range els {
			if el != nil {
				out = append(out, timeSlot{el, attr})
			}
		}
	}
	for _, n := range expandTimeAttr(name) {
		switch n {
		case "ResponseIssueInstant":
			add("IssueInstant", resp)
		case "AssertionIssueInstant":
			add("IssueInstant", as...)
		case "NotBefore", "NotOnOrAfter":
			for _, a := range as {
				add(n, child(a, wire.NSAssertion, "Conditions"))
			}
		case "SCDNotBefore", "SCDNotOnOrAfter":
			for _, a := range as {
				add(n[len("SCD"):], subjectConfirmationData(a)...)
			}
		case "AuthnInstant", "SessionNotOnOrAfter":
			for _, a := range as {
				add(n, children(a, wire.NSAssertion, "AuthnStatement")...)
			}
		default:
			return nil, fmt.Errorf("unknown time attribute %q", n)
		}
	}
	return out, nil
}

func expandTimeAttr(name string) []string {
	switch name {
	case "all":
		return []string{"ResponseIssueInstant", "AssertionIssueInstant", "NotBefore", "NotOnOrAfter",
			"SCDNotBefore", "SCDNotOnOrAfter", "AuthnInstant", "SessionNotOnOrAfter"}
	case "IssueInstant":
		return []string{"ResponseIssueInstant", "AssertionIssueInstant"}
	}
	return []string{name}
}

// timeLayouts are the layouts reformat-time can write, by name: okta is
// the wire layout, the others are what other IdPs, or broken ones, send.
var timeLayouts = []struct{ name, layout string }{
	{"okta", wire.TimeLayout},
	{"no-millis", "2006-01-02T15:04:05Z"},
	{"nanos", "2006-01-02T15:04:05.000000000Z"},
	{"seven-digits", "2006-01-02T15:04:05.0000000Z"},
	{"no-zone", "2006-01-02T15:04:05.000"},
	{"offset", "2006-01-02T15:04:05.000-07:00"}, // written in UTC+02:00
	{"offset-zero", "2006-01-02T15:04:05.000+00:00"},
	{"date-only", "2006-01-02"},
	{"space", "2006-01-02 15:04:05.000Z"},
	{"unix-seconds", ""},
}

func layoutNames() []string {
	out := make([]string, len(timeLayouts))
	for i, l := range timeLayouts {
		out[i] = l.name
	}
	return out
}

// formatTime writes t in the named layout.
func formatTime(t time.Time, name string) (string, error) {
	for _, l := range timeLayouts {
		if l.name != name {
			continue
		}
		switch name {
		case "unix-seconds":
			return fmt.Sprint(t.Unix()), nil
		case "offset":
			return t.In(time.FixedZone("", 2*3600)).Format(l.layout), nil
		}
		return t.UTC().Format(l.layout), nil
	}
	return "", fmt.Errorf("unknown layout %q", name)
}

// parseWireTime parses a time attribute as the IdP writes it.
func parseWireTime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot shift %q: not an RFC 3339 time", v)
	}
	return t, nil
}

func init() {
	registerAll(
		shiftTimeFault,
		setTimeFault,
		reformatTimeFault,
		removeTimeFault,
	)
}

func shiftTimeFault() Spec {
	return Spec{
		Name: "shift-time", Stage: StagePreSign, Resigns: true,
		Summary: "move time attributes by offset before signing: with base=now (default for a single attribute) the attribute becomes c.Now+offset (created if absent, e.g. SCDNotBefore); with base=current (default for attr=all, an IdP clock skew) each present attribute moves by offset",
		Params: []ParamSpec{timeAttrParam,
			{Name: "offset", Required: true, Summary: "Go duration, e.g. -10m, 2h, -5m1ms"},
			{Name: "base", Values: []string{"now", "current"}, Summary: "now or current; default now for one attribute, current for all"}},
		Apply: applyShiftTime,
	}
}

func applyShiftTime(c *Context, f Fault) error {
	d, err := durationParam(f, "offset")
	if err != nil {
		return err
	}
	attr := f.Param("attr", "")
	base := f.Param("base", "")
	if base == "" {
		base = "now"
		if attr == "all" {
			base = "current"
		}
	}
	slots, err := timeSlots(c, attr)
	if err != nil {
		return err
	}
	n := 0
	for _, s := range slots {
		cur := s.el.SelectAttr(s.attr)
		if base == "current" {
			if cur == nil {
				continue
			}
			t, err := parseWireTime(cur.Value)
			if err != nil {
				return err
			}
			s.el.CreateAttr(s.attr, t.Add(d).UTC().Format(wire.TimeLayout))
		} else {
			s.el.CreateAttr(s.attr, c.Now.Add(d).UTC().Format(wire.TimeLayout))
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no %s attribute to shift", attr)
	}
	return nil
}

func setTimeFault() Spec {
	return Spec{
		Name: "set-time", Stage: StagePreSign, Resigns: true,
		Summary: "set time attributes to a literal value before signing (created where absent), e.g. garbage or a non-UTC time",
		Params: []ParamSpec{timeAttrParam,
			{Name: "value", Required: true, Summary: "the literal attribute value, e.g. 2026-01-01T00:00:00+02:00 or not-a-time"}},
		Apply: applySetTime,
	}
}

func applySetTime(c *Context, f Fault) error {
	slots, err := timeSlots(c, f.Param("attr", ""))
	if err != nil {
		return err
	}
	if len(slots) == 0 {
		return fmt.Errorf("no element carries %s", f.Param("attr", ""))
	}
	for _, s := range slots {
		s.el.CreateAttr(s.attr, f.Param("value", ""))
	}
	return nil
}

func reformatTimeFault() Spec {
	return Spec{
		Name: "reformat-time", Stage: StagePreSign, Resigns: true,
		Summary: "rewrite present time attributes, same instant, in another layout before signing (time-bad-format): okta is the wire layout; the others are non-canonical or invalid",
		Params: []ParamSpec{timeAttrParam,
			{Name: "layout", Required: true, Values: layoutNames(), Summary: "the layout to write"}},
		Apply: applyReformatTime,
	}
}

func applyReformatTime(c *Context, f Fault) error {
	slots, err := timeSlots(c, f.Param("attr", ""))
	if err != nil {
		return err
	}
	n := 0
	for _, s := range slots {
		cur := s.el.SelectAttr(s.attr)
		if cur == nil {
			continue
		}
		t, err := parseWireTime(cur.Value)
		if err != nil {
			return err
		}
		v, err := formatTime(t, f.Param("layout", ""))
		if err != nil {
			return err
		}
		s.el.CreateAttr(s.attr, v)
		n++
	}
	if n == 0 {
		return fmt.Errorf("no %s attribute to reformat", f.Param("attr", ""))
	}
	return nil
}

func removeTimeFault() Spec {
	return Spec{
		Name: "remove-time", Stage: StagePreSign, Resigns: true,
		Summary: "remove time attributes before signing (e.g. Conditions NotOnOrAfter, SubjectConfirmationData NotOnOrAfter)",
		Params:  []ParamSpec{timeAttrParam},
		Apply:   applyRemoveTime,
	}
}

func applyRemoveTime(c *Context, f Fault) error {
	slots, err := timeSlots(c, f.Param("attr", ""))
	if err != nil {
		return err
	}
	n := 0
	for _, s := range slots {
		if s.el.RemoveAttr(s.attr) != nil {
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("no %s attribute to remove", f.Param("attr", ""))
	}
	return nil
}
