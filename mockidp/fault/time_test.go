package fault

import (
	"fmt"
	"testing"
	"time"
)

func TestTimeFaults(t *testing.T) {
	t.Parallel()
	get := func(c *Context, attr string) []string {
		slots, err := timeSlots(ctxFor(reparse(t, c.Raw)), attr)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range slots {
			out = append(out, s.el.SelectAttrValue(s.attr, "<absent>"))
		}
		return out
	}
	signedOK := func(c *Context) {
		resp, a := delivered(t, c)
		if err := verify(t, resp); err != nil {
			t.Errorf("Response: %v", err)
		}
		if err := verify(t, a); err != nil {
			t.Errorf("Assertion: %v", err)
		}
	}

	c := run(t, fault("shift-time", "attr", "NotBefore", "offset", "10m"))
	if got := get(c, "NotBefore"); len(got) != 1 || got[0] != ts(10*time.Minute) {
		t.Errorf("NotBefore %v, want now+10m", got)
	}
	signedOK(c)

	c = run(t, fault("shift-time", "attr", "SCDNotBefore", "offset", "-1m"))
	if got := get(c, "SCDNotBefore"); len(got) != 1 || got[0] != ts(-time.Minute) {
		t.Errorf("SCD NotBefore %v (created)", got)
	}

	// all: a clock-skewed IdP moves every present time, keeping the windows.
	c = run(t, fault("shift-time", "attr", "all", "offset", "-1h"))
	want := map[string]string{"ResponseIssueInstant": ts(-time.Hour), "AssertionIssueInstant": ts(-time.Hour),
		"NotBefore": ts(-65 * time.Minute), "NotOnOrAfter": ts(-55 * time.Minute), "SCDNotOnOrAfter": ts(-55 * time.Minute),
		"AuthnInstant": ts(-80 * time.Minute), "SCDNotBefore": "<absent>", "SessionNotOnOrAfter": "<absent>"}
	for attr, w := range want {
		got := get(c, attr)
		if w == "<absent>" {
			if len(got) != 1 || got[0] != w {
				t.Errorf("%s %v, want absent", attr, got)
			}
			continue
		}
		if len(got) != 1 || got[0] != w {
			t.Errorf("%s %v, want %s", attr, got, w)
		}
	}
	signedOK(c)

	c = run(t, fault("shift-time", "attr", "IssueInstant", "offset", "1h"))
	if got := get(c, "IssueInstant"); len(got) != 2 || got[0] != ts(time.Hour) || got[1] != ts(time.Hour) {
		t.Errorf("IssueInstant (Response and Assertion) %v", got)
	}

	c = run(t, fault("set-time", "attr", "SCDNotOnOrAfter", "value", "2026-08-29T14:05:00+02:00"))
	if got := get(c, "SCDNotOnOrAfter"); got[0] != "2026-08-29T14:05:00+02:00" {
		t.Errorf("set-time %v", got)
	}
	signedOK(c)

	for _, tc := range []struct{ layout, want string }{
		{"okta", ts(5 * time.Minute)},
		{"no-millis", "2026-08-29T12:05:00Z"},
		{"seven-digits", "2026-08-29T12:05:00.0000000Z"},
		{"no-zone", "2026-08-29T12:05:00.000"},
		{"offset", "2026-08-29T14:05:00.000+02:00"},
		{"unix-seconds", fmt.Sprint(testNow.Add(5 * time.Minute).Unix())},
	} {
		c = run(t, fault("reformat-time", "attr", "NotOnOrAfter", "layout", tc.layout))
		if got := get(c, "NotOnOrAfter"); got[0] != tc.want {
			t.Errorf("layout %s: %v, want %s", tc.layout, got, tc.want)
		}
	}

	c = run(t, fault("remove-time", "attr", "SCDNotOnOrAfter"))
	if got := get(c, "SCDNotOnOrAfter"); got[0] != "<absent>" {
		t.Errorf("remove-time left %v", got)
	}
	signedOK(c)

	for _, bad := range [][]Fault{
		{fault("shift-time", "attr", "NotBefore", "offset", "ten minutes")},
		{fault("remove-time", "attr", "SessionNotOnOrAfter")},
		{fault("set-time", "attr", "NotBefore", "value", "x"), fault("shift-time", "attr", "NotBefore", "offset", "1m", "base", "current")},
	} {
		if err := stages(t, newContext(t), StagePreSign, bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
